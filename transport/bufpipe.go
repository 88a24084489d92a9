package transport

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// MaxBuffered is how many bytes one direction of a buffered pipe holds
// that its reader has not read yet; past it a Write waits for the reader,
// its write deadline or a Close, as a TCP sender waits on a full window.
// It is the in-memory wire's bound on what a client that does not read can
// make a server hold per connection.
const MaxBuffered = 4 << 20

// keepCap is the largest drained buffer kept for reuse; a larger one (a
// long search's entries) goes to the collector.
const keepCap = 64 << 10

// streamBufs holds drained buffers: a direction holds a buffer only while
// bytes wait in it, so the thousands of idle connections of a large fleet
// hold none.
var streamBufs = sync.Pool{New: func() any { return new([]byte) }}

// BufferedPipe returns the two ends of an in-memory, full-duplex
// connection whose Write returns once its bytes are buffered for the
// reader (up to MaxBuffered unread bytes per direction), as a socket's
// does, instead of waiting for the reader to take them as net.Pipe's does.
//
// Why: every LDAP operation on net.Pipe was a chain of rendezvous — the
// client's write waited for glauth's goroutine to read, and glauth's answer
// went through the seam's writer goroutine to the client — each one a
// goroutine woken on the other core (docs/SCALE.md, "The LDAP wire without
// rendezvous"). Here a write wakes the reader once and returns.
//
// Semantics are net.Conn's as net.Pipe gives them (golang.org/x/net/nettest
// holds it to them): a Read returns what is buffered, or waits; after the
// peer's Close it drains what is left and then returns io.EOF; after its
// own Close reads and writes fail with io.ErrClosedPipe; a passed deadline
// fails pending and later calls with os.ErrDeadlineExceeded. Deadline
// timers are stopped on Close, so a closed pair holds nothing reachable
// from the runtime's timers.
func BufferedPipe(local, remote net.Addr) (net.Conn, net.Conn) {
	ab, ba := newStream(), newStream()
	a := &bufConn{in: ba, out: ab, local: local, remote: remote, closed: make(chan struct{})}
	b := &bufConn{in: ab, out: ba, local: remote, remote: local, closed: make(chan struct{})}
	a.rd.init()
	a.wd.init()
	b.rd.init()
	b.wd.init()
	return a, b
}

// stream is one direction of a buffered pipe.
type stream struct {
	mu       sync.Mutex
	buf      []byte  // unread bytes are buf[off:]
	bp       *[]byte // where buf came from (streamBufs), nil when none
	off      int
	wclosed  bool          // the writing end closed: EOF once drained
	rclosed  bool          // the reading end closed: writes fail
	readable chan struct{} // poked when bytes arrive or the writer closes
	writable chan struct{} // poked when room frees or the reader closes
}

func newStream() *stream {
	return &stream{readable: make(chan struct{}, 1), writable: make(chan struct{}, 1)}
}

// release gives the drained buffer back for reuse. Called with s.mu held.
func (s *stream) release() {
	if s.bp != nil {
		*s.bp = nil
		if cap(s.buf) <= keepCap {
			*s.bp = s.buf[:0]
		}
		streamBufs.Put(s.bp)
	}
	s.buf, s.bp, s.off = nil, nil, 0
}

// poke wakes the one goroutine that may wait on ch, without blocking.
func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// bufConn is one end of a BufferedPipe.
type bufConn struct {
	in, out       *stream
	local, remote net.Addr
	rd, wd        pipeDeadline
	closeOnce     sync.Once
	closed        chan struct{}
	// park, when set, runs before a Read or Write would wait (InlinePipe):
	// it may let the peer run and asks for a retry, or says to wait.
	park func() parkResult
}

// parkResult is what a conn does instead of waiting.
type parkResult int

const (
	parkWait   parkResult = iota // wait as a plain pipe does
	parkRetry                    // something may have changed: look again
	parkClosed                   // give up: the conn is being torn down
)

