package transport_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/transport"
)

// echo answers with the request's method, path, Host and body.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Method", r.Method)
	w.Header().Set("X-Path", r.URL.RequestURI())
	w.Header().Set("X-Length", r.Header.Get("Content-Length"))
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = io.WriteString(w, r.Host+"|")
	_, _ = w.Write(body)
})

var _ = Describe("the in-memory HTTP wire (MemoryTransport)", func() {
	get := func(c *http.Client, method, url string, body io.Reader) (*http.Response, string) {
		req, err := http.NewRequest(method, url, body)
		Expect(err).NotTo(HaveOccurred())
		resp, err := c.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		return resp, string(b)
	}

	It("carries a request to the handler as HTTP/1.1 bytes a server parses, and the answer back the same way", func() {
		client, stop := transport.ServeHTTPMemory(echo)
		defer stop()
		resp, body := get(client, http.MethodPost, "http://graph.microsoft.com/v1.0/devices?$top=5", strings.NewReader(`{"a":1}`))
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(resp.Proto).To(Equal("HTTP/1.1"))
		Expect(resp.Header.Get("X-Method")).To(Equal("POST"))
		Expect(resp.Header.Get("X-Path")).To(Equal("/v1.0/devices?$top=5"))
		Expect(resp.Header.Get("X-Length")).To(Equal("7"), "the request's length travelled as a header")
		Expect(resp.ContentLength).To(Equal(int64(len(body))))
		Expect(body).To(Equal(`graph.microsoft.com|{"a":1}`))
	})

	It("sends a body of unknown length chunked, and the handler reads it whole", func() {
		client, stop := transport.ServeHTTPMemory(echo)
		defer stop()
		_, body := get(client, http.MethodPut, "http://graph.local/x", io.MultiReader(strings.NewReader("ab"), strings.NewReader("cd")))
		Expect(body).To(Equal("graph.local|abcd"))
	})

	It("carries a body of several megabytes whole, and refuses one shorter than its claimed length before any handler sees it", func() {
		client, stop := transport.ServeHTTPMemory(echo)
		defer stop()
		big := strings.Repeat("0123456789abcdef", 3<<16) // 3 MB, past the pooled buffers
		_, body := get(client, http.MethodPost, "http://graph.local/import", strings.NewReader(big))
		Expect(body).To(Equal("graph.local|" + big))

		req, err := http.NewRequest(http.MethodPost, "http://graph.local/import", strings.NewReader("short"))
		Expect(err).NotTo(HaveOccurred())
		req.ContentLength = 1 << 40 // a terabyte claimed: the wire must not size a buffer for it
		_, err = client.Do(req)
		Expect(err).To(MatchError(ContainSubstring("ContentLength=1099511627776 with Body length 5")))
	})

	It("keeps each answer's body its own while open, and refuses reads once it is closed", func() {
		client, stop := transport.ServeHTTPMemory(echo)
		defer stop()
		first, err := client.Post("http://graph.local/a", "text/plain", strings.NewReader(strings.Repeat("a", 6000)))
		Expect(err).NotTo(HaveOccurred())
		head := make([]byte, 100)
		_, err = io.ReadFull(first.Body, head)
		Expect(err).NotTo(HaveOccurred())
		// A second answer while the first is half read: its reader is not the first's.
		_, second := get(client, http.MethodPost, "http://graph.local/b", strings.NewReader(strings.Repeat("b", 6000)))
		Expect(second).To(Equal("graph.local|" + strings.Repeat("b", 6000)))
		rest, err := io.ReadAll(first.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(head) + string(rest)).To(Equal("graph.local|" + strings.Repeat("a", 6000)))
		Expect(first.Body.Close()).To(Succeed())
		_, err = first.Body.Read(head)
		Expect(err).To(MatchError(http.ErrBodyReadAfterClose))
		Expect(first.Body.Close()).To(Succeed(), "closing twice is harmless")
	})

	It("hands a closed answer's buffers to the next round trip without mixing their bytes, even when it was closed unread", func() {
		client, stop := transport.ServeHTTPMemory(echo)
		defer stop()
		for i := range 20 {
			payload := strings.Repeat(string(rune('a'+i%26)), 100+i*997)
			if i%2 == 0 {
				// Closed after a few bytes: Close drains the rest, then the buffers go back.
				resp, err := client.Post("http://graph.local/x", "text/plain", strings.NewReader(payload))
				Expect(err).NotTo(HaveOccurred())
				_, err = resp.Body.Read(make([]byte, 3))
				Expect(err).NotTo(HaveOccurred())
				Expect(resp.Body.Close()).To(Succeed())
				continue
			}
			_, body := get(client, http.MethodPost, "http://graph.local/x", strings.NewReader(payload))
			Expect(body).To(Equal("graph.local|"+payload), "round trip %d", i)
		}
	})

	It("gives out body buffers empty, and does not keep one past MaxPooled (TakeBuffer, KeepBuffer)", func() {
		for _, n := range []int{10, transport.MaxPooled + 1, 100} {
			p := transport.TakeBuffer()
			Expect(*p).To(BeEmpty())
			transport.KeepBuffer(p, append(*p, make([]byte, n)...))
			if n > transport.MaxPooled {
				Expect(cap(*p)).To(BeNumerically("<=", transport.MaxPooled), "the big buffer is left to the collector")
			}
		}
	})

	It("adds what net/http's server adds: a sniffed Content-Type when the handler set none, and the status text", func() {
		client, stop := transport.ServeHTTPMemory(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusTooManyRequests)
			w.WriteHeader(http.StatusOK) // superfluous: the first status wins
			_, _ = io.WriteString(w, "<html><body>slow down</body></html>")
		}))
		defer stop()
		resp, body := get(client, http.MethodGet, "http://graph.local/", nil)
		Expect(resp.Status).To(Equal("429 Too Many Requests"))
		Expect(resp.Header.Get("Content-Type")).To(Equal("text/html; charset=utf-8"))
		Expect(body).To(ContainSubstring("slow down"))
	})

	DescribeTable("carries no body where HTTP forbids one (RFC 9110 §6.4.1, §9.3.2)",
		func(method string, status int) {
			client, stop := transport.ServeHTTPMemory(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(status)
				_, _ = io.WriteString(w, "body")
			}))
			defer stop()
			resp, body := get(client, method, "http://graph.local/", nil)
			Expect(resp.StatusCode).To(Equal(status))
			Expect(body).To(BeEmpty())
		},
		Entry("204 No Content", http.MethodDelete, http.StatusNoContent),
		Entry("304 Not Modified", http.MethodGet, http.StatusNotModified),
		Entry("an answer to HEAD", http.MethodHead, http.StatusOK),
	)

	It("turns a handler's panic into the error of a dropped connection, not a crash", func() {
		client, stop := transport.ServeHTTPMemory(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			panic("boom")
		}))
		defer stop()
		_, err := client.Get("http://graph.local/")
		Expect(err).To(MatchError(ContainSubstring("the server dropped the connection")))
	})

	It("refuses requests once stopped, as a closed listener does", func() {
		client, stop := transport.ServeHTTPMemory(echo)
		stop()
		_, err := client.Post("http://graph.local/", "text/plain", strings.NewReader("x"))
		Expect(err).To(MatchError(transport.ErrClosed))
	})

	It("gives the handler the caller's context, so the caller's deadline and values reach it", func() {
		type key struct{}
		var seen any
		client, stop := transport.ServeHTTPMemory(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			seen = r.Context().Value(key{})
		}))
		defer stop()
		req, _ := http.NewRequestWithContext(context.WithValue(context.Background(), key{}, "device-7"), http.MethodGet, "http://graph.local/", nil)
		resp, err := client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(seen).To(Equal("device-7"))
	})
})

