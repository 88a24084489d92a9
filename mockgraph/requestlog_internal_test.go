package mockgraph

import (
	"fmt"
	mrand "math/rand/v2"
	"net/http/httptest"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/sim"
)

var _ = Describe("the request log's Retry-After marks", func() {
	It("stay within RequestLogLimit when throttled clients never repeat", func() {
		const limit = 3
		s, err := New(Config{Clock: sim.NewScheduler(sim.Epoch, nil), Rand: mrand.New(mrand.NewPCG(1, 1)),
			TenantID: "11111111-2222-4333-8444-555555555555", TenantDomain: "x.onmicrosoft.com",
			LogRequests: true, RequestLogLimit: limit,
			Faults: []Fault{{Path: "^/v1.0/groups$", Status: 429, Probability: 1, RetryAfter: 10 * time.Second}}})
		Expect(err).NotTo(HaveOccurred())
		h := s.Handler()
		get := func(uri string) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", uri, nil))
			Expect(rec.Code).To(Equal(429))
		}
		for i := range 100 {
			get(fmt.Sprintf("/v1.0/groups?$top=%d", i+1)) // a client paging on, never repeating
		}
		Expect(len(s.retryUntil)).To(BeNumerically("<=", 2*limit))

		get("/v1.0/groups?$top=100") // the newest is still judged
		log := s.RequestLog()
		Expect(log[len(log)-1].HonouredRetryAfter).To(HaveValue(BeFalse()))
	})
})
