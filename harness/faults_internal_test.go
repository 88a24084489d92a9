package harness

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

var _ = Describe("an expectation on the request log", func() {
	// A client that retries at once, ignoring Retry-After, and one that
	// waits: the log judges each.
	var w *world
	BeforeEach(func() {
		sched := sim.NewScheduler(sim.Epoch, nil)
		g, err := mockgraph.New(mockgraph.Config{Clock: sched, Rand: rand.New(rand.NewPCG(1, 1)),
			TenantID: "11111111-2222-4333-8444-555555555555", TenantDomain: "x.onmicrosoft.com", LogRequests: true,
			Faults: []mockgraph.Fault{{Path: "^/_private/odj/v1/requests/", Status: 429, Probability: 1, RetryAfter: 10 * time.Second, Count: 3}}})
		Expect(err).NotTo(HaveOccurred())
		client, stop := transport.ServeHTTPMemory(g.Handler())
		DeferCleanup(stop)
		get := func(agent, id string) {
			req, _ := http.NewRequest("GET", "http://graph.local/_private/odj/v1/requests/"+id, nil)
			transport.MarkSimulated(req, agent, 0)
			resp, err := client.Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
		}
		get("impatient", "a")
		get("impatient", "a") // too soon
		get("patient", "b")
		Expect(sched.Run(sched.Now().Add(10 * time.Second))).To(Succeed())
		get("patient", "b")
		w = &world{graph: g, t0: sim.Epoch}
	})
	check := func(path string, min *int, honoured *bool) (bool, string) {
		r := w.checkRequests(scenarios.Expectation{Requests: &scenarios.RequestCheck{Path: path, MinThrottled: min, RetryAfterHonoured: honoured}}, 0)
		return r.Passed, r.Detail
	}
	yes, no, two, four := true, false, 2, 4

	It("fails retryAfterHonoured and names the request that came too soon", func() {
		ok, detail := check("", &two, &yes)
		Expect(ok).To(BeFalse())
		Expect(detail).To(Equal("4 requests, 3 answered with Retry-After, 2 repeats of those, 1 too soon; came before Retry-After allowed: impatient GET /_private/odj/v1/requests/a at T0+0s"))
	})
	It("passes it for the client that waited", func() {
		ok, detail := check("/b$", nil, &yes)
		Expect(ok).To(BeTrue(), detail)
	})
	It("passes retryAfterHonoured: false when a repeat came too soon", func() {
		ok, _ := check("", nil, &no)
		Expect(ok).To(BeTrue())
		ok, _ = check("/b$", nil, &no)
		Expect(ok).To(BeFalse())
	})
	It("counts the throttled answers", func() {
		ok, detail := check("", &four, nil)
		Expect(ok).To(BeFalse())
		Expect(detail).To(HaveSuffix("want at least 4 answers with Retry-After"))
	})
	It("fails when nothing repeated a throttled answer: nothing shows it honoured", func() {
		ok, detail := check("/nothing$", nil, &yes)
		Expect(ok).To(BeFalse())
		Expect(detail).To(ContainSubstring("nothing shows it honoured"))
	})
	It("is named after its checks", func() {
		Expect(describe(scenarios.Expectation{Requests: &scenarios.RequestCheck{Path: "^/_private/", MinThrottled: &two, RetryAfterHonoured: &yes}}, 3)).
			To(Equal("expect[3]: requests ^/_private/ ≥2 throttled Retry-After honoured"))
	})
})

var _ = Describe("serve with faults", func() {
	It("holds a real client's answer on the lab clock, says so in Describe, and leaves the scenario as loaded", func() {
		sc, err := scenarios.Load("testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		f, err := scenarios.ParseFault("path=^/_private/odj/v1/requests/,latency=30s")
		Expect(err).NotTo(HaveOccurred())
		lab, err := Serve(sc, ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 3600, Faults: []scenarios.Fault{f}, IntuneThrottling: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab.Close)
		Expect(sc.Graph.Faults).To(BeEmpty())

		before := lab.w.sched.Now()
		resp, err := http.Get(lab.GraphURL() + "/_private/odj/v1/requests/none")
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.Header.Get(transport.LatencyHeader)).To(BeEmpty())
		Expect(lab.w.sched.Now().Sub(before)).To(BeNumerically(">=", 30*time.Second))

		var out bytes.Buffer
		lab.Describe(&out)
		Expect(out.String()).To(ContainSubstring("path=^/_private/odj/v1/requests/,latency=30s"))
		Expect(out.String()).To(ContainSubstring("Intune budgets on /deviceManagement"))
	})
})

// runOnPremWithFaults runs the catalogue's onprem-lan-hybrid scenario with
// the given Graph faults and a requests expectation (which keeps mockgraph's
// request log), and returns it with its world, run to the end.
func runOnPremWithFaults(faults ...string) (*scenarios.Scenario, *world) {
	GinkgoHelper()
	sc, err := scenarios.Load("../scenarios/catalogue/onprem-lan-hybrid.yaml")
	Expect(err).NotTo(HaveOccurred())
	for _, text := range faults {
		f, err := scenarios.ParseFault(text)
		Expect(err).NotTo(HaveOccurred())
		sc.Graph.Faults = append(sc.Graph.Faults, f)
	}
	yes := true
	sc.Expect = append(sc.Expect, scenarios.Expectation{Requests: &scenarios.RequestCheck{RetryAfterHonoured: &yes}})
	w := newWorld(sc, nil, sim.Epoch)
	DeferCleanup(w.close)
	Expect(w.build(WireMemory)).To(Succeed())
	Expect(w.sched.Run(w.t0.Add(sc.Duration.D()))).To(Succeed())
	Expect(w.setupErr).NotTo(HaveOccurred())
	return sc, w
}

