package main

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("autopilotsim run --shard and merge", func() {
	It("merges two shards into the unsplit run's files, devices.jsonl included", func() {
		whole, s0, s1, merged := GinkgoT().TempDir(), GinkgoT().TempDir(), GinkgoT().TempDir(), GinkgoT().TempDir()
		paths := []string{"testdata/pass.yaml", "testdata/fail.yaml"}
		code, out, errOut := cli(append([]string{"run", "--out", whole, "--parallel", "1", "--jsonl"}, paths...)...)
		Expect(code).To(Equal(1), out+errOut)
		Expect(filepath.Join(whole, "devices.jsonl")).To(BeARegularFile())
		for i, dir := range []string{s0, s1} {
			code, out, errOut := cli(append([]string{"run", "--out", dir, "--shard", []string{"0/2", "1/2"}[i], "--parallel", "2"}, paths...)...)
			Expect(code).To(BeNumerically("<=", 1), out+errOut)
		}
		code, out, errOut = cli("merge", "--jsonl", "--out", merged, s1, s0)
		Expect(code).To(Equal(1), out+errOut) // fail.yaml fails, merged or not
		Expect(out).To(ContainSubstring("merged 2 shards"))
		for _, f := range []string{"results.json", "junit.xml", "report.html", "devices.jsonl"} {
			want, err := os.ReadFile(filepath.Join(whole, f))
			Expect(err).NotTo(HaveOccurred())
			got, err := os.ReadFile(filepath.Join(merged, f))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(got)).To(Equal(string(want)), f)
		}
	})

	It("exits with --failed-exit-code when a scenario failed, results written all the same", func() {
		dir := GinkgoT().TempDir()
		code, out, errOut := cli("run", "-q", "--failed-exit-code", "0", "--shard", "0/1", "--out", dir, "testdata/fail.yaml")
		Expect(code).To(Equal(0), out+errOut)
		Expect(out).To(ContainSubstring("0 of 1 selected devices match"))
		Expect(filepath.Join(dir, "results.json")).To(BeARegularFile())
		code, _, _ = cli("run", "-q", "--failed-exit-code", "3", "--out", GinkgoT().TempDir(), "testdata/fail.yaml")
		Expect(code).To(Equal(3))
		code, _, _ = cli("run", "-q", "--failed-exit-code", "3", "--out", GinkgoT().TempDir(), "testdata/pass.yaml")
		Expect(code).To(Equal(0))
		// merge still judges: the shard failed, so the merged run does.
		code, out, errOut = cli("merge", "--out", GinkgoT().TempDir(), dir)
		Expect(code).To(Equal(1), out+errOut)
	})

	DescribeTable("exits 2 on invalid input",
		func(args []string, msg string) {
			code, _, errOut := cli(args...)
			Expect(code).To(Equal(2))
			Expect(errOut).To(ContainSubstring(msg))
		},
		Entry("bad shard", []string{"run", "--shard", "2/2", "testdata/pass.yaml"}, "index must be 0 to 1"),
		Entry("bad parallel", []string{"run", "--parallel", "0", "testdata/pass.yaml"}, "--parallel must be at least 1"),
		Entry("failed exit code 2", []string{"run", "--failed-exit-code", "2", "testdata/pass.yaml"}, "--failed-exit-code must be 0 to 125 and not 2"),
		Entry("failed exit code out of range", []string{"run", "--failed-exit-code", "300", "testdata/pass.yaml"}, "--failed-exit-code must be 0 to 125"),
		Entry("bad timeline", []string{"run", "--timeline", "some", "testdata/pass.yaml"}, "timeline must be all, failed or none"),
		Entry("merge without shards", []string{"merge"}, "requires at least 1 arg"),
		Entry("merge of a missing directory", []string{"merge", "/nonexistent-shard"}, "nonexistent-shard"),
		Entry("merge of a broken results.json, with its line", []string{"merge", "testdata/broken-shard.json"}, "testdata/broken-shard.json:3: scenario 1:"),
	)
})
