package ldapclient

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// answering is a connection whose server end reads each request and writes
// the next of answers, then stays open (silent) once they run out; a nil
// answer hangs up instead.
func answering(answers ...[]byte) *Conn {
	client, server := net.Pipe()
	go func() {
		for _, a := range answers {
			if a == nil {
				_ = server.Close()
				return
			}
			if _, err := readRaw(server); err != nil {
				return
			}
			if _, err := server.Write(a); err != nil {
				return
			}
		}
		_, _ = readRaw(server)
	}()
	DeferCleanup(server.Close)
	c := New(client)
	DeferCleanup(c.Close)
	return c
}

// msg is an LDAPMessage with ID id around op (and controls, when given).
func msg(id int64, op []byte, controls ...[]byte) []byte {
	var e encoder
	m := e.open(tagSequence)
	e.int(tagInteger, id)
	e.b = append(e.b, op...)
	if len(controls) > 0 {
		c := e.open(tagControls)
		for _, ctl := range controls {
			e.b = append(e.b, ctl...)
		}
		e.close(c)
	}
	e.close(m)
	return e.b
}

// ldapResult is an LDAPResult as tag, code, matched DN and message.
func ldapResult(tag byte, code int64, matched, diag string) []byte {
	var e encoder
	s := e.open(tag)
	e.int(tagEnumerated, code)
	e.str(tagOctetString, matched)
	e.str(tagOctetString, diag)
	e.close(s)
	return e.b
}

func searchEntry(dn string, attrs ...[]byte) []byte {
	var e encoder
	s := e.open(appSearchEntry)
	e.str(tagOctetString, dn)
	l := e.open(tagSequence)
	for _, a := range attrs {
		e.b = append(e.b, a...)
	}
	e.close(l)
	e.close(s)
	return e.b
}

func attr(name string, vals ...string) []byte {
	var e encoder
	e.attribute(name, vals)
	return e.b
}

var rootSearch = ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil)

