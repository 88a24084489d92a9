package report_test

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/autopilotsim/autopilotsim/report"
	"github.com/autopilotsim/autopilotsim/results"
)

// FuzzWrite renders results with arbitrary strings where the harness puts
// text: the page must render, parse, and keep its own two scripts only.
func FuzzWrite(f *testing.F) {
	f.Add("HOME0001", "failed", "dcConnectivityCheck", "80070774", "device/HOME0001", "29m45s", "no DC", "https://learn.microsoft.com/x")
	f.Add("<script>", "</script>", "\x1b0;", "\x1b", "connector/\x00", "-1h", "{{.}}", "javascript:alert(1)")
	f.Fuzz(func(t *testing.T, serial, outcome, stage, code, actor, offset, detail, doc string) {
		run := &results.Run{Scenarios: []results.ScenarioResult{{Name: detail, Devices: []results.DeviceResult{
			{Serial: serial, Outcome: outcome, FailedStage: stage, ErrorCode: code, Detail: detail, ComputerName: code,
				Timeline: []results.TimelineEntry{{Offset: offset, Actor: actor, Step: stage, Detail: detail},
					{Offset: offset, Actor: "device/" + serial, Step: "outcome", Detail: serial + detail}},
				Events:      []results.WindowsEvent{{Offset: offset, Machine: actor, Message: detail, Fields: []results.EventField{{Name: stage, Value: serial}}}},
				DSRegCmd:    &results.DSRegState{DeviceName: code, DomainName: detail},
				Explanation: &results.Explanation{Code: code, Cause: detail, Fix: serial, DocURL: doc, DocTitle: stage}},
		}}}}
		run.Summarise()
		var b bytes.Buffer
		if err := report.Write(&b, run); err != nil {
			t.Fatalf("Write: %v", err)
		}
		page := b.String()
		if n := strings.Count(page, "</script>"); n != 2 {
			t.Fatalf("%d </script> in the page, want the page's own 2", n)
		}
		if _, err := html.Parse(strings.NewReader(page)); err != nil {
			t.Fatalf("page does not parse: %v", err)
		}
	})
}
