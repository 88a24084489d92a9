package mockad_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"time"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

func selfSigned() *tls.Config {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dc01.corp.contoso.com"},
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC), DNSNames: []string{"dc01.corp.contoso.com"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred())
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

var _ = Describe("TLS", func() {
	var (
		dir *mockad.Directory
		srv *mockad.Server
	)
	BeforeEach(func() {
		var err error
		dir, err = mockad.NewDirectory(mockad.DomainConfig{DNSName: "corp.contoso.com", NetBIOSName: "CORP", MachineAccountQuota: 10},
			sim.NewScheduler(sim.Epoch, nil), mrand.New(mrand.NewPCG(3, 4)))
		Expect(err).NotTo(HaveOccurred())
		_, err = dir.AddUser("admin", "admin-pw", "", true)
		Expect(err).NotTo(HaveOccurred())
		srv = mockad.NewServer(dir, mockad.ServerOptions{TLSConfig: selfSigned(), RequireSecurePasswordWrites: true})
	})
	AfterEach(func() { _ = srv.Close() })

	DescribeTable("refuses unicodePwd in clear when strict, and accepts it after StartTLS (the TLS server below the seam takes turns with the client on DialInline)", func(wr wire) {
		var nc net.Conn
		var err error
		if wr == wireInline {
			nc, err = srv.DialInline(context.Background())
		} else {
			ln := transport.NewPipeListener("tls")
			go func() { _ = srv.Serve(ln) }()
			nc, err = ln.Dial()
		}
		Expect(err).NotTo(HaveOccurred())
		c := ldap.NewConn(nc, false)
		c.Start()
		defer c.Close()
		Expect(c.Bind(`CORP\admin`, "admin-pw")).To(Succeed())
		err = c.Add(computerAdd("CN=Computers,"+base, "PC001"))
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultUnwillingToPerform))
		Expect(diag(err)).To(HavePrefix("0000001F: SvcErr"))

		Expect(c.StartTLS(&tls.Config{InsecureSkipVerify: true})).To(Succeed())
		Expect(c.Add(computerAdd("CN=Computers,"+base, "PC001"))).To(Succeed())
		// Diagnostics still come through the seam under TLS.
		err = c.Add(computerAdd("CN=Computers,"+base, "PC001"))
		Expect(diag(err)).To(HavePrefix("00002071: UpdErr"))
	}, Entry("over a PipeListener", wireListener), Entry("over DialInline", wireInline))

	It("serves LDAPS", func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		go func() { _ = srv.ServeTLS(ln) }()
		c, err := ldap.DialURL("ldaps://"+ln.Addr().String(), ldap.DialWithTLSConfig(&tls.Config{InsecureSkipVerify: true}))
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		Expect(c.Bind(`CORP\admin`, "admin-pw")).To(Succeed())
		Expect(c.Add(computerAdd("CN=Computers,"+base, "PC001"))).To(Succeed())
		err = c.Bind(`CORP\admin`, "x")
		Expect(diag(err)).To(Equal(diag52e))
	})
})
