package mockad_test

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/sim"
)

var _ = Describe("Directory", func() {
	newDir := func(cfg mockad.DomainConfig) (*mockad.Directory, error) {
		return mockad.NewDirectory(cfg, sim.NewScheduler(sim.Epoch, nil), rand.New(rand.NewPCG(9, 9)))
	}
	good := func() mockad.DomainConfig {
		return mockad.DomainConfig{DNSName: "corp.contoso.com", NetBIOSName: "CORP", MachineAccountQuota: 10}
	}

	DescribeTable("refuses bad configuration",
		func(mutate func(*mockad.DomainConfig), msg string) {
			cfg := good()
			mutate(&cfg)
			_, err := newDir(cfg)
			Expect(err).To(MatchError(ContainSubstring(msg)))
		},
		Entry("no DNS name", func(c *mockad.DomainConfig) { c.DNSName = "" }, "must be a dotted name"),
		Entry("single-label DNS name", func(c *mockad.DomainConfig) { c.DNSName = "corp" }, "must be a dotted name"),
		Entry("bad DNS label", func(c *mockad.DomainConfig) { c.DNSName = "co_rp.com" }, "bad label"),
		Entry("NetBIOS name too long", func(c *mockad.DomainConfig) { c.NetBIOSName = "ABCDEFGHIJKLMNOP" }, "1-15 characters"),
		Entry("NetBIOS name with a dot", func(c *mockad.DomainConfig) { c.NetBIOSName = "CO.RP" }, "1-15 characters"),
		Entry("negative quota", func(c *mockad.DomainConfig) { c.MachineAccountQuota = -1 }, "negative"),
		Entry("bad DC name", func(c *mockad.DomainConfig) { c.DCHostName = "DC*1" }, "DC host name"),
		Entry("OU outside the domain", func(c *mockad.DomainConfig) { c.OUs = []string{"OU=x,DC=other,DC=com"} }, "is not under"),
		Entry("OU with a bad RDN type", func(c *mockad.DomainConfig) { c.OUs = []string{"DC=x,DC=corp,DC=contoso,DC=com"} }, "neither OU nor CN"),
		Entry("malformed OU DN", func(c *mockad.DomainConfig) { c.OUs = []string{"OU=x,,DC=corp"} }, "invalid DN syntax"),
	)

	It("creates missing parent OUs and keeps the DC out of ComputerCount", func() {
		cfg := good()
		cfg.OUs = []string{"OU=Kiosks,OU=Paris,OU=Sites,DC=corp,DC=contoso,DC=com"}
		d, err := newDir(cfg)
		Expect(err).NotTo(HaveOccurred())
		for _, dn := range []string{"OU=Sites," + base, "OU=Paris,OU=Sites," + base, "OU=Kiosks,OU=Paris,OU=Sites," + base} {
			e, ok := d.Lookup(dn)
			Expect(ok).To(BeTrue(), dn)
			Expect(e.Attributes["objectClass"]).To(Equal([]string{"top", "organizationalUnit"}))
		}
		Expect(d.ComputerCount()).To(Equal(0))
		_, ok := d.FindComputer("DC01")
		Expect(ok).To(BeTrue())
		Expect(d.BaseDN()).To(Equal(base))
	})

	It("is deterministic for a seed", func() {
		a, _ := newDir(good())
		b, _ := newDir(good())
		da, _ := a.AddComputer("PC1", a.ComputersDN())
		db, _ := b.AddComputer("PC1", b.ComputersDN())
		ea, _ := a.Lookup(da)
		eb, _ := b.Lookup(db)
		Expect(ea).To(Equal(eb))
	})

	DescribeTable("refuses bad delegations",
		func(del mockad.Delegation, msg string) {
			d, _ := newDir(good())
			_, err := d.AddUser("alice", "pw", "", false)
			Expect(err).NotTo(HaveOccurred())
			Expect(d.Grant(del)).To(MatchError(ContainSubstring(msg)))
		},
		Entry("unknown right", mockad.Delegation{Trustee: "alice", OU: "CN=Computers," + base, Right: "write", AppliesTo: "thisObjectOnly"}, "unknown right"),
		Entry("unknown inheritance", mockad.Delegation{Trustee: "alice", OU: "CN=Computers," + base, Right: "createComputer", AppliesTo: "all"}, "unknown appliesTo"),
		Entry("unknown trustee", mockad.Delegation{Trustee: "bob", OU: "CN=Computers," + base, Right: "createComputer"}, "no trustee"),
		Entry("missing OU", mockad.Delegation{Trustee: "alice", OU: "OU=x," + base, Right: "createComputer"}, "no OU"),
	)

	It("refuses bad seeds", func() {
		d, _ := newDir(good())
		_, err := d.AddComputer("PC*1", d.ComputersDN())
		Expect(err).To(HaveOccurred())
		_, err = d.AddComputer("PC1", "OU=missing,"+base)
		Expect(err).To(MatchError(ContainSubstring("0000208D")))
		_, err = d.AddComputer("PC1", d.ComputersDN())
		Expect(err).NotTo(HaveOccurred())
		_, err = d.AddComputer("pc1", "CN=Users,"+base)
		Expect(err).To(MatchError(ContainSubstring("00000524")))
		_, err = d.AddUser("bad:name", "pw", "", false)
		Expect(err).To(HaveOccurred())
		_, err = d.AddServiceAccount("msaODJ00001", "pw")
		Expect(err).NotTo(HaveOccurred())
		_, err = d.AddServiceAccount("msaODJ00001$", "pw")
		Expect(err).To(MatchError(ContainSubstring("00000524")))
		Expect(d.SetPassword("nobody", "x")).NotTo(Succeed())
	})

	It("counts the quota correctly under concurrent adds", func() {
		w := newWorld(10)
		defer w.close()
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, quota := 0, 0
		for g := 0; g < 4; g++ {
			c := w.bound(`CORP\alice`, "alice-pw")
			wg.Add(1)
			go func(g int, c *ldap.Conn) {
				defer GinkgoRecover()
				defer wg.Done()
				defer c.Close()
				for i := 0; i < 5; i++ {
					err := c.Add(computerAdd(ouAP, fmt.Sprintf("G%dPC%02d", g, i)))
					mu.Lock()
					if err == nil {
						ok++
					} else if diag(err) == diagQuota {
						quota++
					}
					mu.Unlock()
				}
			}(g, c)
		}
		wg.Wait()
		Expect(ok).To(Equal(10))
		Expect(quota).To(Equal(10))
		Expect(w.dir.ComputerCount()).To(Equal(10))
	})
})

var _ = Describe("one connection used from many goroutines", func() {
	It("keeps each response with its request (pipelined messages through the seam)", func() {
		w := newWorld(100)
		defer w.close()
		c := w.bound(`CORP\admin`, "admin-pw")
		defer c.Close()
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func(g int) {
				defer GinkgoRecover()
				defer wg.Done()
				name := fmt.Sprintf("PIPE%02d", g)
				Expect(c.Add(computerAdd(ouAP, name))).To(Succeed())
				err := c.Add(computerAdd(ouAP, name))
				Expect(diag(err)).To(HavePrefix("00002071"))
				sr, err := c.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
					"(sAMAccountName="+name+"$)", []string{"cn"}, nil))
				Expect(err).NotTo(HaveOccurred())
				Expect(sr.Entries).To(HaveLen(1))
				Expect(sr.Entries[0].GetAttributeValue("cn")).To(Equal(name))
				_, err = c.Search(ldap.NewSearchRequest("OU=Nope"+name+","+base, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
					"(objectClass=*)", nil, nil))
				Expect(ldapErr(err).MatchedDN).To(Equal(base))
			}(g)
		}
		wg.Wait()
	})
})
