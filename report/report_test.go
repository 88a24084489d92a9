package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/net/html"

	"github.com/autopilotsim/autopilotsim/report"
	"github.com/autopilotsim/autopilotsim/results"
)

func render(run *results.Run) string {
	var b bytes.Buffer
	Expect(report.Write(&b, run)).To(Succeed())
	return b.String()
}

// data is the page's embedded JSON, as its script reads it.
type data struct {
	Str []string `json:"str"`
	Tpl [][7]int `json:"tpl"`
	Ev  [][]int  `json:"ev"`
	DS  [][]int  `json:"ds"`
	Grp []struct {
		Scenario int   `json:"sc"`
		Devices  []int `json:"d"`
		Seq      []int `json:"q"`
		EvSeq    []int `json:"eq"`
		Explain  []int `json:"x"`
	} `json:"groups"`
	Dev []struct {
		Serial   string    `json:"s"`
		Group    int       `json:"g"`
		Vars     []int     `json:"v"`
		Facts    [12]int   `json:"f"`
		Timeline []float64 `json:"t"`
		Runs     []int     `json:"n"`
		Events   []float64 `json:"e"`
		EvRuns   []int     `json:"en"`
		DSReg    int       `json:"r"`
	} `json:"dev"`
}

var dataRE = regexp.MustCompile(`(?s)<script type="application/json" id="report-data">(.*?)</script>`)

func pageData(page string) data {
	m := dataRE.FindStringSubmatch(page)
	Expect(m).To(HaveLen(2), "the page embeds its data")
	var d data
	Expect(json.Unmarshal([]byte(m[1]), &d)).To(Succeed())
	return d
}

// unfold reads a device's entries back as the page's script does: [ms
// from T0, template] from time deltas, the group's folded templates and the
// device's repeats.
func unfold(deltas []float64, shape, repeats []int) [][2]int64 {
	runs := map[int]int{}
	for k := 0; k+1 < len(repeats); k += 2 {
		runs[repeats[k]] = repeats[k+1]
	}
	var seq []int
	for k, ti := range shape {
		for n := max(runs[k], 1); n > 0; n-- {
			seq = append(seq, ti)
		}
	}
	Expect(seq).To(HaveLen(len(deltas)))
	out := make([][2]int64, len(deltas))
	var ms int64
	for j, dt := range deltas {
		ms += int64(math.Round(dt * 1000))
		out[j] = [2]int64{ms, int64(seq[j])}
	}
	return out
}

func msOf(offset string) int64 {
	d, err := time.ParseDuration(offset)
	Expect(err).NotTo(HaveOccurred())
	return d.Milliseconds()
}

var markRE = regexp.MustCompile("\x1b(\\d+);")

// expand puts a device's vars back into a string, as the page's str() does.
func (d data) expand(i, dev int) string {
	return markRE.ReplaceAllStringFunc(d.Str[i], func(m string) string {
		var n int
		fmt.Sscanf(m[1:], "%d", &n)
		return d.Str[d.Dev[dev].Vars[n]]
	})
}

func onlyDevice(d results.DeviceResult) *results.Run {
	run := &results.Run{Scenarios: []results.ScenarioResult{{Name: "one", File: "one.yaml", Passed: true,
		Start: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), SimulatedTime: "1m0s", Devices: []results.DeviceResult{d}}}}
	run.Summarise()
	return run
}

// visibleText is the page's text outside scripts and styles.
func visibleText(page string) string {
	doc, err := html.Parse(strings.NewReader(page))
	Expect(err).NotTo(HaveOccurred())
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String()
}

