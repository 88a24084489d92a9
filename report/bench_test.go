package report_test

import (
	"io"
	"testing"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/report"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// BenchmarkWriteFleet1000 renders the report of harness/testdata/fleet1000.yaml
// (1,000 devices, every timeline kept): the cost per device of a large
// fleet's report (make bench; docs/SCALE.md "Results that scale").
func BenchmarkWriteFleet1000(b *testing.B) {
	scs, err := scenarios.LoadPaths([]string{"../harness/testdata/fleet1000.yaml"})
	if err != nil {
		b.Fatal(err)
	}
	run := harness.RunAll(scs, harness.Options{})
	if run.Summary.Devices != 1000 {
		b.Fatalf("%d devices", run.Summary.Devices)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := report.Write(io.Discard, run); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*1000), "µs/device")
}
