package scenarios_test

import (
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// withApp puts one app registration (the given lines, indented under
// "- name: ci") into the base scenario's tenant. The app's lines start at
// line 20 of the result; its first key after name is on line 21.
func withApp(lines string) string {
	GinkgoHelper()
	return edit("tenant:\n", "tenant:\n  apps:\n    - name: ci\n"+lines)
}

var _ = Describe("tenant.apps[].certificate", func() {
	It("reads a PEM certificate; the secret becomes optional", func() {
		sc, err := scenarios.LoadBytes("s.yaml", []byte(withApp("      clientId: 11111111-aaaa-4bbb-8ccc-000000000c01\n      certificate: testdata/certs/ci.pem\n")))
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Warnings).To(BeEmpty())
		app := sc.Tenant.Apps[0]
		Expect(app.ClientSecret).To(BeEmpty())
		Expect(app.Certificates).To(HaveLen(1))
		Expect(app.Certificates[0].Subject.CommonName).To(Equal("autopilotsim-ci"))
	})

	It("reads every CERTIFICATE block and skips text and other blocks", func() {
		sc, err := scenarios.LoadBytes("s.yaml", []byte(withApp("      clientId: c\n      certificate: testdata/certs/rollover.pem\n")))
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Tenant.Apps[0].Certificates).To(HaveLen(2))
		Expect(sc.Tenant.Apps[0].Certificates[1].Subject.CommonName).To(Equal("autopilotsim-ci-next"))
	})

	It("allows a secret and a certificate together", func() {
		sc, err := scenarios.LoadBytes("s.yaml", []byte(withApp("      clientId: c\n      clientSecret: s\n      certificate: testdata/certs/ci.pem\n")))
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Tenant.Apps[0].ClientSecret).To(Equal("s"))
		Expect(sc.Tenant.Apps[0].Certificates).To(HaveLen(1))
	})

	It("resolves the path against the scenario file's directory, or takes it as is when absolute", func() {
		pem, err := os.ReadFile("testdata/certs/ci.pem")
		Expect(err).NotTo(HaveOccurred())
		dir := GinkgoT().TempDir()
		Expect(os.MkdirAll(filepath.Join(dir, "keys"), 0o700)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "keys", "ci.pem"), pem, 0o600)).To(Succeed())
		for name, ref := range map[string]string{"relative.yaml": "keys/ci.pem", "absolute.yaml": filepath.Join(dir, "keys", "ci.pem")} {
			doc := withApp("      clientId: c\n      certificate: " + ref + "\n")
			Expect(os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600)).To(Succeed())
			sc, err := scenarios.Load(filepath.Join(dir, name))
			Expect(err).NotTo(HaveOccurred(), name)
			Expect(sc.Tenant.Apps[0].Certificates).To(HaveLen(1), name)
		}
		// The same relative path from a scenario elsewhere is not found.
		_, err = scenarios.LoadBytes("s.yaml", []byte(withApp("      clientId: c\n      certificate: keys/ci.pem\n")))
		Expect(errorLines(err)).To(Equal([]string{
			`s.yaml:22:20: tenant.apps[0].certificate: certificate file "keys/ci.pem": stat keys/ci.pem: no such file or directory`,
		}))
	})

	// pem.Decode skips a block it cannot decode and goes on to the next, so
	// without a check a damaged second certificate of a rollover bundle
	// would be dropped without a word.
	DescribeTable("refuses a bundle with a block that does not decode, naming the block's line",
		func(damage func(lines []string) []string) {
			pem, err := os.ReadFile("testdata/certs/rollover.pem")
			Expect(err).NotTo(HaveOccurred())
			lines := strings.Split(string(pem), "\n")
			Expect(lines[28]).To(Equal("-----BEGIN CERTIFICATE-----")) // the second certificate, line 29
			dir := GinkgoT().TempDir()
			Expect(os.WriteFile(filepath.Join(dir, "bad.pem"), []byte(strings.Join(damage(lines), "\n")), 0o600)).To(Succeed())
			file := filepath.Join(dir, "s.yaml")
			Expect(os.WriteFile(file, []byte(withApp("      clientId: c\n      certificate: bad.pem\n")), 0o600)).To(Succeed())
			_, err = scenarios.Load(file)
			Expect(errorLines(err)).To(Equal([]string{
				file + `:22:20: tenant.apps[0].certificate: certificate file "bad.pem" line 29: a PEM block that does not decode (damaged base64, or no -----END line)`,
			}))
		},
		Entry("damaged base64", func(l []string) []string { l[29] = "!!" + l[29][2:]; return l }),
		Entry("no END line (truncated file)", func(l []string) []string { return l[:40] }),
	)

	It("keeps certificates set in code when there is no certificate file", func() {
		sc, err := scenarios.LoadBytes("s.yaml", []byte(withApp("      clientId: c\n      certificate: testdata/certs/ci.pem\n")))
		Expect(err).NotTo(HaveOccurred())
		sc.Tenant.Apps = append(sc.Tenant.Apps, scenarios.AppRegistration{Name: "code", ClientID: "d", Certificates: sc.Tenant.Apps[0].Certificates})
		Expect(sc.Validate()).To(Succeed())
		Expect(sc.Tenant.Apps[1].Certificates).To(HaveLen(1))
		Expect(sc.Tenant.Apps[0].Certificates).To(HaveLen(1))
	})

	DescribeTable("refuses a file it cannot use, at the certificate's position",
		func(app string, want ...string) {
			_, err := scenarios.LoadBytes("s.yaml", []byte(withApp(app)))
			Expect(errorLines(err)).To(Equal(want))
		},
		Entry("missing file", "      clientId: c\n      certificate: testdata/certs/nope.pem\n",
			`s.yaml:22:20: tenant.apps[0].certificate: certificate file "testdata/certs/nope.pem": stat testdata/certs/nope.pem: no such file or directory`),
		Entry("not PEM", "      clientId: c\n      certificate: testdata/certs/not-pem.txt\n",
			`s.yaml:22:20: tenant.apps[0].certificate: certificate file "testdata/certs/not-pem.txt" is not PEM: want one or more -----BEGIN CERTIFICATE----- blocks`),
		Entry("PEM without a certificate", "      clientId: c\n      certificate: testdata/certs/public-key-only.pem\n",
			`s.yaml:22:20: tenant.apps[0].certificate: certificate file "testdata/certs/public-key-only.pem" holds no CERTIFICATE block (found PUBLIC KEY)`),
		Entry("unparsable certificate", "      clientId: c\n      certificate: testdata/certs/garbage.pem\n",
			`s.yaml:22:20: tenant.apps[0].certificate: certificate file "testdata/certs/garbage.pem": CERTIFICATE block 1: x509: malformed certificate`),
		Entry("not an RSA key", "      clientId: c\n      certificate: testdata/certs/ecdsa.pem\n",
			`s.yaml:22:20: tenant.apps[0].certificate: certificate file "testdata/certs/ecdsa.pem": certificate 1 (CN=autopilotsim-ec): the key is ECDSA; client assertions are RS256/PS256, which need an RSA key`),
		Entry("a folder", "      clientId: c\n      certificate: testdata/certs\n",
			`s.yaml:22:20: tenant.apps[0].certificate: certificate file "testdata/certs" (testdata/certs) is not a regular file`),
		Entry("a device that never ends", "      clientId: c\n      certificate: /dev/zero\n",
			`s.yaml:22:20: tenant.apps[0].certificate: certificate file "/dev/zero" (/dev/zero) is not a regular file`),
		Entry("a list instead of a path", "      clientId: c\n      certificate: [a.pem]\n",
			`s.yaml:22:20: tenant.apps[0].certificate: want a string, got a list`),
		Entry("neither a secret nor a certificate", "      clientId: c\n",
			`s.yaml:20:7: tenant.apps[0].clientSecret: missing clientSecret or certificate (an app signs in with a secret, a certificate, or either)`),
	)
})
