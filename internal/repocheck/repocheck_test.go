package repocheck_test

import (
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/internal/repocheck"
)

// The outside folder's spellings are assembled so that this file does not
// contain them itself.
var (
	upShared   = ".." + "/shared"
	workShared = "/work" + "/shared"
)

var _ = Describe("the repository", func() {
	var (
		root    string
		files   []string
		anchors map[string]bool
	)

	BeforeEach(func() {
		var err error
		root, err = repocheck.Root(".")
		Expect(err).NotTo(HaveOccurred())
		files, err = repocheck.Files(root)
		Expect(err).NotTo(HaveOccurred())
		Expect(files).To(ContainElements("README.md", repocheck.SourcesPath, "docs/DESIGN.md"))
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(repocheck.SourcesPath)))
		Expect(err).NotTo(HaveOccurred())
		anchors = repocheck.Anchors(data)
	})

	read := func(f string) []byte {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		Expect(err).NotTo(HaveOccurred())
		return data
	}

	It("names no folder outside itself in any Go or Markdown file", func() {
		var found []string
		for _, f := range files {
			for _, x := range repocheck.OutsideLinks(f, read(f)) {
				found = append(found, x.String())
			}
		}
		Expect(found).To(BeEmpty())
	})

	It("has a row in docs/SOURCES.md for every source ID its Markdown cites, and every link into it resolves", func() {
		var found []string
		n := 0
		for _, f := range files {
			if !strings.HasSuffix(f, ".md") || f == repocheck.SourcesPath {
				continue
			}
			n++
			for _, x := range repocheck.Citations(f, read(f), anchors) {
				found = append(found, x.String())
			}
		}
		Expect(n).To(BeNumerically(">=", 8), "the user-facing Markdown files were found")
		Expect(found).To(BeEmpty())
	})

	It("resolves every in-page link of docs/SOURCES.md", func() {
		data := read(repocheck.SourcesPath)
		var missing []string
		for _, l := range strings.Split(string(data), "](#")[1:] {
			a := l[:strings.IndexByte(l, ')')]
			if !anchors[a] {
				missing = append(missing, a)
			}
		}
		Expect(missing).To(BeEmpty())
	})

	It("defines every failure mode F1–F42 and every hybrid-join source S1–S42", func() {
		for i := 1; i <= 42; i++ {
			Expect(anchors).To(HaveKey("f"+itoa(i)), "F%d", i)
			Expect(anchors).To(HaveKey("s"+itoa(i)), "S%d", i)
		}
	})
})

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

var _ = Describe("OutsideLinks", func() {
	DescribeTable("flags a line naming the outside folder, with its line number",
		func(text string, lines []int) {
			var got []int
			for _, f := range repocheck.OutsideLinks("x.md", []byte(text)) {
				Expect(f.File).To(Equal("x.md"))
				got = append(got, f.Line)
			}
			Expect(got).To(Equal(lines))
		},
		Entry("a relative link", "ok\nsee ["+"design]("+upShared+"/design.md)\n", []int{2}),
		Entry("an absolute path in a Go comment", "// "+workShared+"/reference/x.md\npackage x", []int{1}),
		Entry("the reference folder without ../", "`shared"+"/reference/hybrid.md` §0", []int{1}),
		Entry("clean text", "see docs/SOURCES.md and https://learn.microsoft.com/", nil),
		Entry("empty input", "", nil),
	)
})

var _ = Describe("Citations", func() {
	sources := []byte(`# Sources
## Failure modes (F1–F42)
| <a id="s30"></a>S30 | x |
| <a id="state-s0"></a>S0 | x |
| <a id="f19"></a>F19 | x |
| <a id="gs7"></a>G-S7 | x |
| <a id="ad-b-5"></a>B.5 | x |
| <a id="b9"></a>B9 | x |
| <a id="seed-000"></a>seed 000 | x |
`)
	anchors := repocheck.Anchors(sources)

	It("reads explicit anchors and heading anchors", func() {
		Expect(anchors).To(HaveKey("s30"))
		Expect(anchors).To(HaveKey("failure-modes-f1f42"))
	})

	DescribeTable("checks one Markdown text",
		func(text string, want []string) {
			var got []string
			for _, f := range repocheck.Citations("a.md", []byte(text), anchors) {
				got = append(got, f.String())
			}
			Expect(got).To(Equal(want))
		},
		Entry("cited IDs with rows", "timeout 25m ([CODE] S30), F19, G-S7, B.5 [B9], seed 000 \"Requirements\"", nil),
		Entry("an ID without a row", "line one\nquota (S41)", []string{`a.md:2: S41 has no row in docs/SOURCES.md (anchor "s41")`}),
		Entry("a link to an existing anchor, its text not checked as a bare ID", "[S0](../docs/SOURCES.md#state-s0)", nil),
		Entry("a link to a missing anchor", "[S1](docs/SOURCES.md#state-s1)", []string{"a.md:1: link to docs/SOURCES.md#state-s1: docs/SOURCES.md has no such anchor"}),
		Entry("a link to a heading anchor", "[F](SOURCES.md#failure-modes-f1f42)", nil),
		Entry("IDs inside inline code are not citations", "the `x5t#S256` header and `S99`", nil),
		Entry("IDs in a YAML comment inside a fence are citations", "```yaml\nquota: 10 # (S30, S31)\n```", []string{`a.md:2: S31 has no row in docs/SOURCES.md (anchor "s31")`}),
		Entry("an unterminated fence is read as code to the end", "```\n§1 S30", nil),
		Entry("a bare § section", "as §1.2 says", []string{"a.md:1: bare § section number: link it to its row in docs/SOURCES.md (or to the public page)"}),
		Entry("a linked § section", "as [§1.2](https://www.rfc-editor.org/rfc/rfc6749#section-1.2) says", nil),
		Entry("an internal issue number", "This is issue #3, item 6.", []string{`a.md:1: "issue #3" is an internal issue number: say what it means, or link the public issue`}),
		Entry("a public issue reference", "[CIPP#468](https://github.com/KelvinTegelaar/CIPP/issues/468), owner/repo#12", nil),
		Entry("words that only look like IDs", "SHA-256, S-1-5-21, x86, FS2, AB12, P9, v1.0/S3, Page P-1", nil),
		Entry("empty input", "", nil),
	)
})
