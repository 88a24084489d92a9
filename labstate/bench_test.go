package labstate_test

import (
	"testing"
	"time"

	"github.com/autopilotsim/autopilotsim/labstate"
)

// BenchmarkAppend measures one journaled change: encode, write, fsync.
func BenchmarkAppend(b *testing.B) {
	d, _, err := labstate.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if err := d.Begin(meta()); err != nil {
		b.Fatal(err)
	}
	r := labstate.Record{Kind: labstate.KindGraph, At: t0, Graph: &labstate.GraphWrite{Method: "POST", URI: "/v1.0/groups",
		Header: map[string][]string{"Authorization": {"Bearer eyJ…"}, "Content-Type": {"application/json"}},
		Body:   []byte(`{"displayName":"Class 1","mailEnabled":false,"mailNickname":"class1","securityEnabled":true}`), Status: 201, ID: "5c1e…"}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.At = t0.Add(time.Duration(i) * time.Millisecond)
		if err := d.Append(r); err != nil {
			b.Fatal(err)
		}
	}
}
