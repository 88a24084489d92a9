package apstest_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/autopilotsim/autopilotsim/apstest"
	"github.com/autopilotsim/autopilotsim/results"
)

const ou = "OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com"

var _ = Describe("running a scenario from Go", Ordered, func() {
	var joined, failed *apstest.Result
	BeforeAll(func() {
		joined = apstest.Run(apstest.MustLoad("../scenarios/catalogue/onprem-lan-hybrid.yaml"))
		failed = apstest.Run(apstest.MustLoad("../scenarios/catalogue/ou-not-delegated.yaml"))
	})

	It("reads the devices of a run", func() {
		Expect(joined.Err()).NotTo(HaveOccurred())
		Expect(joined.Serials()).To(Equal([]string{"LAN0001", "LAN0002"}))
		Expect(joined).To(apstest.Pass())
		Expect(joined.Device("LAN0001")).To(apstest.HaveHybridJoined())
		Expect(joined.Device("LAN0001")).To(apstest.HaveComputerIn(ou))
		Expect(joined.Device("LAN0001")).To(apstest.HaveComputerIn("ou=autopilot, ou=devices, dc=corp, dc=contoso, dc=com"))
		Expect(joined.Device("LAN0001")).To(apstest.HaveEntraObjects(2))
		Expect(failed.Device("NDG0001")).To(apstest.FailAt("odjBlobWait", "80070774"))
		Expect(failed.Device("NDG0001")).To(apstest.FailAt("odjBlobWait", ""))
		Expect(failed.Device("NDG0001")).NotTo(apstest.HaveHybridJoined())
	})

	It("gives the same results for the same seed", func() {
		again := apstest.Run(apstest.MustLoad("../scenarios/catalogue/onprem-lan-hybrid.yaml"))
		Expect(again.Devices).To(Equal(joined.Devices))
		other := apstest.Run(apstest.MustLoad("../scenarios/catalogue/onprem-lan-hybrid.yaml"), apstest.WithSeed(99))
		Expect(other.Seed).To(Equal(uint64(99)))
	})

	// The failure messages are the matchers' product: they say what the
	// device did, why, and what to change.
	DescribeTable("failure messages",
		func(pick func() any, m types.GomegaMatcher, want []string) {
			ok, err := m.Match(pick())
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(BeFalse())
			msg := m.FailureMessage(pick())
			for _, w := range want {
				Expect(msg).To(ContainSubstring(w))
			}
		},
		Entry("HaveHybridJoined on a failed device: outcome, stage, code, cause, fix, timeline",
			func() any { return failed.Device("NDG0001") }, apstest.HaveHybridJoined(),
			[]string{"Expected device NDG0001 to have outcome hybridJoined, but",
				"outcome:   failed at odjBlobWait (80070774)",
				"why:       NDG0001 failed at odjBlobWait: 80070774",
				"fix: ", "last steps:"}),
		Entry("FailAt with another code",
			func() any { return failed.Device("NDG0001") }, apstest.FailAt("odjBlobWait", "80070005"),
			[]string{"Expected device NDG0001 to fail at odjBlobWait with 80070005, but", "(80070774)"}),
		Entry("HaveComputerIn another OU",
			func() any { return joined.Device("LAN0001") }, apstest.HaveComputerIn("OU=Other,DC=corp,DC=contoso,DC=com"),
			[]string{"Expected device LAN0001 to have its computer object in OU=Other,DC=corp,DC=contoso,DC=com, but",
				"computer:  CN=AP-", ",OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com"}),
		Entry("HaveEntraObjects with another count",
			func() any { return joined.Device("LAN0001") }, apstest.HaveEntraObjects(1),
			[]string{"to have 1 Entra device object(s), but", "entra:     2 object(s)"}),
		Entry("an unknown serial names the run's devices",
			func() any { return joined.Device("NOPE") }, apstest.HaveHybridJoined(),
			[]string{`Expected a device to have outcome hybridJoined, but (no device "NOPE" in scenario "onprem-lan-hybrid"; it has [LAN0001 LAN0002])`}),
	)

	It("refuses a value that is not a device, saying what it got", func() {
		_, err := apstest.HaveHybridJoined().Match(42)
		Expect(err).To(MatchError("apstest: expected a device result (apstest.Device), got int"))
		_, err = apstest.Pass().Match(joined.Device("LAN0001"))
		Expect(err).To(MatchError("apstest: Pass expects a *apstest.Result, got results.DeviceResult"))
	})

	It("says which expectations failed when a scenario does not pass", func() {
		r := &apstest.Result{ScenarioResult: results.ScenarioResult{Name: "x", File: "x.yaml", Seed: 1,
			Devices: []results.DeviceResult{{Serial: "A1", Outcome: "failed"}},
			Expectations: []results.ExpectationResult{
				{Description: "all devices hybridJoined", Detail: "1 of 1 did not match", Line: 12, Mismatched: []string{"A1"}},
			}}}
		m := apstest.Pass()
		Expect(m.Match(r)).To(BeFalse())
		Expect(m.FailureMessage(r)).To(Equal("Expected scenario \"x\" (seed 1) to pass, but these expectations failed:\n" +
			"- all devices hybridJoined (x.yaml:12): 1 of 1 did not match\n    A1 failed"))
		Expect(apstest.HaveHybridJoined().NegatedFailureMessage(joined.Device("LAN0001"))).
			To(HavePrefix("Expected device LAN0001 not to have outcome hybridJoined, but it did\n"))
	})

	It("reports a scenario the mocks refuse as invalid, with its file and line", func() {
		_, err := apstest.LoadYAML("bad.yaml", "name: x\ndevices: 3\n")
		Expect(err).To(MatchError(ContainSubstring("bad.yaml:2")))
		Expect(func() { apstest.MustLoadYAML("bad.yaml", "name: [") }).To(PanicWith(ContainSubstring("apstest: bad.yaml")))
	})
})
