package mockad

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	gldap "github.com/glauth/ldap"
	ber "github.com/go-asn1-ber/asn1-ber"
)

// LDAP protocolOp application tags (RFC 4511 4.2).
const (
	opBindRequest     = 0
	opBindResponse    = 1
	opUnbindRequest   = 2
	opSearchRequest   = 3
	opSearchDone      = 5
	opModifyRequest   = 6
	opModifyResponse  = 7
	opAddRequest      = 8
	opAddResponse     = 9
	opDelRequest      = 10
	opDelResponse     = 11
	opModDNRequest    = 12
	opModDNResponse   = 13
	opCompareRequest  = 14
	opCompareResponse = 15
	opAbandonRequest  = 16
	opExtendedRequest = 23
	opExtendedResp    = 24
)

// maxQueued bounds the answers queued for a connection that is not
// reading them (enqueue).
const maxQueued = 4 << 20

// seamListener wraps every accepted connection in a seamConn.
type seamListener struct {
	net.Listener
	srv *Server
}

func (l *seamListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		// glauth logs every Accept error except this wording; a closed
		// listener is the normal way to stop.
		return nil, fmt.Errorf("%w: use of closed network connection", err)
	}
	for {
		if sc, ok := l.srv.accept(c); ok {
			return sc, nil
		}
		// Over MaxConnections: refuse by closing, and wait for the next.
		_ = c.Close()
		if c, err = l.Listener.Accept(); err != nil {
			return nil, fmt.Errorf("%w: use of closed network connection", err)
		}
	}
}

// accept wraps an accepted connection for the diagnostic seam and counts
// it, or reports false over MaxConnections (the caller closes it).
func (s *Server) accept(c net.Conn) (*seamConn, bool) {
	_, isTLS := c.(*tls.Conn)
	sc := &seamConn{raw: c, inner: c, secure: isTLS, srv: s, direct: buffersWrites(c)}
	return sc, s.admit(sc)
}

// result is a pending override of the next LDAPResult-bearing response.
type result struct {
	code      gldap.LDAPResultCode
	diag      string
	matchedDN string
	controls  []*ber.Packet // replace the response controls when non-nil
}

// seamConn is the connection glauth's server reads from and writes to. On
// the way in it decodes each LDAPMessage, keeps it as the current request
// (handlers read the operation from it, not from glauth's lossy structs),
// rewrites search filters to (objectClass=*) so glauth's filter compiler
// never sees them, and swallows Abandon (glauth would close the
// connection). On the way out it replaces resultCode, matchedDN,
// diagnosticMessage and controls of the next result with the override the
// handler recorded. See doc.go.
type seamConn struct {
	raw   net.Conn // the accepted connection
	srv   *Server
	mu    sync.Mutex
	inner net.Conn // raw, or a *tls.Conn over raw after StartTLS

	rbuf []byte // bytes read but not yet handed to glauth as a packet
	out  []byte // the current packet's bytes, being handed to glauth

	cur      *ber.Packet // current request envelope (as the client sent it)
	override *result
	startTLS *tls.Config // set by the StartTLS handler; applied after the response goes out
	secure   bool

	// Over a socket, responses go out through a queue drained by a writer
	// goroutine, so glauth never blocks in Write while a client that does
	// not read fills the socket's buffer; the queue is bounded (maxQueued)
	// and the writer's deadline ends such a client.
	//
	// direct: the connection buffers what is written for the reader
	// (transport.BufferedPipe), so glauth writes through it itself and a
	// client that does not read is bounded by that buffer instead of the
	// queue; no writer goroutine to hand each answer to.
	direct  bool
	wmu     sync.Mutex
	wcond   *sync.Cond
	wq      []byte
	wbusy   bool
	werr    error
	wclosed bool
	wgo     bool

	who   *entry // bound identity; nil = anonymous
	pages map[string]*pageState
	pageN uint64
	// limitErr answers the current request, which was over a limit and
	// replaced before decoding (limits.go).
	limitErr *Error
	// waiting: a read deadline is set for the request being received.
	waiting bool
}

// dropOldPages keeps the newest max unfinished paged searches
// (MaxResultSetsPerConn). Called with c.mu held.
func (c *seamConn) dropOldPages(max int) {
	for len(c.pages) > max {
		oldest, on := "", uint64(0)
		for k := range c.pages {
			n, _ := strconv.ParseUint(k, 10, 64)
			if oldest == "" || n < on {
				oldest, on = k, n
			}
		}
		delete(c.pages, oldest)
	}
}

