package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
)

// The harness's admin app, which a lab prints (harness/world.go).
const (
	labClientID = "00000000-0000-0000-0000-0000000a0001"
	labSecret   = "autopilotsim-harness-secret"
)

// cliEnv runs the CLI with environment variables.
func cliEnv(vars map[string]string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := runEnv(args, env{stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }, now: func() time.Time { return sim.Epoch }})
	return code, out.String(), errOut.String()
}

var _ = Describe("autopilotsim export", func() {
	It("exports a lab's tenant with the secret from AUTOPILOTSIM_CLIENT_SECRET, and check reads the export", func() {
		sc, err := scenarios.Load("testdata/pass.yaml")
		Expect(err).NotTo(HaveOccurred())
		lab, err := harness.Serve(sc, harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab.Close)
		dir := filepath.Join(GinkgoT().TempDir(), "tenant")

		code, out, errOut := cliEnv(map[string]string{"AUTOPILOTSIM_CLIENT_SECRET": labSecret},
			"export", "--graph", lab.GraphURL(), "--tenant", lab.TenantID(), "--client-id", labClientID, "--out", dir)
		Expect(code).To(Equal(0), out+errOut)
		Expect(out).To(MatchRegexp(`(?m)^  groups +1$`))
		Expect(out).To(MatchRegexp(`(?m)^  deviceManagement/windowsAutopilotDeploymentProfiles +1$`))
		Expect(out).To(MatchRegexp(`(?m)^exported \d+ files to ` + dir + ` \(\d+ Graph requests, 0 retries\)$`))
		groups, err := os.ReadDir(filepath.Join(dir, "groups"))
		Expect(err).NotTo(HaveOccurred())
		Expect(groups).To(HaveLen(1))
		Expect(groups[0].Name()).To(HavePrefix("autopilot-devices__"))

		code, out, errOut = cli("check", "--config", dir, "--env", "testdata/check/pass-env.yaml", "--out", GinkgoT().TempDir(), "--format", "json")
		Expect(code).To(Equal(0), out+errOut)
		Expect(out).To(MatchRegexp(`(?m)^  untagged @lan vpn=none +1 +hybridJoined `))
	})

	It("exits 1 when Graph refuses the sign-in, and says so", func() {
		sc, err := scenarios.Load("testdata/pass.yaml")
		Expect(err).NotTo(HaveOccurred())
		lab, err := harness.Serve(sc, harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab.Close)
		code, _, errOut := cli("export", "--graph", lab.GraphURL(), "--tenant", lab.TenantID(), "--client-id", labClientID,
			"--client-secret", "wrong-secret", "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(1))
		Expect(errOut).To(ContainSubstring("autopilotsim export: tenantconfig: export: sign in at "))
	})

	DescribeTable("exits 2 on missing or contradictory credentials and flags",
		func(vars map[string]string, args []string, msg string) {
			code, out, errOut := cliEnv(vars, append([]string{"export"}, args...)...)
			Expect(code).To(Equal(2))
			Expect(out).To(BeEmpty())
			Expect(strings.TrimSpace(errOut)).To(Equal("autopilotsim export: " + msg))
		},
		Entry("no tenant", nil, []string{"--client-id", "c", "--client-secret", "s", "--out", "o"}, "--tenant is required"),
		Entry("no client id", nil, []string{"--tenant", "t", "--client-secret", "s", "--out", "o"}, "--client-id is required"),
		Entry("no out", nil, []string{"--tenant", "t", "--client-id", "c", "--client-secret", "s"}, "--out is required"),
		Entry("no credentials at all", nil, []string{"--tenant", "t", "--client-id", "c", "--out", "o"},
			"no credentials: --client-cert FILE, --client-secret S or the environment variable AUTOPILOTSIM_CLIENT_SECRET"),
		Entry("both a secret and a certificate", nil, []string{"--tenant", "t", "--client-id", "c", "--client-secret", "s", "--client-cert", "c.pem", "--out", "o"},
			"give --client-secret or --client-cert, not both"),
		Entry("a certificate file that is not there", map[string]string{"AUTOPILOTSIM_CLIENT_SECRET": "s"}, []string{"--tenant", "t", "--client-id", "c", "--client-cert", "testdata/nope.pem", "--out", "o"},
			"--client-cert: stat testdata/nope.pem: no such file or directory"),
	)
})
