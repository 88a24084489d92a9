package mockad_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"strings"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/sim"
)

// newLimitedWorldOn is newWorld with the given limits (zero fields:
// defaults), reached over wr.
func newLimitedWorldOn(wr wire, lim mockad.Limits) *world {
	clock := sim.NewScheduler(sim.Epoch, nil)
	dir, err := mockad.NewDirectory(mockad.DomainConfig{
		DNSName: "corp.contoso.com", NetBIOSName: "CORP", MachineAccountQuota: 10, OUs: []string{ouAP},
	}, clock, rand.New(rand.NewPCG(1, 2)))
	Expect(err).NotTo(HaveOccurred())
	_, err = dir.AddUser("admin", "admin-pw", "", true)
	Expect(err).NotTo(HaveOccurred())
	for i := 0; i < 5; i++ {
		_, err := dir.AddComputer(fmt.Sprintf("WS%05d", i), ouAP)
		Expect(err).NotTo(HaveOccurred())
	}
	w := &world{dir: dir, srv: mockad.NewServer(dir, mockad.ServerOptions{Limits: lim})}
	w.connect(wr)
	DeferCleanup(w.close)
	return w
}

// rawConn is a client that writes bytes as given.
func (w *world) rawConn() net.Conn {
	nc, err := w.dial()
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(nc.Close)
	return nc
}

// closedByServer reads until the server closes the connection; the
// deadline only keeps a failing spec from hanging.
func closedByServer(nc net.Conn) bool {
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.Copy(io.Discard, nc)
	return err == nil // io.Copy returns nil at EOF
}

func bindMessage(id int64, name, pw string) []byte {
	env := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAPMessage")
	env.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "id"))
	b := ber.Encode(ber.ClassApplication, ber.TypeConstructed, 0, nil, "Bind")
	b.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(3), "version"))
	b.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, name, "name"))
	b.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, pw, "password"))
	env.AppendChild(b)
	return env.Bytes()
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func orFilter(n int) string {
	var b strings.Builder
	b.WriteString("(|")
	for i := range n {
		fmt.Fprintf(&b, "(cn=WS%05d)", i)
	}
	b.WriteString(")")
	return b.String()
}

