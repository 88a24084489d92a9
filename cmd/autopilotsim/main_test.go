package main

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// cli runs the CLI in-process. Its wall clock stands still, so no run
// shows progress however slow the machine (console_test.go moves it).
func cli(args ...string) (int, string, string) {
	return cliClock(0, args...)
}

var _ = Describe("autopilotsim run", func() {
	It("exits 0 and writes results.json and junit.xml when every expectation holds", func() {
		dir := GinkgoT().TempDir()
		code, out, errOut := cli("run", "--out", dir, "testdata/pass.yaml")
		Expect(code).To(Equal(0), out+errOut)
		Expect(out).To(ContainSubstring("cli-pass"))
		Expect(out).To(ContainSubstring("PASS"))
		Expect(filepath.Join(dir, "results.json")).To(BeARegularFile())
		Expect(out).To(ContainSubstring("results written to " + dir + "/results.json, " + dir + "/junit.xml and " + dir + "/report.html"))
		html, err := os.ReadFile(filepath.Join(dir, "report.html"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(html)).To(HavePrefix("<!DOCTYPE html>"))
		Expect(string(html)).To(ContainSubstring("cli-pass"))
		junit, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(junit)).To(ContainSubstring(`<testcase name=`))
	})

	It("exits 1 when an expectation fails, and says which", func() {
		code, out, _ := cli("run", "--out", GinkgoT().TempDir(), "testdata/fail.yaml")
		Expect(code).To(Equal(1))
		Expect(out).To(ContainSubstring("FAIL"))
		Expect(out).To(ContainSubstring("outcome hybridJoined, want failed"))
	})

	It("writes the same results.json for the same seed", func() {
		a, b := GinkgoT().TempDir(), GinkgoT().TempDir()
		codeA, _, _ := cli("run", "--seed", "7", "--out", a, "testdata/pass.yaml")
		codeB, _, _ := cli("run", "--seed", "7", "--out", b, "testdata/pass.yaml")
		Expect([]int{codeA, codeB}).To(Equal([]int{0, 0}))
		ja, _ := os.ReadFile(filepath.Join(a, "results.json"))
		jb, _ := os.ReadFile(filepath.Join(b, "results.json"))
		Expect(ja).NotTo(BeEmpty())
		Expect(string(ja)).To(Equal(string(jb)))
	})

	DescribeTable("exits 2 on invalid input",
		func(args []string, msg string) {
			code, _, errOut := cli(args...)
			Expect(code).To(Equal(2))
			Expect(errOut).To(ContainSubstring(msg))
		},
		Entry("no command", []string{}, "usage"),
		Entry("unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`),
		Entry("no paths", []string{"run"}, "no scenario paths"),
		Entry("bad seed", []string{"run", "--seed", "-3", "testdata/pass.yaml"}, "seed must be a non-negative integer"),
		Entry("bad wire", []string{"run", "--wire", "carrier-pigeon", "testdata/pass.yaml"}, "--wire must be memory or loopback"),
		Entry("unknown key, with file and line", []string{"run", "testdata/bad.yaml"}, "testdata/bad.yaml:4:"),
		Entry("missing file", []string{"run", "testdata/nope.yaml"}, "nope.yaml"),
		Entry("serve without scenario", []string{"serve"}, "--scenario is required"),
		Entry("validate without paths", []string{"validate"}, "no scenario paths"),
	)
})
