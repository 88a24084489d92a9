package harness

import (
	"errors"

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
