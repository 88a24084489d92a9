package transport_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/transport"
)

func answerOf(status int, hdr ...string) transport.Answer {
	resp := &http.Response{StatusCode: status, Header: http.Header{}}
	for i := 0; i+1 < len(hdr); i += 2 {
		resp.Header.Set(hdr[i], hdr[i+1])
	}
	return transport.ReadAnswer(resp)
}

var _ = Describe("the client side of faults", func() {
	DescribeTable("ReadAnswer",
		func(a transport.Answer, want transport.Answer) { Expect(a).To(Equal(want)) },
		Entry("plain", answerOf(200), transport.Answer{Status: 200}),
		Entry("Retry-After seconds", answerOf(429, "Retry-After", "10"), transport.Answer{Status: 429, RetryAfter: 10 * time.Second}),
		Entry("fractions truncated, as kiota does (§1.4)", answerOf(429, "Retry-After", "2.128"), transport.Answer{Status: 429, RetryAfter: 2 * time.Second}),
		Entry("an HTTP date, against Date", answerOf(503, "Retry-After", "Mon, 05 Jan 2026 08:00:30 GMT", "Date", "Mon, 05 Jan 2026 08:00:00 GMT"),
			transport.Answer{Status: 503, RetryAfter: 30 * time.Second}),
		Entry("garbage ignored", answerOf(429, "Retry-After", "soon", transport.LatencyHeader, "slow"), transport.Answer{Status: 429}),
		Entry("negative ignored", answerOf(429, "Retry-After", "-5", transport.LatencyHeader, "-2s"), transport.Answer{Status: 429}),
		Entry("added latency", answerOf(200, transport.LatencyHeader, "2.5s"), transport.Answer{Status: 200, Latency: 2500 * time.Millisecond}),
	)

	DescribeTable("RetryDelay",
		func(a transport.Answer, done int, wait time.Duration, ok bool) {
			w, o := transport.RetryDelay(a, done)
			Expect([]any{w, o}).To(Equal([]any{wait, ok}))
		},
		Entry("Retry-After wins", transport.Answer{Status: 429, RetryAfter: 30 * time.Second}, 2, 30*time.Second, true),
		Entry("backoff 3s, 6s, 12s without it", transport.Answer{Status: 503}, 2, 12*time.Second, true),
		Entry("500 retried too", transport.Answer{Status: 500}, 0, 3*time.Second, true),
		Entry("retries spent", transport.Answer{Status: 429, RetryAfter: time.Second}, transport.MaxRetries, time.Duration(0), false),
		Entry("404 is no transient error", transport.Answer{Status: 404}, 0, time.Duration(0), false),
	)

	DescribeTable("NextRetry: the delay and the note every client traces",
		func(a transport.Answer, done int, wait time.Duration, note string, ok bool) {
			w, n, o := transport.NextRetry(a, done)
			Expect([]any{w, n, o}).To(Equal([]any{wait, note, ok}))
		},
		Entry("Retry-After", transport.Answer{Status: 429, RetryAfter: 30 * time.Second}, 0, 30*time.Second, "retry 1/3 in 30s (Retry-After)", true),
		Entry("backoff", transport.Answer{Status: 503}, 1, 6*time.Second, "retry 2/3 in 6s (backoff)", true),
		Entry("retries spent", transport.Answer{Status: 503}, transport.MaxRetries, time.Duration(0), "", false),
		Entry("not retryable", transport.Answer{Status: 409}, 0, time.Duration(0), "", false),
	)

	It("marks a simulated client's request", func() {
		req, _ := http.NewRequest("GET", "http://graph.local/x", nil)
		transport.MarkSimulated(req, "autopilotsim-device/S1", 2)
		Expect(req.Header.Get("User-Agent")).To(Equal("autopilotsim-device/S1"))
		Expect(req.Header.Get(transport.AcceptLatencyHeader)).To(Equal(transport.AcceptLatencyVirtual))
		Expect(req.Header.Get("Retry-Attempt")).To(Equal("2"))
	})
})

// FuzzReadAnswer: no header value makes ReadAnswer panic or report a
// negative wait.
func FuzzReadAnswer(f *testing.F) {
	f.Add("10", "2s", "")
	f.Add("Mon, 05 Jan 2026 08:00:30 GMT", "", "Mon, 05 Jan 2026 08:00:00 GMT")
	f.Add("1e400", "9999999h", "x")
	f.Fuzz(func(t *testing.T, retryAfter, latency, date string) {
		a := answerOf(429, "Retry-After", retryAfter, transport.LatencyHeader, latency, "Date", date)
		if a.RetryAfter < 0 || a.Latency < 0 {
			t.Fatalf("negative wait from %q/%q/%q: %+v", retryAfter, latency, date, a)
		}
	})
}

