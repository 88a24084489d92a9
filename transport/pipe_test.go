package transport_test

import (
	"io"
	"net/http"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/transport"
)

func TestTransport(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "transport")
}

var _ = Describe("in-memory HTTP", func() {
	It("carries requests to the handler as real HTTP", func() {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Path", r.URL.Path)
			_, _ = io.WriteString(w, r.Host)
		})
		client, stop := transport.ServeHTTPPipe("graph", h)
		defer stop()
		resp, err := client.Get("http://graph.microsoft.com/v1.0/devices")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		Expect(resp.Header.Get("X-Path")).To(Equal("/v1.0/devices"))
		Expect(string(body)).To(Equal("graph.microsoft.com"))
	})
})

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
