package shard_test

import (
	"bytes"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/report"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/shard"
)

// files returns the bytes of results.json, junit.xml and report.html that
// run r writes.
func files(r *results.Run) map[string][]byte {
	dir := GinkgoT().TempDir()
	Expect(results.WriteDir(dir, r)).To(Succeed())
	Expect(report.WriteFile(dir, r)).To(Succeed())
	out := map[string][]byte{}
	for _, n := range []string{"results.json", "junit.xml", report.FileName} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		Expect(err).NotTo(HaveOccurred())
		out[n] = b
	}
	return out
}

var _ = Describe("Parse", func() {
	DescribeTable("accepts I/N",
		func(text string, want shard.Spec) {
			Expect(shard.Parse(text)).To(Equal(want))
		},
		Entry("first of four", "0/4", shard.Spec{Index: 0, Count: 4}),
		Entry("last of four", "3/4", shard.Spec{Index: 3, Count: 4}),
		Entry("unsplit", "0/1", shard.Spec{Index: 0, Count: 1}),
	)
	DescribeTable("refuses malformed shards with what is wrong",
		func(text, want string) {
			_, err := shard.Parse(text)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("no slash", "3", "want I/N"),
		Entry("index not a number", "a/4", `index "a" is not a number`),
		Entry("count not a number", "1/x", `count "x" is not a number`),
		Entry("index = count", "4/4", "index must be 0 to 3"),
		Entry("negative index", "-1/4", "index must be 0 to 3"),
		Entry("zero count", "0/0", "count must be 1"),
		Entry("huge count", "0/100000", "count must be 1 to 10000"),
	)
})

var _ = Describe("Plan", func() {
	It("gives every scenario to exactly one shard, balancing devices, the same way every time", func() {
		scs, err := scenarios.LoadPaths([]string{"../scenarios/catalogue"})
		Expect(err).NotTo(HaveOccurred())
		plan := shard.Plan(scs, 4)
		Expect(shard.Plan(scs, 4)).To(Equal(plan))
		seen := map[int]int{}
		loads := []int{}
		for _, p := range plan {
			load := 0
			for _, i := range p {
				seen[i]++
				load += max(1, scs[i].DeviceCount())
			}
			loads = append(loads, load)
		}
		Expect(seen).To(HaveLen(len(scs)))
		for i := range scs {
			Expect(seen[i]).To(Equal(1), "scenario %d", i)
		}
		big := 0
		for _, sc := range scs {
			big = max(big, sc.DeviceCount())
		}
		// Greedy largest-first: no shard exceeds another by more than the
		// largest scenario.
		Expect(slicesMax(loads) - slicesMin(loads)).To(BeNumerically("<=", big))
	})
	It("leaves shards empty when there are more shards than scenarios", func() {
		scs, err := scenarios.LoadPaths([]string{"../scenarios/catalogue/two-domains.yaml"})
		Expect(err).NotTo(HaveOccurred())
		plan := shard.Plan(scs, 3)
		Expect(plan[0]).To(Equal([]int{0}))
		Expect(plan[1]).To(BeEmpty())
		Expect(plan[2]).To(BeEmpty())
	})
})

func slicesMax(v []int) int {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

func slicesMin(v []int) int {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

var _ = Describe("Merge", func() {
	It("merges 4 shards of the catalogue into the unsplit run's results.json, junit.xml and report.html, byte for byte", func() {
		scs, err := scenarios.LoadPaths([]string{"../scenarios/catalogue"})
		Expect(err).NotTo(HaveOccurred())
		whole := harness.RunAll(scs, harness.Options{})
		want := files(whole)

		var parts []*results.Run
		for i := 3; i >= 0; i-- { // out of order on purpose
			sub, block := shard.Select(scs, shard.Spec{Index: i, Count: 4})
			r := harness.RunAll(sub, harness.Options{Parallel: 2})
			r.Shard = block
			// Through the file, as merge reads it.
			var buf bytes.Buffer
			Expect(results.WriteJSON(&buf, r)).To(Succeed())
			back, err := shard.Read("shard.json", buf.Bytes())
			Expect(err).NotTo(HaveOccurred())
			parts = append(parts, back)
		}
		merged, err := shard.Merge(parts)
		Expect(err).NotTo(HaveOccurred())
		got := files(merged)
		for name := range want {
			Expect(string(got[name])).To(Equal(string(want[name])), name)
		}
	})

	part := func(index, count, total int, pos ...int) *results.Run {
		r := &results.Run{Shard: &results.Shard{Index: index, Count: count, Scenarios: total, Positions: pos}}
		for _, p := range pos {
			r.Scenarios = append(r.Scenarios, results.ScenarioResult{Name: string(rune('a' + p)), Passed: true})
		}
		return r
	}
	DescribeTable("refuses shards that do not make one run",
		func(parts []*results.Run, want string) {
			_, err := shard.Merge(parts)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("nothing", []*results.Run{}, "no shard results"),
		Entry("an unsplit run", []*results.Run{{}}, "is not a shard's"),
		Entry("a missing shard", []*results.Run{part(0, 2, 2, 0)}, "missing shard(s) 1/2"),
		Entry("the same shard twice", []*results.Run{part(0, 2, 2, 0), part(0, 2, 2, 0)}, "given twice"),
		Entry("shards of different splits", []*results.Run{part(0, 2, 2, 0), part(1, 3, 2, 1)}, "does not belong"),
		Entry("different scenario lists", []*results.Run{part(0, 2, 2, 0), part(1, 2, 3, 1)}, "different scenario lists"),
		Entry("a position out of range", []*results.Run{part(0, 2, 2, 0), part(1, 2, 2, 5)}, "out of 0..1"),
		Entry("a position twice", []*results.Run{part(0, 2, 2, 0), part(1, 2, 2, 0)}, "comes from two shards"),
		Entry("an index out of range", []*results.Run{part(2, 2, 2, 0)}, "out of 0..1"),
	)
	It("puts scenarios back in the run's order and summarises", func() {
		m, err := shard.Merge([]*results.Run{part(1, 2, 3, 1), part(0, 2, 3, 0, 2)})
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Shard).To(BeNil())
		Expect([]string{m.Scenarios[0].Name, m.Scenarios[1].Name, m.Scenarios[2].Name}).To(Equal([]string{"a", "b", "c"}))
		Expect(m.Summary.Scenarios).To(Equal(3))
	})
})

var _ = Describe("Read", func() {
	It("says where a results.json is broken", func() {
		_, err := shard.Read("s/results.json", []byte("{\n  \"scenarios\": [\n  }"))
		Expect(err).To(MatchError(ContainSubstring("s/results.json:3:")))
	})
	It("says which file is of the wrong shape", func() {
		_, err := shard.Read("s/results.json", []byte(`{"scenarios": 3}`))
		Expect(err).To(MatchError(ContainSubstring("s/results.json:")))
	})
	It("says which file is missing", func() {
		_, err := shard.OpenFiles([]string{"/nonexistent-shard-dir"})
		Expect(err).To(MatchError(ContainSubstring("nonexistent-shard-dir")))
	})
})