// FuzzMemoryTransport: any body and header value a client can send arrives
// at the handler byte for byte, and the answer arrives back the same, or the
// client refuses the request before it is sent; never a panic.
func FuzzMemoryTransport(f *testing.F) {
	f.Add([]byte(`{"a":1}`), "v", 200)
	f.Add([]byte{}, "", 204)
	f.Add([]byte("\r\n\r\nHTTP/1.1 200 OK\r\n"), "x\r\ny: z", 599)
	f.Fuzz(func(t *testing.T, body []byte, header string, status int) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Echo", r.Header.Get("X-Fuzz"))
			w.WriteHeader(200 + (status%400+400)%400)
			_, _ = w.Write(b)
		})
		client, stop := transport.ServeHTTPMemory(h)
		defer stop()
		req, err := http.NewRequest(http.MethodPost, "http://graph.local/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Fuzz", header)
		resp, err := client.Do(req)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid header field value") {
				t.Fatal(err)
			}
			return // net/http's client refuses such a header too
		}
		defer resp.Body.Close()
		got, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		code := 200 + (status%400+400)%400
		if resp.StatusCode != code {
			t.Fatalf("status %d, want %d", resp.StatusCode, code)
		}
		if code != 204 && code != 304 && !bytes.Equal(got, body) {
			t.Fatalf("body %q, want %q", got, body)
		}
		if resp.Header.Get("X-Echo") != strings.Trim(header, " \t") {
			t.Fatalf("header %q, want %q", resp.Header.Get("X-Echo"), header)
		}
	})
}
