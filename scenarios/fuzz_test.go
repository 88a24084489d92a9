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
			if e.Requests != nil {
				continue // checks the request log, selects no device
			}
			if _, err := sc.Select(e.Devices, devs); err != nil {
				t.Fatalf("validated selector %q fails: %v", e.Devices, err)
			}
		}
	})
}

// FuzzParseFault checks that no --fault text makes the parser panic, and
// that what it accepts is a fault the scenario rules accept.
func FuzzParseFault(f *testing.F) {
	f.Add("path=^/beta/deviceManagement/,status=429,p=0.2,retryAfter=5s")
	f.Add("path=^/v1.0/groups,latency=2s,jitter=500ms")
	f.Add("path=a{1,3},status=503,count=2,method=GET")
	f.Add("path=,status=0,p=NaN,latency=5")
	f.Fuzz(func(t *testing.T, text string) {
		fl, err := scenarios.ParseFault(text)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if fl.Probability == nil || !(*fl.Probability > 0 && *fl.Probability <= 1) {
			t.Fatalf("accepted %q with probability %v", text, fl.Probability)
		}
		if fl.Status == 0 && fl.Latency <= 0 && fl.Jitter <= 0 {
			t.Fatalf("accepted %q that injects nothing", text)
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
