package mockad

import (
	"context"
	"errors"
	"net"
	_ "unsafe" // go:linkname, below

	gldap "github.com/glauth/ldap"

	"github.com/autopilotsim/autopilotsim/transport"
)

// glauthServeConn is glauth's loop for one connection: what its Serve runs
// on a goroutine of its own for every connection it accepts
// (github.com/glauth/ldap, server.go, (*Server).handleConnection). Serve
// offers no way to run it otherwise, and DialInline must run it in a
// coroutine. The version is pinned in go.mod; if glauth renames it, the
// build fails at link time rather than at run time.
//
//go:linkname glauthServeConn github.com/glauth/ldap.(*Server).handleConnection
func glauthServeConn(s *gldap.Server, conn net.Conn)

// DialInline opens an in-memory LDAP connection whose server side, glauth's
// loop behind the diagnostic seam as Serve runs it, runs as a coroutine of
// the client (transport.InlinePipe) instead of on a goroutine of its own:
// the same bytes and the same handlers, without two goroutine hand-offs per
// operation. The connection counts toward MaxConnections from the dial
// until the client closes it; closing it runs the server to the end of the
// connection, so the count is exact at every moment, whatever the Go
// scheduler does. A dial over MaxConnections is refused as Serve refuses
// one: the server closes its end, and the client reads EOF.
func (s *Server) DialInline(ctx context.Context) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errors.New("mockad: dial: server closed")
	}
	if s.inline == nil {
		s.inline = s.newGlauth()
	}
	gs := s.inline
	s.mu.Unlock()
	return transport.InlinePipe("dc", func(c net.Conn) {
		sc, ok := s.accept(c)
		if !ok {
			_ = c.Close()
			return
		}
		glauthServeConn(gs, sc)
	}), nil
}
