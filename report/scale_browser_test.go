//go:build scale

package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/report"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// The report of a 100,000-device suite, opened in a real browser (make
// report-scale; not part of make test: building the run holds a few GB for a
// minute or two). The "the HTML report stays usable at that size",
// asked of a page that embeds every device: it opens, pages, finds a device by
// serial, draws that device's timeline on demand and filters by outcome, in
// both --timeline modes a large fleet is run with.
//
// The fleet is harness/testdata/fleet1000.yaml simulated in full (1,000
// devices, each with its own timings) and copied 100 times, each copy with its
// own serials and GUIDs, beside the catalogue's run, whose failures give the
// outcome filter something to find.
var _ = Describe("the report of a 100,000-device suite in a browser", Ordered, Label("scale"), func() {
	const copies = 100
	var (
		ctx    context.Context
		cancel context.CancelFunc
		pages  = map[string]string{} // --timeline mode: the page's file URL
		failed int
	)

	BeforeAll(func() {
		scs, err := scenarios.LoadPaths([]string{"../harness/testdata/fleet1000.yaml"})
		Expect(err).NotTo(HaveOccurred())
		one := harness.RunAll(scs, harness.Options{}).Scenarios[0]
		Expect(one.Devices).To(HaveLen(1000))
		base, err := json.Marshal(one)
		Expect(err).NotTo(HaveOccurred())
		fleet := one
		fleet.Devices = make([]results.DeviceResult, 0, copies*len(one.Devices))
		for k := range copies {
			fleet.Devices = append(fleet.Devices, fleetCopy(base, k).Devices...)
		}
		// One scenario of 100,000 devices, named for what it is; its
		// expectation counted the 1,000 simulated devices, and is told of
		// the copies.
		fleet.Name += "-x100"
		fleet.Expectations = append([]results.ExpectationResult(nil), one.Expectations...)
		for i := range fleet.Expectations {
			fleet.Expectations[i].Detail = strings.ReplaceAll(fleet.Expectations[i].Detail, "1000", "100000")
		}
		cat := catalogueRun()
		for _, sc := range cat.Scenarios {
			for _, d := range sc.Devices {
				if d.Outcome == "failed" {
					failed++
				}
			}
		}
		dir := GinkgoT().TempDir()
		for _, mode := range []string{"all", "failed"} {
			run := &results.Run{Scenarios: append([]results.ScenarioResult{fleet}, cat.Scenarios...)}
			if mode == "failed" {
				run.Scenarios[0] = dropTimelines(fleet)
			}
			run.Summarise()
			Expect(run.Summary.Devices).To(BeNumerically(">", 100_000))
			start := time.Now()
			Expect(report.WriteFile(filepath.Join(dir, mode), run)).To(Succeed())
			fi, err := os.Stat(filepath.Join(dir, mode, report.FileName))
			Expect(err).NotTo(HaveOccurred())
			GinkgoWriter.Printf("--timeline %s: report.html %.1f MB for %d devices (%d bytes a device), written in %s\n",
				mode, float64(fi.Size())/1e6, run.Summary.Devices, fi.Size()/int64(run.Summary.Devices), time.Since(start).Round(time.Millisecond))
			// Half a kilobyte a device is the report's own bound (report/doc.go).
			Expect(fi.Size()).To(BeNumerically("<", 500*run.Summary.Devices))
			pages[mode] = "file://" + filepath.Join(dir, mode, report.FileName)
		}

		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium()), chromedp.NoSandbox,
			chromedp.WindowSize(1400, 1000), chromedp.Flag("hide-scrollbars", true),
			chromedp.Flag("enable-precise-memory-info", true), chromedp.Flag("js-flags", "--expose-gc"))
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		ctx, cancel = bctx, func() { bcancel(); acancel() }
		// The first call starts the browser and must get ctx itself:
		// cancelling the context of that first call would close it.
		Expect(chromedp.Do(ctx, chromedp.Navigate("about:blank"))).To(Succeed())
	})
	AfterAll(func() {
		if cancel != nil {
			cancel()
		}
	})

	text := func(sel string) string {
		s, err := value(ctx, chromedp.Text(chromedp.CSS(sel)))
		Expect(err).NotTo(HaveOccurred())
		return s
	}

	DescribeTable("opens, pages, finds a device and draws its timeline, filters by outcome",
		func(mode string, timelines bool) {
			start := time.Now()
			Expect(run(ctx, chromedp.Navigate(pages[mode]), chromedp.WaitVisible(chromedp.CSS(".serials button")))).To(Succeed())
			shown := time.Since(start)
			// The page's JavaScript heap once the collector has run (the
			// browser's gc() exposed by --js-flags=--expose-gc).
			heap := evalJS[int](ctx, `(gc(), Math.round(performance.memory.usedJSHeapSize/1e6))`)
			GinkgoWriter.Printf("--timeline %s: first page of serials shown %s after navigating; JS heap %d MB\n", mode,
				shown.Round(time.Millisecond), heap)
			Expect(text("#verdict")).To(Equal("PASS"))

			// The fleet's section (the run's first scenario) holds every one
			// of its 100,000 devices in its groups, 60 serials a page.
			fleet := "#" + evalJS[string](ctx, `document.querySelector("section.scenario").id`)
			counts := evalJS[[]string](ctx, `Array.from(document.querySelectorAll("`+fleet+` article.group .count")).map(c => c.textContent)`)
			total := 0
			for _, c := range counts {
				n := 1 // a group of one shows its serial
				if _, err := fmt.Sscanf(c, "%d devices", &n); err != nil {
					n = 1
				}
				total += n
			}
			Expect(total).To(Equal(copies * 1000))
			first := 1
			_, _ = fmt.Sscanf(counts[0], "%d devices", &first)
			GinkgoWriter.Printf("--timeline %s: the fleet in %d groups, the first of %d devices\n", mode, len(counts), first)
			Expect(first).To(BeNumerically(">", 60), "a group that needs pages")
			card := fleet + " article.group"
			npages := (first + 59) / 60
			Expect(evalJS[int](ctx, `document.querySelector("`+card+`").querySelectorAll(".serials button").length`)).To(Equal(60))
			Expect(text(card + " .pager")).To(ContainSubstring(fmt.Sprintf("page 1 of %d · %d devices", npages, first)))
			Expect(run(ctx, chromedp.Click(chromedp.CSS(card+" .pager button:last-child")))).To(Succeed())
			Expect(text(card + " .pager")).To(ContainSubstring(fmt.Sprintf("page 2 of %d", npages)))

			// A device of the last copy, by its serial.
			serial := fleetSerial(copies-1, "FLT0999")
			start = time.Now()
			Expect(run(ctx, chromedp.SendKeys(chromedp.CSS("#search"), serial),
				chromedp.WaitVisible(chromedp.CSS(`.serials button[data-serial="`+serial+`"]`)))).To(Succeed())
			Expect(text("#match-info")).To(Equal("1 device matches"))
			GinkgoWriter.Printf("--timeline %s: search for %s answered in %s\n", mode, serial, time.Since(start).Round(time.Millisecond))
			// A search that finds one device opens it.
			Expect(run(ctx, chromedp.WaitVisible(chromedp.CSS(`.device[data-device="`+serial+`"]`)))).To(Succeed())
			if timelines {
				Expect(run(ctx, chromedp.WaitVisible(chromedp.CSS(`.device[data-device="`+serial+`"] svg.lanes`)))).To(Succeed())
				Expect(text(`.device[data-device="` + serial + `"] .timeline`)).To(ContainSubstring("hybridJoined"))
			} else {
				Expect(evalJS[int](ctx, `document.querySelectorAll('.device[data-device="`+serial+`"] svg.lanes').length`)).To(BeZero(),
					"--timeline failed keeps no timeline for a joined device")
				Expect(text(`.device[data-device="` + serial + `"] .timeline .empty`)).To(ContainSubstring("--timeline failed keeps only the timelines of devices the diagnosis explains"))
			}
			shoot(ctx, "scale-"+mode+"-search", false)

			// Back to everything, then only the failures (the catalogue's).
			Expect(run(ctx, chromedp.Navigate(pages[mode]), chromedp.WaitVisible(chromedp.CSS(".serials button")),
				chromedp.Click(chromedp.CSS(`#outcome-filter button[data-outcome="failed"]`)))).To(Succeed())
			Expect(text("#match-info")).To(Equal(itoa(failed) + " devices match"))
			outcomes := evalJS[[]string](ctx, `Array.from(document.querySelectorAll("article.group:not([hidden])")).map(g => g.dataset.outcome)`)
			Expect(outcomes).To(HaveEach("failed"))
			Expect(run(ctx, chromedp.Click(chromedp.CSS(`#outcome-filter button[data-outcome=""]`)),
				chromedp.Evaluate[chromedp.Void](`scrollTo(0, 0)`))).To(Succeed())
			shoot(ctx, "scale-"+mode, false)
		},
		Entry("--timeline all: every device's timeline embedded", "all", true),
		Entry("--timeline failed: timelines of the failures only", "failed", false),
	)
})

