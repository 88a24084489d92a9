package shard_test

import (
	"testing"

	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/shard"
)

// FuzzMerge: any two shard files either merge or give an error, never a
// panic.
func FuzzMerge(f *testing.F) {
	f.Add([]byte(`{"scenarios":[{"name":"a"}],"shard":{"index":0,"count":2,"scenarios":2,"positions":[0]}}`),
		[]byte(`{"scenarios":[{"name":"b"}],"shard":{"index":1,"count":2,"scenarios":2,"positions":[1]}}`), "1/2")
	f.Add([]byte(`{"scenarios":[],"shard":{"index":0,"count":1,"scenarios":-1,"positions":[]}}`), []byte(`{}`), "0/1")
	f.Add([]byte(`{"shard":{"index":0,"count":1,"scenarios":1,"positions":[7]}}`), []byte(`[`), "x")
	f.Fuzz(func(t *testing.T, a, b []byte, spec string) {
		_, _ = shard.Parse(spec)
		var parts []*results.Run
		for _, d := range [][]byte{a, b} {
			if r, err := shard.Read("f.json", d); err == nil {
				parts = append(parts, r)
			}
		}
		_, _ = shard.Merge(parts)
	})
}