var _ = Describe("ReadBody", func() {
	// answered carries body through the in-memory wire, with its length
	// announced; unannounced, it is a body of unknown length (ContentLength
	// -1), as a chunked answer reads.
	answered := func(body string, unannounced bool) *http.Response {
		if unannounced {
			return &http.Response{ContentLength: -1, Body: io.NopCloser(strings.NewReader(body))}
		}
		client, stop := transport.ServeHTTPMemory(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, body)
		}))
		DeferCleanup(stop)
		resp, err := client.Get("http://graph.local/x")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(resp.Body.Close)
		return resp
	}

	DescribeTable("reads what io.ReadAll of a LimitReader reads",
		func(body string, unannounced bool, limit int64, want string) {
			resp := answered(body, unannounced)
			if !unannounced {
				Expect(resp.ContentLength).To(Equal(int64(len(body))))
			}
			got, err := transport.ReadBody(resp, limit)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(got)).To(Equal(want))
			Expect(got).NotTo(BeNil())
		},
		Entry("announced length, no limit", `{"id":"1"}`, false, int64(0), `{"id":"1"}`),
		Entry("announced length within the limit", `{"id":"1"}`, false, int64(10), `{"id":"1"}`),
		Entry("announced length over the limit: cut at it", `{"id":"1"}`, false, int64(4), `{"id`),
		Entry("empty", "", false, int64(0), ""),
		Entry("no announced length", strings.Repeat("ab", 3000), true, int64(0), strings.Repeat("ab", 3000)),
		Entry("no announced length, over the limit", strings.Repeat("ab", 3000), true, int64(5), "ababa"),
	)

	It("appends to a buffer it is given (AppendBody), announced or not, and reuses its room", func() {
		buf := make([]byte, 0, 64)
		buf = append(buf, "kept:"...)
		got, err := transport.AppendBody(buf, answered(`{"id":"1"}`, false), 0)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got)).To(Equal(`kept:{"id":"1"}`))
		Expect(&got[0]).To(BeIdenticalTo(&buf[0]), "read into the room the buffer had")
		got, err = transport.AppendBody(got[:0], answered(strings.Repeat("ab", 100), true), 7)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got)).To(Equal("abababa"))
	})

	It("reads the empty body of an answer to HEAD, whose length is a GET's", func() {
		client, stop := transport.ServeHTTPMemory(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, `{"id":"1"}`)
		}))
		defer stop()
		resp, err := client.Head("http://graph.local/x")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.ContentLength).To(Equal(int64(10)))
		got, err := transport.ReadBody(resp, 0)
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(BeEmpty())
	})

	It("fails a body that ends before its announced length", func() {
		resp := &http.Response{ContentLength: 10, Body: io.NopCloser(strings.NewReader("short"))}
		_, err := transport.ReadBody(resp, 0)
		Expect(err).To(MatchError(io.ErrUnexpectedEOF))
		resp = &http.Response{ContentLength: 10, Body: io.NopCloser(strings.NewReader(""))}
		_, err = transport.ReadBody(resp, 0)
		Expect(err).To(MatchError(io.ErrUnexpectedEOF))
	})
})

// FuzzReadBody: an answer parsed from any bytes is read by ReadBody as
// io.ReadAll of a LimitReader reads it, whatever length it claims, and the
// read never panics.
func FuzzReadBody(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), int64(0))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort"), int64(3))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), int64(2))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\nx"), int64(0))
	f.Fuzz(func(t *testing.T, raw []byte, limit int64) {
		parse := func() *http.Response {
			resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
			if err != nil {
				return nil
			}
			return resp
		}
		a, b := parse(), parse()
		if a == nil || b == nil {
			return
		}
		got, gotErr := transport.ReadBody(a, limit)
		var want []byte
		var wantErr error
		if limit > 0 {
			want, wantErr = io.ReadAll(io.LimitReader(b.Body, limit))
		} else {
			want, wantErr = io.ReadAll(b.Body)
		}
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("ReadBody error %v, io.ReadAll error %v", gotErr, wantErr)
		}
		if gotErr == nil && !bytes.Equal(got, want) {
			t.Fatalf("ReadBody read %q, io.ReadAll %q", got, want)
		}
	})
}
