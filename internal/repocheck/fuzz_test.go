package repocheck_test

import (
	"testing"

	"github.com/autopilotsim/autopilotsim/internal/repocheck"
)

// FuzzCitations feeds arbitrary Markdown to the scanners: they must not
// panic, and every finding must carry a line inside the input.
func FuzzCitations(f *testing.F) {
	for _, s := range []string{"", "S30 F19 §1 issue #2", "```\n# S1\n", "[x](SOURCES.md#)", "[S0](docs/SOURCES.md#state-s0) `S9`", "<a id=\"s1\"></a>S1\n## Head (S1–S2)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		anchors := repocheck.Anchors([]byte(text))
		lines := 1
		for _, c := range text {
			if c == '\n' {
				lines++
			}
		}
		for _, x := range append(repocheck.Citations("f.md", []byte(text), anchors), repocheck.OutsideLinks("f.md", []byte(text))...) {
			if x.Line < 1 || x.Line > lines {
				t.Fatalf("finding %v outside the input's %d lines", x, lines)
			}
		}
		_ = repocheck.Slug(text)
	})
}
