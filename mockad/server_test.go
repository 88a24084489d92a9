package mockad_test

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strings"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

var _ = Describe("the connector's computer adds", func() {
	var w *world
	BeforeEach(func() { w = newWorld(10) })
	AfterEach(func() { w.close() })

	It("adds a computer with AD's generated attributes", func() {
		c := w.bound(`CORP\`+msaName+`$`, msaPass)
		defer c.Close()
		sr, err := c.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(sAMAccountName=PC001$)", []string{"dn"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(BeEmpty())

		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		dn, ok := w.dir.FindComputer("pc001")
		Expect(ok).To(BeTrue())
		Expect(dn).To(Equal("CN=PC001," + ouAP))

		sr, err = c.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(sAMAccountName=PC001$)", []string{"*"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(1))
		e := sr.Entries[0]
		Expect(e.GetAttributeValues("objectClass")).To(Equal([]string{"top", "person", "organizationalPerson", "user", "computer"}))
		Expect(e.GetAttributeValue("sAMAccountType")).To(Equal("805306369"))
		Expect(e.GetAttributeValue("primaryGroupID")).To(Equal("515"))
		Expect(e.GetAttributeValue("userAccountControl")).To(Equal("4096"))
		Expect(e.GetAttributeValue("objectCategory")).To(Equal("CN=Computer,CN=Schema,CN=Configuration," + base))
		Expect(e.GetAttributeValue("whenCreated")).To(Equal("20260105080000.0Z"))
		Expect(e.GetRawAttributeValue("objectGUID")).To(HaveLen(16))
		sid, err := mockad.SIDString(e.GetRawAttributeValue("objectSid"))
		Expect(err).NotTo(HaveOccurred())
		Expect(sid).To(MatchRegexp(`^S-1-5-21-\d+-\d+-\d+-\d+$`))
		Expect(e.GetAttributeValues("unicodePwd")).To(BeEmpty())
		// The MSA's default delegation covers CN=Computers only; this add
		// went through the quota, so ms-DS-CreatorSID names the MSA (B.2).
		creator, _ := mockad.SIDString(e.GetRawAttributeValue("ms-DS-CreatorSID"))
		Expect(creator).To(HavePrefix("S-1-5-21-"))

		// The device binds with the machine password from unicodePwd.
		dc := w.bound(`CORP\PC001$`, "pw-PC001")
		dc.Close()
	})

	It("refuses the 11th quota-path add with 0000216D, and a delete frees a slot", func() {
		c := w.bound(msaName+"$@corp.contoso.com", msaPass)
		defer c.Close()
		for i := 1; i <= 10; i++ {
			Expect(c.Add(computerAdd(ouAP, fmt.Sprintf("PC%03d", i)))).To(Succeed())
		}
		err := c.Add(computerAdd(ouAP, "PC011"))
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultUnwillingToPerform))
		Expect(diag(err)).To(Equal(diagQuota))
		Expect(w.dir.ComputerCount()).To(Equal(10))

		// The connection survives, and deleting a quota-created computer frees a slot.
		admin := w.bound(`CORP\admin`, "admin-pw")
		defer admin.Close()
		Expect(admin.Del(ldap.NewDelRequest("CN=PC001,"+ouAP, nil))).To(Succeed())
		Expect(c.Add(computerAdd(ouAP, "PC011"))).To(Succeed())
	})

	It("adds 12 with a createComputer delegation on the OU, and none carry ms-DS-CreatorSID", func() {
		Expect(w.dir.Grant(mockad.Delegation{Trustee: msaName + "$", OU: ouAP, Right: "createComputer", AppliesTo: "thisObjectOnly"})).To(Succeed())
		c := w.bound(`CORP\`+msaName+`$`, msaPass)
		defer c.Close()
		for i := 1; i <= 12; i++ {
			Expect(c.Add(computerAdd(ouAP, fmt.Sprintf("PC%03d", i)))).To(Succeed())
		}
		e, ok := w.dir.Lookup("CN=PC012," + ouAP)
		Expect(ok).To(BeTrue())
		Expect(e.Attributes).NotTo(HaveKey("ms-DS-CreatorSID"))
	})

	It("honours an inherited delegation from an ancestor (descendants)", func() {
		Expect(w.dir.Grant(mockad.Delegation{Trustee: msaName + "$", OU: "OU=Devices," + base, Right: "fullControl", AppliesTo: "descendants"})).To(Succeed())
		c := w.bound(`CORP\`+msaName+`$`, msaPass)
		defer c.Close()
		for i := 1; i <= 12; i++ {
			Expect(c.Add(computerAdd(ouAP, fmt.Sprintf("PC%03d", i)))).To(Succeed())
		}
	})

	It("does not extend a thisObjectOnly delegation to child OUs", func() {
		Expect(w.dir.Grant(mockad.Delegation{Trustee: msaName + "$", OU: "OU=Devices," + base, Right: "createComputer", AppliesTo: "thisObjectOnly"})).To(Succeed())
		c := w.bound(`CORP\`+msaName+`$`, msaPass)
		defer c.Close()
		for i := 1; i <= 10; i++ {
			Expect(c.Add(computerAdd(ouAP, fmt.Sprintf("PC%03d", i)))).To(Succeed())
		}
		Expect(diag(c.Add(computerAdd(ouAP, "PC011")))).To(Equal(diagQuota))
		// On the delegated OU itself there is no quota.
		Expect(c.Add(computerAdd("OU=Devices,"+base, "PC011"))).To(Succeed())
	})

	It("lets a Domain Admin bypass the quota", func() {
		c := w.bound("CN=admin,CN=Users,"+base, "admin-pw")
		defer c.Close()
		for i := 1; i <= 12; i++ {
			Expect(c.Add(computerAdd(ouAP, fmt.Sprintf("PC%03d", i)))).To(Succeed())
		}
	})

	It("gives insufficientAccessRights when the quota is 0 and there is no delegation", func() {
		w.close()
		w = newWorld(0)
		c := w.bound(`CORP\alice`, "alice-pw")
		defer c.Close()
		err := c.Add(computerAdd(ouAP, "PC001"))
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultInsufficientAccessRights))
		Expect(diag(err)).To(Equal(diagInsuff))
	})

	It("sends an undelegated MSA through the quota in CN=Computers too (B.1)", func() {
		c := w.bound(`CORP\`+msaName+`$`, msaPass)
		defer c.Close()
		for i := 1; i <= 10; i++ {
			Expect(c.Add(computerAdd("CN=Computers,"+base, fmt.Sprintf("PC%03d", i)))).To(Succeed())
		}
		Expect(diag(c.Add(computerAdd("CN=Computers,"+base, "PC011")))).To(Equal(diagQuota))
		// Without deleteComputer the MSA cannot clean up either.
		err := c.Del(ldap.NewDelRequest("CN=PC001,CN=Computers,"+base, nil))
		Expect(diag(err)).To(Equal(diagInsuff))
	})

	It("with MSAComputersDelegation lets the MSA create and delete in CN=Computers past the quota", func() {
		dir, err := mockad.NewDirectory(mockad.DomainConfig{DNSName: "corp.contoso.com", NetBIOSName: "CORP", MachineAccountQuota: 10,
			OUs: []string{ouAP}, MSAComputersDelegation: true}, sim.NewScheduler(sim.Epoch, nil), rand.New(rand.NewPCG(1, 2)))
		Expect(err).NotTo(HaveOccurred())
		_, err = dir.AddServiceAccount(msaName, msaPass)
		Expect(err).NotTo(HaveOccurred())
		Expect(dir.Delegations()).To(HaveLen(2))
		srv := mockad.NewServer(dir, mockad.ServerOptions{})
		ln := transport.NewPipeListener("msa")
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		nc, err := ln.Dial()
		Expect(err).NotTo(HaveOccurred())
		c := ldap.NewConn(nc, false)
		c.Start()
		defer c.Close()
		Expect(c.Bind(`CORP\`+msaName+`$`, msaPass)).To(Succeed())
		for i := 1; i <= 11; i++ {
			Expect(c.Add(computerAdd("CN=Computers,"+base, fmt.Sprintf("PC%03d", i)))).To(Succeed())
		}
		Expect(c.Del(ldap.NewDelRequest("CN=PC001,CN=Computers,"+base, nil))).To(Succeed())
		// Outside CN=Computers it is the quota again.
		for i := 1; i <= 10; i++ {
			Expect(c.Add(computerAdd(ouAP, fmt.Sprintf("AP%03d", i)))).To(Succeed())
		}
		Expect(diag(c.Add(computerAdd(ouAP, "AP011")))).To(Equal(diagQuota))
		Expect(dir.Revoke(mockad.Delegation{Trustee: msaName + "$", OU: "CN=Computers," + base, Right: "createComputer", AppliesTo: "thisObjectOnly"})).To(Succeed())
		Expect(dir.Revoke(mockad.Delegation{Trustee: msaName + "$", OU: "CN=Computers," + base, Right: "createComputer", AppliesTo: "thisObjectOnly"})).NotTo(Succeed())
	})

	DescribeTable("refusals with AD's code and text",
		func(mutate func(*ldap.AddRequest) *ldap.AddRequest, code int, text string) {
			c := w.bound(`CORP\alice`, "alice-pw")
			defer c.Close()
			Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
			err := c.Add(mutate(computerAdd(ouAP, "PC002")))
			le := ldapErr(err)
			Expect(le.ResultCode).To(BeEquivalentTo(code))
			Expect(diag(err)).To(HavePrefix(text))
		},
		Entry("duplicate DN", func(r *ldap.AddRequest) *ldap.AddRequest { return computerAdd(ouAP, "PC001") },
			ldap.LDAPResultEntryAlreadyExists, "00002071: UpdErr: DSID-030503CF, problem 6005 (ENTRY_EXISTS), data 0"),
		Entry("duplicate sAMAccountName in another OU, other case", func(r *ldap.AddRequest) *ldap.AddRequest {
			return computerAdd("OU=Servers,"+base, "pc001")
		}, ldap.LDAPResultEntryAlreadyExists, "00000524: UpdErr: DSID-031A1261, problem 6005 (ENTRY_EXISTS), data 0"),
		Entry("missing OU", func(r *ldap.AddRequest) *ldap.AddRequest { return computerAdd("OU=Missing,"+ouAP, "PC002") },
			ldap.LDAPResultNoSuchObject, "0000208D: NameErr: DSID-03100245, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'"+ouAP+"'"),
		Entry("sAMAccountName longer than 16", func(r *ldap.AddRequest) *ldap.AddRequest {
			return computerAdd(ouAP, "PC0123456789ABCD")
		}, ldap.LDAPResultConstraintViolation, "0000200B: AtrErr: DSID-033E0F1B, #1:\n\t0: 0000200B: DSID-033E0F1B, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 900dd (sAMAccountName)"),
		Entry("forbidden character", func(r *ldap.AddRequest) *ldap.AddRequest { return computerAdd(ouAP, "PC*02") },
			ldap.LDAPResultConstraintViolation, "0000200B: AtrErr"),
		Entry("no trailing $ from a non-admin", func(r *ldap.AddRequest) *ldap.AddRequest {
			x := computerAdd(ouAP, "PC002")
			for i := range x.Attributes {
				if x.Attributes[i].Type == "sAMAccountName" {
					x.Attributes[i].Vals = []string{"PC002"}
				}
			}
			return x
		}, ldap.LDAPResultUnwillingToPerform, "00000523: SysErr"),
		Entry("OU= as the RDN of a computer", func(r *ldap.AddRequest) *ldap.AddRequest {
			r.DN = "OU=PC002," + ouAP
			return r
		}, ldap.LDAPResultNamingViolation, "00002073: NameErr"),
		Entry("no objectClass", func(r *ldap.AddRequest) *ldap.AddRequest {
			x := ldap.NewAddRequest(r.DN, nil)
			for _, a := range r.Attributes {
				if a.Type != "objectClass" {
					x.Attribute(a.Type, a.Vals)
				}
			}
			return x
		}, ldap.LDAPResultObjectClassViolation, "0000207B: UpdErr: DSID-030515C6, problem 6002 (OBJ_CLASS_VIOLATION), data 0"),
		Entry("dNSHostName that is not NAME.domain on the quota path", func(r *ldap.AddRequest) *ldap.AddRequest {
			for i := range r.Attributes {
				if r.Attributes[i].Type == "dNSHostName" {
					r.Attributes[i].Vals = []string{"dc01.corp.contoso.com"}
				}
			}
			return r
		}, ldap.LDAPResultConstraintViolation, "0000200B: AtrErr: DSID-033E0F1B, #1:\n\t0: 0000200B: DSID-033E0F1B, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 9026b (dNSHostName)"),
		Entry("unknown attribute", func(r *ldap.AddRequest) *ldap.AddRequest {
			r.Attribute("fooBarAttr", []string{"x"})
			return r
		}, ldap.LDAPResultUndefinedAttributeType, "00000057: LdapErr"),
		Entry("server trust account from a non-admin", func(r *ldap.AddRequest) *ldap.AddRequest {
			for i := range r.Attributes {
				if r.Attributes[i].Type == "userAccountControl" {
					r.Attributes[i].Vals = []string{"8192"}
				}
			}
			return r
		}, ldap.LDAPResultInsufficientAccessRights, diagInsuff),
		Entry("malformed DN", func(r *ldap.AddRequest) *ldap.AddRequest {
			r.DN = "CN=PC002,,OU=x"
			return r
		}, ldap.LDAPResultInvalidDNSyntax, "0000208F: NameErr"),
	)

	It("returns the missing parent as matchedDN", func() {
		c := w.bound(`CORP\alice`, "alice-pw")
		defer c.Close()
		// go-ldap does not expose matchedDN; the Directory error carries it.
		err := c.Add(computerAdd("OU=Missing,"+ouAP, "PC002"))
		Expect(diag(err)).To(ContainSubstring(ouAP))
	})

	It("defaults userAccountControl to 4130 when the client sends none", func() {
		c := w.bound(`CORP\admin`, "admin-pw")
		defer c.Close()
		r := ldap.NewAddRequest("CN=PC050,"+ouAP, nil)
		r.Attribute("objectClass", []string{"computer"})
		r.Attribute("sAMAccountName", []string{"PC050$"})
		Expect(c.Add(r)).To(Succeed())
		e, _ := w.dir.Lookup("cn=pc050," + strings.ToLower(ouAP))
		Expect(e.Attributes["userAccountControl"]).To(Equal([]string{"4130"}))
	})
})

var _ = Describe("binds", func() {
	var w *world
	BeforeEach(func() { w = newWorld(10) })
	AfterEach(func() { w.close() })

	DescribeTable("accepted name forms",
		func(name string) {
			c := w.conn()
			defer c.Close()
			Expect(c.Bind(name, "alice-pw")).To(Succeed())
		},
		Entry("DOMAIN\\sam", `CORP\alice`),
		Entry("dns domain\\sam", `corp.contoso.com\alice`),
		Entry("UPN", "alice@corp.contoso.com"),
		Entry("DN, any case", "cn=ALICE,cn=users,dc=corp,dc=contoso,dc=com"),
	)

	DescribeTable("wrong credentials get 52e",
		func(name, pw string) {
			c := w.conn()
			defer c.Close()
			err := c.Bind(name, pw)
			Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultInvalidCredentials))
			Expect(diag(err)).To(Equal(diag52e))
		},
		Entry("wrong password", `CORP\alice`, "nope"),
		Entry("unknown user", `CORP\bob`, "x"),
		Entry("wrong domain", `OTHER\alice`, "alice-pw"),
	)

	It("answers the rootDSE anonymously and refuses other anonymous searches", func() {
		c := w.conn()
		defer c.Close()
		sr, err := c.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=*)", nil, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(1))
		r := sr.Entries[0]
		Expect(r.DN).To(Equal(""))
		Expect(r.GetAttributeValue("defaultNamingContext")).To(Equal(base))
		Expect(r.GetAttributeValue("rootDomainNamingContext")).To(Equal(base))
		Expect(r.GetAttributeValue("configurationNamingContext")).To(Equal("CN=Configuration," + base))
		Expect(r.GetAttributeValue("schemaNamingContext")).To(Equal("CN=Schema,CN=Configuration," + base))
		Expect(r.GetAttributeValue("dnsHostName")).To(Equal("dc01.corp.contoso.com"))
		Expect(r.GetAttributeValues("supportedControl")).To(ContainElement("1.2.840.113556.1.4.319"))
		Expect(r.GetAttributeValues("supportedLDAPVersion")).To(Equal([]string{"3", "2"}))
		Expect(r.GetAttributeValue("isGlobalCatalogReady")).To(Equal("TRUE"))
		Expect(r.GetAttributeValue("currentTime")).To(Equal("20260105080000.0Z"))
		Expect(r.GetAttributeValue("domainFunctionality")).To(Equal("7"))

		sr, err = c.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=*)", []string{"dnsHostName"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries[0].Attributes).To(HaveLen(1))

		_, err = c.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=user)", nil, nil))
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultOperationsError))
		Expect(diag(err)).To(HavePrefix("000004DC: LdapErr"))
	})
})

var _ = Describe("device self-writes", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld(10)
		c := w.bound(`CORP\`+msaName+`$`, msaPass)
		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		Expect(c.Add(computerAdd(ouAP, "PC002"))).To(Succeed())
		c.Close()
	})
	AfterEach(func() { w.close() })

	It("lets a computer write its own userCertificate and refuses another's", func() {
		der := string([]byte{0x30, 0x82, 0x01, 0x00, 0xff, 0x00, 0x29})
		c := w.bound(`CORP\PC001$`, "pw-PC001")
		defer c.Close()
		m := ldap.NewModifyRequest("CN=PC001,"+ouAP, nil)
		m.Replace("userCertificate", []string{der})
		Expect(c.Modify(m)).To(Succeed())
		e, _ := w.dir.Lookup("CN=PC001," + ouAP)
		Expect(e.Attributes["userCertificate"]).To(Equal([]string{der}))

		m = ldap.NewModifyRequest("CN=PC002,"+ouAP, nil)
		m.Replace("userCertificate", []string{der})
		err := c.Modify(m)
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultInsufficientAccessRights))
		Expect(diag(err)).To(Equal(diagInsuff))
	})

	It("validates the computer's own dNSHostName write", func() {
		c := w.bound(`CORP\PC001$`, "pw-PC001")
		defer c.Close()
		m := ldap.NewModifyRequest("CN=PC001,"+ouAP, nil)
		m.Replace("dNSHostName", []string{"evil.corp.contoso.com"})
		err := c.Modify(m)
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultConstraintViolation))
		Expect(diag(err)).To(ContainSubstring("Att 9026b (dNSHostName)"))
	})

	It("lets Entra Connect find computers with certificates, in binary layouts", func() {
		c := w.bound(`CORP\PC001$`, "pw-PC001")
		m := ldap.NewModifyRequest("CN=PC001,"+ouAP, nil)
		m.Add("userCertificate", []string{"\x30\x03\x02\x01\x01"})
		Expect(c.Modify(m)).To(Succeed())
		c.Close()
		_, err := w.dir.AddUser("MSOL_sync", "sync-pw", "", false)
		Expect(err).NotTo(HaveOccurred())
		s := w.bound(`CORP\MSOL_sync`, "sync-pw")
		defer s.Close()
		sr, err := s.Search(ldap.NewSearchRequest("OU=Devices,"+base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(&(objectClass=computer)(userCertificate=*))",
			[]string{"objectGUID", "objectSid", "cn", "sAMAccountName", "distinguishedName", "userCertificate"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(1))
		e := sr.Entries[0]
		Expect(e.GetAttributeValue("cn")).To(Equal("PC001"))
		Expect(e.GetRawAttributeValue("userCertificate")).To(Equal([]byte("\x30\x03\x02\x01\x01")))
		guid := e.GetRawAttributeValue("objectGUID")
		Expect(guid).To(HaveLen(16))
		sid := e.GetRawAttributeValue("objectSid")
		Expect(sid[0]).To(BeEquivalentTo(1))
		Expect(sid[1]).To(BeEquivalentTo(5))
		Expect(sid[2:8]).To(Equal([]byte{0, 0, 0, 0, 0, 5}))

		// Search back by the escaped binary GUID.
		var esc strings.Builder
		for _, b := range guid {
			fmt.Fprintf(&esc, "\\%02x", b)
		}
		sr, err = s.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(objectGUID="+esc.String()+")", []string{"cn"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(1))
		sidStr, _ := mockad.SIDString(sid)
		sr, err = s.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(objectSid="+sidStr+")", []string{"cn"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(1))
	})
})

var _ = Describe("writes", func() {
	var w *world
	var c *ldap.Conn
	BeforeEach(func() {
		w = newWorld(10)
		c = w.bound(`CORP\admin`, "admin-pw")
	})
	AfterEach(func() { c.Close(); w.close() })

	It("refuses to delete a non-leaf with 0000208C", func() {
		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		err := c.Del(ldap.NewDelRequest(ouAP, nil))
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultNotAllowedOnNonLeaf))
		Expect(diag(err)).To(HavePrefix("0000208C: UpdErr"))
	})

	It("moves and renames a computer", func() {
		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		Expect(c.ModifyDN(ldap.NewModifyDNRequest("CN=PC001,"+ouAP, "CN=PC001", true, "OU=Servers,"+base))).To(Succeed())
		dn, _ := w.dir.FindComputer("PC001")
		Expect(dn).To(Equal("CN=PC001,OU=Servers," + base))
		Expect(c.ModifyDN(ldap.NewModifyDNRequest(dn, "CN=PC001-NEW", true, ""))).To(Succeed())
		e, ok := w.dir.Lookup("CN=PC001-NEW,OU=Servers," + base)
		Expect(ok).To(BeTrue())
		Expect(e.Attributes["cn"]).To(Equal([]string{"PC001-NEW"}))
		Expect(e.Attributes["distinguishedName"]).To(Equal([]string{"CN=PC001-NEW,OU=Servers," + base}))
	})

	It("moves an OU with its subtree", func() {
		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		Expect(c.ModifyDN(ldap.NewModifyDNRequest(ouAP, "OU=Autopilot", true, "OU=Servers,"+base))).To(Succeed())
		dn, _ := w.dir.FindComputer("PC001")
		Expect(dn).To(Equal("CN=PC001,OU=Autopilot,OU=Servers," + base))
	})

	It("applies modify add/delete/replace and reports value errors", func() {
		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		dn := "CN=PC001," + ouAP
		m := ldap.NewModifyRequest(dn, nil)
		m.Add("servicePrincipalName", []string{"RestrictedKrbHost/PC001"})
		m.Replace("description", []string{"kiosk"})
		Expect(c.Modify(m)).To(Succeed())
		m = ldap.NewModifyRequest(dn, nil)
		m.Add("servicePrincipalName", []string{"restrictedkrbhost/pc001"})
		err := c.Modify(m)
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultAttributeOrValueExists))
		m = ldap.NewModifyRequest(dn, nil)
		m.Delete("description", []string{"other"})
		err = c.Modify(m)
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultNoSuchAttribute))
		m = ldap.NewModifyRequest(dn, nil)
		m.Replace("cn", []string{"x"})
		err = c.Modify(m)
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultNotAllowedOnRDN))
		e, _ := w.dir.Lookup(dn)
		Expect(e.Attributes["servicePrincipalName"]).To(HaveLen(3))
		Expect(e.Attributes["description"]).To(Equal([]string{"kiosk"}))
		Expect(e.Attributes["uSNChanged"][0]).NotTo(Equal(e.Attributes["uSNCreated"][0]))
	})

	It("refuses a duplicate SPN across computers", func() {
		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		r := computerAdd(ouAP, "PC002")
		r.Attribute("servicePrincipalName", []string{"HOST/PC001"})
		err := c.Add(r)
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultConstraintViolation))
		Expect(diag(err)).To(HavePrefix("000021C7"))
	})

	It("answers Compare", func() {
		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		ok, err := c.Compare("CN=PC001,"+ouAP, "sAMAccountName", "pc001$")
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeTrue())
	})
})

var _ = Describe("search", func() {
	var w *world
	var c *ldap.Conn
	BeforeEach(func() {
		w = newWorld(10)
		c = w.bound(`CORP\admin`, "admin-pw")
		for i := 1; i <= 3; i++ {
			Expect(c.Add(computerAdd(ouAP, fmt.Sprintf("PC%03d", i)))).To(Succeed())
		}
		r := computerAdd("OU=Servers,"+base, "SRV01")
		for i := range r.Attributes {
			if r.Attributes[i].Type == "userAccountControl" {
				r.Attributes[i].Vals = []string{"4098"}
			}
		}
		Expect(c.Add(r)).To(Succeed())
	})
	AfterEach(func() { c.Close(); w.close() })

	names := func(base string, scope int, filter string) []string {
		sr, err := c.Search(ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 0, 0, false, filter, []string{"cn"}, nil))
		Expect(err).NotTo(HaveOccurred())
		var out []string
		for _, e := range sr.Entries {
			out = append(out, e.GetAttributeValue("cn"))
		}
		return out
	}

	DescribeTable("filters",
		func(filter string, want []string) {
			Expect(names(base, ldap.ScopeWholeSubtree, "(&(objectCategory=computer)(!(cn=DC01))"+filter+")")).To(Equal(want))
		},
		Entry("equality, case-insensitive", "(sAMAccountName=pc002$)", []string{"PC002"}),
		Entry("presence", "(dNSHostName=*)", []string{"PC001", "PC002", "PC003", "SRV01"}),
		Entry("initial substring", "(cn=PC*)", []string{"PC001", "PC002", "PC003"}),
		Entry("any and final substrings", "(cn=*C0*3)", []string{"PC003"}),
		Entry("multi-part substring", "(dNSHostName=pc*.corp*.com)", []string{"PC001", "PC002", "PC003"}),
		Entry(">= on an integer", "(userAccountControl>=4097)", []string{"SRV01"}),
		Entry("<= on an integer", "(userAccountControl<=4096)", []string{"PC001", "PC002", "PC003"}),
		Entry("approx as equality", "(cn~=srv01)", []string{"SRV01"}),
		Entry("or", "(|(cn=PC001)(cn=SRV01))", []string{"PC001", "SRV01"}),
		Entry("not", "(!(cn=PC00*))", []string{"SRV01"}),
		Entry("bitwise AND (disabled)", "(userAccountControl:1.2.840.113556.1.4.803:=2)", []string{"SRV01"}),
		Entry("bitwise OR", "(userAccountControl:1.2.840.113556.1.4.804:=6)", []string{"SRV01"}),
		Entry("sAMAccountType", "(sAMAccountType=805306369)", []string{"PC001", "PC002", "PC003", "SRV01"}),
		Entry("objectCategory by DN", "(objectCategory=CN=Computer,CN=Schema,CN=Configuration,"+base+")", []string{"PC001", "PC002", "PC003", "SRV01"}),
		Entry("escaped parenthesis matches nothing", "(cn=PC\\28001\\29)", []string(nil)),
		Entry("whenCreated >=", "(whenCreated>=20260105000000.0Z)", []string{"PC001", "PC002", "PC003", "SRV01"}),
	)

	It("honours scopes and keeps the configuration partition out of domain subtree searches", func() {
		Expect(names(ouAP, ldap.ScopeBaseObject, "(objectClass=*)")).To(Equal([]string{""})) // OUs carry ou, not cn
		Expect(names(ouAP, ldap.ScopeSingleLevel, "(objectClass=*)")).To(Equal([]string{"PC001", "PC002", "PC003"}))
		Expect(names(base, ldap.ScopeWholeSubtree, "(objectClass=dMD)")).To(BeEmpty())
		// The schema is its own naming context, even below CN=Configuration.
		Expect(names("CN=Configuration,"+base, ldap.ScopeWholeSubtree, "(objectClass=dMD)")).To(BeEmpty())
		Expect(names("CN=Schema,CN=Configuration,"+base, ldap.ScopeWholeSubtree, "(objectClass=dMD)")).To(Equal([]string{"Schema"}))
	})

	It("returns noSuchObject with the best match for a missing base", func() {
		_, err := c.Search(ldap.NewSearchRequest("OU=Nope,"+base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=*)", nil, nil))
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultNoSuchObject))
		Expect(diag(err)).To(Equal("0000208D: NameErr: DSID-03100245, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'" + base + "'"))
		// The connection is still usable.
		Expect(names(ouAP, ldap.ScopeSingleLevel, "(cn=PC001)")).To(Equal([]string{"PC001"}))
	})

	It("selects attributes: 1.1, named, + and *", func() {
		get := func(attrs ...string) *ldap.Entry {
			sr, err := c.Search(ldap.NewSearchRequest("CN=PC001,"+ouAP, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
				"(objectClass=*)", attrs, nil))
			Expect(err).NotTo(HaveOccurred())
			return sr.Entries[0]
		}
		Expect(get("1.1").Attributes).To(BeEmpty())
		e := get("SAMACCOUNTNAME")
		Expect(e.Attributes).To(HaveLen(1))
		Expect(e.Attributes[0].Name).To(Equal("sAMAccountName"))
		Expect(get("+").GetAttributeValue("canonicalName")).To(Equal("corp.contoso.com/Devices/Autopilot/PC001"))
		Expect(get("*").GetAttributeValue("canonicalName")).To(BeEmpty())
		Expect(get("*").GetAttributeValue("whenChanged")).NotTo(BeEmpty())
	})

	It("lists memberOf for Domain Admins members", func() {
		sr, err := c.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(sAMAccountName=admin)", []string{"memberOf"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries[0].GetAttributeValues("memberOf")).To(Equal([]string{"CN=Domain Admins,CN=Users," + base}))
	})
})

var _ = Describe("limits and paging", func() {
	var w *world
	var c *ldap.Conn
	BeforeEach(func() {
		w = newWorld(10)
		for i := 0; i < 1100; i++ {
			_, err := w.dir.AddComputer(fmt.Sprintf("WS%05d", i), ouAP)
			Expect(err).NotTo(HaveOccurred())
		}
		c = w.bound(`CORP\admin`, "admin-pw")
	})
	AfterEach(func() { c.Close(); w.close() })

	It("stops a non-paged search at MaxPageSize 1000 with sizeLimitExceeded", func() {
		sr, err := c.Search(ldap.NewSearchRequest(ouAP, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=computer)", []string{"cn"}, nil))
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultSizeLimitExceeded))
		Expect(sr.Entries).To(HaveLen(1000))
	})

	It("applies the client's size limit", func() {
		sr, err := c.Search(ldap.NewSearchRequest(ouAP, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 10, 0, false,
			"(objectClass=computer)", []string{"cn"}, nil))
		Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultSizeLimitExceeded))
		Expect(sr.Entries).To(HaveLen(10))
	})

	It("pages with the paged-results control", func() {
		sr, err := c.SearchWithPaging(ldap.NewSearchRequest(ouAP, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=computer)", []string{"cn"}, nil), 500)
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(1100))
		Expect(sr.Entries[1099].GetAttributeValue("cn")).To(Equal("WS01099"))
	})

	It("caps a page at 1000", func() {
		ctl := ldap.NewControlPaging(5000)
		sr, err := c.Search(ldap.NewSearchRequest(ouAP, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=computer)", []string{"cn"}, []ldap.Control{ctl}))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(1000))
		resp := ldap.FindControl(sr.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		Expect(resp.Cookie).NotTo(BeEmpty())
	})
})

var _ = Describe("a real loopback socket", func() {
	It("serves go-ldap over TCP with the same diagnostics", func() {
		w := newWorld(1)
		defer w.close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		go func() { _ = w.srv.Serve(ln) }()
		c, err := ldap.DialURL("ldap://" + ln.Addr().String())
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		Expect(c.Bind(`CORP\alice`, "alice-pw")).To(Succeed())
		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		err = c.Add(computerAdd(ouAP, "PC002"))
		Expect(diag(err)).To(Equal(diagQuota))
		err = c.Bind(`CORP\alice`, "bad")
		Expect(diag(err)).To(Equal(diag52e))
	})
})