// fleetSerial is serial as copy k of the fleet has it.
func fleetSerial(k int, serial string) string { return copyPrefix(k) + serial[2:] }

// copyPrefix replaces the fleet's serial prefix "FL" in copy k: two letters
// of its own (AA, AB, …), so that every copy's serials differ from the
// others' and from the catalogue's.
func copyPrefix(k int) string { return string(rune('A'+k/26)) + string(rune('A'+k%26)) }

// fleetCopy is copy k of a scenario's results (JSON): serials with the
// copy's prefix, and in every GUID the first two hex digits replaced by k's,
// so that each copy's devices have GUIDs of their own, as a real fleet's do.
func fleetCopy(base []byte, k int) results.ScenarioResult {
	return copyJSON(base, "FLT", copyPrefix(k)+"T", 0, fmt.Sprintf("%02x", k))
}

// dropTimelines is sc as `run --timeline failed` writes it: devices without
// an explanation keep neither timeline nor event log.
func dropTimelines(sc results.ScenarioResult) results.ScenarioResult {
	out := sc
	out.Devices = make([]results.DeviceResult, len(sc.Devices))
	for i, d := range sc.Devices {
		if d.Explanation == nil {
			d.Timeline, d.Events = []results.TimelineEntry{}, nil
		}
		out.Devices[i] = d
	}
	return out
}
