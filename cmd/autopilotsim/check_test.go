package main

import (
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("autopilotsim check", func() {
	DescribeTable("exits 2 on invalid flags, before reading anything",
		func(args []string, msg string) {
			code, out, errOut := cli(append([]string{"check"}, args...)...)
			Expect(code).To(Equal(2))
			Expect(out).To(BeEmpty())
			Expect(errOut).To(ContainSubstring(msg))
		},
		Entry("no --config", []string{"--env", "env.yaml"}, "autopilotsim check: --config DIR is required"),
		Entry("no --env", []string{"--config", "tenant"}, "autopilotsim check: --env FILE is required"),
		Entry("a severity --fail-on does not know", []string{"--config", "t", "--env", "e", "--fail-on", "fatal"}, `--fail-on: severity "fatal": want error, warning or note`),
		Entry("a format it does not write", []string{"--config", "t", "--env", "e", "--format", "sarif,pdf"}, `--format: "pdf": want a comma-separated list of sarif, junit, json, md`),
		Entry("an argument", []string{"--config", "t", "--env", "e", "extra"}, `unexpected argument "extra"`),
		Entry("quiet and verbose", []string{"--config", "t", "--env", "e", "-q", "-v"}, "--quiet and --verbose exclude each other"),
		Entry("a bad --parallel", []string{"--config", "t", "--env", "e", "--parallel", "many"}, `invalid argument "many" for "--parallel" flag`),
	)
})

var _ = Describe("autopilotsim check on a configuration folder", func() {
	It("passes a configuration with nothing blocking (exit 0), printing findings, cohorts and the verdict, and writes the reports", func() {
		out := GinkgoT().TempDir()
		code, stdout, errOut := cli("check", "--config", "testdata/check/tenant", "--env", "testdata/check/env.yaml", "--out", out, "--parallel", "2")
		Expect(code).To(Equal(0), stdout+errOut)
		Expect(stdout).To(MatchRegexp(`(?m)^  testdata/check/tenant/deviceManagement/windowsAutopilotDeploymentProfiles/entra-fallback__[0-9a-f-]+\.json:3:18: warning APS016: `))
		Expect(stdout).To(MatchRegexp(`(?m)^  tag=HYB @office vpn=none +1 +hybridJoined `))
		Expect(stdout).To(ContainSubstring("\nnothing blocking: 2 finding(s), 18 cohort(s) simulated (fail on error)\n"))
		for _, f := range []string{"check.sarif", "check-junit.xml", "check.json", "check.md", "report.html"} {
			Expect(filepath.Join(out, f)).To(BeARegularFile())
		}
	})

	It("blocks (exit 1) when a finding is at or above --fail-on", func() {
		code, stdout, _ := cli("check", "--config", "testdata/check/tenant", "--env", "testdata/check/env.yaml",
			"--out", GinkgoT().TempDir(), "--fail-on", "warning", "--format", "json", "-q")
		Expect(code).To(Equal(1))
		Expect(stdout).NotTo(ContainSubstring("Cohorts"))
		Expect(stdout).NotTo(ContainSubstring("APS033"))
		Expect(stdout).To(HaveSuffix("blocking: 1 finding(s) at or above warning\n"))
	})

	It("blocks (exit 1) against --base when the Domain Join OU becomes a container, naming the finding and the regressed cohorts", func() {
		head := filepath.Join(GinkgoT().TempDir(), "tenant")
		Expect(os.CopyFS(head, os.DirFS("testdata/check/tenant"))).To(Succeed())
		dj := filepath.Join(head, "deviceManagement/deviceConfigurations/domain-join-corp__c1000000-0000-4000-8000-000000000001.json")
		b, err := os.ReadFile(dj)
		Expect(err).NotTo(HaveOccurred())
		from := `"organizationalUnit": "OU=Autopilot,DC=corp,DC=contoso,DC=com"`
		Expect(string(b)).To(ContainSubstring(from))
		Expect(os.WriteFile(dj, []byte(strings.Replace(string(b), from, `"organizationalUnit": "CN=Computers,DC=corp,DC=contoso,DC=com"`, 1)), 0o644)).To(Succeed())

		code, stdout, errOut := cli("check", "--config", head, "--base", "testdata/check/tenant", "--env", "testdata/check/env.yaml",
			"--out", GinkgoT().TempDir(), "--format", "json")
		Expect(code).To(Equal(1), stdout+errOut)
		Expect(stdout).To(ContainSubstring(dj + ":22:25: error APS001: "))
		Expect(stdout).To(ContainSubstring("  regression tag=HYB @office vpn=none: hybridJoined -> failed at odjBlobWait 80070774"))
		Expect(stdout).To(ContainSubstring("  regression untagged,po=PO-7 @office vpn=none: hybridJoined -> failed at odjBlobWait 80070774"))
		Expect(stdout).To(ContainSubstring("\nblocking: 1 finding(s) at or above error, 4 regression(s)\n"))
	})

	It("exits 2 when the environment cannot be read", func() {
		code, _, errOut := cli("check", "--config", "testdata/check/tenant", "--env", "testdata/check/nope.yaml", "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(2))
		Expect(errOut).To(ContainSubstring("nope.yaml"))
	})
})
