package results_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/results"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The JUnit shape CI dashboards read, parsed back.
type xSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []xSuite `xml:"testsuite"`
}

type xSuite struct {
	Name       string  `xml:"name,attr"`
	Tests      int     `xml:"tests,attr"`
	Failures   int     `xml:"failures,attr"`
	Errors     int     `xml:"errors,attr"`
	Skipped    int     `xml:"skipped,attr"`
	Time       string  `xml:"time,attr"`
	File       string  `xml:"file,attr"`
	Properties []xProp `xml:"properties>property"`
	Cases      []xCase `xml:"testcase"`
}

type xProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type xCase struct {
	Name      string  `xml:"name,attr"`
	Classname string  `xml:"classname,attr"`
	File      string  `xml:"file,attr"`
	Line      int     `xml:"line,attr"`
	Time      string  `xml:"time,attr"`
	Failure   *xFault `xml:"failure"`
	Error     *xFault `xml:"error"`
	SystemOut string  `xml:"system-out"`
}

type xFault struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

var start = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

func quotaRun() *results.Run {
	explained := func(serial string) results.DeviceResult {
		return results.DeviceResult{Serial: serial, Outcome: "failed", FailedStage: "odjBlobWait", ErrorCode: "80070774",
			Explanation: &results.Explanation{Stage: "odjBlobWait", Code: "80070774", Meaning: "no ODJ blob within 25 minutes",
				Cause: "the connector ODJCONN01 could not create the computer account in OU=Autopilot,DC=corp,DC=com: the machine-account quota of 10 is used up (Win32 8557)",
				Fix:   "delegate Create Computer objects", DocURL: "https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#increase-the-computer-account-limit-in-the-organizational-unit"}}
	}
	r := &results.Run{Scenarios: []results.ScenarioResult{
		{Name: "quota", File: "catalogue/quota.yaml", Seed: 5, SimulatedTime: "40m45s", Start: start,
			Devices: []results.DeviceResult{{Serial: "QTA0001", Outcome: "hybridJoined"}, explained("QTA0011"), explained("QTA0012")},
			Expectations: []results.ExpectationResult{
				{Description: "all hybrid joined", Passed: false, Line: 70, Detail: "1 of 3 selected devices match (want 3)",
					Mismatched: []string{"QTA0011", "QTA0012"}},
				{Description: `two fail <with> "8557" & co`, Passed: true, Line: 74, Detail: "2 of 3 match"},
			}},
		{Name: "broken", File: "catalogue/broken.yaml", SimulatedTime: "0s", Start: start, Error: "harness: domain x: boom"},
	}}
	r.Summarise()
	return r
}

func junit(r *results.Run) (string, xSuites) {
	var buf bytes.Buffer
	Expect(results.WriteJUnit(&buf, r)).To(Succeed())
	var got xSuites
	Expect(xml.Unmarshal(buf.Bytes(), &got)).To(Succeed())
	return buf.String(), got
}

var _ = Describe("WriteJUnit", func() {
	It("writes one suite per scenario with its file and properties, the simulated time as a property", func() {
		text, got := junit(quotaRun())
		Expect(text).To(HavePrefix(`<?xml version="1.0" encoding="UTF-8"?>`))
		Expect(got.Name).To(Equal("autopilotsim"))
		Expect([]int{got.Tests, got.Failures, got.Errors}).To(Equal([]int{3, 1, 1}))
		Expect(got.Suites).To(HaveLen(2))
		s := got.Suites[0]
		Expect(s.Name).To(Equal("quota"))
		Expect(s.File).To(Equal("catalogue/quota.yaml"))
		Expect([]int{s.Tests, s.Failures, s.Errors, s.Skipped}).To(Equal([]int{2, 1, 0, 0}))
		Expect(s.Time).To(Equal("0"))
		Expect(s.Properties).To(Equal([]xProp{{"file", "catalogue/quota.yaml"}, {"seed", "5"}, {"simulatedTime", "40m45s"},
			{"simulatedStart", "2026-01-05T08:00:00Z"}, {"devices", "3"}, {"outcomes", "failed=2 hybridJoined=1"}}))
	})

	It("writes one case per expectation, with the scenario file and the expectation's line", func() {
		_, got := junit(quotaRun())
		cs := got.Suites[0].Cases
		Expect(cs).To(HaveLen(2))
		Expect(cs[1]).To(Equal(xCase{Name: `two fail <with> "8557" & co`, Classname: "quota", File: "catalogue/quota.yaml", Line: 74, Time: "0", SystemOut: "2 of 3 match"}))
	})

	It("carries the explanation of the devices that did not match in the failure", func() {
		_, got := junit(quotaRun())
		f := got.Suites[0].Cases[0].Failure
		Expect(f).NotTo(BeNil())
		Expect(f.Type).To(Equal("ExpectationFailed"))
		lines := strings.Split(f.Message, "\n")
		Expect(lines).To(Equal([]string{"1 of 3 selected devices match (want 3)",
			"QTA0011 failed at odjBlobWait: 80070774 (no ODJ blob within 25 minutes): the connector ODJCONN01 could not create the computer account in OU=Autopilot,DC=corp,DC=com: the machine-account quota of 10 is used up (Win32 8557)"}))
		Expect(f.Body).To(HavePrefix("catalogue/quota.yaml:70: all hybrid joined\n1 of 3 selected devices match (want 3)\nQTA0011 failed at odjBlobWait"))
		Expect(f.Body).To(ContainSubstring("QTA0012 failed at odjBlobWait"))
		Expect(f.Body).To(ContainSubstring("  fix: delegate Create Computer objects (https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#increase-the-computer-account-limit-in-the-organizational-unit)"))
	})

	It("writes a scenario that could not run as one errored case", func() {
		_, got := junit(quotaRun())
		s := got.Suites[1]
		Expect([]int{s.Tests, s.Failures, s.Errors}).To(Equal([]int{1, 0, 1}))
		Expect(s.Cases).To(HaveLen(1))
		Expect(s.Cases[0].Name).To(Equal("run"))
		Expect(s.Cases[0].File).To(Equal("catalogue/broken.yaml"))
		Expect(s.Cases[0].Error).To(Equal(&xFault{Message: "harness: domain x: boom", Type: "ScenarioError", Body: "catalogue/broken.yaml: harness: domain x: boom"}))
	})

	It("is the same bytes for the same run", func() {
		a, _ := junit(quotaRun())
		b, _ := junit(quotaRun())
		Expect(a).To(Equal(b))
	})
})

var _ = DescribeTable("ExplainLine",
	func(d results.DeviceResult, want string) {
		Expect(results.ExplainLine(d)).To(Equal(want))
	},
	Entry("a joined device: serial and outcome", results.DeviceResult{Serial: "A1", Outcome: "hybridJoined"}, "A1 hybridJoined"),
	Entry("a failure: stage, code, meaning, cause", results.DeviceResult{Serial: "A2", Outcome: "failed", Explanation: &results.Explanation{
		Stage: "firstSignIn", Code: "8007051F", Meaning: "no logon server", Cause: "VPN after sign-in"}},
		"A2 failed at firstSignIn: 8007051F (no logon server): VPN after sign-in"),
	Entry("no code (blank profile)", results.DeviceResult{Serial: "A3", Outcome: "notAutopilot", Explanation: &results.Explanation{
		Stage: "profileDownload", Cause: "asked too early"}}, "A3 notAutopilot at profileDownload: asked too early"),
)