func (c *seamConn) takeLimitErr() *Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.limitErr
	c.limitErr = nil
	return e
}

type pageState struct {
	entries   []*entry
	pos       int
	attrs     []string
	typesOnly bool
}

func (c *seamConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.out) == 0 {
		if err := c.nextPacket(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// nextPacket reads one complete LDAPMessage from the client and prepares
// the bytes glauth will see. Called with c.mu held.
//
// Limits (limits.go): before a successful bind a message may be
// MaxMessageBeforeBind bytes and must arrive within InitRecvTimeout, after
// it MaxReceiveBuffer bytes within MaxConnIdleTime; the deadline is set
// once per message, so trickling bytes does not extend it. These are wall
// clock deadlines on the socket, not simulated time: they protect the
// process, and scenario runs finish far inside them.
func (c *seamConn) nextPacket() error {
	lim := c.srv.lim
	for {
		max, wait := lim.MaxMessageBeforeBind, lim.InitRecvTimeout
		if c.who != nil {
			max, wait = lim.MaxReceiveBuffer, lim.MaxConnIdleTime
		}
		n, ok, err := berLength(c.rbuf, max)
		if err != nil {
			return err
		}
		if ok {
			raw := c.rbuf[:n]
			c.rbuf = append([]byte(nil), c.rbuf[n:]...)
			c.waiting = false
			if _, err := berElements(raw, lim.MaxRequestElements); errors.Is(err, errTooComplex) {
				sub, pkt := limitSubstitute(raw)
				if sub == nil {
					return fmt.Errorf("mockad: request over MaxRequestElements (%d)", lim.MaxRequestElements)
				}
				c.cur, c.out = pkt, sub
				c.limitErr = errAdminLimit(fmt.Sprintf("the request (over %d BER elements, MaxRequestElements)", lim.MaxRequestElements))
				return nil
			}
			c.out = c.intercept(raw)
			return nil
		}
		if !c.waiting {
			c.waiting = true
			_ = c.inner.SetReadDeadline(time.Now().Add(wait))
		}
		// The read buffer is the server's, shared by its connections
		// (Server.readBufs): a buffer per connection was 32 KB allocated
		// for every LDAP connection, and a fleet opens several per device.
		bp := c.srv.readBufs.Get().(*[]byte)
		buf := *bp
		if len(c.rbuf) < max && len(buf) > max-len(c.rbuf)+8 {
			// Never read much past the cap: the length check above
			// refuses the message once its header is in.
			buf = buf[:max-len(c.rbuf)+8]
		}
		c.mu.Unlock()
		m, rerr := c.inner.Read(buf)
		c.mu.Lock()
		c.rbuf = append(c.rbuf, buf[:m]...)
		c.srv.readBufs.Put(bp)
		if rerr != nil && m == 0 {
			if errors.Is(rerr, net.ErrClosed) || errors.Is(rerr, io.ErrClosedPipe) || errors.Is(rerr, os.ErrDeadlineExceeded) {
				// Our own Close (Server.Close) or a limit: report a clean
				// end so glauth does not log it as a failure.
				return io.EOF
			}
			return rerr
		}
	}
}

// berLength reports the total length of the first BER element in b, if complete.
// A message longer than max is an error (the connection closes).
func berLength(b []byte, max int) (int, bool, error) {
	if len(b) < 2 {
		return 0, false, nil
	}
	if b[0] != 0x30 {
		return 0, false, fmt.Errorf("mockad: LDAPMessage must start with SEQUENCE, got 0x%02x", b[0])
	}
	l := int(b[1])
	hdr := 2
	if l&0x80 != 0 {
		k := l & 0x7f
		if k == 0 || k > 4 {
			return 0, false, errors.New("mockad: indefinite or oversized BER length")
		}
		if len(b) < 2+k {
			return 0, false, nil
		}
		l = 0
		for _, x := range b[2 : 2+k] {
			l = l<<8 | int(x)
		}
		hdr += k
	}
	if l > max {
		return 0, false, fmt.Errorf("mockad: request of %d bytes exceeds the limit of %d", l, max)
	}
	if len(b) < hdr+l {
		return 0, false, nil
	}
	return hdr + l, true, nil
}

// intercept records the request and returns the bytes glauth should see.
func (c *seamConn) intercept(raw []byte) []byte {
	pkt, err := decodePacket(raw)
	if err != nil || len(pkt.Children) < 2 || pkt.Children[1].ClassType != ber.ClassApplication {
		c.cur = nil
		return raw // glauth rejects it and closes the connection, as AD would
	}
	c.cur = pkt
	switch pkt.Children[1].Tag {
	case opAbandonRequest:
		// No response is due; glauth would drop the connection. Nothing to
		// abandon either: every operation here completes synchronously.
		c.cur = nil
		return nil
	case opModDNRequest:
		// glauth wants newSuperior ([0] IMPLICIT LDAPDN) to decode as a Go
		// string and answers protocolError otherwise; hand it a universal
		// OCTET STRING copy. Our handler reads the original.
		op := pkt.Children[1]
		if len(op.Children) != 4 {
			return raw
		}
		env := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAPMessage")
		env.AppendChild(reencode(pkt.Children[0]))
		req := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opModDNRequest, nil, "ModifyDNRequest")
		for _, ch := range op.Children[:3] {
			req.AppendChild(reencode(ch))
		}
		req.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, octets(op.Children[3]), "newSuperior"))
		env.AppendChild(req)
		for _, ch := range pkt.Children[2:] {
			env.AppendChild(reencode(ch))
		}
		return env.Bytes()
	case opAddRequest, opModifyRequest:
		// Without the attributes or changes it would decode for nothing
		// (glauthfeed.go).
		op := pkt.Children[1]
		if (op.Tag == opAddRequest && glauthAcceptsAdd(op)) || (op.Tag == opModifyRequest && glauthAcceptsModify(op)) {
			if out := withoutList(raw); out != nil {
				return out
			}
		}
		return raw
	case opSearchRequest:
		op := pkt.Children[1]
		if len(op.Children) != 8 {
			return raw
		}
		// glauth is handed the attribute list only when it would refuse
		// it (protocolError, before any handler): the handler reads the
		// seam's copy, and glauth, told not to enforce LDAP semantics
		// (server.go), never reads the list otherwise.
		keepAttrs := !allStrings(op.Children[7].Children)
		if out, ok := leanSearchForGlauth(raw, keepAttrs); ok {
			return out
		}
		return searchForGlauth(pkt, keepAttrs)
	}
	return raw
}

