package shard_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
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

// FuzzFiles: merging two shard files from disk a scenario at a time
// (OpenFiles, Each) agrees with reading them whole (Read, Merge): what the
// whole reader refuses, Files refuses; what Files merges, the whole reader
// merges to the same scenarios. (Files alone refuses a top-level key given
// twice, which encoding/json lets the last one win.)
func FuzzFiles(f *testing.F) {
	f.Add([]byte(`{"scenarios":[{"name":"a"}],"shard":{"index":0,"count":2,"scenarios":2,"positions":[0]}}`),
		[]byte(`{"scenarios":[{"name":"b","devices":[{"serial":"S"}]}],"shard":{"index":1,"count":2,"scenarios":2,"positions":[1]}}`))
	f.Add([]byte("{\n\"Shard\":{\"index\":0,\"count\":1,\"scenarios\":0,\"positions\":[]},\"scenarios\":null,\"x\":[1]}"), []byte(`{}`))
	f.Add([]byte(`{"scenarios":[{},null , {"name":"c"}],"summary":{},"shard":{"index":0,"count":1,"scenarios":3,"positions":[0,1,2]}} trailing`), []byte(`[`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		dir := t.TempDir()
		var paths []string
		var parts []*results.Run
		wholeOK := true
		for i, d := range [][]byte{a, b} {
			p := filepath.Join(dir, fmt.Sprintf("s%d.json", i))
			if err := os.WriteFile(p, d, 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
			r, err := shard.Read(p, d)
			if err != nil {
				wholeOK = false
			}
			parts = append(parts, r)
		}
		var want *results.Run
		if wholeOK {
			var err error
			if want, err = shard.Merge(parts); err != nil {
				wholeOK = false
			}
		}
		files, err := shard.OpenFiles(paths)
		if err != nil {
			return
		}
		got := &results.Run{}
		if err := files.Each(func(_ int, sc *results.ScenarioResult) error {
			got.Scenarios = append(got.Scenarios, *sc)
			return nil
		}); err != nil {
			t.Fatalf("Each after OpenFiles succeeded: %v", err)
		}
		if !wholeOK {
			t.Fatalf("Files merged what Read and Merge refuse")
		}
		got.Summarise()
		if len(got.Scenarios) == 0 && len(want.Scenarios) == 0 {
			got.Scenarios = want.Scenarios // nil and empty encode alike here
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Files merged\n%+v\nRead and Merge\n%+v", got, want)
		}
	})
}
