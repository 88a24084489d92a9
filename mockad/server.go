package mockad

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"

	gldap "github.com/glauth/ldap"
	ber "github.com/go-asn1-ber/asn1-ber"
)

// OIDs the server understands.
const (
	oidPaged    = "1.2.840.113556.1.4.319"
	oidStartTLS = "1.3.6.1.4.1.1466.20037"
)

// ServerOptions configures the LDAP front.
type ServerOptions struct {
	// TLSConfig enables StartTLS and ServeTLS (LDAPS). Optional.
	TLSConfig *tls.Config
	// RequireSecurePasswordWrites refuses unicodePwd on a connection that
	// is not TLS-protected, as real AD does (53 0000001F…). Off by default
	// so clients over in-memory pipes can set machine passwords; see
	// COVERAGE.md.
	RequireSecurePasswordWrites bool
	// Limits bound connections, message sizes, idle time, paged searches
	// and filters (limits.go); zero fields take DefaultLimits.
	Limits Limits
	// OnWrite, when set, runs every add, modify, delete and modifyDN: it
	// must call apply once (which makes the change and returns its result
	// code) and may record it; an error it returns answers the client
	// with other (80) instead. A lab journals writes this way.
	OnWrite func(op WriteOp, apply func() int) error
}

// Server is mockad's LDAP front: glauth's LDAP server with our handlers
// behind the diagnostic seam (doc.go).
type Server struct {
	dir  *Directory
	opts ServerOptions
	lim  Limits

	mu      sync.Mutex
	servers []*gldap.Server
	inline  *gldap.Server // DialInline's; it serves no listener
	conns   map[*seamConn]bool
	closed  bool

	// readBufs holds the connections' read buffers (*[]byte of
	// readBufSize) between reads.
	readBufs sync.Pool
}

// readBufSize is one read from a connection: more than a TLS record.
const readBufSize = 32 * 1024

// NewServer returns a server for dir.
func NewServer(dir *Directory, opts ServerOptions) *Server {
	s := &Server{dir: dir, opts: opts, lim: opts.Limits.withDefaults(), conns: map[*seamConn]bool{}}
	s.readBufs.New = func() any { b := make([]byte, readBufSize); return &b }
	return s
}

// Serve accepts connections on ln until Close; it blocks. Every accepted
// connection is wrapped for the diagnostic seam. Serve may be called for
// several listeners (loopback and pipe) at once.
func (s *Server) Serve(ln net.Listener) error {
	gs := s.newGlauth()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("mockad: serve: server closed")
	}
	s.servers = append(s.servers, gs)
	s.mu.Unlock()
	return gs.Serve(&seamListener{Listener: ln, srv: s})
}

// newGlauth returns glauth's server with our handlers.
func (s *Server) newGlauth() *gldap.Server {
	gs := gldap.NewServer()
	gs.EnforceLDAP = false // we do scope, filters, attributes and limits ourselves
	h := &handler{s: s}
	gs.BindFunc("", h)
	gs.SearchFunc("", h)
	gs.AddFunc("", h)
	gs.ModifyFunc("", h)
	gs.DeleteFunc("", h)
	gs.ModifyDNFunc("", h)
	gs.CompareFunc("", h)
	gs.ExtendedFunc("", h)
	return gs
}

// ServeTLS serves LDAPS on ln with ServerOptions.TLSConfig.
func (s *Server) ServeTLS(ln net.Listener) error {
	if s.opts.TLSConfig == nil {
		return errors.New("mockad: serve TLS: no TLSConfig in ServerOptions")
	}
	return s.Serve(tls.NewListener(ln, s.opts.TLSConfig))
}

// Close stops every Serve loop (closing their listeners) and closes open
// connections.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	servers := s.servers
	s.servers = nil
	conns := make([]*seamConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, gs := range servers {
		gs.Close()
	}
	for _, c := range conns {
		_ = c.forceClose()
		if in, ok := c.raw.(interface{ Settle() }); ok {
			// A DialInline connection's server is parked until something
			// resumes it; it must see its end closed and return.
			in.Settle()
		}
	}
	return nil
}