var _ = Describe("answers the client refuses", func() {
	ok := ldapResult(appSearchDone, 0, "", "")

	DescribeTable("end the request with an error and the connection with it, without a panic",
		func(answer []byte, want string) {
			c := answering(answer, nil)
			_, err := c.Search(rootSearch)
			Expect(err).To(MatchError(ContainSubstring(want)))
			var le *ldap.Error
			Expect(errors.As(err, &le)).To(BeTrue())
			Expect(le.ResultCode).To(Equal(uint16(ldap.ErrorNetwork)))
			_, err = c.Search(rootSearch)
			Expect(err).To(MatchError(ContainSubstring("ldap: connection closed")))
		},
		Entry("not a SEQUENCE", []byte{0x04, 0x00}, "message tagged 0x4"),
		Entry("an indefinite length", []byte{0x30, 0x80, 0x00, 0x00}, "message length of 0 bytes"),
		Entry("a length of five bytes", []byte{0x30, 0x85, 1, 0, 0, 0, 0}, "message length of 5 bytes"),
		Entry("a message past MaxMessage", []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}, "more than 16777216"),
		Entry("a message ID that is not an INTEGER", []byte{0x30, 0x03, 0x04, 0x01, 0x01}, "message ID tagged 0x4"),
		Entry("a message ID of nine bytes", []byte{0x30, 0x0b, 0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "integer of 9 bytes"),
		Entry("an operation longer than the message", []byte{0x30, 0x05, 0x02, 0x01, 0x01, 0x65, 0x09}, "element of 9 bytes with 0 left"),
		Entry("a high tag number", []byte{0x30, 0x05, 0x02, 0x01, 0x01, 0x7f, 0x00}, "high tag number"),
		Entry("something after the operation that is not controls", []byte{0x30, 0x07, 0x02, 0x01, 0x01, 0x65, 0x00, 0x04, 0x00}, "trailing element 0x4"),
		Entry("an entry whose name is not an OCTET STRING", msg(1, []byte{0x64, 0x04, 0x02, 0x00, 0x30, 0x00}), "entry name tagged 0x2"),
		Entry("an entry with a value that is not an OCTET STRING",
			msg(1, searchEntry("CN=x", []byte{0x30, 0x07, 0x04, 0x01, 'a', 0x31, 0x02, 0x02, 0x00})), `attribute "a": value tagged 0x2`),
		Entry("an entry without its attribute list", msg(1, []byte{0x64, 0x02, 0x04, 0x00}), "truncated element"),
		Entry("a notice of disconnection (message ID 0)", msg(0, []byte{0x78, 0x00}), "ldap: response channel closed"),
		Entry("a server that hangs up", []byte{0x30, 0x10, 0x02}, "ldap: response channel closed"),
	)

	It("answers go-ldap's \"invalid packet format\" for a result without its message, and keeps the connection", func() {
		var e encoder
		s := e.open(appSearchDone)
		e.int(tagEnumerated, 32)
		e.str(tagOctetString, "")
		e.close(s)
		c := answering(msg(1, e.b), msg(2, ok))
		_, err := c.Search(rootSearch)
		Expect(err).To(MatchError(`LDAP Result Code 200 "Network Error": invalid packet format`))
		_, err = c.Search(rootSearch)
		Expect(err).NotTo(HaveOccurred())
	})

	It("skips an answer to an earlier request, and reads entries, references and controls", func() {
		paging := func() []byte {
			var e encoder
			e.control(&ldap.ControlPaging{PagingSize: 0, Cookie: []byte("next")})
			return e.b
		}()
		var ref encoder
		r := ref.open(appSearchReference)
		ref.str(tagOctetString, "ldap://dc02/DC=corp")
		ref.close(r)
		stale := msg(7, searchEntry("CN=stale"))
		answer := append(append(append(stale, msg(1, searchEntry("CN=a", attr("cn", "a"), attr("empty")))...),
			msg(1, ref.b)...), msg(1, ok, paging)...)
		c := answering(answer)
		res, err := c.Search(rootSearch)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Entries).To(HaveLen(1))
		Expect(res.Entries[0].DN).To(Equal("CN=a"))
		Expect(res.Entries[0].GetAttributeValue("cn")).To(Equal("a"))
		Expect(res.Entries[0].GetAttributeValues("empty")).To(BeEmpty())
		Expect(res.Referrals).To(Equal([]string{"ldap://dc02/DC=corp"}))
		Expect(res.Controls).To(HaveLen(1))
		Expect(res.Controls[0].(*ldap.ControlPaging).Cookie).To(Equal([]byte("next")))
	})

	It("refuses a nil request with an error, as go-ldap's Add does, instead of a panic", func() {
		c := answering()
		Expect(c.Add(nil)).To(MatchError(ContainSubstring("AddRequest cannot be nil")))
		Expect(c.Modify(nil)).To(MatchError(ContainSubstring("ModifyRequest cannot be nil")))
		_, err := c.Search(nil)
		Expect(err).To(MatchError(ContainSubstring("SearchRequest cannot be nil")))
		_, err = c.SearchWithPaging(nil, 5)
		Expect(err).To(MatchError(ContainSubstring("SearchRequest cannot be nil")))
	})

	It("refuses a result code outside 0..65535 as an invalid one", func() {
		c := answering(msg(1, ldapResult(appSearchDone, -1, "", "")), msg(2, ldapResult(appSearchDone, 1<<20, "", "")))
		for range 2 {
			_, err := c.Search(rootSearch)
			Expect(err).To(MatchError(`LDAP Result Code 200 "Network Error": invalid result code in packet`))
		}
	})

	It("refuses an answer of another kind than the request's, in go-ldap's words", func() {
		c := answering(msg(1, ldapResult(appModifyResponse, 0, "", "")))
		Expect(c.Add(ldap.NewAddRequest("CN=x", nil))).To(MatchError("ldap: unexpected response: 7"))
	})

	It("sets no deadline without a timeout, and clears the last one when the timeout goes back to 0", func() {
		ok := msg(1, ldapResult(appBindResponse, 0, "", ""))
		sc := &scripted{r: bytes.NewReader(append(append(ok, msg(2, ldapResult(appBindResponse, 0, "", ""))...), msg(3, ldapResult(appBindResponse, 0, "", ""))...))}
		c := New(sc)
		Expect(c.Bind("a", "b")).To(Succeed())
		Expect(sc.deadlines).To(BeEmpty())
		c.SetTimeout(time.Minute)
		Expect(c.Bind("a", "b")).To(Succeed())
		Expect(sc.deadlines).To(HaveLen(2))
		Expect(sc.deadlines[0].IsZero()).To(BeFalse())
		c.SetTimeout(0)
		Expect(c.Bind("a", "b")).To(Succeed())
		Expect(sc.deadlines[2:]).To(Equal([]time.Time{{}, {}}))
	})

	It("times out a request whose answer does not come, and does not use the connection again", func() {
		c := answering()
		c.SetTimeout(20 * time.Millisecond)
		Expect(c.Bind("a", "b")).To(MatchError(`LDAP Result Code 200 "Network Error": ldap: connection timed out`))
		Expect(c.Bind("a", "b")).To(MatchError(ContainSubstring("ldap: connection closed")))
	})
})

