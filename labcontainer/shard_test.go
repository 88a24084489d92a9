//go:build container

package labcontainer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/labcontainer"
)

// The Kubernetes Indexed Job recipe of docs/SCALE.md, minus Kubernetes:
// the FROM-scratch image, no shell, its entrypoint replaced by the
// binary, the scenarios and a shared results folder mounted, each shard a
// container of its own, then a merge container.
var _ = Describe("shards and merge in the lab image, as a batch job runs them", Label("container"), func() {
	It("runs two shards with --failed-exit-code 0 and merges them into the unsplit run's files", func(ctx SpecContext) {
		requireDocker()
		bin, err := labcontainer.BuildBinary(ctx, "..", GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		opts := labcontainer.Options{Binary: bin, Scenario: "../harness/testdata/lab.yaml", BuildLog: GinkgoWriter}

		// A suite with a failing scenario, so that the exit codes matter.
		scen := GinkgoT().TempDir()
		for _, f := range []string{"../cmd/autopilotsim/testdata/pass.yaml", "../cmd/autopilotsim/testdata/fail.yaml", "../scenarios/catalogue/two-domains.yaml"} {
			b, err := os.ReadFile(f)
			Expect(err).NotTo(HaveOccurred())
			Expect(os.WriteFile(filepath.Join(scen, filepath.Base(f)), b, 0o644)).To(Succeed())
		}
		Expect(os.Chmod(scen, 0o755)).To(Succeed())
		res := GinkgoT().TempDir()
		Expect(os.Chmod(res, 0o777)).To(Succeed()) // the image runs as 65532
		binds := map[string]string{scen: "/scenarios:ro", res: "/results"}

		for i := 0; i < 2; i++ {
			code, out, err := labcontainer.RunCLI(ctx, opts, binds, "run", "-q", "--progress", "off", "--shard", fmt.Sprintf("%d/2", i),
				"--failed-exit-code", "0", "--out", fmt.Sprintf("/results/shard-%d", i), "/scenarios")
			Expect(err).NotTo(HaveOccurred())
			Expect(code).To(Equal(0), out)
		}
		code, out, err := labcontainer.RunCLI(ctx, opts, binds, "merge", "--out", "/results/merged", "/results/shard-1", "/results/shard-0")
		Expect(err).NotTo(HaveOccurred())
		Expect(code).To(Equal(1), out) // fail.yaml fails: the verdict is merge's
		Expect(out).To(ContainSubstring("merged 2 shards"))
		code, out, err = labcontainer.RunCLI(ctx, opts, binds, "run", "-q", "--progress", "off", "--out", "/results/whole", "/scenarios")
		Expect(err).NotTo(HaveOccurred())
		Expect(code).To(Equal(1), out)
		for _, f := range []string{"results.json", "junit.xml", "report.html"} {
			want, err := os.ReadFile(filepath.Join(res, "whole", f))
			Expect(err).NotTo(HaveOccurred())
			got, err := os.ReadFile(filepath.Join(res, "merged", f))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(got)).To(Equal(string(want)), f)
		}
	}, SpecTimeout(5*time.Minute))
})
