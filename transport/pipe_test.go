package transport_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/transport"
)

func TestTransport(t *testing.T) {
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