func (s *Server) track(c *seamConn, open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if open {
		s.conns[c] = true
	} else {
		delete(s.conns, c)
	}
}

// admit tracks a new connection unless MaxConnections are open.
func (s *Server) admit(c *seamConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) >= s.lim.MaxConnections {
		s.forgetHungUp()
	}
	if len(s.conns) >= s.lim.MaxConnections {
		return false
	}
	s.conns[c] = true
	return true
}

// hungUp is an in-memory connection that knows when its client has closed
// its end (transport.BufferedPipe).
type hungUp interface{ PeerClosed() bool }

// forgetHungUp stops counting connections whose client has closed its end
// of an in-memory wire. Their server goroutines close them once they read
// the end, but when is up to the Go scheduler: a simulation that opens and
// closes connections faster than they run (every device's sign-in is one)
// would otherwise be refused at MaxConnections or not depending on
// goroutine timing, and a run would not be the same twice. Over a socket
// nothing changes: the server sees the close when it reads it, as AD does.
// Called with s.mu held, only at the limit.
func (s *Server) forgetHungUp() {
	for c := range s.conns {
		if h, ok := c.raw.(hungUp); ok && h.PeerClosed() {
			delete(s.conns, c)
		}
	}
}

// handler implements glauth's handler interfaces. It ignores glauth's
// parsed request and boundDN and works from the seam conn's copy of the
// request and identity.
type handler struct{ s *Server }

func seam(conn net.Conn) (*seamConn, error) {
	sc, ok := conn.(*seamConn)
	if !ok {
		return nil, fmt.Errorf("mockad: connection %T did not come through Server.Serve", conn)
	}
	return sc, nil
}

// finish records the AD result on the conn and returns its code to glauth.
func finish(sc *seamConn, e *Error) (gldap.LDAPResultCode, error) {
	if e == nil {
		sc.setResult(&result{code: gldap.LDAPResultSuccess})
		return gldap.LDAPResultSuccess, nil
	}
	sc.setResult(&result{code: e.Code, diag: e.Diagnostic, matchedDN: e.MatchedDN})
	return e.Code, nil
}

func (h *handler) principal(sc *seamConn) principal {
	p := sc.identity()
	if !h.s.opts.RequireSecurePasswordWrites {
		p.secure = true
	}
	return p
}

func (h *handler) Bind(bindDN, pw string, conn net.Conn) (gldap.LDAPResultCode, error) {
	sc, err := seam(conn)
	if err != nil {
		return gldap.LDAPResultOperationsError, err
	}
	who, e := h.s.dir.bind(bindDN, pw)
	sc.mu.Lock()
	sc.who = who // a failed bind leaves the connection anonymous
	sc.mu.Unlock()
	return finish(sc, e)
}

func (h *handler) Add(_ string, _ gldap.AddRequest, conn net.Conn) (gldap.LDAPResultCode, error) {
	sc, err := seam(conn)
	if err != nil {
		return gldap.LDAPResultOperationsError, err
	}
	op, _ := sc.request()
	if op == nil || len(op.Children) != 2 {
		return finish(sc, &Error{Code: gldap.LDAPResultProtocolError})
	}
	var attrs []addAttr
	for _, a := range op.Children[1].Children {
		if len(a.Children) != 2 {
			return finish(sc, &Error{Code: gldap.LDAPResultProtocolError})
		}
		aa := addAttr{name: octets(a.Children[0])}
		for _, v := range a.Children[1].Children {
			aa.vals = append(aa.vals, octets(v))
		}
		attrs = append(attrs, aa)
	}
	p, dn := h.principal(sc), octets(op.Children[0])
	wo := WriteOp{Op: "add", DN: dn}
	for _, a := range attrs {
		wo.Attrs = append(wo.Attrs, WriteAttr{Name: a.name, Values: a.vals})
	}
	return finish(sc, h.write(sc, wo, p, func() *Error { return h.s.dir.add(p, dn, attrs) }))
}

