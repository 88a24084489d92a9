package scenarios_test

import (
	"github.com/autopilotsim/autopilotsim/scenarios"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("expectations on what the report shows", func() {
	It("loads computerName, entraDevices, events and dsregcmd", func() {
		doc := edit("    outcome: hybridJoined\n", `    outcome: hybridJoined
    computerName: "AP-[A-Z0-9]{12}"
    entraObjects: 2
    entraDevices:
      trustTypes: [ServerAd, AzureAd]
      names: [DEV0001, "AP-.*"]
    events:
      present: [306, 107]
      absent: [30132]
    dsregcmd:
      azureAdJoined: YES
      domainJoined: YES
      azureAdPrt: "NO"
      domainName: CORP
`)
		sc, err := scenarios.LoadBytes("s.yaml", []byte(doc))
		Expect(err).NotTo(HaveOccurred())
		e := sc.Expect[0]
		Expect(e.ComputerName).To(Equal("AP-[A-Z0-9]{12}"))
		Expect(*e.EntraDevices).To(Equal(scenarios.EntraDevicesCheck{TrustTypes: []string{"ServerAd", "AzureAd"}, Names: []string{"DEV0001", "AP-.*"}}))
		Expect(*e.Events).To(Equal(scenarios.EventsCheck{Present: []int{306, 107}, Absent: []int{30132}}))
		Expect(*e.DSRegCmd).To(Equal(scenarios.DSRegCheck{AzureAdJoined: "YES", DomainJoined: "YES", AzureAdPrt: "NO", DomainName: "CORP"}))
	})

	DescribeTable("reject bad values with file:line:col",
		func(doc string, want ...string) {
			_, err := scenarios.LoadBytes("s.yaml", []byte(doc))
			Expect(errorLines(err)).To(Equal(want))
		},
		Entry("a boolean for a YES/NO value", edit("    outcome: hybridJoined\n", "    dsregcmd:\n      domainJoined: true\n"),
			`s.yaml:41:21: expect[0].dsregcmd.domainJoined: unknown domainJoined "true" (want one of YES, NO)`),
		Entry("text for an event ID", edit("    outcome: hybridJoined\n", "    events:\n      present: [ZtdDeviceIsNotRegistered]\n"),
			`s.yaml:41:17: expect[0].events.present[0]: want a whole number, got "ZtdDeviceIsNotRegistered"`),
		Entry("a bad computer-name pattern", edit("    outcome: hybridJoined\n", "    computerName: \"AP-(\"\n"),
			"s.yaml:40:19: expect[0].computerName: bad regular expression \"AP-(\": error parsing regexp: missing closing ): `AP-(`"),
		Entry("an unknown key under dsregcmd", edit("    outcome: hybridJoined\n", "    dsregcmd:\n      azureADJoined: YES\n"),
			`s.yaml:41:7: expect[0].dsregcmd.azureADJoined: unknown key "azureADJoined" (did you mean "azureAdJoined"?)`),
	)

	DescribeTable("FullMatch anchors the pattern",
		func(pattern, name string, want bool) {
			re, err := scenarios.FullMatch(pattern)
			Expect(err).NotTo(HaveOccurred())
			Expect(re.MatchString(name)).To(Equal(want))
		},
		Entry("the whole name", "AP-[A-Z0-9]{12}", "AP-7XC470A44UGN", true),
		Entry("not a prefix of it", "AP-[A-Z0-9]{3}", "AP-7XC470A44UGN", false),
		Entry("not inside a longer name", "AP-[A-Z0-9]{12}", "XAP-7XC470A44UGN", false),
		Entry("alternation stays inside the anchors", "AP-.*|LAB-.*", "xLAB-1", false),
	)
})
