package transport

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/net/http/httpguts"
)

// MemoryTransport is the in-memory HTTP wire: an http.RoundTripper that
// writes each request as HTTP/1.1 bytes, parses them as a server would,
// serves them with the handler on the caller's goroutine, writes the
// handler's answer as HTTP/1.1 bytes and parses those as a client would.
// The parsers are parseRequest and parseResponse (h1read.go) for the plain
// messages the simulated systems exchange, held field for field to
// http.ReadRequest and http.ReadResponse by fuzzing, and those two for
// anything else.
//
// Why not an http.Server on a PipeListener: at 10,000 devices the pipe's
// goroutine hand-offs (the server's connection goroutine, the client's read
// and write loops, net.Pipe's select) and their buffers cost 18 % of the
// CPU per device of a run, for bytes no different from these (measured
// with make bench-scale; docs/SCALE.md).
// The pipe stays for LDAP, whose server (glauth) serves only a listener.
//
// What an http.Server adds that this leaves out, and why that is safe for
// the simulated systems that use it: no Date header (it is wall-clock time,
// which a deterministic run must not carry, and no client here reads it);
// no connection, so nothing for the server's timeouts and connection caps to
// bound (the real port keeps them: mockgraph.HTTPLimits); no 100-continue.
// It keeps what clients see: the status line, the handler's headers, a
// sniffed Content-Type when the handler sets none and a Content-Length, as
// net/http's server does ("net/http" package documentation, ResponseWriter).
//
// Bounds: a request and its answer are each held whole in memory while in
// flight, one pair per calling goroutine; the handlers' own page and body
// limits bound their size.
type MemoryTransport struct {
	Handler http.Handler
	// Closed, when set and true, fails every round trip with ErrClosed,
	// as a stopped server's listener does.
	Closed *atomic.Bool
}

// bufPool recycles the wire buffers between round trips: a fleet makes
// millions of them.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// MaxPooled is the largest buffer kept for reuse, here and by the
// handlers and clients that recycle theirs: an import batch's megabytes
// are not kept for the next poll.
const MaxPooled = 64 << 10

// bodyBufs holds the buffers of TakeBuffer and KeepBuffer.
var bodyBufs = sync.Pool{New: func() any { return new([]byte) }}

// TakeBuffer is an empty buffer to read a request's or an answer's body
// into, to decode at once; KeepBuffer gives it back. A fleet's device
// requests and answers, each with a 4 KB hardware hash or an ODJ blob, were
// 2 to 3 % of the bytes it allocated (docs/SCALE.md).
func TakeBuffer() *[]byte { return bodyBufs.Get().(*[]byte) }

// KeepBuffer gives back the buffer p that TakeBuffer gave, now holding b
// (b may have grown out of it), for the next TakeBuffer, unless b is past
// MaxPooled. Call it once nothing decoded from b shares its bytes
// (json.Unmarshal copies every string, RawMessage and []byte out).
func KeepBuffer(p *[]byte, b []byte) {
	if cap(b) <= MaxPooled {
		*p = b[:0]
		bodyBufs.Put(p)
	}
}

// maxPresize is the largest request body a wire buffer is sized for
// before the body is read.
const maxPresize = 16 << 20