var _ = Describe("the admin against a throttled tenant", func() {
	It("retries a throttled call of a two-call step without sending the first call again, and queues the next steps", func() {
		sc, w := runOnPremWithFaults(
			"path=^/beta/deviceManagement/deviceConfigurations/[^/]+/assign$,status=429,retryAfter=90s,count=2",
			"path=^/v1.0/groups$,method=POST,latency=20s",
		)

		var creates, assigns []time.Time
		for _, e := range w.graph.RequestLog() {
			switch {
			case e.Method == "POST" && e.Path == "/beta/deviceManagement/deviceConfigurations":
				creates = append(creates, e.At)
			case e.Method == "POST" && strings.HasPrefix(e.Path, "/beta/deviceManagement/deviceConfigurations/") && strings.HasSuffix(e.Path, "/assign"):
				assigns = append(assigns, e.At)
				Expect(e.Client).To(Equal(adminAgent))
			}
		}
		Expect(creates).To(HaveLen(1), "the replayed create is not sent again")
		Expect(assigns).To(HaveLen(3))
		Expect([]time.Duration{assigns[1].Sub(assigns[0]), assigns[2].Sub(assigns[1])}).To(Equal([]time.Duration{90 * time.Second, 90 * time.Second}))
		r := w.checkRequests(sc.Expect[len(sc.Expect)-1], len(sc.Expect)-1)
		Expect(r.Passed).To(BeTrue(), r.Detail)
		for _, d := range w.devices {
			Expect(d.Result().Outcome).To(BeEquivalentTo("hybridJoined"))
		}
	})
})

// WindowsAutopilotIntune's Import-AutopilotCSV removes the import records
// once processed (https://www.powershellgallery.com/packages/WindowsAutopilotIntune,
// Remove-AutopilotImportedDevice); so does the harness's admin, after the
// processing of an import that waited out throttling too.
var _ = Describe("the admin's import records", func() {
	It("are removed once processed, after an import that waited out a Retry-After", func() {
		sc, w := runOnPremWithFaults("path=/importedWindowsAutopilotDeviceIdentities/import$,status=429,retryAfter=20m,count=1")

		var imported, deleted []time.Time
		for _, e := range w.graph.RequestLog() {
			switch {
			case e.Method == "POST" && strings.HasSuffix(e.Path, "/importedWindowsAutopilotDeviceIdentities/import") && e.Status == 200:
				imported = append(imported, e.At)
			case e.Method == "DELETE" && strings.Contains(e.Path, "/importedWindowsAutopilotDeviceIdentities/"):
				deleted = append(deleted, e.At)
			}
		}
		Expect(imported).To(HaveLen(1))
		Expect(deleted).To(HaveLen(len(w.devices)))
		Expect(deleted[0].Sub(imported[0])).To(BeNumerically(">", sc.Timings.ImportProcessing.D()),
			"removed after the service processed the import, not at the time planned before the throttling")
		Expect(w.trace.For("admin")).NotTo(ContainElement(HaveField("Detail", ContainSubstring("remove the import records"))),
			"the removal never held the admin (it waits off the admin's queue)")
		var list struct {
			Value []map[string]any `json:"value"`
		}
		Expect(w.admin.call("GET", "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities", nil, &list)).To(Succeed())
		Expect(list.Value).To(BeEmpty())
		for _, d := range w.devices {
			Expect(d.Result().Outcome).To(BeEquivalentTo("hybridJoined"))
		}
	})
})

var _ = Describe("runStep, the admin's one-script queue", func() {
	var w *world
	BeforeEach(func() {
		w = &world{admin: &admin{}, sched: sim.NewScheduler(sim.Epoch, nil), trace: &sim.Trace{}}
	})
	// waitsOnce is a step whose call must wait once (as admin.call answers a
	// throttled request), then ends with end.
	waitsOnce := func(end error, ran *[]string, name string) func() error {
		waited := false
		return func() error {
			if !waited {
				waited = true
				return &waitError{wait: time.Minute, why: "throttled"}
			}
			*ran = append(*ran, name)
			return end
		}
	}
	// calls is a step that makes one admin call, gated as admin.call is.
	calls := func(ran *[]string, name string) func() error {
		return func() error {
			if w.admin.busy != nil && w.admin.busy != w.admin.step {
				return errAdminBusy
			}
			*ran = append(*ran, name)
			return nil
		}
	}

	It("queues steps behind one that waits, runs them in order after it, and leaves the admin idle", func() {
		var ran []string
		w.runStep("admin", "a", waitsOnce(nil, &ran, "a"))
		w.runStep("admin", "b", calls(&ran, "b"))
		w.runStep("admin", "c", calls(&ran, "c"))
		Expect(ran).To(BeEmpty())
		Expect(w.sched.Run(sim.Epoch.Add(time.Hour))).To(Succeed())
		Expect(w.setupErr).NotTo(HaveOccurred())
		Expect(ran).To(Equal([]string{"a", "b", "c"}))
		Expect(w.admin.busy).To(BeNil())
		Expect(w.admin.queue).To(BeEmpty())
	})

	It("drops the queue and the wait when the waiting step then fails: the failure is the setup error", func() {
		var ran []string
		w.runStep("admin", "a", waitsOnce(errors.New("harness: boom"), &ran, "a"))
		w.runStep("admin", "b", calls(&ran, "b"))
		Expect(w.sched.Run(sim.Epoch.Add(time.Hour))).To(Succeed())
		Expect(w.setupErr).To(MatchError("harness: boom"))
		Expect(ran).To(Equal([]string{"a"}), "b never runs after a setup error")
		Expect(w.admin.busy).To(BeNil())
		Expect(w.admin.queue).To(BeEmpty())
	})
})
