package mockad_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
)

// recorder keeps every byte the server sends. go-ldap reads on a goroutine
// of its own, hence the lock.
type recorder struct {
	net.Conn
	mu  sync.Mutex
	got bytes.Buffer
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.got.Write(p[:n])
	r.mu.Unlock()
	return n, err
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.got.Bytes())
}

var _ = Describe("DialInline (glauth's loop as a coroutine of the client)", func() {
	// session runs the same operations on a fresh world over wr and
	// returns every byte the server answered.
	session := func(wr wire) []byte {
		w := &world{}
		*w = *newWorld(10)
		DeferCleanup(w.close)
		w.connect(wr)
		nc, err := w.dial()
		Expect(err).NotTo(HaveOccurred())
		rec := &recorder{Conn: nc}
		c := ldap.NewConn(rec, false)
		c.Start()
		Expect(c.Bind(`CORP\alice`, "wrong")).NotTo(Succeed())
		Expect(c.Bind(`CORP\alice`, "alice-pw")).To(Succeed())
		Expect(c.Add(computerAdd(ouAP, "PC001"))).To(Succeed())
		Expect(c.Add(computerAdd(ouAP, "PC001"))).NotTo(Succeed())
		_ = c.Add(computerAdd("OU=Servers,"+base, "PC002"))
		r := ldap.NewModifyRequest("CN=PC001,"+ouAP, nil)
		r.Replace("description", []string{"inline"})
		Expect(c.Modify(r)).NotTo(Succeed()) // a user may not write description
		_, err = c.SearchWithPaging(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=computer)", []string{"cn", "objectGUID", "description"}, nil), 1)
		Expect(err).NotTo(HaveOccurred())
		_, err = c.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(userAccountControl:1.2.840.113556.1.4.803:=4096)", []string{"sAMAccountName"}, nil))
		Expect(err).NotTo(HaveOccurred())
		c.Close()
		return rec.bytes()
	}

	It("answers with the same bytes as a connection that Serve serves on its own goroutine", func() {
		inline := session(wireInline)
		listener := session(wireListener)
		Expect(len(inline)).To(BeNumerically(">", 1000))
		Expect(inline).To(Equal(listener))
	})

	It("counts a connection toward MaxConnections from the dial until its client closes it, exactly", func() {
		w := newLimitedWorldOn(wireInline, mockad.Limits{MaxConnections: 2})
		a, b := w.bound(`CORP\admin`, "admin-pw"), w.bound(`CORP\admin`, "admin-pw")
		refused := w.rawConn()
		// Refused at the dial: the server has closed its end already.
		_, err := refused.Read(make([]byte, 1))
		Expect(err).To(Equal(io.EOF))
		a.Close()
		// The close ran the server to its end: room at once, no waiting
		// for a goroutine.
		c := w.bound(`CORP\admin`, "admin-pw")
		c.Close()
		b.Close()
	})

	It("ends parked connections when the server closes, and refuses later dials", func() {
		w := newWorld(10)
		nc, err := w.dial()
		Expect(err).NotTo(HaveOccurred())
		_, err = nc.Write(bindMessage(1, `CORP\admin`, "admin-pw"))
		Expect(err).NotTo(HaveOccurred())
		w.close()
		Expect(closedByServer(nc)).To(BeTrue()) // the bind's answer, then EOF
		_, err = w.srv.DialInline(context.Background())
		Expect(err).To(MatchError(ContainSubstring("server closed")))
	})

	It("refuses a dial whose context has ended", func() {
		w := newWorld(10)
		defer w.close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := w.srv.DialInline(ctx)
		Expect(err).To(MatchError(context.Canceled))
	})
})
