package mockgraph_test

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

// logFor returns the logged requests to path, in order.
func logFor(srv *mockgraph.Server, path string) []mockgraph.RequestLogEntry {
	var out []mockgraph.RequestLogEntry
	for _, e := range srv.RequestLog() {
		if e.Path == path {
			out = append(out, e)
		}
	}
	return out
}

var _ = Describe("added latency (virtual mode)", func() {
	It("answers at once with Autopilotsim-Latency and logs the latency, jitter drawn from the seed", func() {
		mk := func() (*world, []time.Duration) {
			w := newWorld(delays, func(c *mockgraph.Config) {
				c.Faults = []mockgraph.Fault{{Path: "^/v1.0/groups$", Probability: 1, Latency: 2 * time.Second, Jitter: 500 * time.Millisecond}}
				c.LogRequests = true
			})
			var got []time.Duration
			for i := 0; i < 5; i++ {
				r := w.do("GET", "/v1.0/groups", nil)
				Expect(r.status).To(Equal(200), "a latency-only fault passes the request on")
				d, err := time.ParseDuration(r.header.Get(transport.LatencyHeader))
				Expect(err).NotTo(HaveOccurred())
				Expect(d).To(BeNumerically(">=", 2*time.Second))
				Expect(d).To(BeNumerically("<=", 2500*time.Millisecond))
				Expect(d % time.Millisecond).To(BeZero())
				got = append(got, d)
			}
			Expect(w.do("GET", "/v1.0/devices", nil).header.Get(transport.LatencyHeader)).To(BeEmpty())
			return w, got
		}
		w, first := mk()
		_, again := mk()
		Expect(again).To(Equal(first), "same seed, same jitter")
		var logged []time.Duration
		for _, e := range logFor(w.srv, "/v1.0/groups") {
			logged = append(logged, e.Latency)
		}
		Expect(logged).To(Equal(first))
	})

	It("adds every latency fault that fires, and lets the first error fault answer", func() {
		w := newWorld(delays, func(c *mockgraph.Config) {
			c.Faults = []mockgraph.Fault{
				{Path: "^/v1.0/", Probability: 1, Latency: time.Second},
				{Path: "^/v1.0/groups", Status: 503, Probability: 1, RetryAfter: 7 * time.Second, Latency: 3 * time.Second, Count: 1},
				{Path: "^/v1.0/groups", Status: 500, Probability: 1, Count: 1},
				{Path: "^/v1.0/groups", Probability: 1, Latency: 10 * time.Second},
			}
			c.LogRequests = true
		})
		r := w.do("GET", "/v1.0/groups", nil)
		Expect(r.status).To(Equal(503))
		Expect(r.header.Get("Retry-After")).To(Equal("7"))
		Expect(r.header.Get(transport.LatencyHeader)).To(Equal("14s"))
		r = w.do("GET", "/v1.0/groups", nil)
		Expect(r.status).To(Equal(500), "the 503 is spent (count 1); the next error fault fires")
		Expect(r.header.Get(transport.LatencyHeader)).To(Equal("11s"))
		r = w.do("GET", "/v1.0/groups", nil)
		Expect(r.status).To(Equal(200))
		Expect(r.header.Get(transport.LatencyHeader)).To(Equal("11s"))
	})

	It("judges Retry-After per client (User-Agent), counting from the answer's arrival", func() {
		w := newWorld(delays, func(c *mockgraph.Config) {
			c.Faults = []mockgraph.Fault{{Path: "^/v1.0/groups$", Status: 429, Probability: 1, RetryAfter: 10 * time.Second, Latency: 5 * time.Second, Count: 1}}
			c.LogRequests = true
		})
		Expect(w.do("GET", "/v1.0/groups", nil, "User-Agent", "client-a").status).To(Equal(429))
		Expect(w.do("GET", "/v1.0/groups", nil, "User-Agent", "client-b").status).To(Equal(200))
		w.run(12 * time.Second) // after Retry-After, but not after latency + Retry-After
		Expect(w.do("GET", "/v1.0/groups", nil, "User-Agent", "client-a", "Retry-Attempt", "1").status).To(Equal(200))
		log := logFor(w.srv, "/v1.0/groups")
		Expect(log).To(HaveLen(3))
		Expect(log[0].Client).To(Equal("client-a"))
		Expect(log[0].Latency).To(Equal(5 * time.Second))
		Expect(log[1].HonouredRetryAfter).To(BeNil(), "another client is no repeat")
		Expect(log[2].RetryAttempt).To(Equal(1))
		Expect(log[2].HonouredRetryAfter).To(HaveValue(BeFalse()))
	})

	DescribeTable("rejects a bad fault",
		func(f mockgraph.Fault, msg string) {
			Expect(mockgraph.CheckFault(0, f)).To(MatchError(ContainSubstring(msg)))
			_, err := mockgraph.New(mockgraph.Config{Clock: sim.NewScheduler(time.Time{}, nil), Rand: rand.New(rand.NewPCG(1, 1)),
				TenantID: tenantID, TenantDomain: "x.onmicrosoft.com", Faults: []mockgraph.Fault{f}})
			Expect(err).To(MatchError(ContainSubstring(msg)))
		},
		Entry("latency only without latency", mockgraph.Fault{Path: "x", Probability: 1}, "needs a latency or jitter"),
		Entry("negative latency", mockgraph.Fault{Path: "x", Status: 500, Probability: 1, Latency: -time.Second}, "negative"),
		Entry("Retry-After on a 500", mockgraph.Fault{Path: "x", Status: 500, Probability: 1, RetryAfter: time.Second}, "Retry-After goes with 429, 503 or 504"),
		Entry("Retry-After on latency only", mockgraph.Fault{Path: "x", Probability: 1, Latency: time.Second, RetryAfter: time.Second}, "not status 0"),
		Entry("NaN probability", mockgraph.Fault{Path: "x", Status: 500, Probability: math.NaN()}, "probability"),
		Entry("probability above 1", mockgraph.Fault{Path: "x", Status: 500, Probability: 1.5}, "probability"),
		Entry("Retry-After not whole seconds", mockgraph.Fault{Path: "x", Status: 429, Probability: 1, RetryAfter: 1500 * time.Millisecond}, "not whole seconds"),
		Entry("method in lower case", mockgraph.Fault{Path: "x", Method: "post", Status: 500, Probability: 1}, `method "post" would never match`),
		Entry("jitter finer than the draw", mockgraph.Fault{Path: "x", Probability: 1, Jitter: 500 * time.Microsecond}, "not whole milliseconds"),
	)
})

