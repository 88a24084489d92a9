package mockad

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	gldap "github.com/glauth/ldap"
	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// captureConn is a net.Conn that keeps what is written to it.
type captureConn struct{ out bytes.Buffer }

func (c *captureConn) Read([]byte) (int, error)         { return 0, net.ErrClosed }
func (c *captureConn) Write(p []byte) (int, error)      { return c.out.Write(p) }
func (c *captureConn) Close() error                     { return nil }
func (c *captureConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *captureConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *captureConn) SetDeadline(time.Time) error      { return nil }
func (c *captureConn) SetReadDeadline(time.Time) error  { return nil }
func (c *captureConn) SetWriteDeadline(time.Time) error { return nil }

// fixedSearcher answers every search with its entries and records the
// request glauth parsed.
type fixedSearcher struct {
	entries []*gldap.Entry
	got     *gldap.SearchRequest
}

func (f *fixedSearcher) Search(_ string, req gldap.SearchRequest, _ net.Conn) (gldap.ServerSearchResult, error) {
	f.got = &req
	return gldap.ServerSearchResult{Entries: f.entries, ResultCode: gldap.LDAPResultSuccess}, nil
}

// glauthSearch runs glauth's own search handling (as mockad's server is set
// up: EnforceLDAP off) on the LDAPMessage raw and returns what it wrote and
// the request it handed the searcher (nil when it never called it).
func glauthSearch(raw []byte, entries []*gldap.Entry) ([]byte, *gldap.SearchRequest) {
	pkt, err := ber.DecodePacketErr(raw)
	if err != nil || len(pkt.Children) < 2 {
		return nil, nil
	}
	id, _ := pkt.Children[0].Value.(int64)
	s := gldap.NewServer()
	s.EnforceLDAP = false
	f := &fixedSearcher{entries: entries}
	s.SearchFns[""] = f
	conn := &captureConn{}
	var controls []gldap.Control
	if err := gldap.HandleSearchRequest(pkt.Children[1], &controls, uint64(id), "", s, conn); err != nil {
		return nil, nil
	}
	return conn.out.Bytes(), f.got
}

// searchRequest is a SearchRequest LDAPMessage as go-ldap encodes one.
func searchRequest(id int64, base string, attrs ...string) []byte {
	str := func(s string) *ber.Packet {
		return ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, s, "")
	}
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opSearchRequest, nil, "SearchRequest")
	op.AppendChild(str(base))
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 2, "scope"))
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 0, "deref"))
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 1000, "sizeLimit"))
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 30, "timeLimit"))
	op.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, false, "typesOnly"))
	eq := ber.Encode(ber.ClassContext, ber.TypeConstructed, 3, nil, "equalityMatch")
	eq.AppendChild(str("sAMAccountName"))
	eq.AppendChild(str("AP-0001$"))
	op.AppendChild(eq)
	list := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attributes")
	for _, a := range attrs {
		list.AppendChild(str(a))
	}
	op.AppendChild(list)
	env := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAPMessage")
	env.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "messageID"))
	env.AppendChild(op)
	ctl := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
	ctl.AppendChild(encodePagingControl("1"))
	env.AppendChild(ctl)
	return env.Bytes()
}

// ldapResponses are LDAPResult-bearing responses as glauth writes them,
// with and without the fields after the third and with controls.
func ldapResponses() [][]byte {
	resp := func(id int64, tag ber.Tag, extra []*ber.Packet, controls bool) []byte {
		env := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Response")
		env.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "Message ID"))
		op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, tag, nil, "response")
		op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, uint64(0), "resultCode"))
		op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "matchedDN"))
		op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "errorMessage"))
		for _, e := range extra {
			op.AppendChild(e)
		}
		env.AppendChild(op)
		if controls {
			ctl := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
			ctl.AppendChild(encodePagingControl(""))
			env.AppendChild(ctl)
		}
		return env.Bytes()
	}
	name := ber.NewString(ber.ClassContext, ber.TypePrimitive, 10, oidStartTLS, "responseName")
	value := ber.NewString(ber.ClassContext, ber.TypePrimitive, 11, strings.Repeat("v", 300), "responseValue")
	return [][]byte{
		resp(1, opBindResponse, nil, false),
		resp(300, opSearchDone, nil, true),
		resp(70000, opExtendedResp, []*ber.Packet{name, value}, false),
		resp(-5, opAddResponse, []*ber.Packet{name}, true),
		resp(1<<40, opModifyResponse, nil, false),
	}
}

