package diagnosis_test

import (
	"strconv"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/diagnosis"
	"github.com/autopilotsim/autopilotsim/results"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// ids lists "log-tail:id" of events, for compact expectations.
func ids(evs []results.WindowsEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		log := e.Log[strings.LastIndex(e.Log, "/")+1:]
		if strings.Contains(e.Log, "ModernDeployment") {
			log = "Autopilot"
		} else if strings.Contains(e.Log, "DeviceManagement") {
			log = "DM"
		} else if strings.Contains(e.Log, "User Device Registration") {
			log = "UDR"
		} else if strings.Contains(e.Log, "ODJConnectorService") {
			log = "ODJ"
		}
		out[i] = log + ":" + strconv.Itoa(e.ID)
	}
	return out
}

var _ = DescribeTable("a device's timeline becomes the event log entries Windows writes",
	func(d diagnosis.Device, want []string) {
		Expect(ids(diagnosis.Events(d))).To(Equal(want))
	},
	Entry("not registered: 160 then 807 (troubleshooting FAQ event table)", device("notAutopilot", "", "",
		step{30 * time.Second, "profileDownload", "event 160: begin profile download"},
		step{45 * time.Second, "profileDownload", "event 807 ZtdDeviceIsNotRegistered; IsAutopilotDisabled=1"}),
		[]string{"Autopilot:160", "Autopilot:807"}),
	Entry("no profile: 815", device("notAutopilot", "", "",
		step{45 * time.Second, "profileDownload", "event 815 ZtdDeviceHasNoAssignedProfile"}),
		[]string{"Autopilot:815"}),
	Entry("blank profile while assigning: the transient 100 warning", device("notAutopilot", "", "",
		step{45 * time.Second, "profileDownload", "assignment in progress: blank profile cached until reboot"}),
		[]string{"Autopilot:100"}),
	Entry("hybrid joined: profile, enrollment, ODJ wait and apply, registration retries then 306",
		device("hybridJoined", "", "", flow(profileOK, blobApplied, rebooted, espWait, notSynced, registered)...),
		[]string{"Autopilot:160", "Autopilot:161", "Autopilot:153", "Autopilot:111", "DM:72", "DM:111", "DM:109",
			"DM:107", "DM:109", "UDR:304", "UDR:306"}),
	Entry("DC check timeout: 100 and 109 state 3", device("failed", "dcConnectivityCheck", "80070774",
		flow(profileOK, blobApplied, step{29 * time.Minute, "dcConnectivityCheck", "event 100: could not establish connectivity; event 109 state 3"})...),
		[]string{"Autopilot:160", "Autopilot:161", "Autopilot:153", "Autopilot:111", "DM:72", "DM:111", "DM:109", "DM:107", "DM:109", "DM:100", "DM:109"}),
	Entry("no ODJ request (F5): the wait starts but no waiting state", device("failed", "odjBlobWait", "80070774",
		step{4 * time.Minute, "odjBlobWait", "event 111: starting wait for ODJ blob; no Domain Join profile targets the device, so no ODJ request was made (F5)"},
		step{29 * time.Minute, "odjBlobWait", "event 109 state 3: timed out waiting for ODJ blob or connectivity"}),
		[]string{"DM:111", "DM:109"}),
	Entry("no DC for the device-join task: 201", device("pending", "", "",
		step{20 * time.Minute, "deviceJoin", "event 201: no DC reachable for the device-join task"}),
		[]string{"UDR:201"}),
	Entry("steps that are no events (network, outcome, other actors) are left out", func() diagnosis.Device {
		d := device("failed", "", "", step{0, "powerOn", "location hq-lan"}, step{time.Minute, "outcome", "failed: …"})
		d.Result.Timeline = append(d.Result.Timeline, results.TimelineEntry{At: t0, Actor: "device/OTHER", Step: "profileDownload", Detail: "event 807"})
		return d
	}(), []string{}),
)

