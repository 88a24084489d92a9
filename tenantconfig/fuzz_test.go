package tenantconfig_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// FuzzLoadFile loads a folder holding one file of arbitrary bytes: never a
// panic, and an error only for input that is not a JSON document.
func FuzzLoadFile(f *testing.F) {
	_ = filepath.WalkDir(filepath.Join("testdata", "layouts"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
		return nil
	})
	f.Add([]byte(`[{"target":{}}]`))
	f.Add([]byte(`{"value":[1,"x",{"id":"1"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "f.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := tenantconfig.Load(dir)
		if err == nil && c == nil {
			t.Fatal("nil Config without an error")
		}
	})
}
