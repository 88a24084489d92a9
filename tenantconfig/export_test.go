package tenantconfig_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// sleeps records what Export would have slept, without sleeping.
type sleeps struct {
	mu  sync.Mutex
	got []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, d)
	return nil
}

// startLab serves testdata/export/lab.yaml with a fresh certificate for
// the exporter-cert app, on the wall clock (client assertions are dated
// by it).
func startLab(faults ...scenarios.Fault) (*harness.Lab, string) {
	GinkgoHelper()
	dir := GinkgoT().TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	Expect(err).NotTo(HaveOccurred())
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "exporter"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred())
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	pemData = append(pemData, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})...)
	certFile := filepath.Join(dir, "exporter.pem")
	Expect(os.WriteFile(certFile, pemData, 0o600)).To(Succeed())
	lab, err := os.ReadFile(filepath.Join("testdata", "export", "lab.yaml"))
	Expect(err).NotTo(HaveOccurred())
	Expect(os.WriteFile(filepath.Join(dir, "lab.yaml"), lab, 0o600)).To(Succeed())
	sc, err := scenarios.Load(filepath.Join(dir, "lab.yaml"))
	Expect(err).NotTo(HaveOccurred())
	l, err := harness.Serve(sc, harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1,
		Start: now, WallClock: true, Faults: faults})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(l.Close)
	return l, certFile
}

func exportOpts(l *harness.Lab, out string, s *sleeps) tenantconfig.ExportOptions {
	return tenantconfig.ExportOptions{GraphURL: l.GraphURL(), Tenant: l.TenantID(), ClientID: "00000000-0000-0000-0000-00000000e001",
		ClientSecret: "export-secret-value", Out: out, Sleep: s.sleep}
}

// tree reads every file below dir.
func tree(dir string) map[string]string {
	GinkgoHelper()
	out := map[string]string{}
	Expect(filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})).To(Succeed())
	return out
}

