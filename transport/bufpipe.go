package transport

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// PipeBuffer is how many bytes one direction of an in-memory connection
// holds that its reader has not read yet. A writer that finds the buffer
// full waits for the reader (or its write deadline), so a client that stops
// reading cannot make a server hold more than this per connection and
// direction: 64 KB, an LDAP search entry or a TLS record many times over.
const PipeBuffer = 64 << 10

// bufPipe returns the two ends of an in-memory, full-duplex connection
// whose writes are buffered (up to PipeBuffer bytes a direction), as a TCP
// socket's are, rather than handed over to a waiting reader as net.Pipe's
// are.
//
// Why not net.Pipe: its Write blocks until the other end has read every
// byte, so each TLS record and each LDAP message cost two goroutine
// hand-offs (the writer parks until the reader takes the bytes, then the
// reader parks for the answer). The client's request and the server's
// answer each cost one hand-off here, and a server streams the entries of a
// search without waiting for the client to take each one. The bytes, their
// order and what each side reads are those of net.Pipe; what differs is
// only when a writer may go on, which a request/answer protocol such as
// LDAP does not observe.
//
// Semantics kept from net.Pipe (and tested against golang.org/x/net's
// nettest, the conformance suite net.Pipe passes): reads and writes after
// this end closed fail with io.ErrClosedPipe, writes after the other end
// closed fail with io.ErrClosedPipe, deadlines time out pending and future
// calls with os.ErrDeadlineExceeded. Unlike net.Pipe and like TCP, a read
// after the other end closed returns the bytes still buffered before
// io.EOF. Close stops the deadline timers: net.Pipe stops a deadline's
// timer only when the deadline is set again, and refuses that once closed,
// so a timer armed before Close (the LDAP server's idle deadline, TLS's
// close_notify write deadline) lived until it fired and kept both ends and
// their buffers reachable, hundreds of MB held for minutes in a fleet of
// 100,000 devices.
func bufPipe(name string) (net.Conn, net.Conn) {
	a2b, b2a := newStream(), newStream()
	a := &bufConn{rd: b2a, wr: a2b, local: pipeAddr(name + "-client"), remote: pipeAddr(name)}
	b := &bufConn{rd: a2b, wr: b2a, local: pipeAddr(name), remote: pipeAddr(name + "-client")}
	a.init()
	b.init()
	return a, b
}

// stream is one direction: the bytes written and not yet read.
type stream struct {
	mu  sync.Mutex
	buf []byte // unread bytes are buf[off:]
	off int
	// eof: the writing end closed (read what is left, then io.EOF);
	// gone: the reading end closed (writes fail).
	eof, gone bool
	// readable and writable are signals with room for one: a writer or a
	// closing end fills readable, a reader or a closing end writable, so a
	// waiter that checked the state and found nothing to do cannot miss the
	// change that follows.
	readable, writable chan struct{}
}

