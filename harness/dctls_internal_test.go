package harness

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// The harness's DCs behave as AD on password writes (rules-and-ad.md B.2):
// unicodePwd over plain LDAP is refused; after StartTLS, verified against
// the DC's certificate as the connectors verify it, it is accepted.
var _ = Describe("password writes on the harness's DCs", func() {
	It("refuses unicodePwd in clear with 53 0000001F and accepts it after a verified StartTLS", func() {
		sc, err := scenarios.Load("testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		lab, err := Serve(sc, ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab.Close)
		var dc *domainCtl
		for _, d := range lab.w.domains {
			dc = d
		}
		Expect(dc).NotTo(BeNil())

		c, err := ldap.DialURL("ldap://" + dc.addr)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.Close)
		Expect(c.Bind(dc.netbios+`\alice`, "Passw0rd!")).To(Succeed())
		add := func() error {
			a := ldap.NewAddRequest("CN=TLSPC01,CN=Computers,"+dc.dir.BaseDN(), nil)
			a.Attribute("objectClass", []string{"top", "person", "organizationalPerson", "user", "computer"})
			a.Attribute("sAMAccountName", []string{"TLSPC01$"})
			a.Attribute("userAccountControl", []string{"4096"})
			a.Attribute("unicodePwd", []string{"\"\x00P\x00w\x00!\x001\x00\"\x00"})
			return c.Add(a)
		}
		err = add()
		var le *ldap.Error
		Expect(errors.As(err, &le)).To(BeTrue(), "%v", err)
		Expect(le.ResultCode).To(BeEquivalentTo(ldap.LDAPResultUnwillingToPerform))
		Expect(le.Err.Error()).To(ContainSubstring("0000001F"))

		Expect(c.StartTLS(dc.tls.Clone())).To(Succeed(), "the certificate verifies for %s", dc.dir.DCHostName())
		Expect(c.Bind(dc.netbios+`\alice`, "Passw0rd!")).To(Succeed())
		Expect(add()).To(Succeed())
	})
})

var _ = Describe("serve's clock and https options", func() {
	It("starts the lab's clock at Start and serves mockgraph over https with the certificate it hands out", func() {
		sc, err := scenarios.Load("testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		start := time.Date(2027, 3, 1, 9, 30, 15, 500, time.UTC)
		lab, err := Serve(sc, ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1, Start: start, GraphTLS: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab.Close)
		Expect(lab.w.t0).To(Equal(start.Truncate(time.Second)))
		Expect(lab.GraphURL()).To(HavePrefix("https://127.0.0.1:"))

		roots := x509.NewCertPool()
		Expect(roots.AppendCertsFromPEM(lab.GraphCertificatePEM())).To(BeTrue())
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
		resp, err := client.Get(lab.GraphURL() + "/v1.0/groups")
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(401), "no token, but the TLS handshake verified")
		date, err := http.ParseTime(resp.Header.Get("Date"))
		Expect(err).NotTo(HaveOccurred())
		Expect(date).To(BeTemporally("~", start, time.Minute), "the Date header reads the lab's clock")
	})
})

var _ = Describe("a lab whose script fails", func() {
	It("reports the failure on Failed instead of stopping silently", func(ctx SpecContext) {
		sc, err := scenarios.Load("testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		// Appended after validation: a step that fails once the lab runs.
		sc.Script = append(sc.Script, scenarios.Action{At: scenarios.Duration(time.Minute), Do: "assignProfile",
			Profile: "Hybrid user-driven", Group: "No such group"})
		lab, err := Serve(sc, ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 3600})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab.Close)
		var got error
		Eventually(lab.Failed()).WithContext(ctx).Should(Receive(&got))
		Expect(got.Error()).To(ContainSubstring("No such group"))
	}, SpecTimeout(30*time.Second))
})

var _ = Describe("serve --start now (WallClock)", func() {
	It("keeps the lab's clock from running behind the wall clock", func() {
		sc, err := scenarios.Load("testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		lab, err := Serve(sc, ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1,
			Start: time.Now().Truncate(time.Second), WallClock: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab.Close)
		wall := time.Now()
		// Without the catch-up the lab trails by the truncated fraction of
		// a second plus the setup's replay time.
		Expect(lab.w.sched.Now()).To(BeTemporally(">=", wall.Add(-100*time.Millisecond)))
	})
})

// The connector's StartTLS to a DC negotiates TLS 1.2, what a DC before
// Windows Server 2022 offers ("Protocols in TLS/SSL (Schannel SSP)",
// https://learn.microsoft.com/en-us/windows/win32/secauthn/protocols-in-tls-ssl--schannel-ssp-),
// and resumes its session on the next connection: an abbreviated
// handshake without a key exchange (RFC 5077).
var _ = Describe("the connector's TLS to a DC", func() {
	It("is TLS 1.2, resumed from the second connection on", func() {
		server, client, err := dcTLS("dc01.corp.contoso.com")
		Expect(err).NotTo(HaveOccurred())
		handshake := func() tls.ConnectionState {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			srv := tls.Server(a, server)
			done := make(chan error, 1)
			go func() { done <- srv.Handshake() }()
			cl := tls.Client(b, client)
			Expect(cl.Handshake()).To(Succeed())
			Expect(<-done).To(Succeed())
			return cl.ConnectionState()
		}
		first, second := handshake(), handshake()
		Expect(first.Version).To(Equal(uint16(tls.VersionTLS12)))
		Expect(first.DidResume).To(BeFalse())
		Expect(second.Version).To(Equal(uint16(tls.VersionTLS12)))
		Expect(second.DidResume).To(BeTrue())
	})
})
