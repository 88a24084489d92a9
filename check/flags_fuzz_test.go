package check_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/autopilotsim/autopilotsim/check"
)

// FuzzCommandLineValues: --format and --fail-on are parsed from the command
// line. Any text gets a list of known, distinct formats that parses back to
// itself, or an invalid-input error (exit code 2); never a panic.
func FuzzCommandLineValues(f *testing.F) {
	for _, s := range []string{"sarif,junit,json,md", "sarif", " md , md ", "", ",", "SARIF", "html", "error", "warning", "note", "Error"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var invalid *check.InvalidInputError
		formats, err := check.ParseFormats(s)
		if err != nil {
			if !errors.As(err, &invalid) || err.Error() == "" {
				t.Fatalf("%q: %T %v", s, err, err)
			}
		} else {
			seen := map[string]bool{}
			for _, f := range formats {
				if _, ok := check.Formats[f]; !ok || seen[f] {
					t.Fatalf("%q: format %q unknown or repeated in %v", s, f, formats)
				}
				seen[f] = true
			}
			again, err := check.ParseFormats(strings.Join(formats, ","))
			if err != nil || strings.Join(again, ",") != strings.Join(formats, ",") {
				t.Fatalf("%q: %v does not parse back (%v, %v)", s, formats, again, err)
			}
		}
		sev, err := check.ParseSeverity(s)
		if err != nil {
			if !errors.As(err, &invalid) {
				t.Fatalf("%q: %T %v", s, err, err)
			}
		} else if string(sev) != s {
			t.Fatalf("%q read as %q", s, sev)
		}
	})
}