// searchForGlauth is what glauth is handed of a search: messageID and the
// first six fields as sent, the filter replaced by (objectClass=*), the
// attribute list emptied unless keepAttrs, controls dropped (we answer
// paging ourselves). leanSearchForGlauth writes the same bytes for a
// request in the shortest form.
func searchForGlauth(pkt *ber.Packet, keepAttrs bool) []byte {
	op := pkt.Children[1]
	present := ber.Encode(ber.ClassContext, ber.TypePrimitive, 7, nil, "Present")
	present.Data.WriteString("objectClass")
	env := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAPMessage")
	env.AppendChild(reencode(pkt.Children[0]))
	req := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opSearchRequest, nil, "SearchRequest")
	for i, ch := range op.Children {
		switch {
		case i == 6:
			req.AppendChild(present)
		case i == 7 && !keepAttrs:
			req.AppendChild(ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attributes"))
		default:
			req.AppendChild(reencode(ch))
		}
	}
	env.AppendChild(req)
	return env.Bytes()
}

// reencode rebuilds a decoded packet so Bytes() reflects its children.
func reencode(p *ber.Packet) *ber.Packet {
	if p.TagType != ber.TypeConstructed {
		return p
	}
	n := ber.Encode(p.ClassType, p.TagType, p.Tag, nil, p.Description)
	for _, ch := range p.Children {
		n.AppendChild(reencode(ch))
	}
	return n
}

// request returns the operation glauth is dispatching.
func (c *seamConn) request() (op *ber.Packet, controls []*ber.Packet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil || len(c.cur.Children) < 2 {
		return nil, nil
	}
	if len(c.cur.Children) > 2 {
		controls = c.cur.Children[2].Children
	}
	return c.cur.Children[1], controls
}

func (c *seamConn) setResult(r *result) {
	c.mu.Lock()
	c.override = r
	c.mu.Unlock()
}

func (c *seamConn) identity() principal {
	c.mu.Lock()
	defer c.mu.Unlock()
	return principal{who: c.who, secure: c.secure}
}

