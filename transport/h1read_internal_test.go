package transport

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// sameRequest reports how the request parseRequest read from b differs
// from http.ReadRequest's, or "" when it does not: every field, the body's
// bytes and whether it is http.NoBody.
func sameRequest(got *http.Request, b []byte) string {
	want, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		return fmt.Sprintf("parseRequest read what http.ReadRequest refuses (%v)", err)
	}
	return sameMessage(got, want, &got.Body, &want.Body)
}

// sameResponse is sameRequest for an answer to req.
func sameResponse(got *http.Response, b []byte, req *http.Request) string {
	want, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), req)
	if err != nil {
		return fmt.Sprintf("parseResponse read what http.ReadResponse refuses (%v)", err)
	}
	return sameMessage(got, want, &got.Body, &want.Body)
}

// sameMessage compares two requests or two answers (pointers to the
// same type) field by field, bodies by their bytes; it takes the bodies
// out of both to compare the rest with reflect.DeepEqual.
func sameMessage(got, want any, gotBody, wantBody *io.ReadCloser) string {
	if (*gotBody == http.NoBody) != (*wantBody == http.NoBody) {
		return fmt.Sprintf("body %T, want %T", *gotBody, *wantBody)
	}
	gb, gerr := io.ReadAll(*gotBody)
	wb, werr := io.ReadAll(*wantBody)
	if !bytes.Equal(gb, wb) || (gerr == nil) != (werr == nil) {
		return fmt.Sprintf("body %q (%v), want %q (%v)", gb, gerr, wb, werr)
	}
	*gotBody, *wantBody = nil, nil
	g, w := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range g.NumField() {
		if !g.Type().Field(i).IsExported() {
			continue // compared below, as a whole
		}
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			return fmt.Sprintf("%s %#v, want %#v", g.Type().Field(i).Name, g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
	if !reflect.DeepEqual(got, want) { // the unexported fields too
		return fmt.Sprintf("%#v, want %#v", got, want)
	}
	return ""
}

// wireRequest is a request as this wire writes it (Request.Write). It
// runs as the table is built, so it panics rather than fails.
func wireRequest(method, target, body string, header map[string]string) []byte {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://graph.local"+target, r)
	if err != nil {
		panic(err) // the entries' own literals
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	var b bytes.Buffer
	if err := req.Write(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// wireAnswer is a handler's answer as this wire writes it (memResponse.wire).
func wireAnswer(status int, body string, header map[string]string) []byte {
	rw := &memResponse{header: http.Header{}, body: new(bytes.Buffer)}
	for k, v := range header {
		rw.header.Set(k, v)
	}
	rw.WriteHeader(status)
	_, _ = rw.Write([]byte(body))
	var out bytes.Buffer
	rw.wire(&out, http.MethodGet)
	return out.Bytes()
}

var _ = Describe("the in-memory wire's readers (parseRequest, parseResponse)", func() {
	get := func() *http.Request {
		req, err := http.NewRequest(http.MethodGet, "http://graph.local/", nil)
		Expect(err).NotTo(HaveOccurred())
		return req
	}

	DescribeTable("read what this wire writes as net/http reads it",
		func(b []byte) {
			req, ok := parseRequest(b)
			Expect(ok).To(BeTrue(), "parseRequest declined %q", b)
			Expect(sameRequest(req, b)).To(BeEmpty())
		},
		Entry("a GET with a bearer token", wireRequest("GET", "/_private/odj/requests/abc?x=1&y=%20", "", map[string]string{"Authorization": "Bearer t0k.en"})),
		Entry("a POST with a JSON body", wireRequest("POST", "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities/import", `{"a":"b"}`, map[string]string{"Content-Type": "application/json"})),
		Entry("a DELETE without a body", wireRequest("DELETE", "/v1.0/devices/1", "", nil)),
		Entry("a header named twice", []byte("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\n")),
		Entry("an empty value and a tab", []byte("GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Tab:\tv\r\n\r\n")),
		Entry("no header at all", []byte("GET / HTTP/1.1\r\n\r\n")),
	)

	DescribeTable("answers: read what this wire writes as net/http reads it",
		func(b []byte) {
			resp, ok := parseResponse(b, get())
			Expect(ok).To(BeTrue(), "parseResponse declined %q", b)
			Expect(sameResponse(resp, b, resp.Request)).To(BeEmpty())
		},
		Entry("200 with a JSON body", wireAnswer(200, `{"value":[]}`, map[string]string{"Content-Type": "application/json"})),
		Entry("429 with Retry-After", wireAnswer(429, `{"error":{}}`, map[string]string{"Retry-After": "30"})),
		Entry("an empty body", wireAnswer(202, "", nil)),
		Entry("a status without a reason", []byte("HTTP/1.1 299\r\nContent-Length: 0\r\n\r\n")),
	)

	DescribeTable("decline what net/http reads another way, so that net/http reads it",
		func(b []byte) {
			_, ok := parseRequest(b)
			Expect(ok).To(BeFalse())
		},
		Entry("a folded header line", []byte("GET / HTTP/1.1\r\nX-A: 1\r\n 2\r\n\r\n")),
		Entry("a bare LF", []byte("GET / HTTP/1.1\nHost: a\r\n\r\n")),
		Entry("chunked", []byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n")),
		Entry("Connection: close", []byte("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")),
		Entry("Pragma", []byte("GET / HTTP/1.1\r\nPragma: no-cache\r\n\r\n")),
		Entry("two lengths", []byte("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na")),
		Entry("a body shorter than its length", []byte("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab")),
		Entry("HTTP/1.0", []byte("GET / HTTP/1.0\r\n\r\n")),
		Entry("an absolute target", []byte("GET http://a/ HTTP/1.1\r\n\r\n")),
		Entry("CONNECT", []byte("CONNECT /x HTTP/1.1\r\n\r\n")),
		Entry("two Host headers", []byte("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")),
		Entry("a byte past ASCII", []byte("GET / HTTP/1.1\r\nX-A: \xc3\xa9\r\n\r\n")),
		Entry("a name with a space", []byte("GET / HTTP/1.1\r\nX-A : 1\r\n\r\n")),
		Entry("a value ending in a blank", []byte("GET / HTTP/1.1\r\nX-A: 1 \r\n\r\n")),
		Entry("no blank line", []byte("GET / HTTP/1.1\r\nHost: a\r\n")),
	)

	DescribeTable("answers: decline what net/http reads another way",
		func(b []byte, method string) {
			req := get()
			req.Method = method
			_, ok := parseResponse(b, req)
			Expect(ok).To(BeFalse())
		},
		Entry("no Content-Length (the body runs to the end)", []byte("HTTP/1.1 200 OK\r\n\r\nabc"), "GET"),
		Entry("204", []byte("HTTP/1.1 204 No Content\r\n\r\n"), "GET"),
		Entry("an answer to HEAD", []byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"), "HEAD"),
		Entry("a two-digit status", []byte("HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n"), "GET"),
		Entry("HTTP/1.0", []byte("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), "GET"),
	)

	DescribeTable("writes a plain request as Request.Write does, on the fast path",
		func(method, target, body string, header map[string]string) {
			build := func() *http.Request {
				var r io.Reader
				if body != "" {
					r = strings.NewReader(body)
				}
				req, err := http.NewRequest(method, "http://graph.local"+target, r)
				Expect(err).NotTo(HaveOccurred())
				for k, v := range header {
					req.Header.Set(k, v)
				}
				return req
			}
			a, b := build(), build()
			_, _, plain := plainRequest(a)
			Expect(plain).To(BeTrue())
			var got, want bytes.Buffer
			Expect(writeRequest(&got, a)).To(Succeed())
			Expect(b.Write(&want)).To(Succeed())
			Expect(got.String()).To(Equal(want.String()))
		},
		Entry("a device's poll", "GET", "/_private/odj/v1/requests/abc", "", map[string]string{"Authorization": "Bearer x", "User-Agent": "autopilotsim-device/FLT1"}),
		Entry("a JSON POST", "POST", "/_private/drs/v1/register", `{"deviceId":"1"}`, map[string]string{"Content-Type": "application/json"}),
		Entry("a POST without a body", "POST", "/x", "", nil),
		Entry("a DELETE with a query", "DELETE", "/v1.0/devices/1?a=b%20c", "", nil),
	)

	It("fails as Request.Write does when the body is shorter or longer than announced", func() {
		for _, n := range []int64{2, 5} {
			req, err := http.NewRequest("POST", "http://graph.local/", strings.NewReader("abc"))
			Expect(err).NotTo(HaveOccurred())
			req.ContentLength = n
			var out bytes.Buffer
			Expect(writeRequest(&out, req)).To(MatchError(fmt.Sprintf("http: ContentLength=%d with Body length 3", n)))
		}
	})

	It("gives a body that reports EOF with its last bytes and refuses reads once closed, as net/http's does", func() {
		req, ok := parseRequest([]byte("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"))
		Expect(ok).To(BeTrue())
		p := make([]byte, 8)
		n, err := req.Body.Read(p)
		Expect(n).To(Equal(3))
		Expect(err).To(MatchError(io.EOF))
		Expect(req.Body.Close()).To(Succeed())
		_, err = req.Body.Read(p)
		Expect(err).To(MatchError(http.ErrBodyReadAfterClose))
	})
})

// addWireSeeds adds requests and answers as this wire writes them, and
// near misses of them.
func addWireSeeds(f *testing.F, add func(b []byte)) {
	for _, s := range []string{
		"GET /_private/odj/requests/abc HTTP/1.1\r\nHost: graph.local\r\nUser-Agent: Go-http-client/1.1\r\nAuthorization: Bearer x\r\n\r\n",
		"POST /v1.0/devices HTTP/1.1\r\nHost: graph.local\r\nContent-Length: 9\r\nContent-Type: application/json\r\n\r\n{\"a\":\"b\"}",
		"PUT /x?y=%41 HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\nX-B:\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n1234567trailing",
		"GET / HTTP/1.1\r\nX-A: 1\r\n 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}",
		"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nab",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 +20 OK\r\nContent-Length: 0\r\n\r\n",
	} {
		add([]byte(s))
	}
}

// FuzzParseRequest holds parseRequest to http.ReadRequest: what it reads
// from any bytes, it reads as net/http does.
func FuzzParseRequest(f *testing.F) {
	addWireSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, b []byte) {
		req, ok := parseRequest(b)
		if !ok {
			return
		}
		if diff := sameRequest(req, b); diff != "" {
			t.Fatalf("%q: %s", b, diff)
		}
	})
}

// FuzzParseResponse holds parseResponse to http.ReadResponse, for an
// answer to a GET or a HEAD.
func FuzzParseResponse(f *testing.F) {
	addWireSeeds(f, func(b []byte) { f.Add(b, false) })
	f.Fuzz(func(t *testing.T, b []byte, head bool) {
		req, err := http.NewRequest(http.MethodGet, "http://graph.local/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if head {
			req.Method = http.MethodHead
		}
		resp, ok := parseResponse(b, req)
		if !ok {
			return
		}
		if diff := sameResponse(resp, b, req); diff != "" {
			t.Fatalf("%q: %s", b, diff)
		}
	})
}

// FuzzWriteHeader holds writeHeader to http.Header.Write: the same bytes
// for any names and values.
func FuzzWriteHeader(f *testing.F) {
	f.Add("Content-Type", "application/json", "Retry-After", " 30\t")
	f.Add("X-A", "a\r\nb", "bad name", "v")
	f.Add("", "", "x-lower", "\n")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		h := http.Header{k1: {v1, v2}, k2: {v2}}
		var got, want bytes.Buffer
		writeHeader(&got, h)
		if err := h.Write(&want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%q: wrote %q, want %q", h, got.Bytes(), want.Bytes())
		}
	})
}

// FuzzWriteRequest holds writeRequest to Request.Write: the same bytes,
// or a failure where it fails, for requests made by http.NewRequest and
// then changed as a client may change them.
func FuzzWriteRequest(f *testing.F) {
	f.Add("GET", "/_private/odj/requests/abc?x=1", "Authorization", "Bearer t", []byte(nil), int64(0), "")
	f.Add("POST", "/v1.0/devices", "Content-Type", "application/json", []byte(`{"a":"b"}`), int64(0), "")
	f.Add("POST", "/x", "User-Agent", "", []byte("abc"), int64(-1), "h\u00e9st")
	f.Add("PUT", "/x", "X-A", " v\r\nw ", []byte{}, int64(2), "graph.local:8080")
	f.Add("", "/", "Host", "other", []byte("a"), int64(1), "")
	f.Fuzz(func(t *testing.T, method, target, key, value string, body []byte, delta int64, host string) {
		build := func() *http.Request {
			var r io.Reader
			if body != nil {
				r = bytes.NewReader(body)
			}
			req, err := http.NewRequest("GET", "http://graph.local/", r)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse("http://graph.local" + target)
			if err != nil {
				return nil
			}
			req.Method, req.URL, req.Host = method, u, host
			req.Header[key] = []string{value}
			req.ContentLength += delta % 4
			return req
		}
		a, b := build(), build()
		if a == nil {
			return
		}
		var got, want bytes.Buffer
		gerr, werr := writeRequest(&got, a), b.Write(&want)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%s %q: error %v, want %v", method, target, gerr, werr)
		}
		if gerr == nil && !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("wrote %q, want %q", got.Bytes(), want.Bytes())
		}
	})
}
