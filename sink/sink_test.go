package sink_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/report"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sink"
)

// catalogue are scenarios of the catalogue that pass, fail an expectation
// and explain failed devices, so every writer has something to write.
var catalogue = []string{"onprem-lan-hybrid.yaml", "f08-ou-not-delegated.yaml", "f10-connector-offline.yaml", "quota-no-delegation.yaml"}

func load() []*scenarios.Scenario {
	var paths []string
	for _, n := range catalogue {
		paths = append(paths, filepath.Join("..", "scenarios", "catalogue", n))
	}
	scs, err := scenarios.LoadPaths(paths)
	Expect(err).NotTo(HaveOccurred())
	// One scenario whose expectation fails, so that junit.xml and the
	// console explain its devices.
	b, err := os.ReadFile(paths[2])
	Expect(err).NotTo(HaveOccurred())
	wrong := strings.Replace(string(b), "    outcome: failed\n    failedStage: odjBlobWait\n    errorCode: \"80070774\"\n    after: 25m\n", "    outcome: hybridJoined\n", 1)
	Expect(wrong).NotTo(Equal(string(b)))
	sc, err := scenarios.LoadBytes("wrong-expectation.yaml", []byte(strings.Replace(wrong, "name: ", "name: wrong-", 1)))
	Expect(err).NotTo(HaveOccurred())
	return append(scs, sc)
}

// files reads every file of dir by name.
func files(dir string) map[string][]byte {
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	Expect(err).NotTo(HaveOccurred())
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		Expect(err).NotTo(HaveOccurred())
		out[e.Name()] = b
	}
	return out
}

// whole writes run as the writers of whole runs do: results.WriteDir,
// report.WriteFile and, with jsonl, results.WriteJSONLines.
func whole(dir string, run *results.Run, jsonl bool) {
	Expect(results.WriteDir(dir, run)).To(Succeed())
	Expect(report.WriteFile(dir, run)).To(Succeed())
	if jsonl {
		var b bytes.Buffer
		for i := range run.Scenarios {
			Expect(results.WriteJSONLines(&b, &run.Scenarios[i])).To(Succeed())
		}
		Expect(os.WriteFile(filepath.Join(dir, "devices.jsonl"), b.Bytes(), 0o644)).To(Succeed())
	}
}

var _ = Describe("a folder written as scenarios finish", func() {
	DescribeTable("holds the bytes the whole-run writers write",
		func(timeline harness.TimelineMode, parallel int, jsonl bool, shard *results.Shard) {
			scs := load()
			want := harness.RunAll(scs, harness.Options{Timeline: timeline})
			want.Shard = shard
			wantDir := GinkgoT().TempDir()
			whole(wantDir, want, jsonl)

			gotDir := GinkgoT().TempDir()
			d, err := sink.Open(gotDir, jsonl)
			Expect(err).NotTo(HaveOccurred())
			got := harness.RunAll(scs, harness.Options{Timeline: timeline, Parallel: parallel, OnScenario: d.Add})
			got.Shard = shard
			Expect(d.Close(got)).To(Succeed())

			gotFiles, wantFiles := files(gotDir), files(wantDir)
			Expect(gotFiles).To(HaveLen(len(wantFiles)))
			for name, b := range wantFiles {
				Expect(gotFiles).To(HaveKey(name))
				Expect(string(gotFiles[name])).To(Equal(string(b)), name)
			}
		},
		Entry("every timeline, with devices.jsonl", harness.TimelineAll, 1, true, nil),
		Entry("failed timelines, scenarios in parallel", harness.TimelineFailed, 3, false, nil),
		Entry("a shard", harness.TimelineNone, 2, true, &results.Shard{Index: 1, Count: 3, Scenarios: 12, Positions: []int{1, 4, 7, 10}}),
	)

	It("keeps of each written scenario's devices only what the summary and junit.xml read", func() {
		d, err := sink.Open(GinkgoT().TempDir(), false)
		Expect(err).NotTo(HaveOccurred())
		full := harness.RunAll(load(), harness.Options{})
		got := harness.RunAll(load(), harness.Options{OnScenario: d.Add})
		Expect(d.Close(got)).To(Succeed())
		explained := 0
		for i, sc := range got.Scenarios {
			Expect(sc.Devices).To(HaveLen(len(full.Scenarios[i].Devices)))
			for j, dev := range sc.Devices {
				Expect(dev).To(Equal(full.Scenarios[i].Devices[j].Brief()))
				Expect(dev.Timeline).To(BeNil())
				if dev.Explanation != nil {
					explained++
				}
			}
			Expect(sc.Expectations).To(Equal(full.Scenarios[i].Expectations))
		}
		Expect(explained).To(BeNumerically(">", 0), "the fixture has explained devices")
	})

	It("writes the empty run as the whole-run writers do", func() {
		want, got := GinkgoT().TempDir(), GinkgoT().TempDir()
		run := &results.Run{Scenarios: []results.ScenarioResult{}}
		whole(want, run, false)
		d, err := sink.Open(got, false)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Close(run)).To(Succeed())
		Expect(files(got)).To(Equal(files(want)))
	})

	It("refuses a run with other scenarios than were written, leaving the previous results and no temporary file", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "results.json"), []byte("previous"), 0o644)).To(Succeed())
		d, err := sink.Open(dir, false)
		Expect(err).NotTo(HaveOccurred())
		run := harness.RunAll(load()[:1], harness.Options{})
		err = d.Close(run)
		Expect(err).To(MatchError(ContainSubstring("the run has 1 scenarios, 0 were written")))
		Expect(files(dir)).To(Equal(map[string][]byte{"results.json": []byte("previous")}))
	})

	It("removes what it began when aborted", func() {
		dir := GinkgoT().TempDir()
		d, err := sink.Open(dir, true)
		Expect(err).NotTo(HaveOccurred())
		harness.RunAll(load()[:1], harness.Options{OnScenario: d.Add})
		d.Abort()
		names := []string{}
		for n := range files(dir) {
			names = append(names, n)
		}
		Expect(names).To(Equal([]string{"devices.jsonl"}), "the stream keeps the scenarios that finished")
		Expect(strings.Count(string(files(dir)["devices.jsonl"]), "\n")).To(BeNumerically(">", 0))
	})

	It("says which folder it cannot create", func() {
		file := filepath.Join(GinkgoT().TempDir(), "file")
		Expect(os.WriteFile(file, nil, 0o644)).To(Succeed())
		_, err := sink.Open(filepath.Join(file, "out"), false)
		Expect(err).To(MatchError(ContainSubstring("create " + filepath.Join(file, "out"))))
	})
})
