package ldapclient_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"time"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/ldapclient"
	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

const (
	base = "DC=corp,DC=contoso,DC=com"
	ouAP = "OU=Autopilot,OU=Devices," + base
	msa  = `CORP\msaODJ00001$`
	pass = "msa-secret"
)

func serverTLS() *tls.Config {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dc01.corp.contoso.com"},
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC),
		DNSNames: []string{"dc01.corp.contoso.com"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred())
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// dc is a mockad domain controller on an in-memory listener (or a
// loopback TCP one), reached by this package's client and by go-ldap's over
// the same wire.
type dc struct {
	srv *mockad.Server
	ln  interface{ Dial() (net.Conn, error) }
}

// tcpListener dials its own loopback address.
type tcpListener struct{ net.Listener }

func (l tcpListener) Dial() (net.Conn, error) { return net.Dial("tcp", l.Addr().String()) }

func newDC(tcp bool) *dc {
	dir, err := mockad.NewDirectory(mockad.DomainConfig{DNSName: "corp.contoso.com", NetBIOSName: "CORP", MachineAccountQuota: 0,
		OUs: []string{ouAP}}, sim.NewScheduler(sim.Epoch, nil), mrand.New(mrand.NewPCG(1, 2)))
	Expect(err).NotTo(HaveOccurred())
	_, err = dir.AddServiceAccount("msaODJ00001", pass)
	Expect(err).NotTo(HaveOccurred())
	Expect(dir.Grant(mockad.Delegation{Trustee: "msaODJ00001$", OU: ouAP, Right: "createComputer", AppliesTo: "thisObjectOnly"})).To(Succeed())
	srv := mockad.NewServer(dir, mockad.ServerOptions{TLSConfig: serverTLS(), RequireSecurePasswordWrites: true})
	var ln net.Listener = transport.NewPipeListener("dc01")
	if tcp {
		var err error
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
	}
	go func() { _ = srv.Serve(ln) }()
	DeferCleanup(func() { _ = srv.Close() })
	if tcp {
		return &dc{srv: srv, ln: tcpListener{ln}}
	}
	return &dc{srv: srv, ln: ln.(*transport.PipeListener)}
}

func (d *dc) ours() *ldapclient.Conn {
	nc, err := d.ln.Dial()
	Expect(err).NotTo(HaveOccurred())
	c := ldapclient.New(nc)
	DeferCleanup(c.Close)
	return c
}

func (d *dc) goLDAP() *ldap.Conn {
	nc, err := d.ln.Dial()
	Expect(err).NotTo(HaveOccurred())
	c := ldap.NewConn(nc, false)
	c.Start()
	DeferCleanup(c.Close)
	return c
}

// client is what both clients offer; the specs run each step with both.
type client interface {
	StartTLS(*tls.Config) error
	Bind(string, string) error
	Add(*ldap.AddRequest) error
	Modify(*ldap.ModifyRequest) error
	Search(*ldap.SearchRequest) (*ldap.SearchResult, error)
	SearchWithPaging(*ldap.SearchRequest, uint32) (*ldap.SearchResult, error)
}

