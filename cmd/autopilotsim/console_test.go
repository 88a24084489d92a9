package main

import (
	"bytes"
	"os"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// cliClock runs the CLI with a wall clock that moves step further at each
// reading, so progress shows without the run taking real seconds.
func cliClock(step time.Duration, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	t := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
	now := func() time.Time { t = t.Add(step); return t }
	code := runEnv(args, env{stdout: &out, stderr: &errOut, getenv: os.Getenv, now: now})
	return code, out.String(), errOut.String()
}

var _ = Describe("autopilotsim run's console", func() {
	It("explains each device of a failed expectation: serial, stage, code, meaning, cause, fix", func() {
		code, out, _ := cli("run", "--out", GinkgoT().TempDir(), "testdata/remote-fails.yaml")
		Expect(code).To(Equal(1))
		Expect(out).To(ContainSubstring("testdata/remote-fails.yaml:30: expect[0]: all hybridJoined\n" +
			"  0 of 1 selected devices match (want 1); HOME0001: outcome failed, want hybridJoined\n" +
			"  HOME0001 failed at dcConnectivityCheck: 80070774 ("))
		Expect(out).To(MatchRegexp(`\n    fix: .*\(https://learn\.microsoft\.com/`))
	})

	It("prints the loader's warnings on stderr before running", func() {
		_, _, errOut := cli("run", "--out", GinkgoT().TempDir(), "testdata/bad-ou.yaml")
		Expect(errOut).To(HavePrefix(`warning: testdata/bad-ou.yaml:23:61: tenant.domainJoinProfiles[0].ou: OU "OU=Autopilot" has no DC= parts`))
	})

	It("--quiet prints only what failed: no table, warnings, progress or totals", func() {
		code, out, errOut := cliClock(2*time.Second, "run", "--quiet", "--out", GinkgoT().TempDir(), "testdata/remote-fails.yaml")
		Expect(code).To(Equal(1))
		Expect(out).To(HavePrefix("testdata/remote-fails.yaml:30: expect[0]: all hybridJoined\n"))
		Expect(out).NotTo(ContainSubstring("SCENARIO"))
		Expect(out).NotTo(ContainSubstring("results written"))
		Expect(errOut).To(BeEmpty())

		code, out, errOut = cliClock(2*time.Second, "run", "-q", "--out", GinkgoT().TempDir(), "testdata/pass.yaml")
		Expect(code).To(Equal(0))
		Expect(out + errOut).To(BeEmpty())
	})

	It("--verbose also prints every device, with what the user saw on screen", func() {
		code, out, _ := cli("run", "-v", "--out", GinkgoT().TempDir(), "testdata/remote-fails.yaml", "testdata/pass.yaml")
		Expect(code).To(Equal(1))
		Expect(out).To(ContainSubstring("\ncli-pass (testdata/pass.yaml, seed 1)\n  CLI0001 hybridJoined"))
		Expect(out).To(ContainSubstring("\ncli-remote-fails (testdata/remote-fails.yaml, seed 2)\n  HOME0001 failed at dcConnectivityCheck: 80070774"))
		Expect(out).To(ContainSubstring("    on screen: Something went wrong."))
	})

	It("shows progress as plain lines on stderr when it is not a terminal", func() {
		// One scenario at a time: with --parallel the lines interleave.
		code, out, errOut := cliClock(2*time.Second, "run", "--parallel", "1", "--out", GinkgoT().TempDir(), "testdata/pass.yaml", "testdata/remote-fails.yaml")
		Expect(code).To(Equal(1))
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		Expect(lines).To(HaveLen(3), errOut)
		Expect(lines[0]).To(Equal("progress: 1/2 devices, scenario 1/2 cli-pass at T0+33m45s"))
		Expect(lines[1]).To(Equal("progress: 2/2 devices, scenario 2/2 cli-remote-fails at T0+29m45s"))
		Expect(lines[2]).To(MatchRegexp(`^progress: done, 2/2 devices in 2 scenarios \(\d+s\)$`))
		Expect(errOut).NotTo(ContainSubstring("\r"))
		Expect(out).NotTo(ContainSubstring("progress:"))
	})

	It("shows no progress for a run shorter than a second, nor with --progress off", func() {
		_, _, errOut := cliClock(time.Millisecond, "run", "--out", GinkgoT().TempDir(), "testdata/pass.yaml")
		Expect(errOut).To(BeEmpty())
		_, _, errOut = cliClock(2*time.Second, "run", "--progress", "off", "--out", GinkgoT().TempDir(), "testdata/pass.yaml")
		Expect(errOut).To(BeEmpty())
	})

	It("draws a bar with --progress bar, even off a terminal", func() {
		_, _, errOut := cliClock(2*time.Second, "run", "--progress", "bar", "--out", GinkgoT().TempDir(), "testdata/pass.yaml")
		Expect(errOut).To(ContainSubstring("\r[########################] 1/1 devices, scenario 1/1 cli-pass at T0+33m45s"))
		Expect(errOut).NotTo(ContainSubstring("\n"))
	})

	DescribeTable("exits 2 on contradictory or unknown console flags",
		func(args []string, msg string) {
			code, _, errOut := cli(append(args, "testdata/pass.yaml")...)
			Expect(code).To(Equal(2))
			Expect(errOut).To(ContainSubstring(msg))
		},
		Entry("quiet and verbose", []string{"run", "-q", "-v"}, "--quiet and --verbose exclude each other"),
		Entry("unknown progress", []string{"run", "--progress", "spinner"}, `--progress must be auto, bar, lines or off, got "spinner"`),
	)
})
