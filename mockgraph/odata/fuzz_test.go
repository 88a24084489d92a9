package odata

import "testing"

// FuzzParseFilter: any input parses or fails with an error, and a parsed
// filter evaluates without panicking.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"displayName eq 'x'", "startswith(a,'b') and not (c ne 1)", "ids/any(p:p eq 'z')", "t gt 2026-01-05T08:00:00Z",
		"x in ('a','b')", "((a eq 'it''s'))", "a/all(v:v/b le -3.5)", "groupTypes/any()",
	} {
		f.Add(s)
	}
	obj := map[string]any{"a": "b", "ids": []any{"z", map[string]any{"b": 1.0}}, "t": "2026-01-05T09:00:00Z", "c": 2.0}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseFilter(src)
		if err != nil {
			if e != nil {
				t.Fatalf("expression and error both returned for %q", src)
			}
			return
		}
		_ = Match(e, obj)
	})
}
