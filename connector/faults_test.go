package connector_test

import (
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

// faulty wraps the fake service: the first answers to paths ending in a
// verb are replaced by queued statuses (with Retry-After), every answer
// may carry added latency, and each request is recorded.
type faulty struct {
	next    http.Handler
	clock   sim.Clock
	mu      sync.Mutex
	fail    map[string][]int // verb ("heartbeat", "claim", "result") → statuses to answer first
	retry   time.Duration    // Retry-After on injected 429/503
	latency time.Duration
	seen    []seenRequest
}

type seenRequest struct {
	verb           string
	at             time.Time
	agent, attempt string
	virtual        bool
}

func (f *faulty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	verb := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	f.mu.Lock()
	f.seen = append(f.seen, seenRequest{verb: verb, at: f.clock.Now(), agent: r.Header.Get("User-Agent"), attempt: r.Header.Get("Retry-Attempt"),
		virtual: r.Header.Get(transport.AcceptLatencyHeader) == transport.AcceptLatencyVirtual})
	status := 0
	if q := f.fail[verb]; len(q) > 0 {
		status, f.fail[verb] = q[0], q[1:]
	}
	f.mu.Unlock()
	if f.latency > 0 {
		w.Header().Set(transport.LatencyHeader, f.latency.String())
	}
	if status != 0 {
		if f.retry > 0 && (status == 429 || status == 503) {
			w.Header().Set("Retry-After", strings.TrimSuffix(f.retry.String(), "s"))
		}
		writeJSON(w, status, map[string]any{"error": map[string]string{"code": "TooManyRequests", "message": "Please retry again later."}})
		return
	}
	f.next.ServeHTTP(w, r)
}

func (f *faulty) times(verb string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Time
	for _, s := range f.seen {
		if s.verb == verb {
			out = append(out, s.at)
		}
	}
	return out
}

func gaps(ts []time.Time) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i].Sub(ts[i-1]))
	}
	return out
}

var _ = Describe("Connector against a faulty service", func() {
	var (
		sched *sim.Scheduler
		trace *sim.Trace
		graph *fakeGraph
		f     *faulty
		dc    *fakeDC
		c     *connector.Connector
	)

	BeforeEach(func() {
		trace = &sim.Trace{}
		sched = sim.NewScheduler(time.Time{}, trace)
		graph = newFakeGraph()
		f = &faulty{next: graph, clock: sched, fail: map[string][]int{}}
		dc = newFakeDC(msaPassword)
		client, stop := transport.ServeHTTPMemory(f)
		DeferCleanup(func() { stop(); dc.close() })
		var err error
		c, err = connector.New(connector.Config{
			Name: "ODJCONN01", Domain: "corp.contoso.com", NetBIOS: "CORP", Identity: "msaODJ00001", Password: msaPassword,
			Clock: sched, Rand: newRand(), HTTP: client, GraphURL: "http://graph.local",
			DialLDAP: dc.dial, PickupLatency: 30 * time.Second, Heartbeat: 5 * time.Minute, Trace: trace,
		})
		Expect(err).NotTo(HaveOccurred())
	})
	run := func(d time.Duration) { Expect(sched.Run(sched.Now().Add(d))).To(Succeed()) }
	request := func(id string) connector.ClaimedRequest {
		return connector.ClaimedRequest{ID: id, DeviceID: "dev-" + id, Domain: "corp.contoso.com",
			OrganizationalUnit: "OU=Autopilot,DC=corp,DC=contoso,DC=com", ComputerNameStaticPrefix: "AP-", ComputerNameSuffixRandomCharCount: 12}
	}

	It("names itself and takes latency virtually", func() {
		c.Start()
		run(time.Second)
		f.mu.Lock()
		defer f.mu.Unlock()
		Expect(f.seen[0]).To(Equal(seenRequest{verb: "heartbeat", at: sim.Epoch, agent: "autopilotsim-connector/ODJCONN01", virtual: true}))
	})

	It("retries a throttled heartbeat after Retry-After, then keeps its interval", func() {
		f.fail["heartbeat"] = []int{429, 429}
		f.retry = 40 * time.Second
		c.Start()
		run(10 * time.Minute)
		Expect(gaps(f.times("heartbeat"))).To(Equal([]time.Duration{40 * time.Second, 40 * time.Second, 5 * time.Minute}))
		f.mu.Lock()
		var attempts []string
		for _, s := range f.seen {
			if s.verb == "heartbeat" {
				attempts = append(attempts, s.attempt)
			}
		}
		f.mu.Unlock()
		Expect(attempts).To(Equal([]string{"", "1", "2", ""}))
		Expect(trace.For("connector/ODJCONN01")).To(ContainElement(HaveField("Detail", HaveSuffix("retry 1/3 in 40s (Retry-After)"))))
	})

	It("backs off 3s, 6s, 12s on server errors, then falls back to its pickup interval", func() {
		f.fail["claim"] = []int{500, 502, 504, 500}
		c.Start()
		run(2 * time.Minute)
		Expect(gaps(f.times("claim"))[:4]).To(Equal([]time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 30 * time.Second}))
	})

	It("retries a throttled result upload until the service takes it", func() {
		f.fail["result"] = []int{503, 429}
		f.retry = 20 * time.Second
		graph.queue(request("r1"))
		c.Start()
		run(2 * time.Minute)
		Expect(gaps(f.times("result"))).To(Equal([]time.Duration{20 * time.Second, 20 * time.Second}))
		Expect(graph.resultsFor("r1")).To(ConsistOf(HaveKeyWithValue("success", true)))
		for _, e := range c.Events() {
			Expect(e.ID).NotTo(Equal(connector.EventUploadResult), "no upload failure was logged")
		}
	})

	It("starts claimed work when the claim's answer arrives, and claims again after pickup latency + latencies", func() {
		f.latency = 5 * time.Second
		graph.queue(request("r1"))
		c.Start()
		run(2 * time.Minute)
		claims, results := f.times("claim"), f.times("result")
		Expect(results[0].Sub(claims[0])).To(Equal(5*time.Second), "processed 5s after the claim; the LDAP add takes no virtual time")
		Expect(claims[1].Sub(results[0])).To(Equal(30*time.Second+5*time.Second), "pickup latency + the upload answer's latency")
	})
})