func newStream() *stream {
	return &stream{readable: make(chan struct{}, 1), writable: make(chan struct{}, 1)}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// bufConn is one end.
type bufConn struct {
	rd, wr        *stream
	local, remote net.Addr

	closeOnce sync.Once
	done      chan struct{} // closed by Close
	readDL    pipeDeadline
	writeDL   pipeDeadline
}

func (c *bufConn) init() {
	c.done = make(chan struct{})
	c.readDL = makePipeDeadline()
	c.writeDL = makePipeDeadline()
}

func (c *bufConn) LocalAddr() net.Addr  { return c.local }
func (c *bufConn) RemoteAddr() net.Addr { return c.remote }

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// Read implements net.Conn.
func (c *bufConn) Read(b []byte) (int, error) {
	s := c.rd
	for {
		switch {
		case isClosed(c.done):
			return 0, io.ErrClosedPipe
		case isClosed(c.readDL.wait()):
			return 0, os.ErrDeadlineExceeded
		}
		s.mu.Lock()
		if n := len(s.buf) - s.off; n > 0 {
			if len(b) == 0 {
				s.mu.Unlock()
				return 0, nil
			}
			n = copy(b, s.buf[s.off:])
			s.off += n
			if s.off == len(s.buf) {
				// Drained: start again at the front, and let a large
				// buffer go rather than hold it for the connection's life.
				if cap(s.buf) > 4<<10 {
					s.buf = nil
				} else {
					s.buf = s.buf[:0]
				}
				s.off = 0
			}
			s.mu.Unlock()
			signal(s.writable)
			return n, nil
		}
		eof := s.eof
		s.mu.Unlock()
		if eof {
			return 0, io.EOF
		}
		select {
		case <-s.readable:
		case <-c.readDL.wait():
			return 0, os.ErrDeadlineExceeded
		case <-c.done:
			return 0, io.ErrClosedPipe
		}
	}
}

// Write implements net.Conn.
func (c *bufConn) Write(b []byte) (int, error) {
	s := c.wr
	written := 0
	for {
		switch {
		case isClosed(c.done):
			return written, io.ErrClosedPipe
		case isClosed(c.writeDL.wait()):
			return written, os.ErrDeadlineExceeded
		}
		s.mu.Lock()
		if s.gone {
			s.mu.Unlock()
			return written, io.ErrClosedPipe
		}
		if room := PipeBuffer - (len(s.buf) - s.off); room > 0 {
			n := min(room, len(b)-written)
			if s.off > 0 && len(s.buf)+n > cap(s.buf) {
				// Move the unread bytes to the front before growing.
				s.buf = s.buf[:copy(s.buf, s.buf[s.off:])]
				s.off = 0
			}
			s.buf = append(s.buf, b[written:written+n]...)
			written += n
			s.mu.Unlock()
			signal(s.readable)
			if written == len(b) {
				return written, nil
			}
			continue
		}
		s.mu.Unlock()
		select {
		case <-s.writable:
		case <-c.writeDL.wait():
			return written, os.ErrDeadlineExceeded
		case <-c.done:
			return written, io.ErrClosedPipe
		}
	}
}

// Close implements net.Conn: the other end reads what is buffered and then
// io.EOF, and its writes fail.
func (c *bufConn) Close() error {
	c.closeOnce.Do(func() {
		close(c.done)
		c.readDL.stop()
		c.writeDL.stop()
		c.wr.mu.Lock()
		c.wr.eof = true
		c.wr.mu.Unlock()
		signal(c.wr.readable)
		c.rd.mu.Lock()
		c.rd.gone = true
		c.rd.buf, c.rd.off = nil, 0 // nobody will read it
		c.rd.mu.Unlock()
		signal(c.rd.writable)
	})
	return nil
}

// SetDeadline implements net.Conn.
func (c *bufConn) SetDeadline(t time.Time) error {
	if isClosed(c.done) {
		return io.ErrClosedPipe
	}
	c.readDL.set(t)
	c.writeDL.set(t)
	return nil
}

// SetReadDeadline implements net.Conn.
func (c *bufConn) SetReadDeadline(t time.Time) error {
	if isClosed(c.done) {
		return io.ErrClosedPipe
	}
	c.readDL.set(t)
	return nil
}

// SetWriteDeadline implements net.Conn.
func (c *bufConn) SetWriteDeadline(t time.Time) error {
	if isClosed(c.done) {
		return io.ErrClosedPipe
	}
	c.writeDL.set(t)
	return nil
}

// pipeDeadline is a deadline as a channel that is closed when it passes
// (the design of net.Pipe's own, in net/pipe.go), plus stop, which Close
// calls so that no timer outlives the connection.
type pipeDeadline struct {
	mu     *sync.Mutex
	timer  *time.Timer
	cancel chan struct{} // closed once the deadline has passed
}

func makePipeDeadline() pipeDeadline {
	return pipeDeadline{mu: new(sync.Mutex), cancel: make(chan struct{})}
}

// set arms the deadline at t: the zero time clears it, a time in the past
// expires it at once (without a timer).
func (d *pipeDeadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && !d.timer.Stop() {
		<-d.cancel // the timer fired: wait until its func has closed cancel
	}
	d.timer = nil
	closed := isClosed(d.cancel)
	if t.IsZero() {
		if closed {
			d.cancel = make(chan struct{})
		}
		return
	}
	if dur := time.Until(t); dur > 0 {
		if closed {
			d.cancel = make(chan struct{})
		}
		cancel := d.cancel
		d.timer = time.AfterFunc(dur, func() { close(cancel) })
		return
	}
	if !closed {
		close(d.cancel)
	}
}

// stop drops the timer, if any, without expiring the deadline.
func (d *pipeDeadline) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop() // if it fired already, cancel is closed: harmless
		d.timer = nil
	}
}

func (d *pipeDeadline) wait() chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cancel
}