func (h *handler) Modify(_ string, _ gldap.ModifyRequest, conn net.Conn) (gldap.LDAPResultCode, error) {
	sc, err := seam(conn)
	if err != nil {
		return gldap.LDAPResultOperationsError, err
	}
	op, _ := sc.request()
	if op == nil || len(op.Children) != 2 {
		return finish(sc, &Error{Code: gldap.LDAPResultProtocolError})
	}
	var changes []change
	for _, ch := range op.Children[1].Children {
		if len(ch.Children) != 2 || len(ch.Children[1].Children) != 2 {
			return finish(sc, &Error{Code: gldap.LDAPResultProtocolError})
		}
		kind, ok := ch.Children[0].Value.(int64)
		if !ok {
			return finish(sc, &Error{Code: gldap.LDAPResultProtocolError})
		}
		c := change{op: int(kind), attr: octets(ch.Children[1].Children[0])}
		for _, v := range ch.Children[1].Children[1].Children {
			c.vals = append(c.vals, octets(v))
		}
		changes = append(changes, c)
	}
	p, dn := h.principal(sc), octets(op.Children[0])
	wo := WriteOp{Op: "modify", DN: dn}
	for _, c := range changes {
		wo.Changes = append(wo.Changes, WriteChange{Op: c.op, Name: c.attr, Values: c.vals})
	}
	return finish(sc, h.write(sc, wo, p, func() *Error { return h.s.dir.modify(p, dn, changes) }))
}

func (h *handler) Delete(_, _ string, conn net.Conn) (gldap.LDAPResultCode, error) {
	sc, err := seam(conn)
	if err != nil {
		return gldap.LDAPResultOperationsError, err
	}
	op, _ := sc.request()
	if op == nil {
		return finish(sc, &Error{Code: gldap.LDAPResultProtocolError})
	}
	p, dn := h.principal(sc), octets(op)
	return finish(sc, h.write(sc, WriteOp{Op: "delete", DN: dn}, p, func() *Error { return h.s.dir.del(p, dn) }))
}

func (h *handler) ModifyDN(_ string, _ gldap.ModifyDNRequest, conn net.Conn) (gldap.LDAPResultCode, error) {
	sc, err := seam(conn)
	if err != nil {
		return gldap.LDAPResultOperationsError, err
	}
	op, _ := sc.request()
	if op == nil || len(op.Children) < 3 {
		return finish(sc, &Error{Code: gldap.LDAPResultProtocolError})
	}
	delOld, _ := op.Children[2].Value.(bool)
	sup := ""
	if len(op.Children) > 3 {
		sup = octets(op.Children[3])
	}
	p, dn, rdn := h.principal(sc), octets(op.Children[0]), octets(op.Children[1])
	wo := WriteOp{Op: "modifyDN", DN: dn, NewRDN: rdn, DeleteOld: delOld, NewSuperior: sup}
	return finish(sc, h.write(sc, wo, p, func() *Error { return h.s.dir.modifyDN(p, dn, rdn, delOld, sup) }))
}

func (h *handler) Compare(_ string, _ gldap.CompareRequest, conn net.Conn) (gldap.LDAPResultCode, error) {
	sc, err := seam(conn)
	if err != nil {
		return gldap.LDAPResultOperationsError, err
	}
	op, _ := sc.request()
	if op == nil || len(op.Children) != 2 || len(op.Children[1].Children) != 2 {
		return finish(sc, &Error{Code: gldap.LDAPResultProtocolError})
	}
	ava := op.Children[1]
	return finish(sc, h.s.dir.compare(h.principal(sc), octets(op.Children[0]), octets(ava.Children[0]), octets(ava.Children[1])))
}