// scripted is a net.Conn that reads from a fixed answer and swallows
// writes: the fuzz target's server.
type scripted struct {
	net.Conn  // nil: only Read, Write, Close and the deadlines are used
	r         *bytes.Reader
	deadlines []time.Time // as set, writes' and reads' in turn
}

func (s *scripted) Read(p []byte) (int, error)  { return s.r.Read(p) }
func (s *scripted) Write(p []byte) (int, error) { return len(p), nil }
func (s *scripted) Close() error                { return nil }
func (s *scripted) SetReadDeadline(t time.Time) error {
	s.deadlines = append(s.deadlines, t)
	return nil
}
func (s *scripted) SetWriteDeadline(t time.Time) error {
	s.deadlines = append(s.deadlines, t)
	return nil
}

// FuzzAnswer: whatever a server answers, a search, a paged search, a bind
// and an add end with a result or an error, never a panic, and what a
// search returns holds no byte of the read buffer (a later read would
// change it).
func FuzzAnswer(f *testing.F) {
	ok := ldapResult(appSearchDone, 0, "", "")
	f.Add(append(msg(1, searchEntry("CN=a", attr("cn", "a"), attr("objectGUID", "\x00\x01"))), msg(1, ok)...))
	f.Add(msg(1, ldapResult(appSearchDone, 32, "DC=corp", "0000208D: NameErr")))
	f.Add(msg(1, ok, []byte{0x30, 0x05, 0x04, 0x03, '1', '.', '2'}))
	f.Add(msg(1, ldapResult(appBindResponse, 49, "", "80090308: LdapErr")))
	f.Add([]byte{0x30, 0x84, 0x00, 0x00, 0x00, 0x03, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, answer []byte) {
		for _, do := range []func(*Conn) error{
			func(c *Conn) error {
				res, err := c.Search(rootSearch)
				if res != nil {
					for i := range c.buf {
						c.buf[i] ^= 0xff
					}
					for _, e := range res.Entries {
						for _, a := range e.Attributes {
							for i, v := range a.Values {
								if string(a.ByteValues[i]) != v {
									t.Fatalf("entry %q attribute %q shares the read buffer", e.DN, a.Name)
								}
							}
						}
					}
				}
				return err
			},
			func(c *Conn) error {
				_, err := c.SearchWithPaging(ldap.NewSearchRequest("", 0, 0, 0, 0, false, "(cn=*)", nil, nil), 5)
				return err
			},
			func(c *Conn) error { return c.Bind("a", "b") },
			func(c *Conn) error { return c.Add(ldap.NewAddRequest("CN=x", nil)) },
		} {
			c := New(&scripted{r: bytes.NewReader(answer)})
			_ = do(c)
		}
	})
}
