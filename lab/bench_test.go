package lab_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/lab"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// BenchmarkRestart is what a restart with --state-dir costs for the lab
// world (harness/testdata/lab.yaml): the replay runs every simulated event
// between T0 and the last record, so the cost grows with lab time. "fresh"
// is the baseline (a journal with no lab time); report the others as
// ratios to it:
//
//	go test -run='^$' -bench=BenchmarkRestart -benchtime=3x ./lab/
func BenchmarkRestart(b *testing.B) {
	for _, age := range []time.Duration{0, 24 * time.Hour, 7 * 24 * time.Hour} {
		name := "fresh"
		if age > 0 {
			name = age.String() + "-of-lab-time"
		}
		b.Run(name, func(b *testing.B) {
			sc, err := scenarios.Load("../harness/testdata/lab.yaml")
			if err != nil {
				b.Fatal(err)
			}
			dir := filepath.Join(b.TempDir(), "state")
			start := func() *lab.Lab {
				l, err := lab.Start(sc, lab.Options{ServeOptions: harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0"},
					StateDir: dir, ScenarioSHA256: labSHA})
				if err != nil {
					b.Fatal(err)
				}
				return l
			}
			l := start()
			if err := l.Pause(); err != nil {
				b.Fatal(err)
			}
			for left := age; left > 0; left -= 7 * 24 * time.Hour {
				if err := l.Advance(min(left, 7*24*time.Hour)); err != nil {
					b.Fatal(err)
				}
			}
			l.Close()
			b.ResetTimer()
			for b.Loop() {
				start().Close()
			}
		})
	}
}
