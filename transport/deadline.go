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

// deadline is one direction's timer and the deadline it is armed for. The
// timer is made once and re-armed with Reset: a new timer and closure for
// every deadline set were 1.4 % of the allocations of a fleet, whose LDAP
// clients and server set one for every request.
type deadline struct {
	timer *time.Timer
	when  time.Time // zero: not armed
	read  bool      // which side of the pipe it times out
}

func newPipeConn(c net.Conn) *pipeConn {
	return &pipeConn{Conn: c, read: deadline{read: true}}
}

// expired is a deadline in the past: the pipe times out pending and future
// operations at once, without a timer.
var expired = time.Unix(1, 0)

// apply sets d's deadline on the pipe itself.
func (c *pipeConn) apply(d *deadline, t time.Time) error {
	if d.read {
		return c.Conn.SetReadDeadline(t)
	}
	return c.Conn.SetWriteDeadline(t)
}

func (c *pipeConn) set(d *deadline, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d.when = time.Time{}
	if d.timer != nil {
		d.timer.Stop()
	}
	if c.closed {
		return c.apply(d, t) // the pipe's own "closed" error
	}
	wait := time.Until(t)
	if t.IsZero() || wait <= 0 {
		return c.apply(d, t)
	}
	if err := c.apply(d, time.Time{}); err != nil {
		return err
	}
	d.when = t
	if d.timer == nil {
		d.timer = time.AfterFunc(wait, func() { c.fire(d) })
	} else {
		d.timer.Reset(wait)
	}
	return nil
}

// fire times the pipe out if d's deadline has come. A timer that fires
// after the deadline was moved or cleared (its callback had started before
// Stop or Reset) finds a later deadline or none and does nothing.
func (c *pipeConn) fire(d *deadline) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed && !d.when.IsZero() && !time.Now().Before(d.when) {
		d.when = time.Time{}
		_ = c.apply(d, expired)
	}
}

// SetReadDeadline implements net.Conn.
func (c *pipeConn) SetReadDeadline(t time.Time) error { return c.set(&c.read, t) }

// SetWriteDeadline implements net.Conn.
func (c *pipeConn) SetWriteDeadline(t time.Time) error { return c.set(&c.write, t) }

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
		d.when = time.Time{}
	}
	c.mu.Unlock()
	return c.Conn.Close()
}