var _ = Describe("Export", Ordered, func() {
	var lab *harness.Lab
	var certFile string
	BeforeAll(func() { lab, certFile = startLab() })

	It("writes one file per object, and the export loads back to the tenant the lab's scenario described", func() {
		out := filepath.Join(GinkgoT().TempDir(), "export")
		s := &sleeps{}
		rep, err := tenantconfig.Export(context.Background(), exportOpts(lab, out, s))
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Objects).To(Equal(map[string]int{
			"deviceManagement/windowsAutopilotDeploymentProfiles": 2,
			"deviceManagement/deviceConfigurations":               2, // the Domain Join profile and the ESP's SkipUserStatusPage profile
			"deviceManagement/deviceEnrollmentConfigurations":     2, // the default ESP and Hybrid ESP
			"groups": 2,
			"deviceManagement/windowsAutopilotDeviceIdentities": 6,
			"deviceManagement/domainJoinConnectors":             1,
		}))
		Expect(rep.Files).To(Equal(15))
		Expect(s.got).To(BeEmpty())
		files := tree(out)
		for name, text := range files {
			Expect(text).To(HaveSuffix("}\n"), name)
			Expect(text).NotTo(ContainSubstring("lastConnectionDateTime"), name)
			Expect(text).NotTo(ContainSubstring("lastContactedDateTime"), name)
			Expect(text).NotTo(ContainSubstring("secret-value"), name)
			Expect(text).NotTo(ContainSubstring("@odata.context"), name)
		}

		cfg := mustLoad(out)
		Expect(cfg.Notes).To(BeEmpty())
		tn, _ := tenantconfig.Translate(cfg)
		var groups, profiles, djs, esps []string
		for _, g := range tn.Groups {
			groups = append(groups, g.Name+"|"+g.MembershipRule+"|"+strings.Join(g.Members, ","))
		}
		for _, p := range tn.DeploymentProfiles {
			profiles = append(profiles, p.Name+"|"+p.JoinType+"|"+p.DeviceNameTemplate+"|"+strings.Join(p.AssignTo.Include, ","))
		}
		for _, d := range tn.DomainJoinProfiles {
			djs = append(djs, d.Name+"|"+d.Domain+"|"+d.Prefix+"|"+d.OU+"|"+strings.Join(d.AssignTo.Include, ","))
		}
		for _, e := range tn.ESP {
			esps = append(esps, e.Name+"|"+e.Timeout.D().String()+"|"+strings.Join(e.AssignTo.Include, ","))
			Expect(e.SkipUserStatusPage).To(BeTrue())
		}
		sort.Strings(groups)
		Expect(groups).To(Equal([]string{
			`Autopilot hybrid devices|(device.devicePhysicalIds -any (_ -eq "[OrderID]:HYB"))|`,
			"Pilot devices||LAB-0002",
		}))
		Expect(profiles).To(Equal([]string{ // in creation order: the scenario's file order
			"Hybrid user-driven|hybrid||Autopilot hybrid devices,Pilot devices",
			"Entra fallback|entra|AP-%SERIAL%|allDevices",
		}))
		Expect(djs).To(Equal([]string{"Domain join corp|corp.contoso.com|AP-|OU=Autopilot,DC=corp,DC=contoso,DC=com|allDevices"}))
		Expect(esps).To(Equal([]string{"Hybrid ESP|1h30m0s|Autopilot hybrid devices"}))
		Expect(tenantconfig.Devices(cfg)).To(HaveLen(6))
	})

	It("runs: export, Load, Translate and an environment file give a scenario that hybrid-joins the tagged device", func() {
		out := filepath.Join(GinkgoT().TempDir(), "export")
		_, err := tenantconfig.Export(context.Background(), exportOpts(lab, out, &sleeps{}))
		Expect(err).NotTo(HaveOccurred())
		cfg := mustLoad(out)
		tn, _ := tenantconfig.Translate(cfg)
		env, err := scenarios.LoadEnvironment(filepath.Join("testdata", "export", "environment.yaml"))
		Expect(err).NotTo(HaveOccurred())
		devs := tenantconfig.Devices(cfg)
		for i := range devs {
			devs[i].Location, devs[i].User = "hq-lan", "alice@contoso.com"
			devs[i].Manual = devs[i].Serial != "LAB-0001"
		}
		sc := &scenarios.Scenario{Name: "exported", Environment: *env, Tenant: tn, Devices: devs,
			Expect: []scenarios.Expectation{{Devices: "LAB-0001", Outcome: "hybridJoined", Profile: "Hybrid user-driven"}}}
		sc.WithDefaults()
		Expect(sc.Validate()).To(Succeed())
		res := harness.Run(sc, harness.Options{})
		Expect(res.Error).To(BeEmpty())
		Expect(res.Expectations).To(HaveLen(1))
		Expect(res.Expectations[0].Passed).To(BeTrue(), res.Expectations[0].Detail)
	})

	It("writes byte-identical exports of an unchanged tenant, and pages through more devices than a page", func() {
		dir := GinkgoT().TempDir()
		s := &sleeps{}
		o := exportOpts(lab, filepath.Join(dir, "a"), s)
		o.PageSize = 2
		rep, err := tenantconfig.Export(context.Background(), o)
		Expect(err).NotTo(HaveOccurred())
		// 6 devices in pages of 2: three requests for the devices.
		Expect(rep.Objects["deviceManagement/windowsAutopilotDeviceIdentities"]).To(Equal(6))
		o.Out = filepath.Join(dir, "b")
		o.PageSize = 0
		rep2, err := tenantconfig.Export(context.Background(), o)
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Requests - rep2.Requests).To(Equal(2))
		Expect(tree(filepath.Join(dir, "a"))).To(Equal(tree(filepath.Join(dir, "b"))))
	})

	It("replaces the previous export whole, and a failed export leaves it as it was", func() {
		out := filepath.Join(GinkgoT().TempDir(), "export")
		Expect(os.MkdirAll(filepath.Join(out, "groups"), 0o755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(out, "groups", "deleted__x.json"), []byte("{}\n"), 0o644)).To(Succeed())
		_, err := tenantconfig.Export(context.Background(), exportOpts(lab, out, &sleeps{}))
		Expect(err).NotTo(HaveOccurred())
		Expect(filepath.Join(out, "groups", "deleted__x.json")).NotTo(BeAnExistingFile())
		before := tree(out)

		o := exportOpts(lab, out, &sleeps{})
		o.ClientID, o.ClientSecret = "00000000-0000-0000-0000-00000000e003", "half-secret-value"
		_, err = tenantconfig.Export(context.Background(), o)
		Expect(err).To(HaveOccurred())
		Expect(tree(out)).To(Equal(before))
		left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".export.new-*"))
		Expect(left).To(BeEmpty())
	})

	It("names the request, Graph's code and the missing permission on a 403", func() {
		o := exportOpts(lab, filepath.Join(GinkgoT().TempDir(), "x"), &sleeps{})
		o.ClientID, o.ClientSecret = "00000000-0000-0000-0000-00000000e003", "half-secret-value"
		_, err := tenantconfig.Export(context.Background(), o)
		var ge *tenantconfig.GraphError
		Expect(errors.As(err, &ge)).To(BeTrue(), "%v", err)
		Expect(ge.Status).To(Equal(403))
		Expect(err.Error()).To(And(
			HavePrefix("GET /beta/deviceManagement/deviceConfigurations: 403 Forbidden: "),
			ContainSubstring("needs the application permission DeviceManagementConfiguration.Read.All"),
		))
	})

	It("names the request and Graph's code and message on a 400", func() {
		o := exportOpts(lab, filepath.Join(GinkgoT().TempDir(), "x"), &sleeps{})
		o.PageSize = 5000 // directory collections take at most 999
		_, err := tenantconfig.Export(context.Background(), o)
		var ge *tenantconfig.GraphError
		Expect(errors.As(err, &ge)).To(BeTrue(), "%v", err)
		Expect(ge.Status).To(Equal(400))
		Expect(err.Error()).To(And(ContainSubstring("/members?"), ContainSubstring("$top=5000: 400 "), ContainSubstring("Invalid page size")))
	})

	It("signs in with a certificate (client assertion, PS256, x5t#S256)", func() {
		out := filepath.Join(GinkgoT().TempDir(), "export")
		o := exportOpts(lab, out, &sleeps{})
		o.ClientID, o.ClientSecret, o.CertificateFile = "00000000-0000-0000-0000-00000000e002", "", certFile
		rep, err := tenantconfig.Export(context.Background(), o)
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Files).To(Equal(15))
	})

	It("reports a failed sign-in without repeating the secret", func() {
		o := exportOpts(lab, filepath.Join(GinkgoT().TempDir(), "x"), &sleeps{})
		o.ClientSecret = "wrong-secret-value"
		_, err := tenantconfig.Export(context.Background(), o)
		Expect(err).To(MatchError(ContainSubstring("sign in at " + lab.GraphURL())))
		Expect(err.Error()).NotTo(ContainSubstring("wrong-secret-value"))
	})
})

