package mockgraph_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
)

// serveLoopback serves the world's handler on a real loopback port with lim.
func (w *world) serveLoopback(lim mockgraph.HTTPLimits) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	srv := lim.HTTPServer(w.srv.Handler())
	go func() { _ = srv.Serve(lim.Listener(ln)) }()
	DeferCleanup(srv.Close)
	return ln.Addr().String()
}

func dialRaw(addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(c.Close)
	return c
}

// serverCloses reads until the server closes the connection (the deadline
// only keeps a failing spec from hanging) and returns what it sent.
func serverCloses(c net.Conn) (string, bool) {
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	data, err := io.ReadAll(c)
	return string(data), err == nil
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

var _ = Describe("limits", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays, func(c *mockgraph.Config) { c.MaxBodyBytes = 1024 }) })

	group := func(pad string) string {
		return fmt.Sprintf(`{"displayName":"g","description":%q,"mailEnabled":false,"mailNickname":"g","securityEnabled":true}`, pad)
	}

	It("takes a body up to MaxBodyBytes", func() {
		r := w.do("POST", "/v1.0/groups", group(strings.Repeat("a", 900)))
		Expect(r.status).To(Equal(201), r.raw)
	})

	DescribeTable("refuses a body over MaxBodyBytes with 413",
		func(req func() *http.Request) {
			r := w.send(req())
			Expect(r.status).To(Equal(413), r.raw)
			Expect(r.errCode()).To(Equal("RequestEntityTooLarge"))
		},
		Entry("announced by Content-Length", func() *http.Request {
			return w.request("POST", "/v1.0/groups", strings.NewReader(group(strings.Repeat("a", 2000))))
		}),
		Entry("chunked, no length announced", func() *http.Request {
			req := w.request("POST", "/v1.0/groups", io.MultiReader(strings.NewReader(group(strings.Repeat("a", 2000)))))
			req.ContentLength = -1
			return req
		}),
		Entry("small on the wire, big once gzip is inflated (a gzip bomb)", func() *http.Request {
			req := w.request("POST", "/v1.0/groups", gz(group(strings.Repeat("a", 100_000))))
			req.Header.Set("Content-Encoding", "gzip")
			return req
		}),
		Entry("on a private channel", func() *http.Request {
			return w.request("POST", "/_private/autopilot/v1/profile", strings.NewReader(`{"serialNumber":"`+strings.Repeat("x", 2000)+`"}`))
		}),
	)

	Describe("the HTTP server on a real port", func() {
		It("closes a connection that sends no header within ReadHeaderTimeout", func() {
			addr := w.serveLoopback(mockgraph.HTTPLimits{ReadHeaderTimeout: 50 * time.Millisecond})
			c := dialRaw(addr)
			_, err := c.Write([]byte("GET /v1.0/groups HTTP/1.1\r\nHost: x\r\n")) // never finished
			Expect(err).NotTo(HaveOccurred())
			_, closed := serverCloses(c)
			Expect(closed).To(BeTrue())
		})

		It("closes an idle kept-alive connection after IdleTimeout", func() {
			addr := w.serveLoopback(mockgraph.HTTPLimits{IdleTimeout: 50 * time.Millisecond})
			c := dialRaw(addr)
			_, err := c.Write([]byte("GET /v1.0/groups HTTP/1.1\r\nHost: x\r\n\r\n"))
			Expect(err).NotTo(HaveOccurred())
			out, closed := serverCloses(c)
			Expect(closed).To(BeTrue())
			Expect(out).To(HavePrefix("HTTP/1.1 401"))
		})

		It("answers 431 to headers over MaxHeaderBytes", func() {
			addr := w.serveLoopback(mockgraph.HTTPLimits{MaxHeaderBytes: 1024})
			c := dialRaw(addr)
			_, err := fmt.Fprintf(c, "GET /v1.0/groups HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("b", 8192))
			Expect(err).NotTo(HaveOccurred())
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.StatusCode).To(Equal(http.StatusRequestHeaderFieldsTooLarge))
		})

		It("closes connections past MaxConnections and serves the ones it holds", func() {
			addr := w.serveLoopback(mockgraph.HTTPLimits{MaxConnections: 2})
			a, b := dialRaw(addr), dialRaw(addr)
			for _, c := range []net.Conn{a, b} {
				_, err := c.Write([]byte("GET /v1.0/groups HTTP/1.1\r\nHost: x\r\n\r\n"))
				Expect(err).NotTo(HaveOccurred())
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(resp.StatusCode).To(Equal(401))
			}
			_, closed := serverCloses(dialRaw(addr))
			Expect(closed).To(BeTrue())
		})

		It("holds little memory for 50 clients that send half a header and wait", func() {
			addr := w.serveLoopback(mockgraph.HTTPLimits{})
			before := heapInUse()
			for range 50 {
				c := dialRaw(addr)
				_, err := fmt.Fprintf(c, "POST /v1.0/groups HTTP/1.1\r\nHost: x\r\nX-Pad: %s\r\n", strings.Repeat("p", 30_000))
				Expect(err).NotTo(HaveOccurred())
			}
			grown := int64(heapInUse()) - int64(before)
			Expect(grown).To(BeNumerically("<", 16<<20), "heap grew %d bytes", grown)
		})
	})
})

// request builds an authenticated JSON request with the admin token.
func (w *world) request(method, path string, body io.Reader) *http.Request {
	req, err := http.NewRequest(method, base+path, body)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Authorization", "Bearer "+w.token)
	req.Header.Set("Content-Type", "application/json")
	return req
}