func computer(name string) *ldap.AddRequest {
	r := ldap.NewAddRequest("CN="+name+","+ouAP, nil)
	r.Attribute("objectClass", []string{"top", "person", "organizationalPerson", "user", "computer"})
	r.Attribute("cn", []string{name})
	r.Attribute("sAMAccountName", []string{name + "$"})
	r.Attribute("userAccountControl", []string{"4096"})
	r.Attribute("unicodePwd", []string{mockad.EncodeUnicodePwd("pw-" + name)})
	return r
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

var _ = Describe("the client against mockad (glauth), step by step beside go-ldap's", func() {
	var both [2]client
	BeforeEach(func() {
		d := newDC(false)
		both = [2]client{d.ours(), d.goLDAP()}
	})

	// each runs step with both clients and expects the same error text.
	// each runs step with both clients, expects the same error text of
	// both and returns it.
	each := func(step func(c client, i int) error) string {
		var errs [2]string
		for i, c := range both {
			errs[i] = errText(step(c, i))
		}
		ExpectWithOffset(1, errs[0]).To(Equal(errs[1]), "ours, then go-ldap's")
		return errs[0]
	}
	secure := func() {
		each(func(c client, _ int) error { return c.StartTLS(&tls.Config{InsecureSkipVerify: true}) })
		each(func(c client, _ int) error { return c.Bind(msa, pass) })
	}

	It("starts TLS, binds, adds, modifies and reads computers as go-ldap does", func() {
		secure()
		each(func(c client, i int) error { return c.Add(computer(fmt.Sprintf("AP-%d", i))) })
		each(func(c client, i int) error {
			m := ldap.NewModifyRequest(fmt.Sprintf("CN=AP-%d,%s", i, ouAP), nil)
			m.Replace("userCertificate", []string{"\x30\x03\x02\x01\x00"})
			return c.Modify(m)
		})
		var results [2]*ldap.SearchResult
		each(func(c client, i int) error {
			var err error
			results[i], err = c.Search(ldap.NewSearchRequest(ouAP, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
				"(&(objectClass=computer)(userCertificate=*))", []string{"cn", "objectGUID", "objectSid", "userCertificate", "distinguishedName"}, nil))
			return err
		})
		Expect(results[0].Entries).To(HaveLen(2))
		Expect(results[0]).To(Equal(results[1]))
		Expect(results[0].Entries[0].GetRawAttributeValue("userCertificate")).To(Equal([]byte("\x30\x03\x02\x01\x00")))

		var roots [2]*ldap.SearchResult
		each(func(c client, i int) error {
			var err error
			roots[i], err = c.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
				"(objectClass=*)", []string{"dnsHostName", "defaultNamingContext"}, nil))
			return err
		})
		Expect(roots[0]).To(Equal(roots[1]))
		Expect(roots[0].Entries[0].GetAttributeValue("defaultNamingContext")).To(Equal(base))
	})

	It("pages a subtree as go-ldap does", func() {
		secure()
		for i := range 23 {
			Expect(both[1].Add(computer(fmt.Sprintf("PG-%02d", i)))).To(Succeed())
		}
		var results [2]*ldap.SearchResult
		each(func(c client, i int) error {
			var err error
			results[i], err = c.SearchWithPaging(ldap.NewSearchRequest(ouAP, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
				"(objectClass=computer)", []string{"cn"}, nil), 5)
			return err
		})
		Expect(results[0].Entries).To(HaveLen(23))
		Expect(results[0].Entries).To(Equal(results[1].Entries))
		Expect(results[0].ResultCode).To(Equal(results[1].ResultCode))
	})

	It("fails where go-ldap fails, with go-ldap's errors", func() {
		Expect(each(func(c client, _ int) error { return c.Bind(msa, "") })).To(ContainSubstring("empty password not allowed"))
		Expect(each(func(c client, _ int) error { return c.Bind(msa, "wrong") })).To(HavePrefix(`LDAP Result Code 49 "Invalid Credentials"`))
		Expect(each(func(c client, _ int) error { return c.Bind(msa, pass) })).To(BeEmpty())
		// A password write in clear on a DC that wants TLS.
		Expect(each(func(c client, _ int) error { return c.Add(computer("CLEAR")) })).To(HavePrefix(`LDAP Result Code 53 "Unwilling To Perform"`))
		secure()
		Expect(each(func(c client, _ int) error {
			return c.Add(ldap.NewAddRequest("CN=X,OU=Nowhere,"+base, []ldap.Control{}))
		})).To(HavePrefix("LDAP Result Code"))
		Expect(both[1].Add(computer("TWICE"))).To(Succeed())
		Expect(each(func(c client, _ int) error { return c.Add(computer("TWICE")) })).To(HavePrefix(`LDAP Result Code 68 "Entry Already Exists"`))
		Expect(each(func(c client, _ int) error {
			return c.Modify(ldap.NewModifyRequest("CN=Missing,"+ouAP, nil))
		})).To(HavePrefix("LDAP Result Code"))
		Expect(each(func(c client, _ int) error {
			_, err := c.Search(ldap.NewSearchRequest("OU=Nowhere,"+base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(cn=*)", nil, nil))
			return err
		})).To(HavePrefix(`LDAP Result Code 32 "No Such Object"`))
	})

	It("fails a StartTLS whose handshake fails, with go-ldap's words, and is closed after it", func() {
		// Over TCP: on net.Pipe, which holds every write until it is read,
		// a client that refuses the server's certificate writes its alert
		// while the server still writes the rest of its flight, and both
		// wait for ever (go-ldap's client as much as this one).
		d := newDC(true)
		both = [2]client{d.ours(), d.goLDAP()}
		Expect(each(func(c client, _ int) error {
			return c.StartTLS(&tls.Config{ServerName: "dc01.corp.contoso.com", RootCAs: x509.NewCertPool()})
		})).To(HavePrefix(`LDAP Result Code 200 "Network Error": TLS handshake failed (tls: failed to verify certificate`))
		Expect(each(func(c client, _ int) error { return c.Bind(msa, pass) })).To(ContainSubstring("ldap: connection closed"))
	})
})
