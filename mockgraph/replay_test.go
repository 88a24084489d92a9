package mockgraph_test

import (
	"net/http"
	"net/http/httptest"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
)

var _ = Describe("hooks for a lab that keeps its state on disk", func() {
	groupBody := map[string]any{"displayName": "G", "mailEnabled": false, "mailNickname": "g", "securityEnabled": true}

	DescribeTable("token fetches shift the next entity id unless TokenIDsApart",
		func(apart bool, shifts bool) {
			cfg := func(c *mockgraph.Config) { c.TokenIDsApart = apart }
			quiet, busy := newWorld(mockgraph.Delays{}, cfg), newWorld(mockgraph.Delays{}, cfg)
			busy.getToken("admin", "s3cret")
			a := quiet.do("POST", "/v1.0/groups", groupBody)
			b := busy.do("POST", "/v1.0/groups", groupBody)
			Expect(a.status).To(Equal(201))
			Expect(b.status).To(Equal(201))
			Expect(a.body["id"] != b.body["id"]).To(Equal(shifts))
		},
		Entry("runs: the entity stream, as ever", false, true),
		Entry("a lab with --state-dir: the request-id stream", true, false),
	)

	It("sees requests past the faults with Intercept, and ServeReplay skips both", func() {
		var seen []string
		w := newWorld(mockgraph.Delays{}, func(c *mockgraph.Config) {
			c.Intercept = func(rw http.ResponseWriter, r *http.Request, next http.Handler) {
				seen = append(seen, r.Method+" "+r.URL.Path)
				next.ServeHTTP(rw, r)
			}
			c.Faults = []mockgraph.Fault{{Path: "^/v1.0/groups$", Method: "POST", Status: 503, Probability: 1}}
		})
		seen = nil
		Expect(w.do("POST", "/v1.0/groups", groupBody).status).To(Equal(503), "the fault answers first")
		Expect(seen).To(BeEmpty())
		Expect(w.do("GET", "/v1.0/groups", nil).status).To(Equal(200))
		Expect(seen).To(Equal([]string{"GET /v1.0/groups"}))
		seen = nil
		req := httptest.NewRequest("POST", "http://graph.local/v1.0/groups", strings.NewReader(`{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`))
		req.Header.Set("Authorization", "Bearer "+w.token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		w.srv.ServeReplay(rec, req)
		Expect(rec.Code).To(Equal(201), rec.Body.String())
		Expect(seen).To(BeEmpty(), "a replay is not intercepted again")
	})
})
