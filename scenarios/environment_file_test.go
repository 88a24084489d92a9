package scenarios_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

const envFile = `description: HQ forest, as of the 2026 audit
domains:
  - name: corp.contoso.com
    ous:
      - OU=Autopilot,DC=corp,DC=contoso,DC=com
    delegations:
      - trustee: ODJCONN01
        ou: OU=Autopilot,DC=corp,DC=contoso,DC=com
        right: createComputer
connectors:
  - name: ODJCONN01
    domain: corp.contoso.com
entraConnect:
  scope: [ "OU=Autopilot,DC=corp,DC=contoso,DC=com" ]
networks:
  - name: hq-lan
    kind: corporate
`

var _ = Describe("LoadEnvironment", func() {
	It("reads an environment file with the scenario's schema and defaults", func() {
		p := filepath.Join(GinkgoT().TempDir(), "env.yaml")
		Expect(os.WriteFile(p, []byte(envFile), 0o644)).To(Succeed())
		env, err := scenarios.LoadEnvironment(p)
		Expect(err).NotTo(HaveOccurred())
		Expect(env.Domains).To(HaveLen(1))
		Expect(env.Domains[0].NetBIOS).To(Equal("CORP"))
		Expect(*env.Domains[0].MachineAccountQuota).To(Equal(scenarios.Defaults.MachineAccountQuota))
		Expect(env.Connectors[0].Version).To(Equal(scenarios.Defaults.ConnectorVersion))
		Expect(env.Connectors[0].Identity).NotTo(BeEmpty())
		Expect(env.EntraConnect.Interval.D()).To(Equal(30 * time.Minute))
		Expect(env.Networks[0].Kind).To(Equal("corporate"))

		f, err := scenarios.LoadEnvironmentFile(p)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Description).To(Equal("HQ forest, as of the 2026 audit"))
		Expect(f.Environment).To(Equal(*env))
	})

	It("gives the same environment as a scenario's environment key", func() {
		f, err := scenarios.LoadEnvironmentBytes("env.yaml", []byte(envFile))
		Expect(err).NotTo(HaveOccurred())
		sc, err := scenarios.LoadBytes("s.yaml", []byte(base))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Environment.Connectors[0].Identity).To(Equal(sc.Environment.Connectors[0].Identity))
	})

	It("keeps warnings with file:line:col", func() {
		f, err := scenarios.LoadEnvironmentBytes("env.yaml", []byte("domains:\n  - name: corp.contoso.com\n    delegations:\n      - trustee: nobody\n        ou: CN=Computers,DC=corp,DC=contoso,DC=com\n        right: createComputer\n"))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Warnings).To(ConsistOf(HavePrefix("env.yaml:4:")))
	})

	It("adds OUs and computer accounts from a domain's LDIF export", func() {
		dir := GinkgoT().TempDir()
		ldif := "version: 1\n\n" +
			"dn: OU=Devices,DC=corp,DC=contoso,DC=com\nobjectClass: top\nobjectClass: organizationalUnit\nou: Devices\n\n" +
			"dn: OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com\nobjectClass: organizationalUnit\n\n" +
			"dn: CN=PC-OLD01,OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com\nobjectClass: computer\nsAMAccountName: PC-OLD01$\n\n" +
			"dn: CN=bob,CN=Users,DC=corp,DC=contoso,DC=com\nobjectClass: user\n\n" +
			"dn: OU=Elsewhere,DC=fabrikam,DC=com\nobjectClass: organizationalUnit\n"
		Expect(os.WriteFile(filepath.Join(dir, "corp.ldif"), []byte(ldif), 0o644)).To(Succeed())
		p := filepath.Join(dir, "env.yaml")
		Expect(os.WriteFile(p, []byte("domains:\n  - name: corp.contoso.com\n    ldif: corp.ldif\n    ous: [\"OU=Devices,DC=corp,DC=contoso,DC=com\"]\n"), 0o644)).To(Succeed())
		f, err := scenarios.LoadEnvironmentFile(p)
		Expect(err).NotTo(HaveOccurred())
		d := f.Environment.Domains[0]
		Expect(d.OUs).To(Equal([]string{"OU=Devices,DC=corp,DC=contoso,DC=com", "OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com"}))
		Expect(d.Computers).To(Equal([]scenarios.Computer{{Name: "PC-OLD01", OU: "OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com"}}))
		Expect(f.Warnings).To(ConsistOf(And(HavePrefix(p+":3:11: domains[0].ldif: "), HaveSuffix("1 records that are neither OUs nor computers and 1 outside corp.contoso.com were skipped"))))
	})

	It("points at the LDIF file's line when it is malformed", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "bad.ldif"), []byte("version: 1\n\nobjectClass: top\n"), 0o644)).To(Succeed())
		p := filepath.Join(dir, "env.yaml")
		Expect(os.WriteFile(p, []byte("domains:\n  - name: corp.contoso.com\n    ldif: bad.ldif\n"), 0o644)).To(Succeed())
		_, err := scenarios.LoadEnvironment(p)
		Expect(err).To(MatchError(filepath.Join(dir, "bad.ldif") + `:3:1: LDIF: record must start with dn:, got "objectClass"`))
		Expect(os.WriteFile(p, []byte("domains:\n  - name: corp.contoso.com\n    ldif: missing.ldif\n"), 0o644)).To(Succeed())
		_, err = scenarios.LoadEnvironment(p)
		Expect(err).To(MatchError(ContainSubstring(p + ":3:11: domains[0].ldif: read: open ")))
	})

	DescribeTable("rejects a bad file with file:line:col and the key's path",
		func(text, want string) {
			_, err := scenarios.LoadEnvironmentBytes("env.yaml", []byte(text))
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(want))
		},
		Entry("unknown key", "domains: []\ntenant: {}\n", "env.yaml:2:1: tenant: unknown key"),
		Entry("bad domain name", "domains:\n  - name: not a domain\n", `env.yaml:2:11: domains[0].name: "not a domain" is not a DNS domain name`),
		Entry("connector of no domain", "connectors:\n  - name: C1\n    domain: other.example\n", "env.yaml:3:13: connectors[0].domain:"),
		Entry("wrong type", "networks: 3\n", "env.yaml:1:11: networks: want a list"),
		Entry("description not text", "description: [a]\n", "env.yaml:1:14: description: want text"),
		Entry("a scenario's shape", "- domains\n", "want a mapping of environment keys"),
		Entry("empty", "", "empty file: want an environment"),
		Entry("two documents", "domains: []\n---\nnetworks: []\n", "put each environment in its own file"),
		Entry("bare duration", "entraConnect:\n  interval: 30\n", "env.yaml:2:13: entraConnect.interval:"),
	)
})

// FuzzLoadEnvironmentBytes: no input makes the environment loader panic.
func FuzzLoadEnvironmentBytes(f *testing.F) {
	f.Add([]byte(envFile))
	f.Add([]byte("domains: [{name: a.b, ous: [x]}]\n"))
	f.Add([]byte("a: &a [x]\nb: [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ef, err := scenarios.LoadEnvironmentBytes("fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if ef == nil {
			t.Fatal("nil file without an error")
		}
	})
}
