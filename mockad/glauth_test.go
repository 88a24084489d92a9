package mockad_test

import (
	"context"

	"github.com/glauth/glauth/v2/pkg/handler"
	gldap "github.com/glauth/ldap"
	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/transport"
)

var _ handler.Handler = (*mockad.GlauthHandler)(nil)

var _ = Describe("behind a stock glauth server", func() {
	It("binds, searches, adds and enforces the quota with AD's result codes", func() {
		w := newWorld(1)
		defer w.close()
		h := mockad.NewGlauthHandler(w.dir)
		// Wired the way glauth's server wires a backend handler.
		s := gldap.NewServer()
		s.BindFunc("", h)
		s.SearchFunc("", h)
		s.CloseFunc("", h)
		s.AddFunc("", h)
		s.ModifyFunc("", h)
		s.DeleteFunc("", h)
		ln := transport.NewPipeListener("glauth")
		go func() { _ = s.Serve(ln) }()
		defer s.Close()

		nc, err := ln.Dial()
		Expect(err).NotTo(HaveOccurred())
		c := ldap.NewConn(nc, false)
		c.Start()
		defer c.Close()
		Expect(c.Bind(`CORP\alice`, "alice-pw")).To(Succeed())
		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		err = c.Add(computerAdd(ouAP, "PC002"))
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultUnwillingToPerform))

		sr, err := c.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(&(objectClass=computer)(sAMAccountName=PC001$))", []string{"cn"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(1))
		Expect(sr.Entries[0].DN).To(Equal("CN=PC001," + ouAP))

		m := ldap.NewModifyRequest("CN=PC001,"+ouAP, nil)
		m.Replace("description", []string{"x"})
		Expect(ldapErr(c.Modify(m)).ResultCode).To(BeEquivalentTo(ldap.LDAPResultInsufficientAccessRights))
		Expect(ldapErr(c.Del(ldap.NewDelRequest("CN=PC001,"+ouAP, nil))).ResultCode).To(BeEquivalentTo(ldap.LDAPResultInsufficientAccessRights))

		ok, u, err := h.FindUser(context.Background(), "alice@corp.contoso.com", true)
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeTrue())
		Expect(u.Name).To(Equal("alice"))
		ok, g, err := h.FindGroup(context.Background(), "Domain Admins")
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeTrue())
		Expect(g.Name).To(Equal("Domain Admins"))
	})
})