var _ = Describe("limits (AD's LDAP policies, limits.go)", func() {
	for _, wr := range []wire{wireInline, wireListener} {
		Context("over "+string(wr), func() {
			newLimitedWorld := func(lim mockad.Limits) *world { return newLimitedWorldOn(wr, lim) }
			search := func(c *ldap.Conn, filter string, attrs ...string) (*ldap.SearchResult, error) {
				return c.Search(ldap.NewSearchRequest(ouAP, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false, filter, attrs, nil))
			}

			It("closes a connection that sends no complete request within InitRecvTimeout", func() {
				w := newLimitedWorld(mockad.Limits{InitRecvTimeout: 50 * time.Millisecond})
				Expect(closedByServer(w.rawConn())).To(BeTrue())
			})

			It("closes a connection that stops half-way through a request (a partial BER message)", func() {
				w := newLimitedWorld(mockad.Limits{InitRecvTimeout: 50 * time.Millisecond})
				nc := w.rawConn()
				msg := bindMessage(1, `CORP\admin`, "admin-pw")
				_, err := nc.Write(msg[:len(msg)/2])
				Expect(err).NotTo(HaveOccurred())
				Expect(closedByServer(nc)).To(BeTrue())
			})

			It("closes a bound connection idle for MaxConnIdleTime", func() {
				w := newLimitedWorld(mockad.Limits{MaxConnIdleTime: 50 * time.Millisecond})
				nc := w.rawConn()
				go func() { _, _ = nc.Write(bindMessage(1, `CORP\admin`, "admin-pw")) }()
				Expect(closedByServer(nc)).To(BeTrue()) // reads the bind response, then EOF
			})

			It("closes a connection whose first message announces more than MaxMessageBeforeBind", func() {
				w := newLimitedWorld(mockad.Limits{})
				nc := w.rawConn()
				go func() { _, _ = nc.Write([]byte{0x30, 0x83, 0x10, 0x00, 0x00}) }() // 1 MiB announced
				Expect(closedByServer(nc)).To(BeTrue())
			})

			It("lets a bound client send up to MaxReceiveBuffer and closes past it", func() {
				w := newLimitedWorld(mockad.Limits{MaxReceiveBuffer: 4096})
				c := w.bound(`CORP\admin`, "admin-pw")
				defer c.Close()
				_, err := search(c, "(cn="+strings.Repeat("x", 3000)+")")
				Expect(err).NotTo(HaveOccurred())
				_, err = search(c, "(cn="+strings.Repeat("x", 5000)+")")
				Expect(err).To(HaveOccurred())
				Eventually(c.IsClosing).Should(BeTrue())
			})

			It("refuses connections past MaxConnections by closing them", func() {
				w := newLimitedWorld(mockad.Limits{MaxConnections: 2})
				a, b := w.bound(`CORP\admin`, "admin-pw"), w.bound(`CORP\admin`, "admin-pw")
				defer a.Close()
				defer b.Close()
				Expect(closedByServer(w.rawConn())).To(BeTrue())
				_, err := search(a, "(objectClass=computer)")
				Expect(err).NotTo(HaveOccurred())
			})

			It("stops counting a connection toward MaxConnections as soon as its client closes it on the in-memory wire", func() {
				// The server goroutine of the closed connection may not have run
				// yet; whether the next one is admitted must not depend on it.
				w := newLimitedWorld(mockad.Limits{MaxConnections: 2})
				a := w.bound(`CORP\admin`, "admin-pw")
				defer a.Close()
				for range 20 {
					b := w.rawConn()
					Expect(b.Close()).To(Succeed())
					c := w.bound(`CORP\admin`, "admin-pw")
					_, err := search(c, "(objectClass=computer)")
					Expect(err).NotTo(HaveOccurred())
					Expect(c.Close()).To(Succeed())
				}
			})

			It("keeps MaxResultSetsPerConn unfinished paged searches and drops the oldest", func() {
				w := newLimitedWorld(mockad.Limits{MaxResultSetsPerConn: 2})
				c := w.bound(`CORP\admin`, "admin-pw")
				defer c.Close()
				var cookies [][]byte
				for range 3 {
					sr, err := c.Search(ldap.NewSearchRequest(ouAP, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
						"(objectClass=computer)", []string{"cn"}, []ldap.Control{ldap.NewControlPaging(1)}))
					Expect(err).NotTo(HaveOccurred())
					cookies = append(cookies, ldap.FindControl(sr.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging).Cookie)
				}
				next := func(cookie []byte) error {
					ctl := ldap.NewControlPaging(1)
					ctl.SetCookie(cookie)
					_, err := c.Search(ldap.NewSearchRequest(ouAP, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
						"(objectClass=computer)", []string{"cn"}, []ldap.Control{ctl}))
					return err
				}
				Expect(ldapErr(next(cookies[0])).ResultCode).To(BeEquivalentTo(ldap.LDAPResultUnwillingToPerform))
				Expect(next(cookies[2])).To(Succeed())
			})

			DescribeTable("answers a search over a filter or request limit with adminLimitExceeded (11, 00002024) and keeps the connection",
				func(lim mockad.Limits, filter string, attrs []string) {
					w := newLimitedWorld(lim)
					c := w.bound(`CORP\admin`, "admin-pw")
					defer c.Close()
					_, err := search(c, filter, attrs...)
					Expect(ldapErr(err).ResultCode).To(BeEquivalentTo(ldap.LDAPResultAdminLimitExceeded))
					Expect(diag(err)).To(HavePrefix("00002024: "))
					sr, err := search(c, "(objectClass=computer)")
					Expect(err).NotTo(HaveOccurred())
					Expect(sr.Entries).To(HaveLen(5))
				},
				Entry("MaxFilterNodes", mockad.Limits{MaxFilterNodes: 10}, orFilter(20), nil),
				Entry("MaxFilterBytes", mockad.Limits{MaxFilterBytes: 100}, "(cn="+strings.Repeat("x", 200)+")", nil),
				Entry("MaxRequestElements (counted before decoding)", mockad.Limits{MaxRequestElements: 50}, "(objectClass=computer)",
					strings.Split(strings.Repeat("cn,", 100), ",")),
			)

			It("closes the connection for a non-search request over MaxRequestElements", func() {
				w := newLimitedWorld(mockad.Limits{MaxRequestElements: 50})
				c := w.bound(`CORP\admin`, "admin-pw")
				defer c.Close()
				r := ldap.NewModifyRequest("CN=WS00000,"+ouAP, nil)
				r.Replace("description", strings.Split(strings.Repeat("d,", 100), ","))
				Expect(c.Modify(r)).NotTo(Succeed())
				Eventually(c.IsClosing).Should(BeTrue())
			})

			It("stops queueing answers for a client that sends searches but never reads them", func() {
				w := newLimitedWorld(mockad.Limits{MaxConnIdleTime: 100 * time.Millisecond})
				nc := w.rawConn()
				go func() { _, _ = nc.Write(bindMessage(1, `CORP\admin`, "admin-pw")) }()
				_, err := ber.ReadPacket(nc)
				Expect(err).NotTo(HaveOccurred())
				done := make(chan int)
				go func() {
					n := 0
					for ; ; n++ {
						if _, err := nc.Write(hugeSearch(byte(2+n%100), 1)); err != nil {
							done <- n
							return
						}
					}
				}()
				// Unbounded, the server would read and queue forever and the
				// writes would never fail.
				Eventually(done, 20*time.Second).Should(Receive(BeNumerically(">", 0)))
			})

			It("holds little memory for 20 clients that send most of MaxMessageBeforeBind and wait (was ~390 MB)", func() {
				w := newLimitedWorld(mockad.Limits{})
				before := heapInUse()
				var held []net.Conn
				for range 20 {
					nc := w.rawConn()
					// A message announcing 60 KiB, of which 50 KiB arrive.
					msg := append([]byte{0x30, 0x82, 0xf0, 0x00}, make([]byte, 50<<10)...)
					_, err := nc.Write(msg)
					Expect(err).NotTo(HaveOccurred())
					held = append(held, nc)
				}
				grown := int64(heapInUse()) - int64(before)
				Expect(grown).To(BeNumerically("<", 16<<20), "heap grew %d bytes", grown)
				Expect(held).To(HaveLen(20))
			})

			It("refuses a 4 MB filter from a bound user without decoding it (was +329 MB)", func() {
				w := newLimitedWorld(mockad.Limits{})
				nc := w.rawConn()
				go func() { _, _ = nc.Write(bindMessage(1, `CORP\admin`, "admin-pw")) }()
				resp, err := ber.ReadPacket(nc)
				Expect(err).NotTo(HaveOccurred())
				Expect(resp.Children[1].Children[0].Value).To(BeEquivalentTo(0)) // bound
				msg := hugeSearch(2, 4<<20)
				before := heapInUse()
				go func() { _, _ = nc.Write(msg) }()
				resp, err = ber.ReadPacket(nc)
				Expect(err).NotTo(HaveOccurred())
				Expect(resp.Children[1].Tag).To(BeEquivalentTo(5)) // SearchResultDone
				Expect(resp.Children[1].Children[0].Value).To(BeEquivalentTo(ldap.LDAPResultAdminLimitExceeded))
				grown := int64(heapInUse()) - int64(before)
				Expect(grown).To(BeNumerically("<", 8<<20), "heap grew %d bytes", grown)
			})
		})
	}
})