// overrides are results the handlers record.
func overrides() []*result {
	long := strings.Repeat("00002071: UpdErr: DSID-030502F8, problem 6005 (ENTRY_EXISTS), data 0 ", 5)
	return []*result{
		{code: gldap.LDAPResultSuccess},
		{code: gldap.LDAPResultEntryAlreadyExists, diag: long, matchedDN: "OU=Autopilot,DC=corp,DC=contoso,DC=com"},
		{code: gldap.LDAPResultSizeLimitExceeded, controls: []*ber.Packet{encodePagingControl("42")}},
		{code: gldap.LDAPResultSuccess, controls: []*ber.Packet{}},
		{code: 250, diag: "x"},
	}
}

// testEntries are entries as the directory renders them: empty, typesOnly
// (no values), one attribute of many values, values past one- and two-octet
// lengths.
func testEntries() []*gldap.Entry {
	return []*gldap.Entry{
		{DN: ""},
		{DN: "CN=AP-0001,OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com", Attributes: []*gldap.EntryAttribute{
			{Name: "objectClass", Values: []string{"top", "person", "organizationalPerson", "user", "computer"}},
			{Name: "sAMAccountName", Values: []string{"AP-0001$"}},
			{Name: "description", Values: []string{}},
		}},
		{DN: strings.Repeat("OU=x,", 40) + "DC=corp", Attributes: []*gldap.EntryAttribute{
			{Name: "userCertificate", Values: []string{strings.Repeat("\x30\x82", 200), strings.Repeat("c", 70000)}},
		}},
	}
}

var _ = ginkgo.Describe("the BER the seam writes itself (leanwrite.go)", func() {
	ginkgo.It("writes each search entry as glauth's HandleSearchRequest does, byte for byte", func() {
		for _, id := range []int64{0, 1, 127, 128, 255, 256, 32767, 32768, 1<<31 - 1, 1 << 40} {
			want, _ := glauthSearch(searchRequest(id, "DC=corp,DC=contoso,DC=com"), testEntries())
			Expect(want).NotTo(BeEmpty())
			var got []byte
			var scratch []int
			for _, e := range testEntries() {
				got, scratch = appendSearchEntry(got, id, e, scratch)
			}
			Expect(got).To(Equal(want), "messageID %d", id)
		}
	})

	ginkgo.It("rewrites a result as the library path does, for every response and override", func() {
		for i, p := range ldapResponses() {
			for j, r := range overrides() {
				pkt, err := decodePacket(p)
				Expect(err).NotTo(HaveOccurred())
				want := rewriteResult(pkt, r).Bytes()
				got, ok := leanRewriteResult(p, r)
				Expect(ok).To(BeTrue(), "response %d takes the lean path", i)
				Expect(got).To(Equal(want), "response %d, override %d", i, j)
			}
		}
	})

	ginkgo.It("leaves a response in another form than the shortest to the library", func() {
		for _, p := range oddEncodings {
			_, ok := leanRewriteResult(p, &result{})
			Expect(ok).To(BeFalse(), "%x", p)
		}
	})

	ginkgo.It("hands glauth a search as the library path does, with the attribute list emptied", func() {
		for _, raw := range [][]byte{
			searchRequest(3, "DC=corp,DC=contoso,DC=com", "dnsHostName", "defaultNamingContext"),
			searchRequest(70000, ""),
			searchRequest(9, strings.Repeat("OU=x,", 60)+"DC=corp", strings.Repeat("a", 200)),
		} {
			pkt, err := decodePacket(raw)
			Expect(err).NotTo(HaveOccurred())
			for _, keep := range []bool{false, true} {
				got, ok := leanSearchForGlauth(raw, keep)
				Expect(ok).To(BeTrue())
				Expect(got).To(Equal(searchForGlauth(pkt, keep)))
			}
		}
	})

	ginkgo.It("leaves glauth's parse of a search the same but for the attributes, which it never reads", func() {
		raw := searchRequest(12, "OU=Autopilot,DC=corp,DC=contoso,DC=com", "dnsHostName", "cn")
		sc := &seamConn{}
		fed := sc.intercept(raw)
		_, want := glauthSearch(raw, nil)
		_, got := glauthSearch(fed, nil)
		Expect(want).NotTo(BeNil())
		Expect(got).NotTo(BeNil())
		Expect(got.Attributes).To(BeEmpty())
		Expect(want.Attributes).To(Equal([]string{"dnsHostName", "cn"}))
		want.Attributes, want.Filter, want.Controls = nil, "(objectClass=*)", nil
		got.Attributes, got.Controls = nil, nil
		Expect(*got).To(Equal(*want))
	})

	ginkgo.It("hands glauth the attribute list when glauth would refuse it, so that it still does", func() {
		raw := searchRequest(4, "DC=corp")
		// An attribute that is not an OCTET STRING: glauth's
		// parseSearchRequest answers protocolError before any handler.
		bad := append([]byte(nil), raw...)
		pkt, err := decodePacket(bad)
		Expect(err).NotTo(HaveOccurred())
		op := pkt.Children[1]
		op.Children[7] = ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attributes")
		op.Children[7].AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 7, ""))
		rebuilt := searchForGlauth(pkt, true)
		fed := (&seamConn{}).intercept(rebuilt)
		_, got := glauthSearch(fed, nil)
		Expect(got).To(BeNil(), "glauth never calls the searcher")
	})
})

