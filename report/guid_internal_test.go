package report

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// guidRE is what eachGUID replaced; the fuzz target holds the two to the same
// answers.
var guidRE = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)

// FuzzEachGUID: eachGUID finds exactly the GUIDs guidRE.FindAllString does,
// in the same order, in any string (invalid UTF-8 among them).
func FuzzEachGUID(f *testing.F) {
	for _, s := range []string{
		"",
		"device 0f8fad5b-d9cb-469f-a165-70867728950e registered",
		"0F8FAD5B-D9CB-469F-A165-70867728950E",
		"x0f8fad5b-d9cb-469f-a165-70867728950e",  // a word character before: no boundary
		"0f8fad5b-d9cb-469f-a165-70867728950e_",  // and after
		"-0f8fad5b-d9cb-469f-a165-70867728950e-", // dashes are boundaries
		"0f8fad5b-d9cb-469f-a165-70867728950e0f8fad5b-d9cb-469f-a165-70867728950e",
		"0f8fad5b-d9cb-469f-a165-70867728950e 7c9e6679-7425-40de-944b-e07fc1f90ae7,0f8fad5b-d9cb-469f-a165-70867728950e",
		"0f8fad5b-d9cb-469f-a165-70867728950g",   // not hex
		"0f8fad5b-d9cb-469f-a165-70867728950",    // one short
		"é0f8fad5b-d9cb-469f-a165-70867728950eé", // multi-byte neighbours are boundaries
		"\xff0f8fad5b-d9cb-469f-a165-70867728950e\xfe",
		"aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got []string
		eachGUID(s, func(g string) { got = append(got, g) })
		want := guidRE.FindAllString(s, -1)
		if !slices.Equal(got, want) {
			t.Fatalf("eachGUID(%q) = %q, the regexp finds %q", s, got, want)
		}
	})
}

// FuzzCutter: a cutter gives what strings.NewReplacer gives for the same
// pairs of non-empty old strings (newDevVars's: the mark, then a device's
// values longest first, each with its own new string).
func FuzzCutter(f *testing.F) {
	f.Add("device SER123 is AP-SER123X (0f8fad5b-d9cb-469f-a165-70867728950e)\x1b", "SER123", "AP-SER123X", "0f8fad5b-d9cb-469f-a165-70867728950e")
	f.Add("aaaa", "aa", "a", "aaa")
	f.Add("", "x", "y", "z")
	f.Add("\x1b\x1b\xff\xfe", "\xff", "\x1b\x1b", "\xfe\xff")
	f.Fuzz(func(t *testing.T, s, a, b, c string) {
		pairs := []string{varMark, "\u241b"}
		for i, o := range []string{a, b, c} {
			if o != "" {
				pairs = append(pairs, o, varMark+string(rune('0'+i))+";")
			}
		}
		got, want := newCutter(pairs).Replace(s), strings.NewReplacer(pairs...).Replace(s)
		if got != want {
			t.Fatalf("cutter(%q).Replace(%q) = %q, strings.Replacer gives %q", pairs, s, got, want)
		}
	})
}
