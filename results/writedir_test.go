package results_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/results"
)

var _ = Describe("WriteDir", func() {
	run := func(name string) *results.Run {
		return &results.Run{Scenarios: []results.ScenarioResult{{Name: name, Passed: true}}}
	}

	It("replaces results.json by rename: a reader of the old file keeps a complete old file", func() {
		dir := GinkgoT().TempDir()
		Expect(results.WriteDir(dir, run("first"))).To(Succeed())
		old, err := os.Open(filepath.Join(dir, "results.json"))
		Expect(err).NotTo(HaveOccurred())
		defer old.Close()
		before, err := os.ReadFile(filepath.Join(dir, "results.json"))
		Expect(err).NotTo(HaveOccurred())

		Expect(results.WriteDir(dir, run("second"))).To(Succeed())

		// Truncate-then-write would have emptied the file under the open
		// descriptor; a rename leaves the old inode intact.
		st, err := old.Stat()
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Size()).To(BeEquivalentTo(len(before)))
		now, err := os.ReadFile(filepath.Join(dir, "results.json"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(now)).To(ContainSubstring(`"second"`))
	})

	It("leaves no temporary files and makes the files readable by all", func() {
		dir := GinkgoT().TempDir()
		Expect(results.WriteDir(dir, run("x"))).To(Succeed())
		ents, err := os.ReadDir(dir)
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
			info, err := e.Info()
			Expect(err).NotTo(HaveOccurred())
			Expect(info.Mode().Perm()).To(Equal(os.FileMode(0o644)))
		}
		Expect(names).To(ConsistOf("junit.xml", "results.json"))
	})

	It("reports a directory it cannot create", func() {
		file := filepath.Join(GinkgoT().TempDir(), "plain")
		Expect(os.WriteFile(file, nil, 0o644)).To(Succeed())
		Expect(results.WriteDir(filepath.Join(file, "sub"), run("x"))).To(MatchError(ContainSubstring("results: create")))
	})
})
