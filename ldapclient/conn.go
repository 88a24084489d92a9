package ldapclient

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// MaxMessage is the longest answer a connection reads: a longer one ends
// the connection with an error instead of a buffer of that size.
const MaxMessage = 16 << 20

// Conn is one LDAP connection: one request at a time, each answered before
// the next is sent. It is not safe for concurrent use.
type Conn struct {
	nc      net.Conn
	timeout time.Duration
	id      int64 // of the last request sent
	tls     bool
	closed  bool
	// deadlined: a deadline was set on nc, to clear once the timeout is 0.
	deadlined bool
	// broken: the connection lost its framing (a read failed midway, an
	// answer was malformed or timed out); later requests fail as on a
	// closed connection.
	broken bool
	enc    encoder
	buf    []byte // the last answer read; decoded values are copied out
}

// New returns a connection over nc, which it owns from then on.
func New(nc net.Conn) *Conn { return &Conn{nc: nc} }

// SetTimeout bounds how long each request waits for its answer (0: no
// bound), as go-ldap's Conn.SetTimeout does; a request that times out
// fails with ErrorNetwork "ldap: connection timed out" and the connection
// is not used again.
func (c *Conn) SetTimeout(d time.Duration) { c.timeout = d }

// Close closes the connection; closing it again does nothing.
func (c *Conn) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	return c.nc.Close()
}

var (
	errClosed   = ldap.NewError(ldap.ErrorNetwork, errors.New("ldap: connection closed"))
	errTimeout  = ldap.NewError(ldap.ErrorNetwork, errors.New("ldap: connection timed out"))
	errRespGone = ldap.NewError(ldap.ErrorNetwork, errors.New("ldap: response channel closed"))
)

// send writes one request. The message ID is taken before the request is
// encoded, as go-ldap takes it, so a request refused here (a filter that
// does not compile) still uses one up.
func (c *Conn) send(op func(*encoder) error, controls []ldap.Control) error {
	if c.closed || c.broken {
		return errClosed
	}
	c.id++
	c.enc.b = c.enc.b[:0]
	if err := c.enc.message(c.id, op, controls); err != nil {
		return err
	}
	c.deadline(c.nc.SetWriteDeadline)
	if _, err := c.nc.Write(c.enc.b); err != nil {
		c.broken = true
		if isTimeout(err) {
			return errTimeout
		}
		return fmt.Errorf("unable to send request: %s", err) // go-ldap's words
	}
	return nil
}

