package repocheck

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// SourcesPath is the table of sources, relative to the repository root.
const SourcesPath = "docs/SOURCES.md"

// Finding is one violation, with the file (slash-separated, relative to the
// repository root) and the 1-based line it is on.
type Finding struct {
	File string
	Line int
	Msg  string
}

func (f Finding) String() string { return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Msg) }

// outside are the spellings of the folder a clone does not have. They are
// assembled here so that this file does not itself contain them.
var outside = []string{
	".." + "/shared",
	"/work" + "/shared",
	"shared" + "/reference",
	"shared" + "/seeds",
	"shared" + "/design.md",
}

// OutsideLinks reports every line of data that names a folder outside the
// repository.
func OutsideLinks(file string, data []byte) []Finding {
	var out []Finding
	for i, line := range strings.Split(string(data), "\n") {
		for _, o := range outside {
			if strings.Contains(line, o) {
				out = append(out, Finding{file, i + 1, fmt.Sprintf("names %q, which a clone of the repository does not have: cite the public URL or docs/SOURCES.md", o)})
				break
			}
		}
	}
	return out
}

var (
	anchorRe   = regexp.MustCompile(`<a id="([^"]+)"`)
	headingRe  = regexp.MustCompile(`(?m)^#{1,6} (.+)$`)
	fenceRe    = regexp.MustCompile("^\\s*(```|~~~)")
	codeSpanRe = regexp.MustCompile("`[^`]*`")
	// A link whose target is the sources page: [text](…SOURCES.md#anchor).
	sourcesLinkRe = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]*SOURCES\.md)(#[^)\s]*)?\)`)
	// Any other link: a public citation, dropped whole.
	otherLinkRe = regexp.MustCompile(`\[[^\]]*\]\([^)\s]*\)`)
	urlRe       = regexp.MustCompile(`https?://[^\s)>\]]+`)
	tokenRe     = regexp.MustCompile(`\b(?:G-S\d{1,2}|S\d{1,2}|F\d{1,2}|P[1-8]|[AB]\.\d{1,2}|[AB]\d{1,2}|seed (?:000|004))\b`)
	sectionRe   = regexp.MustCompile(`§\s*\d`)
	issueRe     = regexp.MustCompile(`(?i)\bissue #\d+`)
)

// Anchors returns the anchors a Markdown page defines: explicit <a id="…">
// and the ones GitHub derives from headings.
func Anchors(data []byte) map[string]bool {
	a := map[string]bool{}
	for _, m := range anchorRe.FindAllSubmatch(data, -1) {
		a[string(m[1])] = true
	}
	for _, m := range headingRe.FindAllSubmatch(data, -1) {
		a[Slug(string(m[1]))] = true
	}
	return a
}

// Slug is GitHub's heading anchor: lower case, punctuation dropped, spaces
// turned into hyphens.
func Slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchorFor is the row a bare citation needs in docs/SOURCES.md.
func anchorFor(tok string) string {
	switch {
	case strings.HasPrefix(tok, "seed "):
		return "seed-" + tok[len("seed "):]
	case strings.HasPrefix(tok, "G-S"):
		return "gs" + tok[3:]
	case strings.HasPrefix(tok, "A."):
		return "rules-a-" + tok[2:]
	case strings.HasPrefix(tok, "B."):
		return "ad-b-" + tok[2:]
	default:
		return strings.ToLower(tok)
	}
}

// Citations checks one Markdown file against the anchors of docs/SOURCES.md:
// links into it must name an existing anchor, bare IDs must have a row, and
// bare § sections and internal issue numbers are not allowed.
func Citations(file string, data []byte, anchors map[string]bool) []Finding {
	var out []Finding
	inFence := false
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		if fenceRe.MatchString(line) {
			inFence = !inFence
			continue
		}
		if !inFence {
			line = codeSpanRe.ReplaceAllString(line, "")
		}
		for _, m := range sourcesLinkRe.FindAllStringSubmatch(line, -1) {
			if m[2] == "" {
				continue
			}
			if a := m[2][1:]; !anchors[a] {
				out = append(out, Finding{file, n, fmt.Sprintf("link to %s#%s: docs/SOURCES.md has no such anchor", m[1], a)})
			}
		}
		line = sourcesLinkRe.ReplaceAllString(line, "")
		line = otherLinkRe.ReplaceAllString(line, "")
		line = urlRe.ReplaceAllString(line, "")
		if inFence {
			// Code keeps its citations (YAML comments), checked like text;
			// § and issue numbers in code are left alone.
			out = append(out, bare(file, n, line, anchors)...)
			continue
		}
		if sectionRe.MatchString(line) {
			out = append(out, Finding{file, n, "bare § section number: link it to its row in docs/SOURCES.md (or to the public page)"})
		}
		if m := issueRe.FindString(line); m != "" {
			out = append(out, Finding{file, n, fmt.Sprintf("%q is an internal issue number: say what it means, or link the public issue", m)})
		}
		out = append(out, bare(file, n, line, anchors)...)
	}
	return out
}

func bare(file string, n int, line string, anchors map[string]bool) []Finding {
	var out []Finding
	for _, loc := range tokenRe.FindAllStringIndex(line, -1) {
		if loc[0] > 0 && strings.ContainsRune("#/.-[", rune(line[loc[0]-1])) {
			continue // part of an anchor, path, version or range marker
		}
		tok := line[loc[0]:loc[1]]
		if a := anchorFor(tok); !anchors[a] {
			out = append(out, Finding{file, n, fmt.Sprintf("%s has no row in docs/SOURCES.md (anchor %q)", tok, a)})
		}
	}
	return out
}

// Root finds the repository root from dir: the nearest parent holding both
// go.mod and docs/SOURCES.md.
func Root(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("repocheck: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if fileExists(filepath.Join(d, "go.mod")) && fileExists(filepath.Join(d, filepath.FromSlash(SourcesPath))) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("repocheck: no repository root (go.mod and %s) above %s", SourcesPath, dir)
		}
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Files lists the repository's Go and Markdown files, slash-separated and
// sorted: the files git tracks, or, outside a git checkout, every such file
// under root except hidden folders.
func Files(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--", "*.go", "*.md")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		var files []string
		for _, f := range bytes.Split(out, []byte{0}) {
			if len(f) > 0 {
				files = append(files, string(f))
			}
		}
		sort.Strings(files)
		return files, nil
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".md")) {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("repocheck: listing files under %s: %w", root, err)
	}
	sort.Strings(files)
	return files, nil
}