// RoundTrip implements http.RoundTripper.
func (t MemoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Closed != nil && t.Closed.Load() {
		closeBody(req)
		return nil, ErrClosed
	}
	// http.Transport refuses a header it cannot write as sent; Request.Write
	// would quietly turn a newline into a space instead.
	for k, vv := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			closeBody(req)
			return nil, fmt.Errorf("net/http: invalid header field name %q", k)
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				closeBody(req)
				return nil, fmt.Errorf("net/http: invalid header field value for %q", k)
			}
		}
	}
	wire := bufPool.Get().(*bytes.Buffer)
	wire.Reset()
	defer func() {
		// An import batch's megabytes are not kept for the next poll.
		if wire.Cap() <= MaxPooled {
			bufPool.Put(wire)
		}
	}()
	if req.ContentLength > 0 {
		// Room for the body and the request line and headers at once: an
		// import's hashes otherwise grow the buffer by doubling, copying
		// each step (3 % of a fleet's bytes allocated, docs/SCALE.md).
		// A claimed length is not trusted beyond maxPresize; past it the
		// buffer grows with what the body really holds.
		wire.Grow(int(min(req.ContentLength, maxPresize)) + 2048)
	}
	// writeRequest closes the body, as a RoundTripper must.
	if err := writeRequest(wire, req); err != nil {
		return nil, fmt.Errorf("transport: write request: %w", err)
	}
	// The handler has read what it reads of the body by the time serve
	// returns; nothing holds the wire's bytes after that.
	sreq, err := readRequest(wire.Bytes())
	if err != nil {
		return nil, fmt.Errorf("transport: read request: %w", err)
	}
	// The server side sees the caller's context (a cancelled caller
	// cancels the handler's work, as a closed connection would). Most
	// callers have none, and ReadRequest's request already answers
	// context.Background(): WithContext's copy of the request was 1 % of
	// a fleet's bytes.
	if ctx := req.Context(); ctx != context.Background() {
		sreq = sreq.WithContext(ctx)
	}
	sreq.RemoteAddr = "memory"
	a := answerPool.Get().(*answer)
	rw := &memResponse{header: http.Header{}, body: &a.body}
	if err := serve(t.Handler, rw, sreq); err != nil {
		a.release()
		return nil, err
	}
	rw.wire(&a.out, sreq.Method)
	a.body.Reset()
	resp, err := a.read(req)
	if err != nil {
		a.release()
		return nil, fmt.Errorf("transport: read response: %w", err)
	}
	resp.Body = &pooledBody{ReadCloser: resp.Body, a: a}
	return resp, nil
}

// answerPool recycles what the client side's answer is built and read
// from: the handler's body, the answer's bytes and the reader over them
// (4 KB). They go back when the answer's body is closed, as every client
// here does; an answer whose body is left open is the collector's. The
// two buffers were 4.4 % of the bytes a 10,000-device fleet allocated
// (docs/SCALE.md).
var answerPool = sync.Pool{New: func() any { return &answer{rr: bufio.NewReader(nil)} }}

// answer is one round trip's answer on the in-memory wire.
type answer struct {
	body bytes.Buffer  // what the handler wrote
	out  bytes.Buffer  // the answer as HTTP/1.1 bytes
	src  bytes.Reader  // over out
	rr   *bufio.Reader // over src, for http.ReadResponse
}

// read parses the answer's bytes: parseResponse when they are a plain
// answer, http.ReadResponse when not.
func (a *answer) read(req *http.Request) (*http.Response, error) {
	if resp, ok := parseResponse(a.out.Bytes(), req); ok {
		return resp, nil
	}
	a.src.Reset(a.out.Bytes())
	a.rr.Reset(&a.src)
	return http.ReadResponse(a.rr, req)
}

// readRequest parses a request's bytes: parseRequest when they are a
// plain request, http.ReadRequest when not (rare: none of the simulated
// systems sends one).
func readRequest(b []byte) (*http.Request, error) {
	if req, ok := parseRequest(b); ok {
		return req, nil
	}
	return http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
}

// release puts a back in answerPool, unless a buffer has grown past
// MaxPooled (an export of a large list is not kept for the next poll).
func (a *answer) release() {
	a.rr.Reset(nil)
	a.src.Reset(nil)
	a.body.Reset()
	a.out.Reset()
	if a.body.Cap() <= MaxPooled && a.out.Cap() <= MaxPooled {
		answerPool.Put(a)
	}
}

// pooledBody is an answer's body that returns its answer to answerPool
// when closed. net/http's body refuses reads once closed
// (http.ErrBodyReadAfterClose) and drains what is left of it from the
// reader within Close, so nothing reads the answer's bytes after that;
// ReadResponse copied the status and headers into strings of their own.
type pooledBody struct {
	io.ReadCloser
	a *answer
}

