package main

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("autopilotsim explain", Ordered, func() {
	var resultsFile string
	BeforeAll(func() {
		dir := GinkgoT().TempDir()
		code, out, errOut := cli("run", "--out", dir, "testdata/remote-fails.yaml", "testdata/pass.yaml")
		Expect(code).To(Equal(1), out+errOut)
		resultsFile = filepath.Join(dir, "results.json")
	})

	It("prints one device's diagnosis, timeline, Windows events and dsregcmd from results.json", func() {
		code, out, errOut := cli("explain", "--results", resultsFile, "HOME0001")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(HavePrefix("HOME0001 in scenario cli-remote-fails (testdata/remote-fails.yaml, seed 2)\n"))
		Expect(out).To(ContainSubstring("  outcome       failed at dcConnectivityCheck, 80070774\n"))
		Expect(out).To(ContainSubstring("\nWhy\n  HOME0001 failed at dcConnectivityCheck: 80070774 ("))
		Expect(out).To(ContainSubstring("\nTimeline\n  T0+0s "))
		Expect(out).To(MatchRegexp(`\nWindows events\n  T0\+30s +device +160 +Information +ModernDeployment-Diagnostics-Provider/Autopilot +AutopilotRetrieveSettings beginning acquisition\.`))
		Expect(out).To(ContainSubstring("\ndsregcmd /status\n  AzureAdJoined    : NO\n"))
	})

	It("reads test-results/results.json by default", func() {
		dir := GinkgoT().TempDir()
		Expect(os.MkdirAll(filepath.Join(dir, "test-results"), 0o755)).To(Succeed())
		data, err := os.ReadFile(resultsFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, "test-results", "results.json"), data, 0o644)).To(Succeed())
		wd, _ := os.Getwd()
		Expect(os.Chdir(dir)).To(Succeed())
		DeferCleanup(os.Chdir, wd)
		code, out, _ := cli("explain", "CLI0001")
		Expect(code).To(Equal(0))
		Expect(out).To(HavePrefix("CLI0001 in scenario cli-pass"))
	})

	DescribeTable("exits 2 on what it cannot explain",
		func(args []string, msg string) {
			for i, a := range args {
				if a == "RESULTS" {
					args[i] = resultsFile
				}
			}
			code, _, errOut := cli(append([]string{"explain"}, args...)...)
			Expect(code).To(Equal(2))
			Expect(errOut).To(ContainSubstring(msg))
		},
		Entry("an unknown serial", []string{"--results", "RESULTS", "NOPE"}, `no device "NOPE" in the results (devices: CLI0001, HOME0001)`),
		Entry("no serial", []string{"--results", "RESULTS"}, "want one device serial, got 0 arguments"),
		Entry("a missing file", []string{"--results", "testdata/nope.json", "X"}, "read results: open testdata/nope.json"),
		Entry("not a results.json", []string{"--results", "testdata/pass.yaml", "X"}, "testdata/pass.yaml:1:1: invalid character '#'"),
	)
})
