package results_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/results"
)

// encoded is results.json as the whole-document encoder wrote it before
// WriteJSON streamed: the reference the streamed bytes must equal.
func encoded(r *results.Run) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	Expect(enc.Encode(r)).To(Succeed())
	return buf.Bytes()
}

func streamed(r *results.Run) []byte {
	var buf bytes.Buffer
	Expect(results.WriteJSON(&buf, r)).To(Succeed())
	return buf.Bytes()
}

// tricky is a device whose text holds what could confuse a writer that
// splices JSON: quotes, the devices key itself, HTML and non-ASCII.
func tricky(serial string) results.DeviceResult {
	code := 8557
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	return results.DeviceResult{
		Serial: serial, Outcome: "failed", ErrorCode: "80070774", ConnectorError: &code,
		Detail:       "\"devices\": null <b>&</b> é \u2028",
		Registration: "import", EntraDeviceObjects: 1,
		Timeline:     []results.TimelineEntry{{At: at, Offset: "1m0s", Actor: "device", Step: "odj", Detail: "\n      \"devices\": null"}},
		Explanation:  &results.Explanation{Cause: "c", Fix: "f"},
		EntraDevices: []results.EntraDevice{{DisplayName: "AP-1", TrustType: "ServerAd", DeviceID: "x"}},
	}
}

var _ = Describe("WriteJSON (streamed device by device)", func() {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	DescribeTable("writes the bytes of the whole-document encoder",
		func(r *results.Run) {
			Expect(string(streamed(r))).To(Equal(string(encoded(r))))
			Expect(json.Valid(streamed(r))).To(BeTrue())
		},
		Entry("a run without scenarios (nil)", &results.Run{}),
		Entry("a run with an empty scenario list", &results.Run{Scenarios: []results.ScenarioResult{}}),
		Entry("a scenario whose devices are nil", &results.Run{Scenarios: []results.ScenarioResult{{Name: "a", Start: start}}}),
		Entry("a scenario whose devices are empty", &results.Run{Scenarios: []results.ScenarioResult{{Name: "a", Devices: []results.DeviceResult{}}}}),
		Entry("text that looks like the devices key, HTML and non-ASCII", &results.Run{Scenarios: []results.ScenarioResult{{
			Name: "\"devices\": null", File: "<x>.yaml", Error: "\n      \"devices\": null", Start: start,
			Devices:      []results.DeviceResult{tricky("A1"), tricky("A2")},
			Expectations: []results.ExpectationResult{{Description: "\"devices\": null", Detail: "d", Mismatched: []string{"A1"}}},
			Warnings:     []string{"\n      \"devices\": null"},
		}}}),
		Entry("several scenarios, a summary and a shard block", func() *results.Run {
			r := &results.Run{Scenarios: []results.ScenarioResult{
				{Name: "a", Passed: true, Devices: []results.DeviceResult{tricky("A1")}, Expectations: []results.ExpectationResult{}},
				{Name: "b", Devices: []results.DeviceResult{tricky("B1"), tricky("B2"), tricky("B3")}},
				{Name: "c"},
			}, Shard: &results.Shard{Index: 1, Count: 4, Scenarios: 9, Positions: []int{1, 5, 8}}}
			r.Summarise()
			return r
		}()),
	)

	It("reports a writer's failure", func() {
		r := &results.Run{Scenarios: []results.ScenarioResult{{Name: "a", Devices: []results.DeviceResult{tricky("A1")}}}}
		Expect(results.WriteJSON(failingWriter{}, r)).To(MatchError(ContainSubstring("results: write JSON")))
	})

	It("reports a write that fails mid-document, once its buffer fills, as a write error", func() {
		r := &results.Run{Scenarios: []results.ScenarioResult{{Name: "a"}}}
		for range 500 { // over the 64 KB buffer
			r.Scenarios[0].Devices = append(r.Scenarios[0].Devices, tricky("A1"))
		}
		Expect(results.WriteJSON(failingWriter{}, r)).To(MatchError(And(ContainSubstring("results: write JSON"), ContainSubstring("disk full"))))
	})
})

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// FuzzWriteJSON checks the streamed results.json against the
// whole-document encoder for runs built from arbitrary text.
func FuzzWriteJSON(f *testing.F) {
	f.Add("s", "A1", "detail", uint8(2), uint8(1))
	f.Add("\"devices\": null", "\n      \"devices\": null", "<&>\u2028", uint8(0), uint8(3))
	f.Fuzz(func(t *testing.T, name, serial, detail string, nDev, nSc uint8) {
		r := &results.Run{}
		for i := range int(nSc % 4) {
			sc := results.ScenarioResult{Name: name, File: detail, Error: detail, Warnings: []string{detail}}
			if nDev%5 != 4 {
				sc.Devices = []results.DeviceResult{}
			}
			for range int(nDev%5) % 4 {
				sc.Devices = append(sc.Devices, results.DeviceResult{Serial: serial, Detail: detail, Outcome: name})
			}
			if i%2 == 1 {
				sc.Expectations = []results.ExpectationResult{{Description: detail, Mismatched: []string{serial}}}
			}
			r.Scenarios = append(r.Scenarios, sc)
		}
		r.Summarise()
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			t.Fatalf("reference encoder: %v", err)
		}
		var got bytes.Buffer
		if err := results.WriteJSON(&got, r); err != nil {
			t.Fatalf("WriteJSON: %v", err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("streamed bytes differ:\n%s\n---\n%s", got.Bytes(), want.Bytes())
		}
		// A JSONStream fed the scenarios one at a time (the run always
		// has a list then: run writes [] for none) writes the same.
		if r.Scenarios == nil {
			r.Scenarios = []results.ScenarioResult{}
			got.Reset()
			if err := results.WriteJSON(&got, r); err != nil {
				t.Fatalf("WriteJSON: %v", err)
			}
		}
		if nDev%2 == 1 {
			r.Shard = &results.Shard{Index: int(nSc), Count: 4, Scenarios: len(r.Scenarios), Positions: []int{}}
			got.Reset()
			if err := results.WriteJSON(&got, r); err != nil {
				t.Fatalf("WriteJSON: %v", err)
			}
		}
		var stream bytes.Buffer
		js := results.NewJSONStream(&stream)
		for i := range r.Scenarios {
			if err := js.Add(&r.Scenarios[i]); err != nil {
				t.Fatalf("JSONStream.Add: %v", err)
			}
		}
		if err := js.Close(r.Summary, r.Shard); err != nil {
			t.Fatalf("JSONStream.Close: %v", err)
		}
		if !bytes.Equal(stream.Bytes(), got.Bytes()) {
			t.Fatalf("JSONStream bytes differ:\n%s\n---\n%s", stream.Bytes(), got.Bytes())
		}
	})
}
