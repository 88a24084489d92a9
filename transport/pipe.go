package transport

import (
	"context"
	"errors"
	"net"
	"sync"
)

// ErrClosed is returned by Dial and Accept after the listener is closed.
var ErrClosed = errors.New("transport: listener closed")

// PipeListener is an in-memory net.Listener: Dial returns the client end of a
// BufferedPipe whose server end Accept hands to the server. Any server that
// serves a net.Listener (glauth's LDAP server, http.Server) can serve it.
type PipeListener struct {
	name   string
	conns  chan net.Conn
	done   chan struct{}
	closer sync.Once
}

// NewPipeListener returns an in-memory listener named name (its Addr).
func NewPipeListener(name string) *PipeListener {
	return &PipeListener{name: name, conns: make(chan net.Conn), done: make(chan struct{})}
}

// Accept implements net.Listener.
func (l *PipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, ErrClosed
	}
}

// Close implements net.Listener.
func (l *PipeListener) Close() error {
	l.closer.Do(func() { close(l.done) })
	return nil
}

// Addr implements net.Listener.
func (l *PipeListener) Addr() net.Addr { return pipeAddr(l.name) }

// Dial connects to the listener. It waits until the server accepts.
func (l *PipeListener) Dial() (net.Conn, error) {
	return l.DialContext(context.Background())
}

// DialContext connects to the listener unless ctx ends first.
func (l *PipeListener) DialContext(ctx context.Context) (net.Conn, error) {
	server, client := BufferedPipe(pipeAddr(l.name), pipeAddr("client"))
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		server.Close()
		client.Close()
		return nil, ErrClosed
	case <-ctx.Done():
		server.Close()
		client.Close()
		return nil, ctx.Err()
	}
}

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// Dialer opens a connection to a server: the seam LDAP clients take.
type Dialer func(ctx context.Context) (net.Conn, error)

// TCPDialer dials addr over TCP.
func TCPDialer(addr string) Dialer {
	return func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
}
