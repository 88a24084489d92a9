package shard_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/report"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/shard"
	"github.com/autopilotsim/autopilotsim/sink"
)

// writeShard writes r as a shard's results.json in a new folder and
// returns the folder.
func writeShard(r *results.Run) string {
	dir := GinkgoT().TempDir()
	f, err := os.Create(filepath.Join(dir, "results.json"))
	Expect(err).NotTo(HaveOccurred())
	Expect(results.WriteJSON(f, r)).To(Succeed())
	Expect(f.Close()).To(Succeed())
	return dir
}

// sinkRun writes run into a new folder through sink, as run and merge do,
// and returns its files by name.
func sinkRun(each func(add func(sc *results.ScenarioResult)) error) (map[string]string, *results.Run) {
	dir := GinkgoT().TempDir()
	d, err := sink.Open(dir, true)
	Expect(err).NotTo(HaveOccurred())
	run := &results.Run{}
	Expect(each(func(sc *results.ScenarioResult) {
		d.Add(len(run.Scenarios), sc)
		run.Scenarios = append(run.Scenarios, *sc)
	})).To(Succeed())
	run.Summarise()
	Expect(d.Close(run)).To(Succeed())
	out := map[string]string{}
	for _, n := range []string{"results.json", "junit.xml", report.FileName, "devices.jsonl"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		Expect(err).NotTo(HaveOccurred())
		out[n] = string(b)
	}
	return out, run
}

var _ = Describe("Files (merge from disk, a scenario at a time)", func() {
	It("merges 4 shards of the catalogue into the unsplit run's results.json, junit.xml, report.html and devices.jsonl, byte for byte", func() {
		scs, err := scenarios.LoadPaths([]string{"../scenarios/catalogue"})
		Expect(err).NotTo(HaveOccurred())
		whole := harness.RunAll(scs, harness.Options{})
		want, _ := sinkRun(func(add func(*results.ScenarioResult)) error {
			for i := range whole.Scenarios {
				add(&whole.Scenarios[i])
			}
			return nil
		})

		var dirs []string
		for _, i := range []int{2, 0, 3, 1} { // out of order on purpose
			sub, block := shard.Select(scs, shard.Spec{Index: i, Count: 4})
			r := harness.RunAll(sub, harness.Options{Parallel: 2})
			r.Shard = block
			dirs = append(dirs, writeShard(r))
		}
		files, err := shard.OpenFiles(dirs)
		Expect(err).NotTo(HaveOccurred())
		Expect(files.Shards()).To(Equal(4))
		Expect(files.Scenarios()).To(Equal(len(scs)))
		var order []int
		got, _ := sinkRun(func(add func(*results.ScenarioResult)) error {
			return files.Each(func(pos int, sc *results.ScenarioResult) error {
				order = append(order, pos)
				Expect(sc.Name).To(Equal(scs[pos].Name))
				add(sc)
				return nil
			})
		})
		for name := range want {
			Expect(got[name]).To(Equal(want[name]), name)
		}
		Expect(order).To(HaveLen(len(scs)))
		for pos, p := range order {
			Expect(p).To(Equal(pos))
		}
	})

	It("refuses shards that do not make one run, as Merge does, naming the file", func() {
		a := writeShard(&results.Run{Scenarios: []results.ScenarioResult{{Name: "a"}},
			Shard: &results.Shard{Index: 0, Count: 2, Scenarios: 2, Positions: []int{0}}})
		_, err := shard.OpenFiles([]string{a})
		Expect(err).To(MatchError(ContainSubstring("missing shard(s) 1/2")))
		whole := writeShard(&results.Run{Scenarios: []results.ScenarioResult{{Name: "a"}}})
		_, err = shard.OpenFiles([]string{whole})
		Expect(err).To(MatchError(ContainSubstring(filepath.Join(whole, "results.json") + " is not a shard's")))
		_, err = shard.OpenFiles([]string{a, a})
		Expect(err).To(MatchError(ContainSubstring("given twice")))
	})

	It("stops at fn's error", func() {
		dir := writeShard(&results.Run{Scenarios: []results.ScenarioResult{{Name: "a"}, {Name: "b"}},
			Shard: &results.Shard{Index: 0, Count: 1, Scenarios: 2, Positions: []int{0, 1}}})
		files, err := shard.OpenFiles([]string{dir})
		Expect(err).NotTo(HaveOccurred())
		calls := 0
		Expect(files.Each(func(int, *results.ScenarioResult) error {
			calls++
			return os.ErrClosed
		})).To(MatchError(os.ErrClosed))
		Expect(calls).To(Equal(1))
	})

	It("says so when a shard changed after it was checked", func() {
		dir := writeShard(&results.Run{Scenarios: []results.ScenarioResult{{Name: "a"}},
			Shard: &results.Shard{Index: 0, Count: 1, Scenarios: 1, Positions: []int{0}}})
		files, err := shard.OpenFiles([]string{dir})
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, "results.json"), []byte("{}"), 0o644)).To(Succeed())
		Expect(files.Each(func(int, *results.ScenarioResult) error { return nil })).To(MatchError(ContainSubstring("scenario 1")))
	})

	DescribeTable("says which file, line and part of a results.json is wrong",
		func(text, want string) {
			dir := GinkgoT().TempDir()
			path := filepath.Join(dir, "results.json")
			Expect(os.WriteFile(path, []byte(text), 0o644)).To(Succeed())
			_, err := shard.OpenFiles([]string{dir})
			Expect(err).To(MatchError(ContainSubstring(path + ":" + want)))
		},
		Entry("a list not closed", "{\n  \"scenarios\": [\n  }", "3: scenarios: invalid character '}'"),
		Entry("scenarios not a list", "{\n\"scenarios\": 3}", "2: scenarios: want a list"),
		Entry("not an object", "[]", "1: want a JSON object"),
		Entry("empty", "", "1: unexpected EOF"),
		Entry("a key twice, in another case", "{\"scenarios\": [],\n\"Scenarios\": []}", `2: key "Scenarios" given twice`),
		Entry("a scenario of the wrong shape", "{\n\"scenarios\": [\n{\"name\": \"a\"},\n{\"name\": 3}\n]}", "4: scenario 2: json: cannot unmarshal number"),
		Entry("a broken scenario", "{\n\"scenarios\": [\n{\"name\": \"a\"},\n{\n\"name\": x}\n]}", "5: scenario 2: invalid character 'x'"),
		Entry("a device of the wrong shape", "{\"scenarios\": [\n{\"name\": \"a\",\n\"devices\": [\n{\"serial\": 5}]}]}", "4: scenario 1: json: cannot unmarshal number"),
		Entry("cut short", "{\"scenarios\": [{\"name\": \"a\"}", "1: scenarios: unexpected EOF"),
		Entry("two scenarios without a comma", "{\"scenarios\": [{}\n {}]}", "2: scenario 2: expected comma after array element"),
		Entry("a summary of the wrong shape", "{\"scenarios\": [],\n\"summary\": 5}", "2: summary: json: cannot unmarshal number"),
		Entry("a shard block of the wrong shape", "{\"scenarios\": [], \"shard\": \"x\"}", "1: shard: json: cannot unmarshal string"),
	)
})
