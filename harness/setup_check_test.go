package harness_test

import (
	"bytes"
	"errors"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// setupScenario is one on-premises device that hybrid-joins; edit swaps a
// line to make what the mocks refuse.
const setupScenario = `name: setup-check
environment:
  domains:
    - name: corp.contoso.com
      netbios: CORP
      ous: ["OU=Autopilot,DC=corp,DC=contoso,DC=com"]
      users:
        - {sam: alice, password: "Passw0rd!", upn: alice@contoso.com}
      delegations:
        - {trustee: ODJCONN01, ou: "OU=Autopilot,DC=corp,DC=contoso,DC=com", right: createComputer}
  connectors:
    - {name: ODJCONN01, domain: corp.contoso.com}
  networks:
    - {name: lan, kind: corporate}
tenant:
  groups:
    - name: Autopilot devices
      membershipRule: (device.devicePhysicalIds -any _ -startsWith "[ZTDId]")
  deploymentProfiles:
    - {name: Hybrid, joinType: hybrid, assignTo: {include: [Autopilot devices]}}
  domainJoinProfiles:
    - {name: DJ, domain: corp.contoso.com, prefix: AP-, ou: "OU=Autopilot,DC=corp,DC=contoso,DC=com", assignTo: {include: [allDevices]}}
devices:
  - {serial: SC0001, location: lan, user: alice@contoso.com}
expect:
  - {devices: all, outcome: hybridJoined}
`

// loadEdited loads setupScenario with each old text replaced by the new
// one after it.
func loadEdited(oldNew ...string) *scenarios.Scenario {
	GinkgoHelper()
	doc := setupScenario
	for i := 0; i < len(oldNew); i += 2 {
		Expect(doc).To(ContainSubstring(oldNew[i]))
		doc = strings.Replace(doc, oldNew[i], oldNew[i+1], 1)
	}
	sc, err := scenarios.LoadBytes("setup.yaml", []byte(doc))
	Expect(err).NotTo(HaveOccurred())
	return sc
}

var _ = Describe("what a scenario sets up that the mocks refuse", func() {
	DescribeTable("is invalid input at the field's file:line, in the cloud's words",
		func(edits []string, path string, line int, words string) {
			sc := loadEdited(edits...)
			err := harness.CheckSetup(sc)
			var inv *harness.InvalidError
			Expect(errors.As(err, &inv)).To(BeTrue(), "%v", err)
			var se *harness.SetupError
			Expect(errors.As(err, &se)).To(BeTrue())
			Expect(se.File).To(Equal("setup.yaml"))
			Expect(se.Path).To(Equal(path))
			Expect(se.Line).To(Equal(line))
			Expect(err.Error()).To(HavePrefix(se.File + ":" + itoa(line) + ": " + path + ": "))
			Expect(err.Error()).To(ContainSubstring(words))
			// No escaped JSON: the message is words, not an HTTP body.
			Expect(err.Error()).NotTo(ContainSubstring(`{"error"`))
			Expect(err.Error()).NotTo(ContainSubstring(`\"`))
			Expect(err.Error()).NotTo(ContainSubstring(`\r\n`))
			Expect(err.Error()).NotTo(ContainSubstring("Operation ID"))

			By("run says the same, and reports the scenario as an error")
			run, runErr := harness.Execute([]*scenarios.Scenario{sc}, harness.Options{})
			Expect(errors.As(runErr, &inv)).To(BeTrue())
			Expect(runErr.Error()).To(Equal(err.Error()))
			Expect(run.Scenarios).To(HaveLen(1))
			Expect(run.Scenarios[0].Passed).To(BeFalse())
			Expect(run.Scenarios[0].Error).To(ContainSubstring(err.Error()))
		},
		Entry("a membership rule that does not parse", []string{`-startsWith "[ZTDId]")`, `-startswit "[ZTDId]")`},
			"tenant.groups[0].membershipRule", 18, `Dynamic membership rule validation error: Query compilation error.; rules: 1:34: Query compilation error. (expected an operator, found '-startswit')`),
		Entry("an assigned group's member that is neither imported nor enrolled", []string{
			`      membershipRule: (device.devicePhysicalIds -any _ -startsWith "[ZTDId]")`, `      members: [SC0001]`,
			`{serial: SC0001, location: lan`, `{serial: SC0001, registered: false, location: lan`},
			"tenant.groups[0].members[0]", 18, `member SC0001 has no Entra device object`),
	)

	It("leaves a scenario the mocks accept alone, and powers no device on", func() {
		sc := loadEdited("name: setup-check", "name: setup-ok")
		Expect(harness.CheckSetup(sc)).To(Succeed())
	})

	It("does not change a run's results (same JSON as before the check)", func() {
		sc := loadEdited("name: setup-check", "name: setup-same")
		_, before := runJSON([]*scenarios.Scenario{sc}, harness.Options{})
		Expect(harness.CheckSetup(sc)).To(Succeed())
		_, after := runJSON([]*scenarios.Scenario{sc}, harness.Options{})
		Expect(string(after)).To(Equal(string(before)))
	})
})

var _ = Describe("run progress", func() {
	It("reports each scenario's start, each device that finishes and the end, without changing the results", func() {
		a := loadEdited("name: setup-check", "name: progress-a")
		b := loadEdited("devices:\n  - {serial: SC0001, location: lan, user: alice@contoso.com}",
			"devices:\n  - {serial: SC0001, location: lan, user: alice@contoso.com}\n  - {serial: SC0002, location: lan, user: alice@contoso.com}")
		var seen []harness.Progress
		withProgress, err := harness.Execute([]*scenarios.Scenario{a, b}, harness.Options{Progress: func(p harness.Progress) { seen = append(seen, p) }})
		Expect(err).NotTo(HaveOccurred())
		type step struct {
			Scenario                                         string
			Index, DevicesDone, Devices, RunDone, RunDevices int
			Finished                                         bool
		}
		var steps []step
		for _, p := range seen {
			Expect(p.Scenarios).To(Equal(2))
			steps = append(steps, step{p.Scenario, p.Index, p.DevicesDone, p.Devices, p.RunDevicesDone, p.RunDevices, p.Finished})
		}
		Expect(steps).To(Equal([]step{
			{"progress-a", 0, 0, 1, 0, 3, false}, {"progress-a", 0, 1, 1, 1, 3, false}, {"progress-a", 0, 1, 1, 1, 3, true},
			{"setup-check", 1, 0, 2, 1, 3, false}, {"setup-check", 1, 1, 2, 2, 3, false}, {"setup-check", 1, 2, 2, 3, 3, false}, {"setup-check", 1, 2, 2, 3, 3, true},
		}))
		Expect(seen[0].Simulated).To(BeNumerically("<", 0), "the setup runs before T0")
		Expect(seen[len(seen)-1].Simulated).To(BeNumerically(">", 0))

		var x, y bytes.Buffer
		Expect(results.WriteJSON(&x, withProgress)).To(Succeed())
		Expect(results.WriteJSON(&y, harness.RunAll([]*scenarios.Scenario{a, b}, harness.Options{}))).To(Succeed())
		Expect(x.String()).To(Equal(y.String()))
	})
})

func itoa(n int) string {
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
