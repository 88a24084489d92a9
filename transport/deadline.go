package transport

import (
	"net"
	"sync"
	"time"
)

// pipeConn is one end of a net.Pipe whose deadlines are kept here, on
// timers that Close stops.
//
// net.Pipe arms a runtime timer for every future deadline and stops it only
// when the deadline is set again; once either end is closed, setting a
// deadline fails, so a timer armed before Close (the LDAP server's idle
// deadline, TLS's close_notify write deadline) lives until it fires and
// keeps both ends of the pipe and their buffers reachable. In a fleet of
// 100,000 devices that is hundreds of MB held for minutes. Here the pipe
// itself only ever sees a zero deadline (no timer) or one in the past (it
// times out at once, no timer either), and Close stops the timers of this
// end.
type pipeConn struct {
	net.Conn
	mu     sync.Mutex
	closed bool
	read   deadline
	write  deadline
}

// deadline is one direction's timer and a generation count, so that a timer
// that fires after the deadline was moved does nothing.
type deadline struct {
	timer *time.Timer
	gen   uint64
}

func newPipeConn(c net.Conn) *pipeConn { return &pipeConn{Conn: c} }

// expired is a deadline in the past: the pipe times out pending and future
// operations at once, without a timer.
var expired = time.Unix(1, 0)

func (c *pipeConn) set(d *deadline, t time.Time, apply func(time.Time) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.gen++
	if c.closed {
		return apply(t) // the pipe's own "closed" error
	}
	wait := time.Until(t)
	if t.IsZero() || wait <= 0 {
		return apply(t)
	}
	if err := apply(time.Time{}); err != nil {
		return err
	}
	gen := d.gen
	d.timer = time.AfterFunc(wait, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if d.gen == gen && !c.closed {
			_ = apply(expired)
		}
	})
	return nil
}

// SetReadDeadline implements net.Conn.
func (c *pipeConn) SetReadDeadline(t time.Time) error {
	return c.set(&c.read, t, c.Conn.SetReadDeadline)
}

// SetWriteDeadline implements net.Conn.
func (c *pipeConn) SetWriteDeadline(t time.Time) error {
	return c.set(&c.write, t, c.Conn.SetWriteDeadline)
}

// SetDeadline implements net.Conn.
func (c *pipeConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// Close stops this end's deadline timers and closes the pipe.
func (c *pipeConn) Close() error {
	c.mu.Lock()
	c.closed = true
	for _, d := range []*deadline{&c.read, &c.write} {
		if d.timer != nil {
			d.timer.Stop()
			d.timer = nil
		}
		d.gen++
	}
	c.mu.Unlock()
	return c.Conn.Close()
}
