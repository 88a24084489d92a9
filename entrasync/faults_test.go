package entrasync_test

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/entrasync"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

// faultyGraph answers the first PUTs with queued statuses (429 with
// retryAfter) and every answer with added latency; it records each
// request's time and headers.
type faultyGraph struct {
	next       http.Handler
	clock      sim.Clock
	mu         sync.Mutex
	putFails   []int
	retryAfter time.Duration
	latency    time.Duration
	seen       []http.Header
	at         []time.Time
}

func (f *faultyGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, r.Header.Clone())
	f.at = append(f.at, f.clock.Now())
	status := 0
	if r.Method == http.MethodPut && len(f.putFails) > 0 {
		status, f.putFails = f.putFails[0], f.putFails[1:]
	}
	f.mu.Unlock()
	if f.latency > 0 {
		w.Header().Set(transport.LatencyHeader, f.latency.String())
	}
	if status != 0 {
		if f.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second)))
		}
		w.WriteHeader(status)
		return
	}
	f.next.ServeHTTP(w, r)
}

var _ = Describe("Sync against a faulty service", func() {
	var (
		sched *sim.Scheduler
		trace *sim.Trace
		graph *fakeGraph
		f     *faultyGraph
		dc    *fakeDC
		cfg   entrasync.Config
	)
	BeforeEach(func() {
		trace = &sim.Trace{}
		sched = sim.NewScheduler(t0, trace)
		graph = newFakeGraph()
		f = &faultyGraph{next: graph, clock: sched}
		dc = newFakeDC("sync-pw", domainDN, ouAP)
		client, stop := transport.ServeHTTPMemory(f)
		DeferCleanup(func() { stop(); dc.close() })
		cfg = entrasync.Config{
			Domain: "corp.contoso.com", NetBIOS: "CORP", BindUser: "MSOL_sync", BindPassword: "sync-pw",
			Scope: []string{ouAP}, FirstCycle: time.Minute,
			Clock: sched, HTTP: client, GraphURL: "http://graph.local", DialLDAP: dc.dial, Trace: trace,
		}
		dc.setComputers(
			computerEntry("CN=AP-ONE,"+ouAP, "AP-ONE", guid1, sid1, hybridCert(dev1)),
			computerEntry("CN=AP-TWO,"+ouAP, "AP-TWO", guid2, sid2, hybridCert(dev2)),
		)
	})
	newSync := func() *entrasync.Sync {
		s, err := entrasync.New(cfg)
		Expect(err).NotTo(HaveOccurred())
		return s
	}

	It("waits out Retry-After before exporting the object again, and finishes the cycle then", func() {
		f.putFails, f.retryAfter = []int{429}, 30*time.Second
		s := newSync()
		_, err := s.RunCycle()
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Run(t0.Add(time.Hour))).To(Succeed())
		reps := s.Reports()
		Expect(reps).To(HaveLen(1))
		Expect(reps[0].Exported).To(Equal(2))
		Expect(reps[0].Finished).To(Equal(t0.Add(30 * time.Second)))
		f.mu.Lock()
		defer f.mu.Unlock()
		Expect(f.at).To(Equal([]time.Time{t0, t0.Add(30 * time.Second), t0.Add(30 * time.Second)}))
		Expect(f.seen[1].Get("Retry-Attempt")).To(Equal("1"))
		Expect(f.seen[0].Get("User-Agent")).To(Equal("autopilotsim-entraconnect/corp.contoso.com"))
		Expect(f.seen[0].Get(transport.AcceptLatencyHeader)).To(Equal(transport.AcceptLatencyVirtual))
		Expect(trace.For("entraconnect")).To(ContainElement(HaveField("Step", "export throttled")))
	})

	It("sends each export when the previous answer has arrived", func() {
		f.latency = 5 * time.Second
		s := newSync()
		_, err := s.RunCycle()
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Run(t0.Add(time.Hour))).To(Succeed())
		f.mu.Lock()
		Expect(f.at).To(Equal([]time.Time{t0, t0.Add(5 * time.Second)}))
		f.mu.Unlock()
		Expect(s.Reports()[0].Finished).To(Equal(t0.Add(10 * time.Second)))
	})

	It("skips a scheduled cycle while the previous one still waits", func() {
		f.putFails, f.retryAfter = []int{503}, 40*time.Minute
		s := newSync()
		s.Start()
		Expect(sched.Run(t0.Add(45 * time.Minute))).To(Succeed())
		Expect(trace.For("entraconnect")).To(ContainElement(HaveField("Step", "sync cycle skipped")))
		reps := s.Reports()
		Expect(reps).To(HaveLen(1))
		Expect(reps[0].Finished).To(Equal(t0.Add(41 * time.Minute)))
		Expect(reps[0].Exported).To(Equal(2))
	})
})