// hugeSearch is a SearchRequest whose filter is an OR of equality items
// of about size bytes, built as bytes (go-ldap's filter compiler takes
// seconds for it under the race detector).
func hugeSearch(id byte, size int) []byte {
	tlv := func(tag byte, content []byte) []byte {
		n := len(content)
		var hdr []byte
		switch {
		case n < 0x80:
			hdr = []byte{tag, byte(n)}
		default:
			hdr = []byte{tag, 0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
		}
		return append(hdr, content...)
	}
	item := tlv(0xa3, append(tlv(0x04, []byte("cn")), tlv(0x04, []byte("WS00001"))...))
	items := make([]byte, 0, size+len(item))
	for len(items) < size {
		items = append(items, item...)
	}
	var op []byte
	op = append(op, tlv(0x04, []byte(base))...)
	op = append(op, tlv(0x0a, []byte{2})...)
	op = append(op, tlv(0x0a, []byte{0})...)
	op = append(op, tlv(0x02, []byte{0})...)
	op = append(op, tlv(0x02, []byte{0})...)
	op = append(op, tlv(0x01, []byte{0})...)
	op = append(op, tlv(0xa1, items)...)
	op = append(op, tlv(0x30, nil)...)
	return tlv(0x30, append(tlv(0x02, []byte{id}), tlv(0x63, op)...))
}