var _ = Describe("Write", func() {
	It("gives the same bytes for the same results", func() {
		run := catalogueRun()
		Expect(render(run)).To(Equal(render(run)))
	})

	It("shows the run's verdict, each scenario's expectations and each failed device's code and explanation", func() {
		run := catalogueRun()
		text := visibleText(render(run))
		Expect(text).To(ContainSubstring("PASS"))
		for _, sc := range run.Scenarios {
			Expect(text).To(ContainSubstring(sc.Name))
			for _, e := range sc.Expectations {
				Expect(text).To(ContainSubstring(e.Description))
			}
		}
		failed := 0
		for _, sc := range run.Scenarios {
			for _, d := range sc.Devices {
				if d.Outcome != "failed" {
					continue
				}
				failed++
				Expect(text).To(ContainSubstring(d.ErrorCode))
				Expect(text).To(ContainSubstring(d.Explanation.Meaning))
				// A group's card shows its first device's cause and fix; the
				// others' are in their panels (the round-trip spec below).
				if !strings.Contains(text, d.Explanation.Cause) {
					Expect(text).To(MatchRegexp(`Shown for \S+: for the other devices`))
				}
			}
		}
		Expect(failed).To(BeNumerically(">=", 5))
	})

	It("says FAIL when an expectation did not hold", func() {
		run := onlyDevice(results.DeviceResult{Serial: "PC1", Outcome: "failed", FailedStage: "odjBlobWait", ErrorCode: "80070774"})
		run.Scenarios[0].Passed = false
		run.Scenarios[0].Expectations = []results.ExpectationResult{{Description: "PC1 is hybrid joined", Detail: "0 of 1 match", Line: 7}}
		run.Summarise()
		page := render(run)
		Expect(page).To(ContainSubstring("<title>FAIL"))
		Expect(visibleText(page)).To(ContainSubstring("1 of 1 scenario did not meet its expectations"))
	})

	It("keeps every device's strings: serials, names and GUIDs cut out of the templates come back whole", func() {
		run := catalogueRun()
		d := pageData(render(run))
		i := 0
		for _, sc := range run.Scenarios {
			for _, dev := range sc.Devices {
				row := d.Dev[i]
				Expect(row.Serial).To(Equal(dev.Serial))
				Expect(d.expand(row.Facts[0], i)).To(Equal(dev.Detail))
				Expect(d.expand(row.Facts[2], i)).To(Equal(dev.DistinguishedName))
				Expect(d.expand(row.Facts[10], i)).To(Equal(strings.Join(dev.LocalAdministrators, ", ")))
				if dev.ConditionalAccess != nil {
					Expect(d.expand(row.Facts[11], i)).To(ContainSubstring("at the end of provisioning: " + dev.ConditionalAccess.AtProvisioningEnd.Result))
				}
				for _, e := range dev.EntraDevices {
					Expect(d.expand(row.Facts[9], i)).To(ContainSubstring(e.TrustType + " " + e.DisplayName))
				}
				steps := unfold(row.Timeline, d.Grp[row.Group].Seq, row.Runs)
				Expect(steps).To(HaveLen(len(dev.Timeline)))
				for j, t := range dev.Timeline {
					tpl := d.Tpl[steps[j][1]]
					Expect(d.expand(tpl[0], i)).To(Equal(t.Actor))
					Expect(d.Str[tpl[1]]).To(Equal(t.Step))
					Expect(d.expand(tpl[2], i)).To(Equal(t.Detail))
					Expect(steps[j][0]).To(Equal(msOf(t.Offset)))
				}
				events := unfold(row.Events, d.Grp[row.Group].EvSeq, row.EvRuns)
				Expect(events).To(HaveLen(len(dev.Events)))
				for j, e := range dev.Events {
					ev := d.Ev[events[j][1]]
					Expect(d.expand(ev[0], i)).To(Equal(e.Machine))
					Expect(ev[2]).To(Equal(e.ID))
					Expect(d.expand(ev[4], i)).To(Equal(e.Message))
					Expect(ev[5:]).To(HaveLen(2 * len(e.Fields)))
					for k, f := range e.Fields {
						Expect(d.Str[ev[5+2*k]]).To(Equal(f.Name))
						Expect(d.expand(ev[6+2*k], i)).To(Equal(f.Value))
					}
					Expect(events[j][0]).To(Equal(msOf(e.Offset)))
				}
				if e := dev.Explanation; e != nil {
					x := d.Grp[row.Group].Explain
					Expect(x).To(HaveLen(8))
					got := make([]string, len(x))
					for k, si := range x {
						got[k] = d.expand(si, i)
					}
					Expect(got).To(Equal([]string{e.Stage, e.Code, e.Meaning, e.Cause, e.Fix, e.Message, e.DocURL, e.DocTitle}))
				}
				if dev.DSRegCmd != nil {
					Expect(d.expand(d.DS[row.DSReg][4], i)).To(Equal(dev.DSRegCmd.DeviceName))
				}
				i++
			}
		}
		Expect(d.Dev).To(HaveLen(i))
	})

	It("escapes whatever the results hold", func() {
		evil := `<script>alert(1)</script><img src=x onerror=alert(2)>`
		run := onlyDevice(results.DeviceResult{Serial: "X" + evil, Outcome: "failed" + evil, FailedStage: evil, ErrorCode: evil,
			Detail: evil, Timeline: []results.TimelineEntry{{Offset: "0s", Actor: "device/" + evil, Step: evil, Detail: "</script>" + evil}},
			Explanation: &results.Explanation{Code: evil, Meaning: evil, Cause: evil, Fix: evil, Message: evil,
				DocURL: "javascript:alert(3)", DocTitle: evil}})
		run.Scenarios[0].Name, run.Scenarios[0].Warnings = evil, []string{evil}
		page := render(run)
		Expect(page).NotTo(ContainSubstring("<script>alert"))
		Expect(page).NotTo(ContainSubstring("<img"))
		Expect(links(page)).To(Equal([]string{"#sc-1"}), "a documentation URL that is not Microsoft Learn's is text, not a link")
		Expect(strings.Count(page, "</script>")).To(Equal(2), "only the page's own two scripts close")
		Expect(visibleText(page)).To(ContainSubstring(evil), "shown as text")
	})

	It("degrades to the stage, code and detail when a device has no explanation, events or dsregcmd state", func() {
		page := render(onlyDevice(results.DeviceResult{Serial: "PC1", Outcome: "failed", FailedStage: "dcConnectivityCheck",
			ErrorCode: "80070774", Detail: "no domain controller reachable", Timeline: []results.TimelineEntry{}}))
		text := visibleText(page)
		Expect(text).To(ContainSubstring("dcConnectivityCheck"))
		Expect(text).To(ContainSubstring("80070774"))
		Expect(text).To(ContainSubstring("no domain controller reachable"))
		Expect(text).NotTo(ContainSubstring("Likely cause"))
		d := pageData(page)
		Expect(d.Dev[0].Events).To(BeEmpty())
		Expect(d.Dev[0].DSReg).To(Equal(-1))
	})

	It("groups identical devices: the 1,000-device fleet is one card and stays small", func() {
		run := fleetRun()
		page := render(run)
		d := pageData(page)
		Expect(d.Grp).To(HaveLen(1))
		Expect(d.Grp[0].Devices).To(HaveLen(1000))
		Expect(strings.Count(page, `<article class="group`)).To(Equal(1))
		GinkgoWriter.Printf("fleet1000 report: %d bytes\n", len(page))
		Expect(len(page)).To(BeNumerically("<", 600_000), "about half a kilobyte a device")
	})

	It("keeps the catalogue's report small", func() {
		run := catalogueRun()
		n := len(render(run))
		GinkgoWriter.Printf("catalogue report: %d bytes for %d devices\n", n, run.Summary.Devices)
		// The catalogue grows with every failure mode it covers: the bound is
		// per device (each catalogue device has its own story, so few group).
		Expect(n).To(BeNumerically("<", 4_000*run.Summary.Devices))
	})

	It("grows linearly, not worse, at 3,000 devices", func() {
		// Three copies of the fleet, each with its own serials and GUIDs:
		// enough to tell linear from worse. (Ten, under -race, took three
		// minutes of make test; 10,000 devices gave 3.9 MB.)
		big := &results.Run{}
		for k := 0; k < 3; k++ {
			sc := copyDevices(fleetRun().Scenarios[0], "FL", fmt.Sprintf("G%d", k), 1, k)
			sc.Name = fmt.Sprintf("fleet-%d", k)
			big.Scenarios = append(big.Scenarios, sc)
		}
		big.Summarise()
		Expect(big.Summary.Devices).To(Equal(3000))
		one, three := len(render(fleetRun())), len(render(big))
		GinkgoWriter.Printf("3,000-device report: %d bytes\n", three)
		Expect(three).To(BeNumerically("<", 3.3*float64(one)))
	})

	It("refuses a nil run", func() {
		Expect(report.Write(&bytes.Buffer{}, nil)).To(MatchError(ContainSubstring("no run")))
	})
})

