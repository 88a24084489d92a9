package transport_test

import (
	"net"
	"testing"

	"golang.org/x/net/nettest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/transport"
)

func TestTransport(t *testing.T) {
	// The in-memory conns against golang.org/x/net's conformance suite for
	// net.Conn implementations (the one net.Pipe is held to): basic I/O,
	// ping-pong, racy reads and writes, past, present and future deadlines,
	// Close during a blocked call, concurrent methods. It takes a
	// *testing.T, so it runs here rather than as a spec.
	t.Run("nettest.TestConn", func(t *testing.T) {
		nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
			l := transport.NewPipeListener("dc")
			accepted := make(chan net.Conn, 1)
			go func() {
				c, err := l.Accept()
				if err == nil {
					accepted <- c
				}
			}()
			if c1, err = l.Dial(); err != nil {
				l.Close() // ends the Accept above
				return nil, nil, nil, err
			}
			c2 = <-accepted
			return c1, c2, func() { c1.Close(); c2.Close(); l.Close() }, nil
		})
	})
	RegisterFailHandler(Fail)
	RunSpecs(t, "transport")
}

var _ = Describe("PipeListener", func() {
	It("refuses dials after Close", func() {
		l := transport.NewPipeListener("dc")
		Expect(l.Close()).To(Succeed())
		_, err := l.Dial()
		Expect(err).To(MatchError(transport.ErrClosed))
		_, err = l.Accept()
		Expect(err).To(MatchError(transport.ErrClosed))
	})
})
