package transport_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/transport"
)

// echoServer answers every read with the same bytes until the client closes.
func echoServer(log *[]string) func(net.Conn) {
	return func(c net.Conn) {
		defer c.Close()
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			if err != nil {
				*log = append(*log, "read: "+err.Error())
				return
			}
			*log = append(*log, "served "+string(buf[:min(n, 16)]))
			if _, err := c.Write(buf[:n]); err != nil {
				*log = append(*log, "write: "+err.Error())
				return
			}
		}
	}
}

var _ = Describe("InlinePipe", func() {
	// The server's log is written by serve and read by the spec without
	// any lock: under -race that is a data race unless serve ran on the
	// spec's goroutine, between its calls, which is the point.

	It("serves a write on the client's goroutine before Write returns, and the answer is there to read", func() {
		var log []string
		c := transport.InlinePipe("dc", echoServer(&log))
		defer c.Close()
		Expect(log).To(BeEmpty())

		_, err := c.Write([]byte("ping"))
		Expect(err).NotTo(HaveOccurred())
		Expect(log).To(Equal([]string{"served ping"}))

		b := make([]byte, 8)
		n, err := c.Read(b)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b[:n])).To(Equal("ping"))
	})

	It("runs serve to its end when the client closes", func() {
		var log []string
		c := transport.InlinePipe("dc", echoServer(&log))
		Expect(c.Close()).To(Succeed())
		Expect(log).To(Equal([]string{"read: EOF"}))
	})

	It("accepts at dial: a server that refuses closes its end, and the client reads EOF", func() {
		ran := false
		c := transport.InlinePipe("dc", func(s net.Conn) { ran = true; _ = s.Close() })
		defer c.Close()
		Expect(ran).To(BeTrue())
		_, err := c.Read(make([]byte, 1))
		Expect(err).To(Equal(io.EOF))
	})

	It("closes the server end for a serve that returns without closing it", func() {
		c := transport.InlinePipe("dc", func(net.Conn) {})
		defer c.Close()
		_, err := c.Read(make([]byte, 1))
		Expect(err).To(Equal(io.EOF))
	})

	It("moves more than MaxBuffered each way: client and server take turns as their buffers fill", func() {
		var log []string
		c := transport.InlinePipe("dc", echoServer(&log))
		defer c.Close()
		want := bytes.Repeat([]byte("0123456789abcdef"), (transport.MaxBuffered+(1<<20))/16)
		got := make(chan []byte, 1)
		// The echo writes back while the client still writes: the client
		// must read concurrently, as it would over TCP.
		go func() {
			b, _ := io.ReadAll(io.LimitReader(c, int64(len(want))))
			got <- b
		}()
		n, err := c.Write(want)
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(Equal(len(want)))
		Eventually(got).Should(Receive(Equal(want)))
	})

	It("wakes a client goroutine waiting to read when another goroutine writes", func() {
		var log []string
		c := transport.InlinePipe("dc", echoServer(&log))
		defer c.Close()
		got := make(chan string, 1)
		go func() {
			b := make([]byte, 8)
			n, _ := c.Read(b)
			got <- string(b[:n])
		}()
		Consistently(got, "20ms").ShouldNot(Receive())
		_, err := c.Write([]byte("pong"))
		Expect(err).NotTo(HaveOccurred())
		Eventually(got).Should(Receive(Equal("pong")))
	})

	It("keeps the client's read deadline while the server waits for the client", func() {
		var log []string
		c := transport.InlinePipe("dc", echoServer(&log))
		defer c.Close()
		Expect(c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))).To(Succeed())
		_, err := c.Read(make([]byte, 1))
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue())
	})

	It("ends a connection its client holds and never uses once the server's read deadline passes (the timer resumes the server)", func() {
		ended := make(chan error, 1)
		c := transport.InlinePipe("dc", func(s net.Conn) {
			defer s.Close()
			_ = s.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
			_, err := s.Read(make([]byte, 1))
			ended <- err
		})
		defer c.Close()
		var err error
		Eventually(ended).Should(Receive(&err))
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue())
		_, err = c.Read(make([]byte, 1))
		Expect(err).To(Equal(io.EOF))
	})

	It("fails the server's write to a client that closed, and serve ends", func() {
		var log []string
		c := transport.InlinePipe("dc", echoServer(&log))
		_, err := c.Write([]byte("x"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Close()).To(Succeed())
		Expect(log).To(Equal([]string{"served x", "read: EOF"}))
		_, err = c.Write([]byte("y"))
		Expect(err).To(MatchError(io.ErrClosedPipe))
	})

	It("raises a panic in serve on the goroutine that ran it", func() {
		c := transport.InlinePipe("dc", func(s net.Conn) {
			b := make([]byte, 4)
			n, _ := s.Read(b)
			panic("serve: " + string(b[:n]))
		})
		Expect(func() { _, _ = c.Write([]byte("boom")) }).To(PanicWith("serve: boom"))
	})

	It("lets a closer outside serve end a parked server (Settle)", func() {
		var server net.Conn
		var log []string
		c := transport.InlinePipe("dc", func(s net.Conn) {
			server = s
			echoServer(&log)(s)
		})
		defer c.Close()
		Expect(server.Close()).To(Succeed())
		Expect(log).To(BeEmpty())
		server.(interface{ Settle() }).Settle()
		Expect(log).To(Equal([]string{"read: io: read/write on closed pipe"}))
	})
})
