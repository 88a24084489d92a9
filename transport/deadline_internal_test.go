package transport

import (
	"errors"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("in-memory conn deadlines", func() {
	dial := func() (*pipeConn, *pipeConn) {
		l := NewPipeListener("dc")
		DeferCleanup(l.Close)
		got := make(chan *pipeConn, 1)
		go func() {
			c, err := l.Accept()
			if err == nil {
				got <- c.(*pipeConn)
			}
		}()
		c, err := l.Dial()
		Expect(err).NotTo(HaveOccurred())
		return c.(*pipeConn), <-got
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
		b := make([]byte, 1)
		n, err := server.Read(b)
		Expect(err).NotTo(HaveOccurred())
		Expect(b[:n]).To(Equal([]byte{7}))
	})

	It("re-arms one timer: a deadline moved earlier times out, one cleared before it passes does not", func() {
		client, server := dial()
		defer client.Close()
		defer server.Close()
		Expect(server.SetReadDeadline(time.Now().Add(time.Hour))).To(Succeed())
		first := server.read.timer
		Expect(server.SetReadDeadline(time.Now().Add(10 * time.Millisecond))).To(Succeed())
		Expect(server.read.timer).To(BeIdenticalTo(first), "the same timer, reset")
		_, err := server.Read(make([]byte, 1))
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue(), "%v", err)

		Expect(server.SetReadDeadline(time.Now().Add(10 * time.Millisecond))).To(Succeed())
		Expect(server.SetReadDeadline(time.Time{})).To(Succeed())
		// The byte comes after the cleared deadline would have passed.
		go func() {
			<-time.After(50 * time.Millisecond)
			_, _ = client.Write([]byte{9})
		}()
		b := make([]byte, 1)
		n, err := server.Read(b)
		Expect(err).NotTo(HaveOccurred())
		Expect(b[:n]).To(Equal([]byte{9}))
	})

	It("stops its deadline timers on Close, whichever end closes first", func() {
		client, server := dial()
		far := time.Now().Add(time.Hour)
		Expect(client.SetDeadline(far)).To(Succeed())
		Expect(server.SetDeadline(far)).To(Succeed())
		Expect(client.Close()).To(Succeed())
		Expect(server.Close()).To(Succeed())
		for _, c := range []*pipeConn{client, server} {
			Expect(c.read.timer).To(BeNil())
			Expect(c.write.timer).To(BeNil())
		}
		// Setting a deadline on a closed conn arms nothing.
		Expect(server.SetReadDeadline(far)).NotTo(Succeed())
		Expect(server.read.timer).To(BeNil())
	})
})
