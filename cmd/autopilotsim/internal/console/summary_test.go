package console_test

import (
	"bytes"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/cmd/autopilotsim/internal/console"
	"github.com/autopilotsim/autopilotsim/results"
)

func run() *results.Run {
	r := &results.Run{Scenarios: []results.ScenarioResult{{
		Name: "quota", File: "q.yaml", Seed: 3, SimulatedTime: "40m45s",
		Devices: []results.DeviceResult{
			{Serial: "QTA0001", Outcome: "hybridJoined", Detail: "hybrid joined"},
			{Serial: "QTA0011", Outcome: "failed", FailedStage: "odjBlobWait", ErrorCode: "80070774",
				Explanation: &results.Explanation{Stage: "odjBlobWait", Code: "80070774", Meaning: "no ODJ blob",
					Cause: "the connector could not create the computer (quota 10)", Fix: "delegate createComputer on the OU",
					Message: "Something went wrong.", DocURL: "https://learn.microsoft.com/x", DocTitle: "Troubleshooting"}},
			{Serial: "QTA0012", Outcome: "failed", FailedStage: "odjBlobWait", ErrorCode: "80070774", Detail: "no blob in 25m"},
		},
		Expectations: []results.ExpectationResult{
			{Description: "expect[0]: all hybridJoined", Line: 40, Detail: "1 of 3 selected devices match (want 3); QTA0011: outcome failed, want hybridJoined; QTA0012: outcome failed, want hybridJoined"},
			{Description: "expect[1]: QTA0001 hybridJoined", Line: 44, Passed: true, Detail: "1 of 1"},
		},
	}}}
	r.Summarise()
	return r
}

var _ = Describe("the summary", func() {
	It("explains each failed expectation's devices in one or two lines, falling back to the device's own detail", func() {
		var out bytes.Buffer
		Expect(console.Summary(&out, run(), console.Normal)).To(Succeed())
		Expect(out.String()).To(HavePrefix("SCENARIO  RESULT  DEVICES"))
		Expect(out.String()).To(ContainSubstring("\n\nq.yaml:40: expect[0]: all hybridJoined\n" +
			"  1 of 3 selected devices match (want 3); QTA0011: outcome failed, want hybridJoined; QTA0012: outcome failed, want hybridJoined\n" +
			"  QTA0011 failed at odjBlobWait: 80070774 (no ODJ blob): the connector could not create the computer (quota 10)\n" +
			"    fix: delegate createComputer on the OU (https://learn.microsoft.com/x)\n" +
			"  QTA0012 failed at odjBlobWait: 80070774: no blob in 25m\n" +
			"\n1 scenarios: 0 passed, 1 failed; 3 devices; 2 expectations, 1 failed\n"))
		Expect(out.String()).NotTo(ContainSubstring("on screen:"))
	})

	It("names the devices in Mismatched when the harness gives them", func() {
		r := run()
		r.Scenarios[0].Expectations[0].Detail = "1 of 3 selected devices match (want 3)"
		r.Scenarios[0].Expectations[0].Mismatched = []string{"QTA0012"}
		var out bytes.Buffer
		Expect(console.Summary(&out, r, console.Normal)).To(Succeed())
		Expect(out.String()).To(ContainSubstring("QTA0012 failed"))
		Expect(out.String()).NotTo(ContainSubstring("QTA0011"))
	})

	It("quiet: only what failed", func() {
		var out bytes.Buffer
		Expect(console.Summary(&out, run(), console.Quiet)).To(Succeed())
		Expect(out.String()).To(HavePrefix("q.yaml:40: expect[0]: all hybridJoined\n"))
		Expect(out.String()).NotTo(ContainSubstring("SCENARIO"))
		Expect(out.String()).NotTo(ContainSubstring("scenarios:"))

		passed := run()
		passed.Scenarios[0].Expectations = passed.Scenarios[0].Expectations[1:]
		passed.Scenarios[0].Passed = true
		out.Reset()
		Expect(console.Summary(&out, passed, console.Quiet)).To(Succeed())
		Expect(out.String()).To(BeEmpty())
	})

	It("verbose: every device, with what the user saw and the page", func() {
		var out bytes.Buffer
		Expect(console.Summary(&out, run(), console.Verbose)).To(Succeed())
		Expect(out.String()).To(ContainSubstring("\nquota (q.yaml, seed 3)\n" +
			"  QTA0001 hybridJoined: hybrid joined\n" +
			"  QTA0011 failed at odjBlobWait: 80070774 (no ODJ blob): the connector could not create the computer (quota 10)\n" +
			"    fix: delegate createComputer on the OU (https://learn.microsoft.com/x)\n" +
			"    on screen: Something went wrong.\n" +
			"    see: Troubleshooting\n" +
			"  QTA0012 failed at odjBlobWait: 80070774: no blob in 25m\n"))
	})

	It("prints a scenario that could not run with its error", func() {
		r := run()
		r.Scenarios[0].Error = "setup: q.yaml:12: tenant.groups[0].membershipRule: bad rule"
		var out bytes.Buffer
		Expect(console.Summary(&out, r, console.Quiet)).To(Succeed())
		Expect(out.String()).To(HavePrefix("quota (q.yaml): setup: q.yaml:12: tenant.groups[0].membershipRule: bad rule\n\n"))
	})
})
