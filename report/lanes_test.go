package report

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("swim lanes", func() {
	DescribeTable("an actor's lane",
		func(actor string, lane int) { Expect(laneNames[laneOf(actor)]).To(Equal(laneNames[lane])) },
		Entry("a device", "device/HOME0001", laneDevice),
		Entry("mockgraph", "graph", laneIntune),
		Entry("the admin", "admin", laneIntune),
		Entry("a connector", "connector/ODJCONN01", laneConnector),
		Entry("a domain controller", "dc/dc01.corp.contoso.com", laneAD),
		Entry("Entra Connect", "sync", laneSync),
		Entry("Entra Connect by package name", "entrasync/corp", laneSync),
		Entry("case does not matter", "Device/X", laneDevice),
		Entry("anything else is still drawn", "printer/7", laneOther),
		Entry("an empty actor", "", laneOther),
	)

	DescribeTable("the system a step talks to",
		func(lane int, step, detail string, touch int) { Expect(touchOf(lane, step, detail)).To(Equal(touch)) },
		Entry("the profile comes from Autopilot", laneDevice, "profileDownload", "events 161/111", laneIntune),
		Entry("the ODJ blob comes through Intune", laneDevice, "odjBlobWait", "event 111: starting wait", laneIntune),
		Entry("the DC check reaches AD", laneDevice, "dcConnectivityCheck", "domain controller reached", laneAD),
		Entry("a skipped DC check reaches nothing", laneDevice, "dcConnectivityCheck", "skipped: HybridJoinSkipDCConnectivityCheck=1", laneNone),
		Entry("the first sign-in uses AD credentials", laneDevice, "firstSignIn", "signed in with AD credentials", laneAD),
		Entry("the ESP stepping aside is the device's own", laneDevice, "firstSignIn", "ESP steps aside", laneNone),
		Entry("userCertificate is written to AD", laneDevice, "deviceJoin", "userCertificate written to the computer object", laneAD),
		Entry("registration waits for Entra Connect", laneDevice, "deviceJoin", "Error Phase: join, 0x801c03f2", laneSync),
		Entry("the connector's 30130 creates the computer in AD", laneConnector, "event 30130 RequestOfflineDomainJoinBlob_Success", "", laneAD),
		Entry("the connector's 30132 fails in AD", laneConnector, "event 30132 RequestOfflineDomainJoinBlob_Failure", "", laneAD),
		Entry("the connector's 30120 is its own", laneConnector, "event 30120 RequestOfflineDomainJoinBlob_Start", "", laneNone),
		Entry("mockgraph's events touch nothing", laneIntune, "conversion.registered", "", laneNone),
	)

	DescribeTable("stages and waits opened and closed by the device's steps",
		func(step, detail, opens string, closes []string) {
			open, mask := bandMarks(laneDevice, step, detail)
			if opens == "" {
				Expect(open).To(Equal(-1))
			} else {
				Expect(open).To(BeNumerically(">=", 0))
				Expect(bands[open].Label).To(Equal(opens))
			}
			var closed []string
			for i, b := range bands {
				if mask&(1<<i) != 0 {
					closed = append(closed, b.Label)
				}
			}
			Expect(closed).To(Equal(closes))
		},
		Entry("the blob wait starts", "odjBlobWait", "event 111: starting wait for ODJ blob (request x); event 109 state 1 waiting",
			"waiting for the ODJ blob", nil),
		Entry("the blob arrives: the DC wait starts", "odjBlobApplied", "event 107: ODJ blob applied offline",
			"waiting for a domain controller", []string{"waiting for the ODJ blob"}),
		Entry("the blob wait times out", "odjBlobWait", "event 109 state 3: timed out waiting for ODJ blob or connectivity",
			"", []string{"waiting for the ODJ blob"}),
		Entry("registration succeeds", "deviceJoin", "event 306: hybrid registration succeeded",
			"", []string{"ESP account setup: waiting for Entra registration", "waiting for Entra Connect to sync the computer"}),
		Entry("the sync wait starts", "deviceJoin", "userCertificate written to the computer object; waiting for Entra Connect",
			"waiting for Entra Connect to sync the computer", nil),
		Entry("a user ESP that is skipped waits for nothing", "accountSetup", "user ESP skipped (SkipUserStatusPage): desktop", "", nil),
	)

	It("closes every band at the device's outcome, and only the device's steps open any", func() {
		_, mask := bandMarks(laneDevice, "outcome", "failed: …")
		Expect(mask).To(Equal(1<<len(bands) - 1))
		open, mask := bandMarks(laneConnector, "odjBlobWait", "starting wait")
		Expect(open).To(Equal(-1))
		Expect(mask).To(BeZero())
	})
})
