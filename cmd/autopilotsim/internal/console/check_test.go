package console_test

import (
	"bytes"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/check"
	"github.com/autopilotsim/autopilotsim/cmd/autopilotsim/internal/console"
)

func checkReport() *check.Report {
	ok := check.CohortResult{Key: "tag=HYB @lan vpn=none", Cohort: check.Cohort{Devices: 12}, Outcome: "hybridJoined"}
	bad := check.CohortResult{Key: "tag=HYB @home vpn=none", Cohort: check.Cohort{Devices: 12}, Outcome: "failed",
		FailedStage: "dcConnectivityCheck", ErrorCode: "80070774", Reason: "no DC\nreachable"}
	return &check.Report{ConfigDir: "tenant/", EnvFile: "env.yaml", FailOn: check.SeverityError,
		Findings: []check.Finding{
			{RuleID: "APS012", Severity: check.SeverityError, Message: "OU has no DC= parts", Object: `Domain Join profile "Corp"`,
				File: "deviceConfigurations/corp.json", Line: 7, Col: 5, HelpURI: "https://learn.microsoft.com/y"},
			{RuleID: "APS020", Severity: check.SeverityWarning, Message: "connector version old", File: "env.yaml", Line: 3, External: true},
		},
		Cohorts: []check.CohortResult{bad, ok},
		HasBase: true,
		Changes: []check.CohortChange{{Key: bad.Key, Kind: check.Regression, Base: ok, Head: bad}},
	}
}

var _ = Describe("the check summary", func() {
	It("prints findings at file:line:col, cohorts, changes and the verdict", func() {
		var out bytes.Buffer
		Expect(console.CheckSummary(&out, checkReport(), console.Normal)).To(Succeed())
		Expect(out.String()).To(Equal(`Findings
  tenant/deviceConfigurations/corp.json:7:5: error APS012: OU has no DC= parts (Domain Join profile "Corp")
  env.yaml:3: warning APS020: connector version old

Cohorts
  COHORT                  DEVICES  OUTCOME                                 WHY
  tag=HYB @home vpn=none  12       failed at dcConnectivityCheck 80070774  no DC reachable
  tag=HYB @lan vpn=none   12       hybridJoined                            

Changes from the base
  regression tag=HYB @home vpn=none: hybridJoined -> failed at dcConnectivityCheck 80070774 (no DC reachable)

blocking: 1 finding(s) at or above error, 1 regression(s)
`))
	})

	It("quiet: only blocking findings, the changes and the verdict; nothing blocking says so", func() {
		r := checkReport()
		var out bytes.Buffer
		Expect(console.CheckSummary(&out, r, console.Quiet)).To(Succeed())
		Expect(out.String()).NotTo(ContainSubstring("APS020"))
		Expect(out.String()).NotTo(ContainSubstring("Cohorts"))
		Expect(out.String()).To(HaveSuffix("blocking: 1 finding(s) at or above error, 1 regression(s)\n"))

		r.Findings, r.Changes = r.Findings[1:], nil
		Expect(console.Verdict(r)).To(Equal("nothing blocking: 1 finding(s), 2 cohort(s) simulated (fail on error)"))
	})
})
