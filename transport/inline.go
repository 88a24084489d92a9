package transport

import (
	"iter"
	"net"
	"sync"
	"sync/atomic"
)

// InlinePipe returns the client end of a BufferedPipe, named name on the
// server's side as a PipeListener's connections are, whose server end is
// served by serve as a coroutine of the client (iter.Pull), not on a
// goroutine of its own: when the client writes, or would wait to read, the
// server runs on the client's goroutine until it would wait for the client
// in turn, and then the client goes on. The bytes on the wire and the
// semantics of both ends are BufferedPipe's.
//
// Why: an LDAP operation on a pipe to a server goroutine is two goroutine
// hand-offs, and each makes the runtime wake a thread on the idle core
// (futex, wakep) to run a goroutine the waking core runs next anyway, and
// moves the connection's data between the cores' caches. A coroutine switch
// involves no scheduler (docs/SCALE.md, "The LDAP server as a coroutine").
//
// Rules of use:
//   - serve gets the server end and must use it only on the goroutine it
//     runs on (the coroutine); it returns when it is done with it.
//   - The client end may be used from several goroutines, as any net.Conn:
//     whoever finds the server runnable runs it, one at a time.
//   - The server runs when the client writes, when the client would wait
//     (to read, or for room to write), when the client closes, and when one
//     of the server's deadlines passes (the deadline's timer resumes it, so
//     a server's idle timeout ends a connection its client holds open and
//     never uses).
//   - Closing the client end runs the server until serve returns.
//     Closing the server end from elsewhere (a server shutting down) should
//     be followed by Settle on it, which does the same.
//
// A panic in serve is raised on the goroutine that was running it.
func InlinePipe(name string, serve func(server net.Conn)) net.Conn {
	srv, cli := BufferedPipe(pipeAddr(name), pipeAddr("client"))
	s := srv.(*bufConn)
	c := cli.(*bufConn)
	p := &inline{toSrv: c.out, toCli: c.in}
	p.next, p.stop = iter.Pull(func(yield func(struct{}) bool) {
		p.yield = yield
		serve(&inlineServer{bufConn: s, p: p})
		// A server that is done with a connection has closed it; if serve
		// did not, its client would wait for an answer that cannot come.
		_ = s.Close()
	})
	s.park = p.parkServer
	c.park = p.parkClient
	// A server deadline's timer resumes a parked server, so that its Read
	// or Write returns os.ErrDeadlineExceeded.
	s.rd.onFire = p.kick
	s.wd.onFire = p.kick
	// Accept: serve runs now, until it first waits for the client (a
	// server that refuses the connection closes it here).
	p.run.Lock()
	p.resume()
	p.run.Unlock()
	return &inlineClient{bufConn: c, p: p}
}

// inline is the coroutine that serves one InlinePipe.
type inline struct {
	run   sync.Mutex // held by whoever runs the server, and guards all below
	next  func() (struct{}, bool)
	stop  func()
	yield func(struct{}) bool // the coroutine's; used only on it
	toSrv *stream             // what the client wrote
	toCli *stream             // what the server wrote

	// inside: the server is running, on the goroutine holding run. Set
	// under run; read without it by Settle, to tell whether it is called
	// from serve.
	inside atomic.Bool
	done   bool // serve has returned
}

// resume runs the server until it parks or returns. Called with run held.
func (p *inline) resume() {
	p.inside.Store(true)
	_, ok := p.next()
	p.inside.Store(false)
	if !ok {
		p.done = true
	}
}

// kick runs the server: the client wrote, or a server deadline passed.
// Never called from serve: the server end does not kick.
func (p *inline) kick() {
	p.run.Lock()
	defer p.run.Unlock()
	if !p.done {
		p.resume()
	}
}

// parkServer: the server would wait; it yields to its client instead, and
// looks again when resumed. Once the pipe is being torn down (stop), it
// gives up.
func (p *inline) parkServer() parkResult {
	if !p.yield(struct{}{}) {
		return parkClosed
	}
	return parkRetry
}

// parkClient: the client would wait; run the server, and look again if it
// took or gave bytes (or ended). If it did neither, it waits for the client
// too, and the client waits as on a plain pipe: for another goroutine's
// read or write on its end, a close or a deadline. So each wait costs at
// most one fruitless run of the server.
func (p *inline) parkClient() parkResult {
	p.run.Lock()
	defer p.run.Unlock()
	if p.done {
		return parkWait
	}
	before := p.seen()
	p.resume()
	if p.done || p.seen() != before {
		return parkRetry
	}
	return parkWait
}

// flow is what the client can see of the server's progress.
type flow struct {
	unsent, unread int  // bytes the server has not read; bytes it wrote, not yet read
	ended          bool // the server closed its end
}

func (p *inline) seen() flow {
	var f flow
	p.toSrv.mu.Lock()
	f.unsent = len(p.toSrv.buf) - p.toSrv.off
	p.toSrv.mu.Unlock()
	p.toCli.mu.Lock()
	f.unread, f.ended = len(p.toCli.buf)-p.toCli.off, p.toCli.wclosed
	p.toCli.mu.Unlock()
	return f
}

// settle runs the server until serve returns, after an end was closed: its
// reads and writes fail now, so it ends; if it parks all the same, stop
// makes every later park give up.
func (p *inline) settle() {
	p.run.Lock()
	defer p.run.Unlock()
	if p.done {
		return
	}
	p.resume()
	if !p.done {
		p.inside.Store(true)
		p.stop()
		p.inside.Store(false)
		p.done = true
	}
}

// inlineClient is the client end of an InlinePipe.
type inlineClient struct {
	*bufConn
	p *inline
}

// Write buffers b for the server and runs it.
func (c *inlineClient) Write(b []byte) (int, error) {
	n, err := c.bufConn.Write(b)
	if n > 0 {
		c.p.kick()
	}
	return n, err
}

// Close closes the client end and runs the server until serve returns.
func (c *inlineClient) Close() error {
	err := c.bufConn.Close()
	c.p.settle()
	return err
}

// inlineServer is the server end of an InlinePipe.
type inlineServer struct {
	*bufConn
	p *inline
}

// Settle runs a server whose end was closed from outside serve until serve
// returns (a server shutting down: nothing else would resume it). From
// inside serve, or once serve has returned, it does nothing.
func (c *inlineServer) Settle() {
	if c.p.inside.Load() {
		return
	}
	c.p.settle()
}
