package transport

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// writeRequest writes req to out as req.Write does, and closes its body.
// Request.Write checks and rewrites the host (IDNA, zones), probes a body
// of unknown length, writes through a bufio.Writer and a transferWriter and
// sorts the header through a pooled sorter: 3 % of the CPU of a
// 10,000-device run, for requests that are all plain. The fast path takes
// a request with an ASCII host name, a target without control bytes, no
// Close, Transfer-Encoding, Trailer or client trace, and either no body or
// a body of announced length; anything else goes to req.Write.
// FuzzWriteRequest holds the two to the same bytes and the same failures.
func writeRequest(out *bytes.Buffer, req *http.Request) error {
	host, target, ok := plainRequest(req)
	if !ok {
		return req.Write(out)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	out.WriteString(method)
	out.WriteByte(' ')
	out.WriteString(target)
	out.WriteString(" HTTP/1.1\r\nHost: ")
	out.WriteString(host)
	out.WriteString("\r\n")
	ua := "Go-http-client/1.1" // net/http's default User-Agent
	if v, ok := req.Header["User-Agent"]; ok {
		ua = ""
		if len(v) > 0 {
			ua = v[0]
		}
	}
	// Request.Write leaves the line out for an empty value, and writes it
	// for one that is empty only once trimmed.
	if ua != "" {
		out.WriteString("User-Agent: ")
		out.WriteString(textproto.TrimString(oneLine(ua)))
		out.WriteString("\r\n")
	}
	n := req.ContentLength
	// Content-Length: for a body, and for a POST, PUT or PATCH without
	// one ("many servers expect" it, transferWriter.shouldSendContentLength).
	if n > 0 || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		out.WriteString("Content-Length: ")
		out.WriteString(strconv.FormatInt(n, 10))
		out.WriteString("\r\n")
	}
	writeHeaderExcept(out, req.Header, true)
	out.WriteString("\r\n")
	if n == 0 {
		if req.Body != nil {
			return req.Body.Close()
		}
		return nil
	}
	// The body's n bytes, and what it holds past them counted, as
	// transferWriter.writeBody does.
	copied, err := io.CopyN(out, req.Body, n)
	if err == io.EOF {
		err = nil
	}
	if err == nil {
		var extra int64
		extra, err = io.Copy(io.Discard, req.Body)
		copied += extra
	}
	if cerr := req.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if copied != n {
		return fmt.Errorf("http: ContentLength=%d with Body length %d", n, copied)
	}
	return nil
}

// plainRequest reports whether writeRequest's fast path writes req as
// req.Write would, and gives the host and the target it writes.
func plainRequest(req *http.Request) (host, target string, ok bool) {
	if req.URL == nil || req.URL.Opaque != "" || req.Close || req.TransferEncoding != nil || req.Trailer != nil {
		return "", "", false
	}
	if req.Method != "" && (req.Method == http.MethodConnect || !httpguts.ValidHeaderFieldName(req.Method)) {
		return "", "", false
	}
	if httptrace.ContextClientTrace(req.Context()) != nil {
		return "", "", false
	}
	noBody := req.Body == nil || req.Body == http.NoBody
	if !(noBody && req.ContentLength == 0) && !(!noBody && req.ContentLength > 0) {
		return "", "", false
	}
	host = req.Host
	if host == "" {
		host = req.URL.Host
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':') {
			return "", "", false
		}
	}
	target = req.URL.RequestURI()
	if strings.ContainsFunc(target, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", "", false
	}
	return host, target, true
}

// writeHeaderExcept is writeHeader, leaving out the names Request.Write
// writes itself when request is set (its reqWriteExcludeHeader).
func writeHeaderExcept(out *bytes.Buffer, h http.Header, request bool) {
	var stack [16]string
	keys := stack[:0]
	for k := range h {
		if request {
			switch k {
			case "Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer":
				continue
			}
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !httpguts.ValidHeaderFieldName(k) {
			continue
		}
		for _, v := range h[k] {
			out.WriteString(k)
			out.WriteString(": ")
			out.WriteString(textproto.TrimString(oneLine(v)))
			out.WriteString("\r\n")
		}
	}
}

// oneLine is v with its line breaks made spaces, as Header.Write writes a
// value.
func oneLine(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		return strings.NewReplacer("\n", " ", "\r", " ").Replace(v)
	}
	return v
}