var _ = Describe("connector events", func() {
	It("decodes 30132 into the documented fields, ErrorCode with its name, in time order with the device's", func() {
		d := device("failed", "odjBlobWait", "80070774", profileOK...)
		d.Connector = []diagnosis.ConnectorEvent{failure(connector.ErrorDSMachineAccountQuotaExced, 5*time.Minute)}
		evs := diagnosis.Events(d)
		Expect(ids(evs)).To(Equal([]string{"Autopilot:160", "Autopilot:161", "Autopilot:153", "Autopilot:111", "DM:72", "DM:111", "DM:109", "ODJ:30132"}))
		e := evs[len(evs)-1]
		Expect(e.Machine).To(Equal("connector/ODJCONN01"))
		Expect(e.Log).To(Equal(connector.ChannelAdmin))
		Expect(e.Level).To(Equal("Error"))
		Expect(e.Offset).To(Equal("5m0s"))
		Expect(e.Message).To(HavePrefix("RequestOfflineDomainJoinBlob_Failure: Failed to get the ODJ Blob."))
		names := []string{}
		for _, f := range e.Fields {
			names = append(names, f.Name)
		}
		Expect(names).To(Equal([]string{"RequestId", "DeviceId", "DomainName", "ErrorCode", "RetryCount", "ErrorDescription", "InstanceId", "DiagnosticCode", "DiagnosticText"}))
		Expect(e.Fields[3].Value).To(Equal("8557 ERROR_DS_MACHINE_ACCOUNT_QUOTA_EXCEEDED"))
		Expect(e.Fields[4].Value).To(Equal("2"))
		Expect(e.Fields[7].Value).To(Equal(connector.DiagnosticCodePrivileges))
		Expect(e.Fields[8].Value).To(ContainSubstring("Failed to call NetProvisionComputerAccount machineName=AP-ABCDEFGHIJKL"))
	})

	It("marks the connector event IDs Microsoft does not document as UNCERTAIN", func() {
		e := diagnosis.ConnectorWindowsEvent(diagnosis.ConnectorEvent{Connector: "C1", Event: connector.Event{
			ID: connector.EventRequestSuccess, Name: connector.NameRequestSuccess, Level: "Information", Channel: connector.ChannelOperational,
			Payload: `{"Metric":{"Dimensions":{"RequestId":"r","ComputerName":"AP-1","Zeta":"z","Alpha":"a"},"Name":"RequestOfflineDomainJoinBlob_Success","Value":0}}`}})
		Expect(e.Message).To(Equal("RequestOfflineDomainJoinBlob_Success (event ID UNCERTAIN: only 30132 is documented)"))
		Expect(e.Fields).To(Equal([]results.EventField{{Name: "RequestId", Value: "r"}, {Name: "ComputerName", Value: "AP-1"},
			{Name: "Alpha", Value: "a"}, {Name: "Zeta", Value: "z"}}))
	})
})

var _ = DescribeTable("DecodeConnectorPayload keeps what it cannot decode",
	func(payload, wantName string, want []results.EventField) {
		name, fields := diagnosis.DecodeConnectorPayload(payload)
		Expect(name).To(Equal(wantName))
		Expect(fields).To(Equal(want))
	},
	Entry("empty", "", "", nil),
	Entry("not JSON", "boom", "", []results.EventField{{Name: "Payload", Value: "boom"}}),
	Entry("JSON without Metric.Dimensions", `{"error":"x"}`, "", []results.EventField{{Name: "Payload", Value: `{"error":"x"}`}}),
	Entry("truncated JSON", `{"Metric":{"Dimensions":{"A":"b"`, "", []results.EventField{{Name: "Payload", Value: `{"Metric":{"Dimensions":{"A":"b"`}}),
	Entry("non-string dimensions keep their JSON text; a numeric ErrorCode still gets its name", `{"Metric":{"Dimensions":{"ErrorCode":5,"X":{"y":1}},"Name":"N"}}`, "N",
		[]results.EventField{{Name: "ErrorCode", Value: "5 ERROR_ACCESS_DENIED"}, {Name: "X", Value: `{"y":1}`}}),
	Entry("a string error code outside the table stays a number", `{"Metric":{"Dimensions":{"ErrorCode":"4242"},"Name":"N"}}`, "N",
		[]results.EventField{{Name: "ErrorCode", Value: "4242"}}),
)

var _ = Describe("Lookup", func() {
	DescribeTable("finds a code however it is written",
		func(code, name string) {
			c, ok := diagnosis.Lookup(code)
			Expect(ok).To(BeTrue())
			Expect(c.Name).To(Equal(name))
			Expect(c.Doc.URL).To(HavePrefix("https://learn.microsoft.com/"))
		},
		Entry("HRESULT", "80070774", "HRESULT_FROM_WIN32(ERROR_DOMAIN_CONTROLLER_NOT_FOUND)"),
		Entry("HRESULT with 0x, lower case", "0x800705b4", "HRESULT_FROM_WIN32(ERROR_TIMEOUT)"),
		Entry("DSREG code without 0x", "801C03F2", "DSREG_E_DIRECTORY_FAILURE"),
		Entry("connector Win32 code", "8557", "ERROR_DS_MACHINE_ACCOUNT_QUOTA_EXCEEDED"),
		Entry("NERR_UserExists", "2224", "NERR_UserExists"),
		Entry("access denied", "5", "ERROR_ACCESS_DENIED"),
	)
	It("does not know made-up codes", func() {
		_, ok := diagnosis.Lookup("deadbeef")
		Expect(ok).To(BeFalse())
	})
	It("documents every code with a meaning and a Microsoft Learn page", func() {
		for _, c := range diagnosis.Codes() {
			Expect(c.Meaning).NotTo(BeEmpty(), c.Code)
			Expect(c.Doc.URL).To(HavePrefix("https://learn.microsoft.com/"), c.Code)
			Expect(c.Doc.Title).NotTo(BeEmpty(), c.Code)
		}
	})
})
