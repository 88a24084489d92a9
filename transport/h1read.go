package transport

import (
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// The in-memory wire's readers. MemoryTransport parses every request and
// every answer it carries from HTTP/1.1 bytes. http.ReadRequest and
// http.ReadResponse read any message a peer may send, through a bufio.Reader
// and a textproto.Reader, a string and a slice for each header line: at
// 10,000 devices they were 9 % of the CPU of a run and their header maps 6 %
// of the bytes it allocated (docs/SCALE.md).
//
// parseRequest and parseResponse read the plain messages that this wire's
// own writers produce in one pass over bytes already whole in memory: a
// request or status line, "Name: value" lines ending in CRLF, the blank
// line, and a body of the length its one Content-Length header gives. The
// header lines become one string, which the names and values share.
// Anything else (a folded or bare-LF line, a byte outside printable ASCII,
// Transfer-Encoding, Connection, Pragma, Trailer, several Content-Length
// or Host headers, another protocol version, a target not in origin form,
// HEAD, an answer without a body by its status) makes them decline, and
// the caller hands the same bytes to net/http's reader. What they accept they read as net/http does, field for field:
// FuzzParseRequest and FuzzParseResponse hold them to http.ReadRequest and
// http.ReadResponse on arbitrary bytes (h1read_fuzz_test.go).

// maxLeanHeader bounds the header block the fast path reads, in bytes and
// lines; a larger one goes to net/http's reader and its own limits.
const (
	maxLeanHeader = 16 << 10
	maxLeanLines  = 64
)

// parseRequest reads the request in b as http.ReadRequest reads it from a
// reader over b, or reports false when b is not a plain request.
func parseRequest(b []byte) (*http.Request, bool) {
	line, hdr, lines, body, ok := readHead(b)
	if !ok {
		return nil, false
	}
	// "METHOD SP target SP HTTP/1.1" (parseRequestLine in net/http).
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || proto != "HTTP/1.1" {
		return nil, false
	}
	// CONNECT's target is an authority and PRI is HTTP/2's preface:
	// net/http reads both specially.
	if !httpguts.ValidHeaderFieldName(method) || method == "CONNECT" || method == "PRI" || len(target) == 0 || target[0] != '/' {
		return nil, false
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, false
	}
	h, ok := parseHeader(hdr, lines)
	if !ok {
		return nil, false
	}
	if len(h["Host"]) > 1 {
		return nil, false
	}
	n, ok := contentLength(h, body)
	if !ok {
		return nil, false
	}
	if n < 0 {
		// A request that names no length has none (RFC 9112 §6.3).
		n = 0
	}
	host := u.Host
	if host == "" {
		if v := h["Host"]; len(v) > 0 {
			host = v[0]
		}
	}
	// ReadRequest keeps the host in Request.Host only.
	delete(h, "Host")
	return &http.Request{
		Method: method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: bodyOf(body, n), ContentLength: n, Host: host, RequestURI: target,
	}, true
}

// parseResponse reads the answer to req in b as http.ReadResponse reads
// it from a reader over b, or reports false when b is not a plain answer
// with a body of known length.
func parseResponse(b []byte, req *http.Request) (*http.Response, bool) {
	if req == nil || req.Method == http.MethodHead {
		return nil, false
	}
	line, hdr, lines, body, ok := readHead(b)
	if !ok {
		return nil, false
	}
	// "HTTP/1.1 SP DDD SP reason" or "HTTP/1.1 SP DDD" (ReadResponse).
	const proto = "HTTP/1.1 "
	if len(line) < len(proto)+3 || line[:len(proto)] != proto {
		return nil, false
	}
	status := line[len(proto):]
	if len(status) > 3 && status[3] != ' ' {
		return nil, false
	}
	code := 0
	for i := range 3 {
		c := status[i]
		if c < '0' || c > '9' {
			return nil, false
		}
		code = code*10 + int(c-'0')
	}
	// No body by its status (1xx, 204, 304): net/http reads those.
	if code < 200 || code == http.StatusNoContent || code == http.StatusNotModified {
		return nil, false
	}
	h, ok := parseHeader(hdr, lines)
	if !ok {
		return nil, false
	}
	n, ok := contentLength(h, body)
	if !ok || n < 0 {
		// Without a length the body runs to the connection's end.
		return nil, false
	}
	return &http.Response{
		Status: status, StatusCode: code, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: bodyOf(body, n), ContentLength: n, Request: req,
	}, true
}

// readHead cuts b at the blank line that ends the head and splits the head
// into its first line and its header lines, each ending in CRLF, lines of
// them, as two strings; body is what follows. It declines a head past
// maxLeanHeader and any byte net/http's reader reads differently or
// refuses: a control byte (but HTAB), DEL, a byte past ASCII, a CR or LF
// that is not a line's end.
func readHead(b []byte) (line, hdr string, lines int, body []byte, ok bool) {
	i := bytes.Index(b, []byte("\r\n\r\n"))
	if i < 0 || i+2 > maxLeanHeader {
		return "", "", 0, nil, false
	}
	head := b[:i+2]
	for k := 0; k < len(head); k++ {
		c := head[k]
		if headByte[c] {
			continue
		}
		if c != '\r' || k+1 == len(head) || head[k+1] != '\n' {
			return "", "", 0, nil, false
		}
		lines++
		k++
	}
	if lines > maxLeanLines+1 {
		return "", "", 0, nil, false
	}
	// The first line a string of its own: a handler may keep a path
	// variable, an answer's status may be kept, and neither should hold
	// the header lines (a kilobyte of bearer token) alive with it.
	end := bytes.IndexByte(head, '\r')
	return string(head[:end]), string(head[end+2:]), lines - 1, b[i+4:], true
}

// headByte marks the bytes a head's lines may hold as they are: HTAB and
// printable ASCII. One load a byte: heads carry bearer tokens of a
// kilobyte.
var headByte = func() (t [256]bool) {
	t['\t'] = true
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	return t
}()

// parseHeader reads "Name: value" lines as textproto.Reader.ReadMIMEHeader
// does: the name canonical, the value without the blanks that open it. A
// line that opens with a blank (a folded line), a name that is not a token,
// a value that ends in a blank, and Transfer-Encoding, Connection, Pragma
// and Trailer headers decline.
func parseHeader(hdr string, lines int) (http.Header, bool) {
	h := make(http.Header, lines)
	vals := make([]string, lines)
	for len(hdr) > 0 {
		end := strings.IndexByte(hdr, '\r')
		kv := hdr[:end]
		hdr = hdr[end+2:]
		colon := strings.IndexByte(kv, ':')
		if colon <= 0 || !httpguts.ValidHeaderFieldName(kv[:colon]) {
			return nil, false
		}
		v := kv[colon+1:]
		for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
			v = v[1:]
		}
		if len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
			return nil, false
		}
		key := textproto.CanonicalMIMEHeaderKey(kv[:colon])
		switch key {
		case "Transfer-Encoding", "Connection", "Pragma", "Trailer":
			return nil, false
		}
		if vv, seen := h[key]; seen {
			h[key] = append(vv, v)
			continue
		}
		// Each name's values start in the shared array with room for
		// one, as ReadMIMEHeader's do: a second value copies them out.
		vals[0] = v
		h[key], vals = vals[:1:1], vals[1:]
	}
	return h, true
}