var _ = Describe("WriteFile", func() {
	It("writes dir/report.html, creating dir, and leaves no temporary file", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "out")
		Expect(report.WriteFile(dir, catalogueRun())).To(Succeed())
		entries, err := os.ReadDir(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(1))
		Expect(entries[0].Name()).To(Equal(report.FileName))
		b, err := os.ReadFile(filepath.Join(dir, report.FileName))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b)).To(Equal(render(catalogueRun())))
	})

	It("replaces an existing report whole", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, report.FileName), []byte("old"), 0o644)).To(Succeed())
		Expect(report.WriteFile(dir, catalogueRun())).To(Succeed())
		b, err := os.ReadFile(filepath.Join(dir, report.FileName))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b)).To(HavePrefix("<!DOCTYPE html>"))
	})

	It("says which directory it could not write to", func() {
		file := filepath.Join(GinkgoT().TempDir(), "file")
		Expect(os.WriteFile(file, nil, 0o644)).To(Succeed())
		Expect(report.WriteFile(file, catalogueRun())).To(MatchError(ContainSubstring(file)))
		Expect(report.WriteFile(GinkgoT().TempDir(), nil)).To(MatchError(ContainSubstring("no run")))
	})
})

// externalRefs lists every reference in the page that a browser would
// fetch or that leaves the page: src/href/xlink:href/srcset/action
// attributes, url() and @import in styles, and URLs in the script's code.
// Documentation links (<a href> to learn.microsoft.com) are allowed.
func externalRefs(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	Expect(err).NotTo(HaveOccurred())
	var bad []string
	urlRE := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+`)
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch strings.ToLower(a.Key) {
				case "src", "href", "xlink:href", "srcset", "action", "poster", "data", "background":
					v := strings.TrimSpace(a.Val)
					doc := n.Data == "a" && a.Key == "href" && strings.HasPrefix(v, "https://learn.microsoft.com/")
					if !doc && !strings.HasPrefix(v, "#") {
						bad = append(bad, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, v))
					}
				case "style":
					if strings.Contains(strings.ToLower(a.Val), "url(") {
						bad = append(bad, fmt.Sprintf("<%s style=%q>", n.Data, a.Val))
					}
				}
			}
			if n.Data == "link" || n.Data == "iframe" || n.Data == "object" || n.Data == "embed" {
				bad = append(bad, "<"+n.Data+">")
			}
			if (n.Data == "style" || (n.Data == "script" && !hasAttr(n, "type", "application/json"))) && n.FirstChild != nil {
				code := n.FirstChild.Data
				if m := urlRE.FindString(code); m != "" {
					bad = append(bad, n.Data+" code: "+m)
				}
				if strings.Contains(code, "@import") || strings.Contains(code, "url(") && !strings.Contains(code, "url(#") {
					bad = append(bad, n.Data+" code imports")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return bad
}

// links are the page's <a href> values.
func links(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	Expect(err).NotTo(HaveOccurred())
	var out []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					out = append(out, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func hasAttr(n *html.Node, key, val string) bool {
	for _, a := range n.Attr {
		if a.Key == key && a.Val == val {
			return true
		}
	}
	return false
}

var _ = Describe("the page stands alone", func() {
	It("references nothing outside itself but documentation links", func() {
		page := render(catalogueRun())
		Expect(externalRefs(page)).To(BeEmpty())
		Expect(links(page)).To(ContainElement(catalogueDevice("HOME0001").Explanation.DocURL), "documentation links stay")
	})

	It("catches an external script, stylesheet, font or image", func() {
		for _, bad := range []string{
			`<script src="https://cdn.example.com/x.js"></script>`,
			`<link rel="stylesheet" href="https://fonts.example.com/css">`,
			`<style>@font-face { src: url(https://fonts.example.com/f.woff2) }</style>`,
			`<img src="http://example.com/a.png">`,
			`<a href="https://example.com/">x</a>`,
		} {
			Expect(externalRefs("<html><body>"+bad+"</body></html>")).NotTo(BeEmpty(), bad)
		}
	})
})
