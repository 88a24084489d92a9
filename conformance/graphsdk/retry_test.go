package graphsdk_test

import (
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/sim"
)

// The SDK's retry handler (kiota-http-go, graph-api.md §1.4) against
// mockgraph's fault injection. The lab does not expose faults, so these
// specs run a bare mockgraph on its own loopback server.
var _ = Describe("throttling and retries (graph-api.md §1.4)", Ordered, func() {
	const tenant = "0c0f0000-0000-4000-8000-00000000c0f0"
	var (
		g      *mockgraph.Server
		client *msgraphsdk.GraphServiceClient
	)

	BeforeAll(func(ctx SpecContext) {
		var err error
		g, err = mockgraph.New(mockgraph.Config{
			Clock: sim.NewRealClock(time.Time{}, 1, nil), Rand: mrand.New(mrand.NewPCG(3, 7)),
			TenantID: tenant, TenantDomain: "conformance.onmicrosoft.com",
			Apps:        []mockgraph.App{{ClientID: adminClientID, ClientSecret: adminSecret, DisplayName: "conformance", Roles: []string{"Group.ReadWrite.All", "Device.ReadWrite.All"}}},
			LogRequests: true,
			Faults: []mockgraph.Fault{
				{Path: `^/v1\.0/groups$`, Method: http.MethodGet, Status: 429, Probability: 1, RetryAfter: time.Second, Count: 1},
				{Path: `^/v1\.0/devices$`, Method: http.MethodGet, Status: 503, Probability: 1, RetryAfter: time.Second, Count: 10},
				{Path: `^/v1\.0/groups/00000000-0000-0000-0000-000000000500$`, Status: 500, Probability: 1},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		srv := httptest.NewServer(g.Handler())
		DeferCleanup(srv.Close)
		tok, err := fetchToken(ctx, srv.URL, tenant, adminClientID, adminSecret)
		Expect(err).NotTo(HaveOccurred())
		client, err = newSDK(srv.URL+"/v1.0", tok)
		Expect(err).NotTo(HaveOccurred())
	})

	// requests returns the logged requests whose path starts with prefix.
	requests := func(prefix string) []mockgraph.RequestLogEntry {
		var out []mockgraph.RequestLogEntry
		for _, e := range g.RequestLog() {
			if strings.HasPrefix(e.Path, prefix) {
				out = append(out, e)
			}
		}
		return out
	}

	It("retries a 429 after Retry-After and succeeds, with a Retry-Attempt header", func(ctx SpecContext) {
		_, err := client.Groups().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		log := requests("/v1.0/groups")
		Expect(log).To(HaveLen(2))
		Expect(log[0].Status).To(Equal(429))
		Expect(log[0].RetryAfter).To(Equal(time.Second))
		Expect(log[1].Status).To(Equal(200))
		Expect(log[1].RetryAttempt).To(Equal(1))
		Expect(log[1].HonouredRetryAfter).To(HaveValue(BeTrue()))
	})

	It("gives up after 3 retries of a 503 and surfaces it as an ODataError", func(ctx SpecContext) {
		_, err := client.Devices().Get(ctx, nil)
		expectODataError(err, http.StatusServiceUnavailable, "serviceNotAvailable")
		Expect(requests("/v1.0/devices")).To(HaveLen(4), "the first try and kiota's default 3 retries")
	}, SpecTimeout(30*time.Second))

	It("does not retry a 500", func(ctx SpecContext) {
		_, err := client.Groups().ByGroupId("00000000-0000-0000-0000-000000000500").Get(ctx, nil)
		expectODataError(err, http.StatusInternalServerError, "InternalServerError")
		Expect(requests("/v1.0/groups/00000000-0000-0000-0000-000000000500")).To(HaveLen(1))
	})
})