// contentLength is the length of the body by the message's one
// Content-Length header, -1 when it has none; it declines several headers,
// a value that is not a decimal number, and a body shorter than the value.
func contentLength(h http.Header, body []byte) (int64, bool) {
	cl := h["Content-Length"]
	switch len(cl) {
	case 0:
		return -1, true
	case 1:
	default:
		return 0, false
	}
	n, err := strconv.ParseUint(cl[0], 10, 63)
	if err != nil || n > uint64(len(body)) {
		return 0, false
	}
	return int64(n), true
}

// bodyOf is a message's body of n bytes from b, as net/http gives it:
// http.NoBody when there is none.
func bodyOf(b []byte, n int64) io.ReadCloser {
	if n == 0 {
		return http.NoBody
	}
	return &wireBody{b: b[:n]}
}

// wireBody reads a body already whole in memory. Like net/http's body it
// reports io.EOF with its last bytes and refuses reads once closed
// (http.ErrBodyReadAfterClose).
type wireBody struct {
	b      []byte
	closed bool
}

func (r *wireBody) Read(p []byte) (int, error) {
	if r.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	if len(r.b) == 0 {
		return n, io.EOF
	}
	return n, nil
}

func (r *wireBody) Close() error {
	r.closed = true
	r.b = nil
	return nil
}