func (h *handler) Extended(_ string, _ gldap.ExtendedRequest, conn net.Conn) (gldap.LDAPResultCode, error) {
	sc, err := seam(conn)
	if err != nil {
		return gldap.LDAPResultOperationsError, err
	}
	op, _ := sc.request()
	if op == nil || len(op.Children) == 0 {
		return finish(sc, &Error{Code: gldap.LDAPResultProtocolError})
	}
	name := octets(op.Children[0])
	if name == oidStartTLS {
		sc.mu.Lock()
		already := sc.secure
		sc.mu.Unlock()
		if h.s.opts.TLSConfig == nil || already {
			return finish(sc, &Error{Code: gldap.LDAPResultUnavailable, Diagnostic: "00000000: LdapErr: DSID-0C091290, comment: Error initializing SSL/TLS, data 0, v4563"})
		}
		sc.mu.Lock()
		sc.startTLS = h.s.opts.TLSConfig
		sc.mu.Unlock()
		return finish(sc, nil)
	}
	return finish(sc, &Error{Code: gldap.LDAPResultProtocolError, Diagnostic: "0000203D: LdapErr: DSID-0C0C0BB3, comment: Unsupported extended operation " + name + ", data 0, v4563"})
}

// Search answers from the client's own request (filter and controls as sent).
func (h *handler) Search(_ string, _ gldap.SearchRequest, conn net.Conn) (gldap.ServerSearchResult, error) {
	empty := gldap.ServerSearchResult{ResultCode: gldap.LDAPResultSuccess}
	sc, err := seam(conn)
	if err != nil {
		return empty, err
	}
	fail := func(e *Error) (gldap.ServerSearchResult, error) {
		// Never return an error to glauth: it would close the connection.
		_, _ = finish(sc, e)
		return empty, nil
	}
	if e := sc.takeLimitErr(); e != nil {
		return fail(e) // over MaxRequestElements: never decoded (limits.go)
	}
	op, controls := sc.request()
	if op == nil || len(op.Children) != 8 {
		return fail(&Error{Code: gldap.LDAPResultProtocolError})
	}
	scope, _ := op.Children[1].Value.(int64)
	size, _ := op.Children[3].Value.(int64)
	typesOnly, _ := op.Children[5].Value.(bool)
	f, ferr := decodeFilter(op.Children[6])
	if ferr != nil {
		return fail(&Error{Code: gldap.LDAPResultProtocolError, Diagnostic: "00000057: LdapErr: DSID-0C0C0968, comment: Error in filter, data 0, v4563"})
	}
	req := searchReq{base: octets(op.Children[0]), scope: int(scope), sizeLimit: int(size), typesOnly: typesOnly, filter: f}
	if e := checkScope(req.scope); e != nil {
		return fail(e)
	}
	if e := h.s.lim.checkFilter(len(op.Children[6].Bytes()), f); e != nil {
		return fail(e)
	}
	for _, a := range op.Children[7].Children {
		req.attrs = append(req.attrs, octets(a))
	}
	var paged *pagingControl
	for _, c := range controls {
		pc, oid, critical, err := decodeControl(c)
		if err != nil {
			return fail(&Error{Code: gldap.LDAPResultProtocolError, Diagnostic: diagCritControl})
		}
		switch {
		case oid == oidPaged:
			paged = pc
		case critical:
			return fail(errCritControl())
		}
	}
	dir := h.s.dir
	p := h.principal(sc)

	// rootDSE (B.7): anonymous base search with an empty base.
	if req.base == "" {
		if req.scope != scopeBase {
			return fail(nil) // AD refers such searches to the partitions; we return nothing
		}
		all := dir.rootDSE(nil, false)
		vals := func(name string) []string {
			for _, a := range all.Attributes {
				if strings.EqualFold(a.Name, name) {
					return a.Values
				}
			}
			return nil
		}
		if !dir.match(f, vals) {
			return fail(nil)
		}
		_, _ = finish(sc, nil)
		return sc.sendEntries([]*gldap.Entry{dir.rootDSE(req.attrs, req.typesOnly)}), nil
	}

	var entries []*entry
	var st *pageState
	if paged != nil && len(paged.cookie) > 0 {
		sc.mu.Lock()
		st = sc.pages[string(paged.cookie)]
		delete(sc.pages, string(paged.cookie))
		sc.mu.Unlock()
		if st == nil {
			return fail(&Error{Code: gldap.LDAPResultUnwillingToPerform, Diagnostic: "00000057: LdapErr: DSID-0C090A4C, comment: Error processing control, data 0, v4563"})
		}
	} else {
		found, e := dir.findEntries(p, req)
		if e != nil {
			return fail(e)
		}
		entries = found
	}

	res := &result{code: gldap.LDAPResultSuccess}
	if paged != nil {
		if st == nil {
			st = &pageState{entries: entries, attrs: req.attrs, typesOnly: req.typesOnly}
		}
		n := int(paged.size)
		if n > maxPageSize || n < 0 {
			n = maxPageSize // B.12 #4: believed capped silently
		}
		if paged.size == 0 {
			// Size 0 abandons the paged search (RFC 2696 §3): no entries,
			// an empty cookie, also when it is the first request.
			entries, st.pos = nil, len(st.entries)
		} else {
			end := min(st.pos+n, len(st.entries))
			entries = st.entries[st.pos:end]
			st.pos = end
		}
		cookie := ""
		if st.pos < len(st.entries) {
			sc.mu.Lock()
			sc.pageN++
			cookie = strconv.FormatUint(sc.pageN, 10)
			if sc.pages == nil {
				sc.pages = map[string]*pageState{}
			}
			sc.pages[cookie] = st
			sc.dropOldPages(h.s.lim.MaxResultSetsPerConn)
			sc.mu.Unlock()
		}
		res.controls = []*ber.Packet{encodePagingControl(cookie)}
		req.attrs, req.typesOnly = st.attrs, st.typesOnly
	} else {
		limit := maxPageSize // MaxPageSize applies to non-paged searches (B.9)
		if req.sizeLimit > 0 && req.sizeLimit < limit {
			limit = req.sizeLimit
		}
		if len(entries) > limit {
			entries = entries[:limit]
			res.code = gldap.LDAPResultSizeLimitExceeded
		}
	}
	out := dir.renderAll(entries, req.attrs, req.typesOnly)
	sc.setResult(res)
	return sc.sendEntries(out), nil
}

