package mockad_test

import (
	"bytes"
	"math/rand/v2"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/sim"
)

const realExport = `# an ldapsearch export, trimmed
version: 1

dn: DC=corp,DC=contoso,DC=com
objectClass: top
objectClass: domain
objectClass: domainDNS
dc: corp

dn: OU=Sites,DC=corp,DC=contoso,DC=com
objectClass: top
objectClass: organizationalUnit
ou: Sites
description: All the sites
objectGUID:: NnDskzmRg0qXLqGZjMkYZQ==
whenCreated: 20200101000000.0Z
gPLink: [LDAP://cn={31B2F340-016D-11D2-945F-00C04FB984F9},cn=policies,cn=system,DC=corp,DC=contoso,DC=com;0]

dn: OU=Paris,OU=Sites,DC=corp,DC=contoso,DC=com
objectClass: top
objectClass: organizationalUnit
ou: Paris
description:: w4ljb2xl
 IGRlIFBhcmlz

dn: CN=PARIS-PC01,OU=Paris,OU=Sites,DC=corp,DC=contoso,DC=com
objectClass: top
objectClass: person
objectClass: organizationalPerson
objectClass: user
objectClass: computer
cn: PARIS-PC01
sAMAccountName: PARIS-PC01$
userAccountControl: 4096
logonCount: 12
dNSHostName: paris-pc01.corp.contoso.com

dn: CN=Builtin,DC=corp,DC=contoso,DC=com
objectClass: top
objectClass: builtinDomain

dn: CN=Administrators,CN=Builtin,DC=corp,DC=contoso,DC=com
objectClass: top
objectClass: group
`

var _ = Describe("LDIF", func() {
	newDir := func() *mockad.Directory {
		d, err := mockad.NewDirectory(mockad.DomainConfig{DNSName: "corp.contoso.com", NetBIOSName: "CORP", MachineAccountQuota: 10},
			sim.NewScheduler(sim.Epoch, nil), rand.New(rand.NewPCG(5, 6)))
		Expect(err).NotTo(HaveOccurred())
		return d
	}

	It("imports a real export's OU tree and computers", func() {
		d := newDir()
		rep, err := d.ImportLDIF(strings.NewReader(realExport))
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Existed).To(Equal([]string{base}))
		Expect(rep.Added).To(Equal([]string{"OU=Sites," + base, "OU=Paris,OU=Sites," + base, "CN=PARIS-PC01,OU=Paris,OU=Sites," + base}))
		Expect(rep.Skipped).To(Equal([]string{"CN=Builtin," + base, "CN=Administrators,CN=Builtin," + base}))
		Expect(rep.Dropped).To(Equal([]string{"logonCount", "objectGUID", "whenCreated"}))
		e, ok := d.Lookup("OU=Paris,OU=Sites," + base)
		Expect(ok).To(BeTrue())
		Expect(e.Attributes["description"]).To(Equal([]string{"École de Paris"}))
		dn, ok := d.FindComputer("paris-pc01")
		Expect(ok).To(BeTrue())
		Expect(dn).To(Equal("CN=PARIS-PC01,OU=Paris,OU=Sites," + base))
	})

	It("exports what it imports", func() {
		d := newDir()
		_, err := d.ImportLDIF(strings.NewReader(realExport))
		Expect(err).NotTo(HaveOccurred())
		var buf bytes.Buffer
		Expect(d.ExportLDIF(&buf)).To(Succeed())
		out := buf.String()
		Expect(out).To(HavePrefix("version: 1\n\ndn: " + base + "\n"))
		Expect(out).To(ContainSubstring("dn: CN=PARIS-PC01,OU=Paris,OU=Sites," + base + "\n"))
		Expect(out).To(ContainSubstring("objectGUID:: "))
		Expect(out).To(ContainSubstring("description:: w4ljb2xlIGRlIFBhcmlz\n"))

		// The export parses and re-imports into a fresh directory.
		again := newDir()
		rep, err := again.ImportLDIF(strings.NewReader(out))
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Added).To(ContainElement("CN=PARIS-PC01,OU=Paris,OU=Sites," + base))

		var buf2 bytes.Buffer
		Expect(d.ExportLDIF(&buf2)).To(Succeed())
		Expect(buf2.String()).To(Equal(out)) // export is deterministic
	})

	DescribeTable("malformed LDIF is refused with its line",
		func(in, msg string) {
			_, err := mockad.ParseLDIF(strings.NewReader(in))
			Expect(err).To(MatchError(ContainSubstring(msg)))
		},
		Entry("no dn", "objectClass: top\n", "line 1: record must start with dn:"),
		Entry("bad base64", "dn: CN=x\ncn:: !!!\n", "line 2: attribute cn: bad base64"),
		Entry("no colon", "dn: CN=x\nhello\n", "line 2: expected attr: value"),
		Entry("URL value", "dn: CN=x\njpegPhoto:< file:///etc/passwd\n", "line 2: attribute jpegPhoto: URL values"),
		Entry("modify change", "dn: CN=x\nchangetype: modify\n", "line 2: changetype \"modify\" not supported"),
		Entry("orphan continuation", " continued\n", "line 1: continuation without a line"),
		Entry("two dns", "dn: CN=x\ndn: CN=y\n", "line 2: second dn:"),
		Entry("bad version", "version: 2\n", "line 1: unsupported version"),
	)

	It("refuses records outside the domain and bad DNs", func() {
		d := newDir()
		_, err := d.ImportLDIF(strings.NewReader("dn: OU=x,DC=other,DC=com\nobjectClass: organizationalUnit\n"))
		Expect(err).To(MatchError(ContainSubstring("line 1: \"OU=x,DC=other,DC=com\" is not under")))
		_, err = d.ImportLDIF(strings.NewReader("dn: OU=x,,DC=com\nobjectClass: organizationalUnit\n"))
		Expect(err).To(MatchError(ContainSubstring("line 1: dn")))
		_, err = d.ImportLDIF(strings.NewReader("dn: OU=x,OU=missing," + base + "\nobjectClass: organizationalUnit\n"))
		Expect(err).To(MatchError(ContainSubstring("0000208D")))
	})
})
