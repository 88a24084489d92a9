package harness_test

import (
	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("device diagnostics in a run", Ordered, func() {
	var res results.ScenarioResult
	BeforeAll(func() {
		sc, err := scenarios.Load("../scenarios/catalogue/ou-not-delegated.yaml")
		Expect(err).NotTo(HaveOccurred())
		// What a user who expected the happy path would have written.
		sc.Expect = []scenarios.Expectation{
			{Devices: "all", Outcome: "hybridJoined"},
			{Devices: "all", ComputerName: "AP-[A-Z0-9]{12}", Events: &scenarios.EventsCheck{Present: []int{306}, Absent: []int{30132}},
				DSRegCmd: &scenarios.DSRegCheck{DomainJoined: "YES"}, EntraDevices: &scenarios.EntraDevicesCheck{TrustTypes: []string{"AzureAd", "ServerAd"}}},
		}
		res = harness.Run(sc, harness.Options{})
	})

	It("explains the failure in the run's terms: connector, computer, OU, Win32 code", func() {
		d := res.Devices[0]
		Expect(d.Explanation).NotTo(BeNil())
		Expect(d.Explanation.Code).To(Equal("80070774"))
		Expect(d.Explanation.Cause).To(MatchRegexp(`^the connector ODJCONN01 could not create the computer account AP-[A-Z0-9]{12} in OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com: access denied \(Win32 5 ERROR_ACCESS_DENIED, event 30132\)`))
		Expect(results.ExplainLine(d)).To(HavePrefix("NDG0001 failed at odjBlobWait: 80070774 ("))
	})

	It("writes the device's and the connector's events, 30132 decoded", func() {
		var got []int
		var fail results.WindowsEvent
		for _, e := range res.Devices[0].Events {
			got = append(got, e.ID)
			if e.ID == 30132 {
				fail = e
			}
		}
		Expect(got).To(Equal([]int{160, 161, 153, 111, 72, 111, 109, 30120, 30132, 30120, 30132, 30120, 30132, 109}))
		Expect(fail.Machine).To(Equal("connector/ODJCONN01"))
		Expect(fail.Fields).To(ContainElement(results.EventField{Name: "ErrorCode", Value: "5 ERROR_ACCESS_DENIED"}))
		Expect(fail.Fields).To(ContainElement(results.EventField{Name: "DiagnosticCode", Value: "0x00000800"}))
	})

	It("says for each failed expectation what the report shows instead, and which devices", func() {
		Expect(res.Passed).To(BeFalse())
		Expect(res.Expectations[0].Detail).To(Equal("0 of 1 selected devices match (want 1); NDG0001: outcome failed, want hybridJoined"))
		Expect(res.Expectations[0].Mismatched).To(Equal([]string{"NDG0001"}))
		Expect(res.Expectations[1].Detail).To(Equal("0 of 1 selected devices match (want 1); NDG0001: " +
			`no computer name, want one matching "AP-[A-Z0-9]{12}", Entra trust types [AzureAd], want [AzureAd, ServerAd], ` +
			"no event 306, event 30132 present, want none, dsregcmd DomainJoined: NO, want YES"))
		Expect(res.Expectations[1].Description).To(Equal("expect[1]: all named AP-[A-Z0-9]{12} Entra [AzureAd, ServerAd] event 306 no event 30132 dsregcmd DomainJoined=YES"))
	})
})