func (b *pooledBody) Close() error {
	err := b.ReadCloser.Close()
	if b.a != nil {
		b.a.release()
		b.a = nil
	}
	return err
}

func closeBody(r *http.Request) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
}

// serve runs the handler, turning a panic into the error a client of a real
// server sees when the server drops the connection (http.Server recovers a
// handler's panic and closes the connection).
func serve(h http.Handler, w http.ResponseWriter, r *http.Request) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				err = fmt.Errorf("transport: %s %s: handler aborted the response", r.Method, r.URL.Path)
				return
			}
			err = fmt.Errorf("transport: %s %s: the server dropped the connection (handler panic: %v)", r.Method, r.URL.Path, p)
		}
	}()
	h.ServeHTTP(w, r)
	return nil
}

// memResponse is the handler's http.ResponseWriter.
type memResponse struct {
	header http.Header
	status int
	body   *bytes.Buffer
}

func (m *memResponse) Header() http.Header { return m.header }

func (m *memResponse) WriteHeader(code int) {
	// Like http.Server: the first status wins; 1xx interim answers are
	// not relayed (no handler of ours sends them).
	if m.status != 0 || (code >= 100 && code < 200) {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	m.status = code
}

func (m *memResponse) Write(b []byte) (int, error) {
	if m.status == 0 {
		m.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(m.status) {
		return 0, http.ErrBodyNotAllowed
	}
	return m.body.Write(b)
}

// bodyAllowed: 1xx, 204 and 304 answers carry no body (RFC 9110 §6.4.1).
func bodyAllowed(status int) bool {
	return !(status >= 100 && status < 200) && status != http.StatusNoContent && status != http.StatusNotModified
}

// wire writes the answer to out as HTTP/1.1 bytes, with the headers
// net/http's server adds: a sniffed Content-Type when the handler set
// none, and the length.
func (m *memResponse) wire(out *bytes.Buffer, method string) {
	if m.status == 0 {
		m.status = http.StatusOK
	}
	h := m.header
	if _, set := h["Content-Type"]; !set && m.body.Len() > 0 && h.Get("Content-Encoding") == "" {
		h.Set("Content-Type", http.DetectContentType(m.body.Bytes()))
	}
	if bodyAllowed(m.status) && h.Get("Transfer-Encoding") == "" {
		h.Set("Content-Length", strconv.Itoa(m.body.Len()))
	}
	// Room for the whole answer at once: the status line, the headers
	// as Header.Write puts them ("Key: value\r\n") and the body.
	size := 64 + m.body.Len()
	for k, vv := range h {
		for _, v := range vv {
			size += len(k) + len(v) + 4
		}
	}
	out.Grow(size)
	text := http.StatusText(m.status)
	if text == "" {
		text = "status code " + strconv.Itoa(m.status) // as net/http's server writes it
	}
	fmt.Fprintf(out, "HTTP/1.1 %03d %s\r\n", m.status, text)
	writeHeader(out, h)
	out.WriteString("\r\n")
	if method != http.MethodHead {
		out.Write(m.body.Bytes())
	}
}

// ServeHTTPMemory returns an HTTP client whose every request, whatever its
// URL host, goes to h over the in-memory wire (MemoryTransport), and a stop
// function after which requests fail with ErrClosed. Requests and answers
// travel as real HTTP/1.1 bytes.
func ServeHTTPMemory(h http.Handler) (*http.Client, func()) {
	closed := new(atomic.Bool)
	return &http.Client{Transport: MemoryTransport{Handler: h, Closed: closed}}, func() { closed.Store(true) }
}

// writeHeader writes h to out as http.Header.Write does: names in order,
// a name that is not a token left out, each value with its line breaks
// made spaces and its outer blanks trimmed. Header.Write sorts through a
// pooled sorter and an interface per call; an answer has a handful of
// names (FuzzWriteHeader holds the two to the same bytes).
func writeHeader(out *bytes.Buffer, h http.Header) { writeHeaderExcept(out, h, false) }