// FuzzLeanRewriteResult: for any bytes, a result the lean path rewrites is
// the library path's bytes.
func FuzzLeanRewriteResult(f *testing.F) {
	for _, p := range append(ldapResponses(), oddEncodings...) {
		f.Add(p, uint16(0), "", "")
		f.Add(p, uint16(68), "OU=x", strings.Repeat("d", 130))
	}
	f.Fuzz(func(t *testing.T, p []byte, code uint16, dn, diag string) {
		r := &result{code: gldap.LDAPResultCode(code), matchedDN: dn, diag: diag}
		got, ok := leanRewriteResult(p, r)
		if !ok {
			return
		}
		pkt, err := decodePacket(p)
		if err != nil || len(pkt.Children) < 2 {
			t.Fatalf("%x: lean path took what the library path leaves alone (%v)", p, err)
		}
		if want := rewriteResult(pkt, r).Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("%x: %x, want %x", p, got, want)
		}
	})
}

// FuzzLeanSearchForGlauth: for any bytes, a search the lean path hands
// glauth is the library path's bytes.
func FuzzLeanSearchForGlauth(f *testing.F) {
	for _, m := range append(ldapMessages(), searchRequest(3, "DC=corp", "cn"), searchRequest(1, "")) {
		f.Add(m, false)
		f.Add(m, true)
	}
	f.Fuzz(func(t *testing.T, raw []byte, keep bool) {
		got, ok := leanSearchForGlauth(raw, keep)
		if !ok {
			return
		}
		pkt, err := decodePacket(raw)
		if err != nil || len(pkt.Children) < 2 || len(pkt.Children[1].Children) != 8 {
			t.Fatalf("%x: lean path took a message that is not a search of eight fields (%v)", raw, err)
		}
		if want := searchForGlauth(pkt, keep); !bytes.Equal(got, want) {
			t.Fatalf("%x: %x, want %x", raw, got, want)
		}
	})
}

// FuzzEncodeSearchEntry: any entry is written as glauth writes it.
func FuzzEncodeSearchEntry(f *testing.F) {
	f.Add(int64(1), "CN=AP-0001,DC=corp", "objectClass", "top\x00computer", uint8(2))
	f.Add(int64(1<<40), "", "", "", uint8(0))
	f.Add(int64(-1), strings.Repeat("d", 200), "a", strings.Repeat("v", 300), uint8(3))
	f.Fuzz(func(t *testing.T, id int64, dn, name, values string, attrs uint8) {
		e := &gldap.Entry{DN: dn}
		for i := 0; i < int(attrs%5); i++ {
			e.Attributes = append(e.Attributes, &gldap.EntryAttribute{Name: name, Values: strings.Split(values, "\x00")[i%2:]})
		}
		want, _ := glauthSearch(searchRequest(id, "DC=corp"), []*gldap.Entry{e})
		got, _ := appendSearchEntry(nil, id, e, nil)
		if !bytes.Equal(got, want) {
			t.Fatalf("%x, want %x", got, want)
		}
	})
}
