package scenarios_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// FuzzLoadBytes checks that no input makes the loader panic, and that what
// loads can be expanded and selected. Seeds: the catalogue, the malformed
// files and the base scenario of the specs.
func FuzzLoadBytes(f *testing.F) {
	for _, pattern := range []string{"catalogue/*.yaml", "testdata/bad/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(base))
	f.Add([]byte("name: x\nduration: 30\n"))
	f.Add([]byte("a: &a [x]\nb: [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := scenarios.LoadBytes("fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		devs := sc.ExpandDevices()
		if len(devs) == 0 {
			t.Fatal("a valid scenario has devices")
		}
		if _, err := sc.Select("all", devs); err != nil {
			t.Fatal(err)
		}
		for _, e := range sc.Expect {
			if _, err := sc.Select(e.Devices, devs); err != nil {
				t.Fatalf("validated selector %q fails: %v", e.Devices, err)
			}
		}
	})
}

// BenchmarkLoadCatalogue measures loading and validating the catalogue.
func BenchmarkLoadCatalogue(b *testing.B) {
	for b.Loop() {
		if _, err := scenarios.LoadPaths([]string{"catalogue"}); err != nil {
			b.Fatal(err)
		}
	}
}
