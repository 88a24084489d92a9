package transport

import (
	"bytes"
	"errors"
	"io"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("in-memory conns (bufPipe)", func() {
	// dial connects through a PipeListener, as mockad's clients do.
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
		client, server := c.(*bufConn), <-got
		DeferCleanup(client.Close)
		DeferCleanup(server.Close)
		return client, server
	}

	It("buffers a write for a reader that comes later, as a socket does", func() {
		client, server := dial()
		Expect(client.Write([]byte("bind"))).To(Equal(4))
		Expect(client.Write([]byte("search"))).To(Equal(6))
		b := make([]byte, 64)
		n, err := server.Read(b)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b[:n])).To(Equal("bindsearch"))
	})

	It("holds at most PipeBuffer unread bytes: a writer past that waits for the reader or its deadline", func() {
		client, server := dial()
		Expect(client.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))).To(Succeed())
		big := bytes.Repeat([]byte{'x'}, PipeBuffer+10)
		n, err := client.Write(big)
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue(), "%v", err)
		Expect(n).To(Equal(PipeBuffer))
		// The reader frees room and a writer goes on.
		Expect(client.SetWriteDeadline(time.Time{})).To(Succeed())
		got := make([]byte, 0, PipeBuffer+10)
		b := make([]byte, 4096)
		for len(got) < PipeBuffer {
			n, err := server.Read(b)
			Expect(err).NotTo(HaveOccurred())
			got = append(got, b[:n]...)
		}
		Expect(client.Write(big[n:])).To(Equal(10))
		for len(got) < len(big) {
			n, err := server.Read(b)
			Expect(err).NotTo(HaveOccurred())
			got = append(got, b[:n]...)
		}
		Expect(got).To(Equal(big))
	})

	It("reads what was written before the other end closed, then io.EOF; writes to a closed peer fail", func() {
		client, server := dial()
		Expect(server.Write([]byte("result"))).To(Equal(6))
		Expect(server.Close()).To(Succeed())
		b, err := io.ReadAll(client)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b)).To(Equal("result"))
		_, err = client.Write([]byte("x"))
		Expect(err).To(MatchError(io.ErrClosedPipe))
	})

	It("fails reads, writes and deadlines on an end closed here with io.ErrClosedPipe", func() {
		client, _ := dial()
		Expect(client.Close()).To(Succeed())
		Expect(client.Close()).To(Succeed()) // twice is harmless
		_, err := client.Read(make([]byte, 1))
		Expect(err).To(MatchError(io.ErrClosedPipe))
		_, err = client.Write([]byte("x"))
		Expect(err).To(MatchError(io.ErrClosedPipe))
		Expect(client.SetDeadline(time.Now())).To(MatchError(io.ErrClosedPipe))
	})

	It("times out a read whose deadline passes", func() {
		_, server := dial()
		Expect(server.SetReadDeadline(time.Now().Add(10 * time.Millisecond))).To(Succeed())
		_, err := server.Read(make([]byte, 1))
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue(), "%v", err)
	})

	It("times out at once for a deadline in the past and clears it with the zero time", func() {
		client, server := dial()
		Expect(server.SetReadDeadline(time.Now().Add(-time.Second))).To(Succeed())
		Expect(server.readDL.timer).To(BeNil())
		_, err := server.Read(make([]byte, 1))
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue(), "%v", err)
		Expect(server.SetReadDeadline(time.Time{})).To(Succeed())
		Expect(client.Write([]byte{7})).To(Equal(1))
		b := make([]byte, 1)
		n, err := server.Read(b)
		Expect(err).NotTo(HaveOccurred())
		Expect(b[:n]).To(Equal([]byte{7}))
	})

	It("stops its deadline timers on Close, whichever end closes first", func() {
		client, server := dial()
		far := time.Now().Add(time.Hour)
		Expect(client.SetDeadline(far)).To(Succeed())
		Expect(server.SetDeadline(far)).To(Succeed())
		Expect(client.readDL.timer).NotTo(BeNil())
		Expect(client.Close()).To(Succeed())
		Expect(server.Close()).To(Succeed())
		for _, c := range []*bufConn{client, server} {
			Expect(c.readDL.timer).To(BeNil())
			Expect(c.writeDL.timer).To(BeNil())
		}
		// Setting a deadline on a closed conn arms nothing.
		Expect(server.SetReadDeadline(far)).NotTo(Succeed())
		Expect(server.readDL.timer).To(BeNil())
	})
})