var _ = Describe("added latency (real-time mode, lab)", func() {
	var (
		sched *sim.Scheduler
		srv   *mockgraph.Server
		url   string
	)
	BeforeEach(func() {
		sched = sim.NewScheduler(time.Time{}, nil)
		var err error
		srv, err = mockgraph.New(mockgraph.Config{Clock: sched, Rand: rand.New(rand.NewPCG(1, 1)), TenantID: tenantID,
			TenantDomain: "x.onmicrosoft.com", RealTimeLatency: true, LogRequests: true,
			Faults: []mockgraph.Fault{
				{Path: "^/_private/odj/v1/requests/slow$", Probability: 1, Latency: 30 * time.Second},
				{Path: "^/_private/odj/v1/requests/stuck$", Probability: 1, Latency: 1000 * time.Hour},
			}})
		Expect(err).NotTo(HaveOccurred())
		ts := httptest.NewServer(srv.Handler())
		url = ts.URL
		stop, done := make(chan struct{}), make(chan struct{})
		go func() { defer close(done); sched.RunRealTime(stop, 3600) }() // an hour of lab time per second
		DeferCleanup(func() { close(stop); <-done; ts.Close() })
	})

	get := func(ctx context.Context, path string, virtual bool) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", url+path, nil)
		Expect(err).NotTo(HaveOccurred())
		if virtual {
			transport.MarkSimulated(req, "sim", 0)
		}
		return http.DefaultClient.Do(req)
	}

	It("holds the answer until the simulation clock has moved the latency on", func() {
		resp, err := get(context.Background(), "/_private/odj/v1/requests/slow", false)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		answered := sched.Now()
		Expect(resp.Header.Get(transport.LatencyHeader)).To(BeEmpty(), "applied, not announced")
		log := logFor(srv, "/_private/odj/v1/requests/slow")
		Expect(log).To(HaveLen(1))
		Expect(log[0].Latency).To(Equal(30 * time.Second))
		Expect(answered.Sub(log[0].At)).To(BeNumerically(">=", 30*time.Second))
	})

	It("answers a simulated client at once, announcing the latency", func() {
		resp, err := get(context.Background(), "/_private/odj/v1/requests/stuck", true)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.Header.Get(transport.LatencyHeader)).To(Equal("1000h0m0s"))
	})

	It("gives up when the client goes away, and logs status 0", func() {
		ctx, cancel := context.WithCancel(context.Background())
		before := sched.Pending()
		errc := make(chan error, 1)
		go func() {
			resp, err := get(ctx, "/_private/odj/v1/requests/stuck", false)
			if err == nil {
				resp.Body.Close()
			}
			errc <- err
		}()
		Eventually(func() int { return sched.Pending() }).Should(BeNumerically(">", before), "the handler waits on the clock")
		cancel()
		Eventually(errc).Should(Receive(HaveOccurred()))
		Eventually(func() []mockgraph.RequestLogEntry { return logFor(srv, "/_private/odj/v1/requests/stuck") }).
			Should(ConsistOf(HaveField("Status", 0)))
	})
})
