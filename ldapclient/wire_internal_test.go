package ldapclient

import (
	"crypto/tls"
	"io"
	"net"
	"strings"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// sentByGoLDAP is the first message a go-ldap connection writes when do
// runs on it: the bytes the server end of a pipe reads, whole.
func sentByGoLDAP(do func(*ldap.Conn)) []byte {
	client, server := net.Pipe()
	l := ldap.NewConn(client, false)
	l.Start()
	go do(l)
	msg, err := readRaw(server)
	Expect(err).NotTo(HaveOccurred())
	_ = server.Close()
	_ = l.Close()
	return msg
}

// readRaw reads one BER element as it is on the wire.
func readRaw(r io.Reader) ([]byte, error) {
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	n := int(hdr[1])
	if n&0x80 != 0 {
		more := make([]byte, n&0x7f)
		if _, err := io.ReadFull(r, more); err != nil {
			return nil, err
		}
		hdr = append(hdr, more...)
		n = 0
		for _, b := range more {
			n = n<<8 | int(b)
		}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return append(hdr, body...), nil
}

// sentByUs is the message this package writes for op as message 1.
func sentByUs(op func(*encoder) error, controls []ldap.Control) []byte {
	var e encoder
	Expect(e.message(1, op, controls)).To(Succeed())
	return e.b
}

var _ = Describe("requests on the wire", func() {
	long := strings.Repeat("x", 300)
	huge := strings.Repeat("y", 70000) // a three-byte length
	search := func(base string, scope, size int, typesOnly bool, filter string, attrs []string, ctl []ldap.Control) *ldap.SearchRequest {
		return ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, size, 30, typesOnly, filter, attrs, ctl)
	}
	add := func(dn string, attrs map[string][]string, order []string) *ldap.AddRequest {
		r := ldap.NewAddRequest(dn, nil)
		for _, k := range order {
			r.Attribute(k, attrs[k])
		}
		return r
	}

	DescribeTable("are the bytes go-ldap writes",
		func(goLDAP func(*ldap.Conn), ours func(*encoder) error, controls []ldap.Control) {
			Expect(sentByUs(ours, controls)).To(Equal(sentByGoLDAP(goLDAP)))
		},
		Entry("a simple bind", func(l *ldap.Conn) { _ = l.Bind(`CORP\msaODJ00001$`, "pw") }, bindOp(`CORP\msaODJ00001$`, "pw"), nil),
		Entry("a bind with a name past 127 bytes", func(l *ldap.Conn) { _ = l.Bind(long, long+long) }, bindOp(long, long+long), nil),
		Entry("StartTLS", func(l *ldap.Conn) { _ = l.StartTLS(&tls.Config{}) }, startTLSOp, nil),
		Entry("a rootDSE search",
			func(l *ldap.Conn) {
				_, _ = l.Search(search("", ldap.ScopeBaseObject, 1, false, "(objectClass=*)", []string{"dnsHostName"}, nil))
			},
			searchOp(search("", ldap.ScopeBaseObject, 1, false, "(objectClass=*)", []string{"dnsHostName"}, nil)), nil),
		Entry("a subtree search with a compound filter, no attributes, types only and a size limit past 127",
			func(l *ldap.Conn) {
				_, _ = l.Search(search("OU=Devices,DC=corp", ldap.ScopeWholeSubtree, 1000, true, "(&(objectClass=computer)(!(cn=a*b))(|(userCertificate=*)(cn>=z)))", nil, nil))
			},
			searchOp(search("OU=Devices,DC=corp", ldap.ScopeWholeSubtree, 1000, true, "(&(objectClass=computer)(!(cn=a*b))(|(userCertificate=*)(cn>=z)))", nil, nil)), nil),
		Entry("a paged search with a cookie",
			func(l *ldap.Conn) {
				p := ldap.NewControlPaging(500)
				p.SetCookie([]byte{0, 1, 2, 0xff})
				_, _ = l.Search(search("DC=corp", ldap.ScopeWholeSubtree, 0, false, "(cn=*)", []string{"cn", "objectGUID"}, []ldap.Control{p}))
			},
			searchOp(search("DC=corp", ldap.ScopeWholeSubtree, 0, false, "(cn=*)", []string{"cn", "objectGUID"}, nil)),
			[]ldap.Control{&ldap.ControlPaging{PagingSize: 500, Cookie: []byte{0, 1, 2, 0xff}}}),
		Entry("a computer add, with a value of 70,000 bytes",
			func(l *ldap.Conn) {
				_ = l.Add(add("CN=AP-1,OU=Autopilot,DC=corp", map[string][]string{"objectClass": {"top", "computer"}, "cn": {"AP-1"}, "description": {huge}}, []string{"objectClass", "cn", "description"}))
			},
			addOp(add("CN=AP-1,OU=Autopilot,DC=corp", map[string][]string{"objectClass": {"top", "computer"}, "cn": {"AP-1"}, "description": {huge}}, []string{"objectClass", "cn", "description"})), nil),
		Entry("a modify that replaces, adds and deletes",
			func(l *ldap.Conn) {
				m := ldap.NewModifyRequest("CN=AP-1,DC=corp", nil)
				m.Replace("userCertificate", []string{"\x30\x82der"})
				m.Add("description", []string{"a", long})
				m.Delete("info", nil)
				_ = l.Modify(m)
			},
			func() func(*encoder) error {
				m := ldap.NewModifyRequest("CN=AP-1,DC=corp", nil)
				m.Replace("userCertificate", []string{"\x30\x82der"})
				m.Add("description", []string{"a", long})
				m.Delete("info", nil)
				return modifyOp(m)
			}(), nil),
	)

	It("writes integers as go-asn1-ber does, in their shortest two's complement", func() {
		for _, v := range []int64{0, 1, 127, 128, 255, 256, 32767, 32768, 1 << 31, -1, -128, -129, 1<<63 - 1} {
			var e encoder
			e.int(tagInteger, v)
			got, err := integer(e.b[2:])
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(v))
			Expect(int(e.b[1])).To(Equal(len(e.b)-2), "%d", v)
		}
	})

	It("refuses a filter go-ldap refuses, with go-ldap's error", func() {
		var e encoder
		err := e.message(1, searchOp(search("", 0, 0, false, "(cn=a", nil, nil)), nil)
		Expect(err).To(HaveOccurred())
		_, want := ldap.CompileFilter("(cn=a")
		Expect(err).To(Equal(want))
	})
})
