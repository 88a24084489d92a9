package mockgraph_test

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
)

// GET /_private/requests: the request log a lab user reads (PRIVATE_API.md).
var _ = Describe("the request log endpoint", func() {
	logged := func(w *world, query string) []map[string]any {
		r := w.priv("GET", "/_private/requests"+query, nil)
		Expect(r.status).To(Equal(200), r.raw)
		return r.values()
	}

	It("is a 404 with a reason when the log is off", func() {
		w := newWorld(delays)
		r := w.priv("GET", "/_private/requests", nil)
		Expect(r.status).To(Equal(404))
		Expect(r.raw).To(ContainSubstring("request log is off"))
	})

	It("shows status, Retry-After and whether the client honoured it, per client, without logging itself", func() {
		w := newWorld(delays, func(c *mockgraph.Config) {
			c.Faults = []mockgraph.Fault{{Path: "^/v1.0/groups$", Status: 429, Probability: 1, RetryAfter: 10 * time.Second, Count: 1}}
			c.LogRequests = true
		})
		Expect(w.do("GET", "/v1.0/groups", nil, "User-Agent", "script").status).To(Equal(429))
		w.run(10 * time.Second)
		Expect(w.do("GET", "/v1.0/groups", nil, "User-Agent", "script", "Retry-Attempt", "1").status).To(Equal(200))
		Expect(w.do("GET", "/v1.0/devices", nil, "User-Agent", "other").status).To(Equal(200))

		rows := logged(w, "?client=script")
		Expect(rows).To(HaveLen(2))
		Expect(rows[0]).To(SatisfyAll(HaveKeyWithValue("status", 429.0), HaveKeyWithValue("retryAfterSeconds", 10.0),
			HaveKeyWithValue("honouredRetryAfter", BeNil()), HaveKeyWithValue("path", "/v1.0/groups")))
		Expect(rows[1]).To(SatisfyAll(HaveKeyWithValue("status", 200.0), HaveKeyWithValue("retryAttempt", 1.0),
			HaveKeyWithValue("honouredRetryAfter", true)))
		all := logged(w, "")
		for _, r := range all {
			Expect(r["path"]).NotTo(HavePrefix("/_private/requests"), "reading the log is not logged")
		}
		Expect(logged(w, "?last=1")).To(ConsistOf(HaveKeyWithValue("client", "other")))
	})

	It("keeps only the newest RequestLogLimit entries", func() {
		w := newWorld(delays, func(c *mockgraph.Config) { c.LogRequests, c.RequestLogLimit = true, 3 })
		for i := range 10 {
			w.do("GET", fmt.Sprintf("/v1.0/groups?$top=%d", i+1), nil)
		}
		log := w.srv.RequestLog()
		Expect(log).To(HaveLen(3))
		Expect(log[2].Path).To(HaveSuffix("top=10"), "the newest stay")
		Expect(logged(w, "")).To(HaveLen(3))
	})

	DescribeTable("refuses a bad query with 400",
		func(q string) {
			w := newWorld(delays, func(c *mockgraph.Config) { c.LogRequests = true })
			r := w.priv("GET", "/_private/requests"+q, nil)
			Expect(r.status).To(Equal(400), r.raw)
			Expect(r.raw).To(ContainSubstring("want a positive integer"))
		},
		Entry("not a number", "?last=ten"),
		Entry("zero", "?last=0"),
		Entry("negative", "?last=-3"),
	)
})
