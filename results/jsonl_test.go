package results_test

import (
	"bufio"
	"bytes"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/results"
)

var _ = Describe("WriteJSONLines", func() {
	It("writes one JSON object per device, with its scenario, file and seed, in device order", func() {
		code := 8557
		sc := &results.ScenarioResult{Name: "s", File: "s.yaml", Seed: 7, Devices: []results.DeviceResult{
			{Serial: "A1", Outcome: "hybridJoined", Registration: "import", EntraDeviceObjects: 2, Timeline: []results.TimelineEntry{}},
			{Serial: "A2", Outcome: "failed", ErrorCode: "80070774", ConnectorError: &code, Registration: "import", Timeline: []results.TimelineEntry{}},
		}}
		var buf bytes.Buffer
		Expect(results.WriteJSONLines(&buf, sc)).To(Succeed())
		lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
		Expect(lines).To(HaveLen(2))
		for i, l := range lines {
			var got results.DeviceLine
			Expect(json.Unmarshal(l, &got)).To(Succeed())
			Expect(got.Scenario).To(Equal("s"))
			Expect(got.File).To(Equal("s.yaml"))
			Expect(got.Seed).To(Equal(uint64(7)))
			Expect(got.DeviceResult).To(Equal(sc.Devices[i]))
		}
		Expect(bufio.NewScanner(&buf).Scan()).To(BeTrue())
	})
	It("writes nothing for a scenario without devices", func() {
		var buf bytes.Buffer
		Expect(results.WriteJSONLines(&buf, &results.ScenarioResult{Name: "empty"})).To(Succeed())
		Expect(buf.Len()).To(BeZero())
	})
})
