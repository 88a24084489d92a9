package harness_test

import (
	"testing"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// BenchmarkFleet1000 runs 1,000 on-premises devices through the whole flow
// (profile, enrollment, ODJ via the connector over LDAP, DC check, sign-in,
// userCertificate, Entra Connect, DRS) over the in-memory wire.
func BenchmarkFleet1000(b *testing.B) {
	sc, err := scenarios.Load("testdata/fleet1000.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		res := harness.Run(sc, harness.Options{Wire: harness.WireMemory})
		if !res.Passed {
			b.Fatalf("fleet did not pass: %s %+v", res.Error, res.Expectations)
		}
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "devices/s")
}
