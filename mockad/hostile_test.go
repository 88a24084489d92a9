package mockad_test

import (
	"fmt"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Requests a hostile or broken client sends: each gets an LDAP answer, and
// the connection (and the server) survive it.
var _ = Describe("hostile input", func() {
	var w *world
	var c *ldap.Conn
	BeforeEach(func() {
		w = newWorld(10)
		for i := 0; i < 5; i++ {
			_, err := w.dir.AddComputer(fmt.Sprintf("WS%05d", i), ouAP)
			Expect(err).NotTo(HaveOccurred())
		}
		c = w.bound(`CORP\admin`, "admin-pw")
	})
	AfterEach(func() { c.Close(); w.close() })

	stillServes := func() {
		GinkgoHelper()
		sr, err := c.Search(ldap.NewSearchRequest(ouAP, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=computer)", []string{"cn"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(5))
	}

	It("answers a paged search whose first request has page size 0 with no entries and an empty cookie (RFC 2696 §3)", func() {
		sr, err := c.Search(ldap.NewSearchRequest(ouAP, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=computer)", []string{"cn"}, []ldap.Control{ldap.NewControlPaging(0)}))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(BeEmpty())
		resp := ldap.FindControl(sr.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		Expect(resp.Cookie).To(BeEmpty())
		stillServes()
	})

	DescribeTable("refuses a scope outside baseObject/singleLevel/wholeSubtree with protocolError (RFC 4511 §4.5.1.2)",
		func(scope int) {
			_, err := c.Search(ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 0, 0, false,
				"(objectClass=computer)", []string{"cn"}, nil))
			Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultProtocolError))
			stillServes()
		},
		Entry("99", 99),
		Entry("3 (OpenLDAP's children, not AD's)", ldap.ScopeChildren),
		Entry("-1", -1),
	)
})