func (d *Directory) renderAll(es []*entry, attrs []string, typesOnly bool) []*gldap.Entry {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]*gldap.Entry, 0, len(es))
	sel := selectAttrs(attrs)
	for _, e := range es {
		if !e.deleted {
			out = append(out, d.renderSel(e, sel, typesOnly))
		}
	}
	return out
}

type pagingControl struct {
	size   int64
	cookie []byte
}

// decodeControl reads one Control (RFC 4511 4.1.11); only the paged-results
// value is decoded.
func decodeControl(c *ber.Packet) (*pagingControl, string, bool, error) {
	if len(c.Children) == 0 {
		return nil, "", false, errors.New("empty control")
	}
	oid := octets(c.Children[0])
	critical := false
	var value *ber.Packet
	for _, ch := range c.Children[1:] {
		switch ch.Tag {
		case ber.TagBoolean:
			critical, _ = ch.Value.(bool)
		case ber.TagOctetString:
			value = ch
		}
	}
	if oid != oidPaged {
		return nil, oid, critical, nil
	}
	if value == nil {
		return nil, oid, critical, errors.New("paged control without value")
	}
	inner, err := ber.DecodePacketErr(value.Data.Bytes())
	if err != nil || len(inner.Children) != 2 {
		return nil, oid, critical, errors.New("bad paged control value")
	}
	size, ok := inner.Children[0].Value.(int64)
	if !ok {
		return nil, oid, critical, errors.New("bad paged control size")
	}
	return &pagingControl{size: size, cookie: inner.Children[1].Data.Bytes()}, oid, critical, nil
}

// encodePagingControl builds the response control: size estimate 0 (AD
// sends 0) and the cookie, empty on the last page (B.9).
func encodePagingControl(cookie string) *ber.Packet {
	c := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Control")
	c.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, oidPaged, "Control Type"))
	v := ber.Encode(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, nil, "Control Value")
	seq := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Search Control Value")
	seq.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(0), "Paging Size"))
	ck := ber.Encode(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, nil, "Cookie")
	ck.Data.WriteString(cookie)
	ck.Value = cookie
	seq.AppendChild(ck)
	v.Data.Write(seq.Bytes())
	c.AppendChild(v)
	return c
}