func (c *bufConn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// Read implements net.Conn.
func (c *bufConn) Read(p []byte) (int, error) {
	s := c.in
	for {
		if c.isClosed() {
			return 0, io.ErrClosedPipe
		}
		if c.rd.expired() {
			return 0, os.ErrDeadlineExceeded
		}
		s.mu.Lock()
		if n := len(s.buf) - s.off; n > 0 || len(p) == 0 {
			k := copy(p, s.buf[s.off:])
			s.off += k
			more := true
			if s.off == len(s.buf) {
				s.release()
				more = false
			}
			s.mu.Unlock()
			if k > 0 {
				poke(s.writable)
			}
			if more {
				// Bytes are left for another reader that waits.
				poke(s.readable)
			}
			return k, nil
		}
		if s.wclosed {
			s.mu.Unlock()
			return 0, io.EOF
		}
		s.mu.Unlock()
		if err := c.await(s.readable, &c.rd); err != nil {
			return 0, err
		}
	}
}

// Write implements net.Conn.
func (c *bufConn) Write(b []byte) (int, error) {
	s := c.out
	n := 0
	for {
		if c.isClosed() {
			return n, io.ErrClosedPipe
		}
		if c.wd.expired() {
			return n, os.ErrDeadlineExceeded
		}
		s.mu.Lock()
		if s.rclosed {
			s.mu.Unlock()
			return n, io.ErrClosedPipe
		}
		if n == len(b) {
			// An empty write: nothing to buffer, nobody to wake.
			s.mu.Unlock()
			return 0, nil
		}
		if room := MaxBuffered - (len(s.buf) - s.off); room > 0 {
			k := min(room, len(b)-n)
			if s.bp == nil {
				s.bp = streamBufs.Get().(*[]byte)
				s.buf = (*s.bp)[:0]
			}
			if s.off > 0 && len(s.buf)+k > cap(s.buf) {
				// Move the unread bytes down before growing.
				s.buf = s.buf[:copy(s.buf, s.buf[s.off:])]
				s.off = 0
			}
			s.buf = append(s.buf, b[n:n+k]...)
			n += k
			room -= k
			s.mu.Unlock()
			poke(s.readable)
			if room > 0 {
				// Room is left for another writer that waits.
				poke(s.writable)
			}
			if n == len(b) {
				return n, nil
			}
			continue
		}
		s.mu.Unlock()
		if err := c.await(s.writable, &c.wd); err != nil {
			return n, err
		}
	}
}

// await is what a Read or Write does when it cannot go on: lets the park
// hook run the peer (InlinePipe) and looks again if it says so, or else
// waits for ready, the conn's Close or the deadline d. A nil error means
// look again.
func (c *bufConn) await(ready chan struct{}, d *pipeDeadline) error {
	if c.park != nil {
		switch c.park() {
		case parkRetry:
			return nil
		case parkClosed:
			return io.ErrClosedPipe
		}
	}
	select {
	case <-ready:
		return nil
	case <-c.closed:
		return io.ErrClosedPipe
	case <-d.wait():
		return os.ErrDeadlineExceeded
	}
}

// Close implements net.Conn: the peer reads what was written and then
// io.EOF; the peer's writes fail from now on.
func (c *bufConn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.rd.stop()
		c.wd.stop()
		c.in.mu.Lock()
		c.in.rclosed = true
		c.in.release() // nobody reads it now
		c.in.mu.Unlock()
		poke(c.in.writable)
		c.out.mu.Lock()
		c.out.wclosed = true
		c.out.mu.Unlock()
		poke(c.out.readable)
	})
	return nil
}

// WriteBuffer is how many unread bytes a Write buffers before it waits for
// the reader (MaxBuffered): a server may write on its own goroutine
// without a writer of its own to bound a client that does not read.
func (c *bufConn) WriteBuffer() int { return MaxBuffered }

// PeerClosed reports whether the other end has been closed: a server
// counting its connections need not wait for its own goroutine to read the
// end (mockad's MaxConnections).
func (c *bufConn) PeerClosed() bool {
	c.in.mu.Lock()
	defer c.in.mu.Unlock()
	return c.in.wclosed
}

func (c *bufConn) LocalAddr() net.Addr  { return c.local }
func (c *bufConn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline implements net.Conn.
func (c *bufConn) SetDeadline(t time.Time) error {
	if c.isClosed() {
		return io.ErrClosedPipe
	}
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline implements net.Conn.
func (c *bufConn) SetReadDeadline(t time.Time) error {
	if c.isClosed() {
		return io.ErrClosedPipe
	}
	c.rd.set(t)
	return nil
}

// SetWriteDeadline implements net.Conn.
func (c *bufConn) SetWriteDeadline(t time.Time) error {
	if c.isClosed() {
		return io.ErrClosedPipe
	}
	c.wd.set(t)
	return nil
}

// pipeDeadline is a deadline whose channel is closed when it passes, as
// net.Pipe keeps one. Its timer is made once and re-armed with Reset (the
// LDAP clients and server set a deadline for every request: a timer and a
// closure each time were 1.4 % of a fleet's allocations), and stopped by
// stop (Close).
type pipeDeadline struct {
	mu      sync.Mutex
	timer   *time.Timer
	when    time.Time     // the armed deadline; zero: none pending
	cancel  chan struct{} // closed when the deadline has passed
	stopped bool          // the conn is closed: no timer is armed again
	// onFire, when set, runs after the timer expires the deadline (outside
	// mu): a server end served inline is suspended, not waiting on cancel,
	// and must be resumed to see it (InlinePipe).
	onFire func()
}

func (d *pipeDeadline) init() { d.cancel = make(chan struct{}) }

// set arms the deadline for t: zero clears it, a time not after now
// expires it at once.
func (d *pipeDeadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.when = time.Time{}
	if d.timer != nil {
		d.timer.Stop()
	}
	if d.stopped {
		return
	}
	closed := isClosedChan(d.cancel)
	if t.IsZero() {
		if closed {
			d.cancel = make(chan struct{})
		}
		return
	}
	wait := time.Until(t)
	if wait <= 0 {
		if !closed {
			close(d.cancel)
		}
		return
	}
	if closed {
		d.cancel = make(chan struct{})
	}
	d.when = t
	if d.timer == nil {
		d.timer = time.AfterFunc(wait, d.fire)
	} else {
		d.timer.Reset(wait)
	}
}

// fire expires the deadline if it has come. A timer whose callback started
// before the deadline was moved or cleared finds a later one or none.
func (d *pipeDeadline) fire() {
	d.mu.Lock()
	fired := false
	if !d.when.IsZero() && !time.Now().Before(d.when) {
		d.when = time.Time{}
		if !isClosedChan(d.cancel) {
			close(d.cancel)
			fired = true
		}
	}
	onFire := d.onFire
	d.mu.Unlock()
	if fired && onFire != nil {
		onFire()
	}
}

// stop stops the timer for good (Close).
func (d *pipeDeadline) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.when = time.Time{}
	d.stopped = true
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

// wait is the channel closed when the deadline passes.
func (d *pipeDeadline) wait() chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cancel
}

func (d *pipeDeadline) expired() bool { return isClosedChan(d.wait()) }

func isClosedChan(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
