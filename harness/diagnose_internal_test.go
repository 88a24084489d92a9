package harness

import (
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// hybrid is a hybrid joined device as the report shows it.
var hybrid = results.DeviceResult{
	Serial: "LAN0001", Outcome: "hybridJoined", ComputerName: "AP-7XC470A44UGN",
	EntraDevices: []results.EntraDevice{{DisplayName: "AP-7XC470A44UGN", TrustType: "ServerAd"}, {DisplayName: "LAN0001", TrustType: "AzureAd"}},
	Events:       []results.WindowsEvent{{ID: 160}, {ID: 107}, {ID: 306}},
	DSRegCmd:     &results.DSRegState{AzureAdJoined: "YES", EnterpriseJoined: "NO", DomainJoined: "YES", DomainName: "CORP", AzureAdPrt: "YES"},
}

var _ = DescribeTable("expectations on what the report shows",
	func(e scenarios.Expectation, want []string) {
		Expect(reportMismatch(e, hybrid)).To(Equal(want))
	},
	Entry("computer name matching in full", scenarios.Expectation{ComputerName: "AP-[A-Z0-9]{12}"}, []string(nil)),
	Entry("computer name matching only a part", scenarios.Expectation{ComputerName: "AP-[A-Z0-9]{3}"},
		[]string{`computer name "AP-7XC470A44UGN" does not match "AP-[A-Z0-9]{3}"`}),
	Entry("trust types in another order", scenarios.Expectation{EntraDevices: &scenarios.EntraDevicesCheck{TrustTypes: []string{"AzureAd", "ServerAd"}}}, []string(nil)),
	Entry("trust types missing one", scenarios.Expectation{EntraDevices: &scenarios.EntraDevicesCheck{TrustTypes: []string{"AzureAd"}}},
		[]string{"Entra trust types [AzureAd, ServerAd], want [AzureAd]"}),
	Entry("names, each matching some object", scenarios.Expectation{EntraDevices: &scenarios.EntraDevicesCheck{Names: []string{"LAN0001", "AP-.*"}}}, []string(nil)),
	Entry("a name no object has", scenarios.Expectation{EntraDevices: &scenarios.EntraDevicesCheck{Names: []string{"LAN0002"}}},
		[]string{`no Entra object named like "LAN0002" (objects: AP-7XC470A44UGN, LAN0001)`}),
	Entry("events present and absent", scenarios.Expectation{Events: &scenarios.EventsCheck{Present: []int{107, 306}, Absent: []int{30132}}}, []string(nil)),
	Entry("an event missing, an event present that should not be", scenarios.Expectation{Events: &scenarios.EventsCheck{Present: []int{807}, Absent: []int{306}}},
		[]string{"no event 807", "event 306 present, want none"}),
	Entry("dsregcmd, domain name in any case", scenarios.Expectation{DSRegCmd: &scenarios.DSRegCheck{AzureAdJoined: "YES", DomainJoined: "YES", DomainName: "corp"}}, []string(nil)),
	Entry("dsregcmd differing", scenarios.Expectation{DSRegCmd: &scenarios.DSRegCheck{AzureAdPrt: "NO", ErrorPhase: "join"}},
		[]string{"dsregcmd AzureAdPrt: YES, want NO", "dsregcmd Error Phase: none, want join"}),
)

// A lab asks for its devices' results again and again while connectors stop
// and start; the diagnosis's tables are read from the world on each ask,
// not once per lab.
var _ = Describe("the diagnosis's connectors of a domain", func() {
	It("are read again on each ask, so a stopped connector shows as stopped", func() {
		sc, err := scenarios.Load("../scenarios/catalogue/onprem-lan-hybrid.yaml")
		Expect(err).NotTo(HaveOccurred())
		w := newWorld(sc, nil, sim.Epoch)
		DeferCleanup(w.close)
		Expect(w.build(WireMemory)).To(Succeed())
		Expect(w.sched.Run(w.t0.Add(sc.Duration.D()))).To(Succeed())
		dom := sc.Environment.Connectors[0].Domain

		w.deviceResults()
		all, running := w.newDiagnosisTables().domainConnectors(dom)
		Expect(all).To(HaveLen(len(sc.Environment.Connectors)))
		Expect(running).To(Equal(all))

		for _, c := range w.connectors {
			c.Stop()
		}
		w.deviceResults()
		all, running = w.newDiagnosisTables().domainConnectors(dom)
		Expect(all).To(HaveLen(len(sc.Environment.Connectors)))
		Expect(running).To(BeEmpty())
	})
})