// deadline sets the next read's or write's deadline from the timeout, and
// clears one set earlier once the timeout is 0.
func (c *Conn) deadline(set func(time.Time) error) {
	switch {
	case c.timeout > 0:
		_ = set(time.Now().Add(c.timeout))
		c.deadlined = true
	case c.deadlined:
		_ = set(time.Time{})
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// read reads the answer to the last request, skipping any answer to an
// earlier one (a search the caller stopped reading). A failure leaves the
// connection broken: what failed is ErrorNetwork, as go-ldap reports a
// connection its reader gave up on.
func (c *Conn) read() (message, error) {
	if c.closed || c.broken {
		return message{}, errRespGone
	}
	c.deadline(c.nc.SetReadDeadline)
	for {
		b, err := c.readMessage()
		if err != nil {
			c.broken = true
			switch {
			case isTimeout(err):
				return message{}, errTimeout
			case errors.Is(err, errMalformed):
				return message{}, ldap.NewError(ldap.ErrorNetwork, err)
			}
			return message{}, errRespGone
		}
		m, err := parseMessage(b)
		if err != nil {
			c.broken = true
			return message{}, ldap.NewError(ldap.ErrorNetwork, err)
		}
		switch m.id {
		case c.id:
			return m, nil
		case 0:
			// An unsolicited notification (RFC 4511 §4.4): the server is
			// ending the connection.
			c.broken = true
			return message{}, errRespGone
		}
	}
}

// readMessage reads one LDAPMessage's content into c.buf.
func (c *Conn) readMessage() ([]byte, error) {
	var hdr [6]byte
	if _, err := io.ReadFull(c.nc, hdr[:2]); err != nil {
		return nil, err
	}
	if hdr[0] != tagSequence {
		return nil, malformed("message tagged %#x", hdr[0])
	}
	n := int(hdr[1])
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 {
			return nil, malformed("message length of %d bytes", k)
		}
		if _, err := io.ReadFull(c.nc, hdr[2:2+k]); err != nil {
			return nil, err
		}
		n = 0
		for _, x := range hdr[2 : 2+k] {
			n = n<<8 | int(x)
		}
	}
	if n > MaxMessage {
		return nil, malformed("message of %d bytes, more than %d", n, MaxMessage)
	}
	if cap(c.buf) < n {
		c.buf = make([]byte, n)
	}
	b := c.buf[:n]
	if _, err := io.ReadFull(c.nc, b); err != nil {
		return nil, err
	}
	return b, nil
}

// StartTLS asks the server to start TLS (RFC 4511 §4.14) and runs the TLS
// handshake as a client with cfg. A failed handshake closes the connection.
func (c *Conn) StartTLS(cfg *tls.Config) error {
	if c.tls {
		return ldap.NewError(ldap.ErrorNetwork, errors.New("ldap: already encrypted"))
	}
	if err := c.send(startTLSOp, nil); err != nil {
		return err
	}
	m, err := c.read()
	if err != nil {
		return err
	}
	if err := result(m.body); err != nil {
		return err
	}
	tc := tls.Client(c.nc, cfg)
	if err := tc.Handshake(); err != nil {
		_ = c.Close()
		return ldap.NewError(ldap.ErrorNetwork, fmt.Errorf("TLS handshake failed (%v)", err))
	}
	c.nc, c.tls = tc, true
	return nil
}

// Bind is a simple bind (RFC 4511 §4.2) as username with password; like
// go-ldap's Bind it refuses an empty password (an unauthenticated bind)
// before sending anything.
func (c *Conn) Bind(username, password string) error {
	if password == "" {
		return ldap.NewError(ldap.ErrorEmptyPassword, errors.New("ldap: empty password not allowed by the client"))
	}
	if err := c.send(bindOp(username, password), nil); err != nil {
		return err
	}
	m, err := c.read()
	if err != nil {
		return err
	}
	if m.controls != nil {
		if _, err := controls(m.controls); err != nil {
			return err
		}
	}
	return result(m.body)
}

// Add adds an entry (RFC 4511 §4.7).
func (c *Conn) Add(r *ldap.AddRequest) error {
	if r == nil {
		return ldap.NewError(ldap.ErrorNetwork, errors.New("AddRequest cannot be nil"))
	}
	return c.change(addOp(r), r.Controls, appAddResponse)
}

// Modify modifies an entry (RFC 4511 §4.6).
func (c *Conn) Modify(r *ldap.ModifyRequest) error {
	if r == nil {
		return ldap.NewError(ldap.ErrorNetwork, errors.New("ModifyRequest cannot be nil"))
	}
	return c.change(modifyOp(r), r.Controls, appModifyResponse)
}

func (c *Conn) change(op func(*encoder) error, ctl []ldap.Control, want byte) error {
	if err := c.send(op, ctl); err != nil {
		return err
	}
	m, err := c.read()
	if err != nil {
		return err
	}
	if m.op != want {
		return fmt.Errorf("ldap: unexpected response: %d", m.op&0x1f)
	}
	return result(m.body)
}

// Search runs a search (RFC 4511 §4.5) and returns what came back, the
// entries received so far along with an error.
func (c *Conn) Search(r *ldap.SearchRequest) (*ldap.SearchResult, error) {
	if r == nil {
		return nil, ldap.NewError(ldap.ErrorNetwork, errors.New("SearchRequest cannot be nil"))
	}
	if err := c.send(searchOp(r), r.Controls); err != nil {
		return nil, err
	}
	res := &ldap.SearchResult{Entries: []*ldap.Entry{}, Referrals: []string{}, Controls: []ldap.Control{}}
	for {
		m, err := c.read()
		if err != nil {
			return res, err
		}
		switch m.op {
		case appSearchEntry:
			if r.EnforceSizeLimit && r.SizeLimit > 0 && len(res.Entries) >= r.SizeLimit {
				return res, ldap.ErrSizeLimitExceeded
			}
			e, err := entry(m.body)
			if err != nil {
				// The rest of the search is not read: the connection
				// is not used again.
				c.broken = true
				return res, ldap.NewError(ldap.ErrorNetwork, err)
			}
			res.Entries = append(res.Entries, e)
		case appSearchDone:
			res.ResultCode, res.DiagnosticMessage = resultCode(m.body)
			if err := result(m.body); err != nil {
				return res, err
			}
			if m.controls != nil {
				cs, err := controls(m.controls)
				if err != nil {
					return res, err
				}
				res.Controls = append(res.Controls, cs...)
			}
			return res, nil
		case appSearchReference:
			tag, ref, _, err := element(m.body)
			if err != nil || tag != tagOctetString {
				c.broken = true
				return res, ldap.NewError(ldap.ErrorNetwork, malformed("search reference"))
			}
			res.Referrals = append(res.Referrals, string(ref))
		}
	}
}

// resultCode is an LDAPResult's code and diagnostic message, zero when the
// result does not parse (result then says why).
func resultCode(body []byte) (uint16, string) {
	_, code, rest, err := element(body)
	if err != nil {
		return 0, ""
	}
	rc, err := integer(code)
	if err != nil {
		return 0, ""
	}
	_, _, rest, err = element(rest)
	if err != nil {
		return uint16(rc), ""
	}
	_, diag, _, err := element(rest)
	if err != nil {
		return uint16(rc), ""
	}
	return uint16(rc), string(diag)
}

// SearchWithPaging runs a search page by page with the simple paged results
// control (RFC 2696), as go-ldap's SearchWithPaging does: it adds the
// control to r when r has none, follows the server's cookie until it is
// empty, returns the entries of all pages, and on an error the entries so
// far.
func (c *Conn) SearchWithPaging(r *ldap.SearchRequest, size uint32) (*ldap.SearchResult, error) {
	if r == nil {
		return nil, ldap.NewError(ldap.ErrorNetwork, errors.New("SearchRequest cannot be nil"))
	}
	var paging *ldap.ControlPaging
	if ctl := ldap.FindControl(r.Controls, ldap.ControlTypePaging); ctl == nil {
		paging = ldap.NewControlPaging(size)
		r.Controls = append(r.Controls, paging)
	} else {
		p, ok := ctl.(*ldap.ControlPaging)
		if !ok {
			return nil, fmt.Errorf("expected paging control to be of type *ControlPaging, got %v", ctl)
		}
		if p.PagingSize != size {
			return nil, fmt.Errorf("paging size given in search request (%d) conflicts with size given in search call (%d)", p.PagingSize, size)
		}
		paging = p
	}
	all := new(ldap.SearchResult)
	for {
		res, err := c.Search(r)
		if res != nil {
			all.Entries = append(all.Entries, res.Entries...)
			all.Referrals = append(all.Referrals, res.Referrals...)
			all.Controls = append(all.Controls, res.Controls...)
			all.ResultCode, all.DiagnosticMessage = res.ResultCode, res.DiagnosticMessage
		}
		if err != nil {
			return all, err
		}
		got, _ := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		if got == nil || len(got.Cookie) == 0 {
			return all, nil
		}
		paging.SetCookie(got.Cookie)
	}
}
