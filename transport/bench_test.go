package transport_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/autopilotsim/autopilotsim/transport"
)

// BenchmarkMemoryTransport is one round trip on the in-memory HTTP wire as
// a device makes it: a POST of a small JSON body with a bearer token and a
// User-Agent, answered with a small JSON body. The handler does nothing
// else, so the figure is the wire's own cost: writing and parsing the
// request and the answer.
func BenchmarkMemoryTransport(b *testing.B) {
	answer := []byte(`{"id":"1d3c5e1c-2f0b-4a39-9d2a-6a0f3e2b1c4d","status":"pending"}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "8b1f0a52-4c7e-4d0a-9e55-0c2f1b3a4d5e")
		_, _ = w.Write(answer)
	})
	client, stop := transport.ServeHTTPMemory(h)
	defer stop()
	body := []byte(`{"deviceId":"1d3c5e1c-2f0b-4a39-9d2a-6a0f3e2b1c4d","certificateThumbprint":"` + strings.Repeat("A", 40) + `"}`)
	token := "Bearer " + strings.Repeat("eyJhbGciOiJSUzI1NiJ9", 40)
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequest(http.MethodPost, "http://graph.local/_private/drs/v1/register", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", token)
		req.Header.Set("User-Agent", "autopilotsim-device/FLT000001")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
}
