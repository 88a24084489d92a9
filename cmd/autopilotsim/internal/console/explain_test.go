package console_test

import (
	"bytes"
	"encoding/json"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/cmd/autopilotsim/internal/console"
	"github.com/autopilotsim/autopilotsim/results"
)

func explained() *results.Run {
	r := run()
	d := &r.Scenarios[0].Devices[1]
	d.Timeline = []results.TimelineEntry{
		{Offset: "0s", Actor: "device/QTA0011", Step: "powerOn", Detail: "location lan"},
		{Offset: "5m0s", Actor: "connector/ODJCONN01", Step: "event 30132 RequestOfflineDomainJoinBlob_Failure", Detail: "quota\nexceeded"},
	}
	d.Events = []results.WindowsEvent{{Offset: "5m0s", Machine: "connector/ODJCONN01", Log: "Microsoft-Intune-ODJConnectorService/Operational",
		ID: 30132, Level: "Error", Message: "RequestOfflineDomainJoinBlob_Failure", Fields: []results.EventField{{Name: "ErrorCode", Value: "8557"}}}}
	d.DSRegCmd = &results.DSRegState{AzureAdJoined: "NO", EnterpriseJoined: "NO", DomainJoined: "NO", AzureAdPrt: "NO"}
	d.PoweredOnAt, d.FinishedAt, d.Registration = "0s", "30m0s", "import"
	return r
}

var _ = Describe("explain", func() {
	It("tells a device's story: verdict, diagnosis, timeline, Windows events, dsregcmd", func() {
		sc, d, err := console.FindDevice(explained(), "qta0011", "")
		Expect(err).NotTo(HaveOccurred())
		var out bytes.Buffer
		Expect(console.Explain(&out, sc, d)).To(Succeed())
		Expect(out.String()).To(Equal(`QTA0011 in scenario quota (q.yaml, seed 3)

  outcome       failed at odjBlobWait, 80070774
  registration  import
  Entra         0 device object(s)
  powered on    T0+0s
  finished      T0+30m0s

Why
  QTA0011 failed at odjBlobWait: 80070774 (no ODJ blob): the connector could not create the computer (quota 10)
  fix: delegate createComputer on the OU (https://learn.microsoft.com/x)
  on screen: Something went wrong.
  see: Troubleshooting

Timeline
  T0+0s    device/QTA0011       powerOn                                           location lan
  T0+5m0s  connector/ODJCONN01  event 30132 RequestOfflineDomainJoinBlob_Failure  quota exceeded

Windows events
  T0+5m0s  connector/ODJCONN01  30132  Error  Microsoft-Intune-ODJConnectorService/Operational  RequestOfflineDomainJoinBlob_Failure
               ErrorCode: 8557

dsregcmd /status
  AzureAdJoined    : NO
  EnterpriseJoined : NO
  DomainJoined     : NO
  AzureAdPrt       : NO
`))
	})

	// F36 and F38, two known issues of https://learn.microsoft.com/en-us/autopilot/known-issues.
	It("shows the local administrators and Conditional Access's decisions of a hybrid device", func() {
		r := explained()
		d := &r.Scenarios[0].Devices[1]
		d.LocalAdministrators = []string{"helpdesk"}
		d.ConditionalAccess = &results.ConditionalAccess{
			AtProvisioningEnd: &results.AccessDecision{Result: "blocked", Compliance: "N/A", Policy: "Require compliant device", Reason: "not compliant"},
			AfterSignIn:       &results.AccessDecision{Result: "granted", Compliance: "compliant"},
		}
		sc, dev, err := console.FindDevice(r, "QTA0011", "")
		Expect(err).NotTo(HaveOccurred())
		var out bytes.Buffer
		Expect(console.Explain(&out, sc, dev)).To(Succeed())
		Expect(out.String()).To(ContainSubstring("\n  local admins        helpdesk\n"))
		Expect(out.String()).To(ContainSubstring("\n  Conditional Access  at the end of provisioning: blocked (compliance N/A) by \u201cRequire compliant device\u201d: not compliant; " +
			"after the user signs in again: granted (compliance compliant)\n"))
	})

	DescribeTable("finds one device, or says why not",
		func(serial, scenario, msg string) {
			r := explained()
			r.Scenarios = append(r.Scenarios, results.ScenarioResult{Name: "other", Devices: []results.DeviceResult{{Serial: "QTA0001"}}})
			_, _, err := console.FindDevice(r, serial, scenario)
			if msg == "" {
				Expect(err).NotTo(HaveOccurred())
				return
			}
			Expect(err).To(MatchError(msg))
		},
		Entry("unknown serial: the devices there are", "NOPE", "", `no device "NOPE" in the results (devices: QTA0001, QTA0001, QTA0011, QTA0012)`),
		Entry("a serial in two scenarios", "QTA0001", "", `device "QTA0001" is in 2 scenarios (quota, other): name one with --scenario`),
		Entry("named", "QTA0001", "other", ""),
		Entry("unknown scenario", "QTA0001", "nope", `no scenario "nope" in the results (scenarios: other, quota)`),
	)
})

var _ = Describe("reading results.json", func() {
	It("reads what results.WriteJSON writes", func() {
		var buf bytes.Buffer
		Expect(results.WriteJSON(&buf, explained())).To(Succeed())
		got, err := console.DecodeResults("r.json", buf.Bytes())
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Scenarios[0].Devices[1].Events[0].Fields[0].Value).To(Equal("8557"))
	})

	DescribeTable("says where malformed input is wrong",
		func(doc, msg string) {
			_, err := console.DecodeResults("r.json", []byte(doc))
			Expect(err).To(MatchError(ContainSubstring(msg)))
		},
		Entry("not JSON", "{\n  \"scenarios\": [,]\n}", "r.json:2:17: invalid character ','"),
		Entry("a wrong type", "{\n  \"scenarios\": [{\"seed\": \"x\"}]\n}", "r.json:2:"),
		Entry("not a results.json", `{"foo": 1}`, `r.json: not a results.json: no "scenarios"`),
		Entry("an array", `[1]`, "r.json:1:"),
		Entry("empty", ``, "r.json:1:1: unexpected end of JSON input"),
	)
})

// FuzzDecodeResults: any bytes give a run or an error, never a panic.
func FuzzDecodeResults(f *testing.F) {
	var buf bytes.Buffer
	_ = results.WriteJSON(&buf, explained())
	f.Add(buf.Bytes())
	f.Add([]byte(`{"scenarios": null}`))
	f.Add([]byte("{\n\"scenarios\": [{\"devices\": [{\"serial\": 7}]}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := console.DecodeResults("f.json", data)
		if err == nil && run == nil {
			t.Fatal("no run and no error")
		}
		if err == nil && !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
	})
}
