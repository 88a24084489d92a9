package transport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("buffered pipe deadlines", func() {
	dial := func() (*bufConn, *bufConn) {
		l := NewPipeListener("dc")
		DeferCleanup(l.Close)
		got := make(chan *bufConn, 1)
		go func() {
			c, err := l.Accept()
			if err == nil {
				got <- c.(*bufConn)
			}
		}()
		c, err := l.Dial()
		Expect(err).NotTo(HaveOccurred())
		return c.(*bufConn), <-got
	}

	// readOne reads what one Read returns, at most a byte, failing the
	// spec on an error.
	readOne := func(c *bufConn) []byte {
		b := make([]byte, 1)
		n, err := c.Read(b)
		Expect(err).NotTo(HaveOccurred())
		return b[:n]
	}

	It("times out a read whose deadline passes", func() {
		client, server := dial()
		defer client.Close()
		defer server.Close()
		Expect(server.SetReadDeadline(time.Now().Add(10 * time.Millisecond))).To(Succeed())
		_, err := server.Read(make([]byte, 1))
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue(), "%v", err)
	})

	It("times out at once for a deadline in the past and clears it with the zero time", func() {
		client, server := dial()
		defer client.Close()
		defer server.Close()
		Expect(server.SetReadDeadline(time.Now().Add(-time.Second))).To(Succeed())
		_, err := server.Read(make([]byte, 1))
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue(), "%v", err)
		Expect(server.SetReadDeadline(time.Time{})).To(Succeed())
		go func() { _, _ = client.Write([]byte{7}) }()
		Expect(readOne(server)).To(Equal([]byte{7}))
	})

	It("re-arms one timer: a deadline moved earlier times out, one cleared before it passes does not", func() {
		client, server := dial()
		defer client.Close()
		defer server.Close()
		Expect(server.SetReadDeadline(time.Now().Add(time.Hour))).To(Succeed())
		first := server.rd.timer
		Expect(server.SetReadDeadline(time.Now().Add(10 * time.Millisecond))).To(Succeed())
		Expect(server.rd.timer).To(BeIdenticalTo(first), "the same timer, reset")
		_, err := server.Read(make([]byte, 1))
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue(), "%v", err)

		Expect(server.SetReadDeadline(time.Now().Add(10 * time.Millisecond))).To(Succeed())
		Expect(server.SetReadDeadline(time.Time{})).To(Succeed())
		// The byte comes after the cleared deadline would have passed.
		go func() {
			<-time.After(50 * time.Millisecond)
			_, _ = client.Write([]byte{9})
		}()
		Expect(readOne(server)).To(Equal([]byte{9}))
	})

	It("stops its deadline timers on Close, whichever end closes first", func() {
		client, server := dial()
		far := time.Now().Add(time.Hour)
		Expect(client.SetDeadline(far)).To(Succeed())
		Expect(server.SetDeadline(far)).To(Succeed())
		Expect(client.Close()).To(Succeed())
		Expect(server.Close()).To(Succeed())
		for _, c := range []*bufConn{client, server} {
			Expect(c.rd.timer).To(BeNil())
			Expect(c.wd.timer).To(BeNil())
		}
		// Setting a deadline on a closed conn arms nothing.
		Expect(server.SetReadDeadline(far)).NotTo(Succeed())
		Expect(server.rd.timer).To(BeNil())
	})
})

// buffered is how many bytes wait for s's reader.
func (s *stream) buffered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.buf) - s.off
}

var _ = Describe("BufferedPipe", func() {
	pair := func() (*bufConn, *bufConn) {
		a, b := BufferedPipe(pipeAddr("a"), pipeAddr("b"))
		DeferCleanup(a.Close)
		DeferCleanup(b.Close)
		return a.(*bufConn), b.(*bufConn)
	}

	It("returns from Write before the peer reads, as a socket does, and delivers the bytes in order", func() {
		a, b := pair()
		// Both ends write first and read after: a rendezvous pipe
		// (net.Pipe) deadlocks here.
		Expect(a.Write([]byte("request"))).To(Equal(7))
		Expect(b.Write([]byte("answer"))).To(Equal(6))
		Expect(a.Write([]byte(" two"))).To(Equal(4))
		got := make([]byte, 64)
		n, err := b.Read(got)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got[:n])).To(Equal("request two"))
		n, err = a.Read(got)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got[:n])).To(Equal("answer"))
	})

	It("holds at most MaxBuffered unread bytes: a Write past it waits for the reader", func() {
		a, b := pair()
		big := make([]byte, MaxBuffered+10)
		for i := range big {
			big[i] = byte(i)
		}
		written := make(chan int, 1)
		go func() {
			n, _ := a.Write(big)
			written <- n
		}()
		Consistently(written, "50ms").ShouldNot(Receive(), "the last 10 bytes wait for room")
		Expect(a.out.buffered()).To(Equal(MaxBuffered))
		got, err := io.ReadAll(io.LimitReader(b, int64(len(big))))
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal(big))
		Eventually(written).Should(Receive(Equal(len(big))))
	})

	It("times out a Write that waits for room, having written what fitted", func() {
		a, _ := pair()
		Expect(a.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))).To(Succeed())
		n, err := a.Write(make([]byte, MaxBuffered+1))
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue(), "%v", err)
		Expect(n).To(Equal(MaxBuffered))
	})

	It("lets the reader drain what was written before the writer closed, then reads io.EOF", func() {
		a, b := pair()
		Expect(a.Write([]byte("last words"))).To(Equal(10))
		Expect(a.Close()).To(Succeed())
		got, err := io.ReadAll(b)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got)).To(Equal("last words"))
	})

	It("fails writes to a closed reader and reads and writes on a closed end with io.ErrClosedPipe", func() {
		a, b := pair()
		Expect(b.Close()).To(Succeed())
		_, err := a.Write([]byte("x"))
		Expect(err).To(MatchError(io.ErrClosedPipe))
		_, err = b.Read(make([]byte, 1))
		Expect(err).To(MatchError(io.ErrClosedPipe))
		_, err = b.Write([]byte("x"))
		Expect(err).To(MatchError(io.ErrClosedPipe))
		Expect(b.SetDeadline(time.Now())).To(MatchError(io.ErrClosedPipe))
	})

	It("wakes a blocked Read when the peer writes and when the peer closes", func() {
		a, b := pair()
		got := make(chan string, 2)
		go func() {
			buf := make([]byte, 8)
			n, _ := b.Read(buf)
			got <- string(buf[:n])
			_, err := b.Read(buf)
			got <- fmt.Sprint(err)
		}()
		Expect(a.Write([]byte("hi"))).To(Equal(2))
		Eventually(got).Should(Receive(Equal("hi")))
		Expect(a.Close()).To(Succeed())
		Eventually(got).Should(Receive(Equal("EOF")))
	})

	It("returns from an empty Write at once, holding no buffer and waking no reader", func() {
		a, _ := pair()
		Expect(a.Write(nil)).To(Equal(0))
		Expect(a.out.bp).To(BeNil())
		Expect(a.out.readable).NotTo(Receive())
	})

	It("holds a buffer only while bytes wait in it, so an idle connection holds none", func() {
		a, b := pair()
		for _, size := range []int{100, keepCap + 1} {
			Expect(a.Write(make([]byte, size))).To(Equal(size))
			Expect(a.out.bp).NotTo(BeNil())
			_, err := io.ReadFull(b, make([]byte, size))
			Expect(err).NotTo(HaveOccurred())
			Expect(a.out.buf).To(BeNil())
			Expect(a.out.bp).To(BeNil())
		}
	})
})