func (c *seamConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	out := p
	var upgrade *tls.Config
	// Peek at the protocolOp tag first: search entries (the bulk of the
	// traffic) pass through without a full decode.
	if tag, ok := responseTag(p); ok {
		switch tag {
		case opBindResponse, opSearchDone, opModifyResponse, opAddResponse, opDelResponse, opModDNResponse, opCompareResponse, opExtendedResp:
			if c.override != nil {
				if lean, ok := leanRewriteResult(p, c.override); ok {
					out = lean
				} else if pkt, err := decodePacket(p); err == nil && len(pkt.Children) >= 2 {
					out = rewriteResult(pkt, c.override).Bytes()
				}
				c.override = nil
			}
			if tag == opExtendedResp && c.startTLS != nil {
				upgrade, c.startTLS = c.startTLS, nil
			}
		}
	}
	inner := c.inner
	c.mu.Unlock()
	if upgrade == nil {
		if err := c.enqueue(out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	// StartTLS (RFC 4511 4.14): everything queued and this response go out
	// in clear, then the server side of the TLS handshake runs on the same
	// socket. glauth reads the next request only after this Write returns.
	if err := c.flush(); err != nil {
		return 0, err
	}
	if _, err := inner.Write(out); err != nil {
		return 0, err
	}
	c.mu.Lock()
	c.inner = tls.Server(c.raw, upgrade)
	c.secure = true
	c.mu.Unlock()
	return len(p), nil
}

// sendEntries writes the search's entries itself, as glauth would have
// (appendSearchEntry writes its bytes), and returns what glauth is left to
// do: the SearchResultDone. glauth's encoding built each entry as a tree of
// packets, copying every attribute value again at each level. Entries go
// to the writer one at a time, so the queue's bound holds as before. When
// the request's messageID is not one glauth read as an int64 (it then
// never calls a handler), glauth gets the entries.
func (c *seamConn) sendEntries(entries []*gldap.Entry) gldap.ServerSearchResult {
	c.mu.Lock()
	var id int64
	ok := c.cur != nil && len(c.cur.Children) > 0
	if ok {
		id, ok = c.cur.Children[0].Value.(int64)
	}
	c.mu.Unlock()
	if !ok {
		return gldap.ServerSearchResult{Entries: entries, ResultCode: gldap.LDAPResultSuccess}
	}
	var buf []byte
	var sizes []int
	for _, e := range entries {
		buf, sizes = appendSearchEntry(buf[:0], id, e, sizes)
		if err := c.enqueue(buf); err != nil {
			// glauth's own write would have failed too; the connection
			// is gone, and the SearchResultDone it writes next fails.
			break
		}
	}
	return gldap.ServerSearchResult{ResultCode: gldap.LDAPResultSuccess}
}

func (c *seamConn) initWriter() {
	if c.wcond == nil {
		c.wcond = sync.NewCond(&c.wmu)
	}
}

// enqueue hands bytes to the writer goroutine.
func (c *seamConn) enqueue(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.initWriter()
	if c.werr != nil {
		return c.werr
	}
	if c.wclosed {
		return net.ErrClosed
	}
	// A client that sends requests but does not read the answers must not
	// grow the queue without bound: past maxQueued the handler waits for
	// the writer, whose write deadline (MaxConnIdleTime) ends a client that
	// never reads.
	for len(c.wq) > maxQueued && c.werr == nil && !c.wclosed {
		c.wcond.Wait()
	}
	if c.werr != nil {
		return c.werr
	}
	if c.wclosed {
		return net.ErrClosed
	}
	if c.direct {
		return c.writeDirect(b)
	}
	c.wq = append(c.wq, b...)
	if !c.wgo {
		c.wgo = true
		go c.writer()
	}
	c.wcond.Signal()
	return nil
}

// writeDirect writes b on the caller's goroutine, with the writer's
// deadline. Called with c.wmu held; released while writing, so Close can
// end a write that waits for a client that does not read.
func (c *seamConn) writeDirect(b []byte) error {
	c.wmu.Unlock()
	err := c.writeOut(b)
	c.wmu.Lock()
	if err != nil && c.werr == nil {
		c.werr = err
	}
	return err
}

// writeOut writes b to the current inner connection under a write deadline
// of MaxConnIdleTime, which ends a client that never reads.
func (c *seamConn) writeOut(b []byte) error {
	c.mu.Lock()
	inner := c.inner
	c.mu.Unlock()
	_ = inner.SetWriteDeadline(time.Now().Add(c.srv.lim.MaxConnIdleTime))
	_, err := inner.Write(b)
	return err
}

// buffersWrites: c is an in-memory connection whose Write returns once its
// bytes are buffered for the reader, holding at least maxQueued unread
// bytes before it waits (transport.BufferedPipe).
func buffersWrites(c net.Conn) bool {
	b, ok := c.(interface{ WriteBuffer() int })
	return ok && b.WriteBuffer() >= maxQueued
}

func (c *seamConn) writer() {
	c.wmu.Lock()
	for {
		for len(c.wq) == 0 && !c.wclosed {
			c.wcond.Wait()
		}
		if len(c.wq) == 0 {
			c.wmu.Unlock()
			return
		}
		buf := c.wq
		c.wq = nil
		c.wbusy = true
		c.wmu.Unlock()
		err := c.writeOut(buf)
		c.wmu.Lock()
		c.wbusy = false
		if err != nil {
			c.werr = err
			c.wq = nil
		}
		c.wcond.Broadcast()
		if err != nil {
			c.wmu.Unlock()
			return
		}
	}
}

// flush waits until every queued byte is written (or writing failed).
func (c *seamConn) flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.initWriter()
	for (len(c.wq) > 0 || c.wbusy) && c.werr == nil {
		c.wcond.Wait()
	}
	return c.werr
}

// responseTag returns the APPLICATION tag of an LDAPMessage's protocolOp
// without decoding the message: SEQUENCE header, messageID INTEGER, then
// the op's identifier octet.
func responseTag(p []byte) (ber.Tag, bool) {
	i, ok := skipHeader(p, 0)
	if !ok || i >= len(p) || p[i] != 0x02 {
		return 0, false
	}
	j, ok := skipHeader(p, i)
	if !ok {
		return 0, false
	}
	n := 0
	if i+1 < len(p) && p[i+1] < 0x80 {
		n = int(p[i+1])
	} else {
		return 0, false // message IDs fit in one length octet in practice
	}
	j += n
	if j >= len(p) || p[j]&0xc0 != 0x40 {
		return 0, false
	}
	return ber.Tag(p[j] & 0x1f), true
}

// skipHeader returns the offset just past the identifier and length
// octets of the element at i.
func skipHeader(p []byte, i int) (int, bool) {
	if i+2 > len(p) {
		return 0, false
	}
	l := p[i+1]
	if l < 0x80 {
		return i + 2, true
	}
	k := int(l & 0x7f)
	if k == 0 || k > 4 || i+2+k > len(p) {
		return 0, false
	}
	return i + 2 + k, true
}

// rewriteResult rebuilds an LDAPResult-bearing response with the override.
func rewriteResult(pkt *ber.Packet, r *result) *ber.Packet {
	op := pkt.Children[1]
	env := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAPMessage")
	env.AppendChild(reencode(pkt.Children[0]))
	n := ber.Encode(ber.ClassApplication, ber.TypeConstructed, op.Tag, nil, op.Description)
	n.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, uint64(r.code), "resultCode"))
	n.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, r.matchedDN, "matchedDN"))
	n.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, r.diag, "diagnosticMessage"))
	for _, ch := range op.Children[min(3, len(op.Children)):] {
		n.AppendChild(reencode(ch))
	}
	env.AppendChild(n)
	switch {
	case r.controls != nil:
		if len(r.controls) > 0 {
			cp := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
			for _, ctl := range r.controls {
				cp.AppendChild(ctl)
			}
			env.AppendChild(cp)
		}
	case len(pkt.Children) > 2:
		env.AppendChild(reencode(pkt.Children[2]))
	}
	return env
}

// Close sends what is queued (glauth closes right after a final response)
// and closes the connection.
func (c *seamConn) Close() error {
	_ = c.flush()
	return c.forceClose()
}

// forceClose closes without waiting for queued responses (Server.Close: the
// client may not be reading).
func (c *seamConn) forceClose() error {
	c.srv.track(c, false)
	c.mu.Lock()
	inner := c.inner
	c.mu.Unlock()
	err := inner.Close()
	c.wmu.Lock()
	c.initWriter()
	c.wclosed = true
	c.wcond.Broadcast()
	c.wmu.Unlock()
	return err
}

func (c *seamConn) LocalAddr() net.Addr  { return c.raw.LocalAddr() }
func (c *seamConn) RemoteAddr() net.Addr { return c.raw.RemoteAddr() }
func (c *seamConn) SetDeadline(t time.Time) error {
	return c.raw.SetDeadline(t)
}
func (c *seamConn) SetReadDeadline(t time.Time) error  { return c.raw.SetReadDeadline(t) }
func (c *seamConn) SetWriteDeadline(t time.Time) error { return c.raw.SetWriteDeadline(t) }
