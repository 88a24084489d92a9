package mockgraph

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultMaxBodyBytes caps a request body (Config.MaxBodyBytes), counted
// on the wire and again after gzip is inflated. Graph documents 4 MB as
// the largest request it takes in one piece (bigger uploads need an upload
// session: https://learn.microsoft.com/en-us/graph/api/driveitem-put-content
// "Request body"); what it answers past that for JSON is UNCERTAIN, mockgraph
// answers 413 RequestEntityTooLarge.
const DefaultMaxBodyBytes = 4 << 20

// HTTPLimits bound what clients can make mockgraph's HTTP server hold when
// it listens on a real port (a lab on a classroom network). The in-memory
// pipes of scenario runs do not need them.
type HTTPLimits struct {
	// ReadHeaderTimeout: the request line and headers must arrive within it.
	ReadHeaderTimeout time.Duration
	// ReadTimeout: the whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout: from the end of the headers to the end of the answer.
	// It must exceed the longest added latency a lab's faults hold an
	// answer for, on the wall clock (latency / --speed).
	WriteTimeout time.Duration
	// IdleTimeout: a kept-alive connection waiting for its next request.
	IdleTimeout time.Duration
	// MaxHeaderBytes caps the request line and headers.
	MaxHeaderBytes int
	// MaxConnections caps open connections; one past it is closed as soon
	// as it is accepted.
	MaxConnections int
}

// DefaultHTTPLimits are the limits `autopilotsim serve` uses.
func DefaultHTTPLimits() HTTPLimits {
	return HTTPLimits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10, // a bearer token is a few KB
		MaxConnections:    256,
	}
}

func (l HTTPLimits) withDefaults() HTTPLimits {
	d := DefaultHTTPLimits()
	pickD := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	pickD(&l.ReadHeaderTimeout, d.ReadHeaderTimeout)
	pickD(&l.ReadTimeout, d.ReadTimeout)
	pickD(&l.WriteTimeout, d.WriteTimeout)
	pickD(&l.IdleTimeout, d.IdleTimeout)
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if l.MaxConnections <= 0 {
		l.MaxConnections = d.MaxConnections
	}
	return l
}

// HTTPServer returns an http.Server for h with the limits (zero fields take
// DefaultHTTPLimits). Serve it on Listener(ln) for the connection cap.
func (l HTTPLimits) HTTPServer(h http.Handler) *http.Server {
	l = l.withDefaults()
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

// Listener wraps ln so at most MaxConnections are open at once.
func (l HTTPLimits) Listener(ln net.Listener) net.Listener {
	return &capListener{Listener: ln, max: l.withDefaults().MaxConnections}
}

type capListener struct {
	net.Listener
	max  int
	mu   sync.Mutex
	open int
}

func (c *capListener) Accept() (net.Conn, error) {
	for {
		conn, err := c.Listener.Accept()
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		ok := c.open < c.max
		if ok {
			c.open++
		}
		c.mu.Unlock()
		if ok {
			return &countedConn{Conn: conn, l: c}, nil
		}
		_ = conn.Close()
	}
}

type countedConn struct {
	net.Conn
	l    *capListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