var _ = Describe("Export against a throttling Graph", func() {
	It("waits the Retry-After Graph asks for, then goes on", func() {
		lab, _ := startLab(scenarios.Fault{Path: "^/beta/deviceManagement/domainJoinConnectors$", Method: "GET", Status: 429,
			Count: 2, RetryAfter: scenarios.Duration(7 * time.Second)})
		s := &sleeps{}
		rep, err := tenantconfig.Export(context.Background(), exportOpts(lab, filepath.Join(GinkgoT().TempDir(), "x"), s))
		Expect(err).NotTo(HaveOccurred())
		Expect(s.got).To(Equal([]time.Duration{7 * time.Second, 7 * time.Second}))
		Expect(rep.Retries).To(Equal(2))
		Expect(rep.Objects["deviceManagement/domainJoinConnectors"]).To(Equal(1))
	})
})

var _ = Describe("Export's options", func() {
	DescribeTable("are checked before any request",
		func(mutate func(*tenantconfig.ExportOptions), want string) {
			o := tenantconfig.ExportOptions{GraphURL: "http://127.0.0.1:1", Tenant: "t", ClientID: "c", ClientSecret: "s",
				Out: filepath.Join(GinkgoT().TempDir(), "x")}
			mutate(&o)
			_, err := tenantconfig.Export(context.Background(), o)
			Expect(err).To(MatchError(ContainSubstring(want)))
			Expect(o.Out).NotTo(BeAnExistingFile())
		},
		Entry("no credentials", func(o *tenantconfig.ExportOptions) { o.ClientSecret = "" }, "missing ClientSecret or CertificateFile"),
		Entry("no tenant and out", func(o *tenantconfig.ExportOptions) { o.Tenant, o.Out = "", "" }, "missing Tenant, Out"),
		Entry("relative Graph URL", func(o *tenantconfig.ExportOptions) { o.GraphURL = "graph" }, `GraphURL "graph" is not an absolute URL`),
		Entry("certificate without a key", func(o *tenantconfig.ExportOptions) {
			o.ClientSecret, o.CertificateFile = "", writeTemp("c.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
		}, "CERTIFICATE block"),
		Entry("key without a certificate", func(o *tenantconfig.ExportOptions) {
			k, _ := rsa.GenerateKey(rand.Reader, 1024)
			o.ClientSecret, o.CertificateFile = "", writeTemp("k.pem", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})))
		}, "no CERTIFICATE block matches the private key"),
		Entry("no certificate file", func(o *tenantconfig.ExportOptions) { o.ClientSecret, o.CertificateFile = "", "/nonexistent.pem" }, "certificate: open /nonexistent.pem"),
	)
})

func writeTemp(name, text string) string {
	GinkgoHelper()
	p := filepath.Join(GinkgoT().TempDir(), name)
	Expect(os.WriteFile(p, []byte(text), 0o600)).To(Succeed())
	return p
}
