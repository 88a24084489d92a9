package scenarios_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// The base scenario has 40 lines: what is appended starts at line 41.
const graphSection = `graph:
  intuneThrottling: true
  faults:
    - path: ^/_private/enrollment/
      method: POST
      status: 429
      retryAfter: 30s
      count: 2
    - path: ^/_private/
      latency: 2s
      jitter: 500ms
`

var _ = Describe("the graph section", func() {
	It("loads faults and the Intune budget switch, the probability defaulting to 1", func() {
		sc, err := scenarios.LoadBytes("s.yaml", []byte(base+graphSection))
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Graph.IntuneThrottling).To(BeTrue())
		Expect(sc.Graph.Faults).To(HaveLen(2))
		f := sc.Graph.Faults[0]
		Expect([]any{f.Path, f.Method, f.Status, *f.Probability, f.Count, f.RetryAfter.D()}).
			To(Equal([]any{"^/_private/enrollment/", "POST", 429, 1.0, 2, 30 * time.Second}))
		Expect(sc.Graph.Faults[1].Status).To(BeZero())
		Expect(sc.Graph.Faults[1].Latency.D()).To(Equal(2 * time.Second))
		Expect(sc.Graph.Faults[1].Jitter.D()).To(Equal(500 * time.Millisecond))
	})

	It("takes an expectation on the request log", func() {
		sc, err := scenarios.LoadBytes("s.yaml", []byte(base+"  - description: throttled calls waited\n    requests:\n      path: ^/_private/\n      minThrottled: 2\n      retryAfterHonoured: true\n"+graphSection))
		Expect(err).NotTo(HaveOccurred())
		rc := sc.Expect[1].Requests
		Expect(rc).NotTo(BeNil())
		Expect([]any{rc.Path, *rc.MinThrottled, *rc.RetryAfterHonoured}).To(Equal([]any{"^/_private/", 2, true}))
		Expect(sc.Expect[1].Line).To(Equal(41))
	})

	DescribeTable("refuses a bad fault with file:line:col: path: message",
		func(fault string, want ...string) {
			_, err := scenarios.LoadBytes("s.yaml", []byte(base+"graph:\n  faults:\n    - "+strings.ReplaceAll(fault, "\n", "\n      ")+"\n"))
			Expect(errorLines(err)).To(Equal(want))
		},
		Entry("bad regexp", "path: ^/v1.0/(groups\nstatus: 500",
			"s.yaml:43:13: graph.faults[0].path: bad regular expression \"^/v1.0/(groups\": error parsing regexp: missing closing ): `^/v1.0/(groups`"),
		Entry("missing path", "status: 500",
			`s.yaml:43:7: graph.faults[0].path: missing path (a regular expression over the URL path, e.g. ^/beta/deviceManagement/)`),
		Entry("status a fault cannot answer", "path: x\nstatus: 404",
			`s.yaml:44:15: graph.faults[0].status: status 404 is not one a fault answers (want one of 429, 500, 502, 503, 504)`),
		Entry("explicit status 0", "path: x\nstatus: 0\nlatency: 1s",
			`s.yaml:44:15: graph.faults[0].status: status 0 is no answer: leave status out for a latency-only fault (want one of 429, 500, 502, 503, 504)`),
		Entry("nothing to inject", "path: x\ncount: 3",
			`s.yaml:43:7: graph.faults[0]: nothing to inject: give status (429, 500, 502, 503, 504), latency, or both`),
		Entry("probability 0", "path: x\nstatus: 500\nprobability: 0",
			`s.yaml:45:20: graph.faults[0].probability: probability 0 is outside (0, 1]`),
		Entry("probability above 1", "path: x\nstatus: 500\nprobability: 1.5",
			`s.yaml:45:20: graph.faults[0].probability: probability 1.5 is outside (0, 1]`),
		Entry("probability NaN", "path: x\nstatus: 500\nprobability: .nan",
			`s.yaml:45:20: graph.faults[0].probability: probability NaN is outside (0, 1]`),
		Entry("probability as text", "path: x\nstatus: 500\nprobability: often",
			`s.yaml:45:20: graph.faults[0].probability: want a number, got "often"`),
		Entry("negative durations and count", "path: x\nstatus: 503\ncount: -1\nlatency: -2s\njitter: -1ms",
			`s.yaml:45:14: graph.faults[0].count: must not be negative, got -1`,
			`s.yaml:46:16: graph.faults[0].latency: must not be negative, got -2s`,
			`s.yaml:47:15: graph.faults[0].jitter: must not be negative, got -1ms`),
		Entry("latency only with retryAfter", "path: x\nlatency: 2s\nretryAfter: 5s",
			`s.yaml:45:19: graph.faults[0].retryAfter: retryAfter needs status 429, 503 or 504: a latency-only fault answers normally`),
		Entry("retryAfter on a 500", "path: x\nstatus: 500\nretryAfter: 5s",
			`s.yaml:45:19: graph.faults[0].retryAfter: retryAfter goes with status 429, 503 or 504, not 500`),
		Entry("retryAfter not whole seconds", "path: x\nstatus: 429\nretryAfter: 1500ms",
			`s.yaml:45:19: graph.faults[0].retryAfter: Retry-After is sent in whole seconds (graph-api.md §1.4): 1.5s is not`),
		Entry("jitter finer than its draw", "path: x\nlatency: 1s\njitter: 1500us",
			`s.yaml:45:15: graph.faults[0].jitter: jitter is drawn in whole milliseconds (mockgraph/faults.go): 1.5ms is not`),
		Entry("bare number duration", "path: x\nlatency: 2",
			`s.yaml:44:16: graph.faults[0].latency: bare number 2 is not a duration: write 2m, not 2 (units: s, m, h)`),
		Entry("method in lower case", "path: x\nstatus: 500\nmethod: post",
			`s.yaml:45:15: graph.faults[0].method: unknown method "post" (did you mean "POST"? want one of GET, POST, PUT, PATCH, DELETE)`),
		Entry("unknown key", "path: x\nstatus: 500\nretry-after: 5s",
			`s.yaml:45:7: graph.faults[0].retry-after: unknown key "retry-after" (did you mean "retryAfter"?)`),
	)

	DescribeTable("refuses a bad request-log expectation",
		func(exp string, want ...string) {
			_, err := scenarios.LoadBytes("s.yaml", []byte(base+"  - "+strings.ReplaceAll(exp, "\n", "\n    ")+"\n"))
			Expect(errorLines(err)).To(Equal(want))
		},
		Entry("nothing to check", "requests: {path: ^/v1.0/}",
			`s.yaml:41:15: expect[1].requests: nothing to check: give minThrottled or retryAfterHonoured`),
		Entry("bad path", "requests: {path: \"(\", retryAfterHonoured: true}",
			"s.yaml:41:22: expect[1].requests.path: bad regular expression \"(\": error parsing regexp: missing closing ): `(`"),
		Entry("negative minThrottled", "requests: {minThrottled: -1}",
			`s.yaml:41:30: expect[1].requests.minThrottled: must not be negative, got -1`),
		Entry("device fields beside it", "devices: all\noutcome: hybridJoined\nrequests: {retryAfterHonoured: true}",
			`s.yaml:41:14: expect[1].devices: an expectation with requests checks the request log only: devices belongs in a separate expectation about devices`,
			`s.yaml:42:14: expect[1].outcome: an expectation with requests checks the request log only: outcome belongs in a separate expectation about devices`),
	)

	DescribeTable("ParseFault reads the serve command's --fault",
		func(text string, want scenarios.Fault) {
			f, err := scenarios.ParseFault(text)
			Expect(err).NotTo(HaveOccurred())
			Expect(f).To(Equal(want))
		},
		Entry("throttling", "path=^/beta/deviceManagement/,status=429,p=0.2,retryAfter=5s",
			scenarios.Fault{Path: "^/beta/deviceManagement/", Status: 429, Probability: ptr(0.2), RetryAfter: scenarios.Duration(5 * time.Second)}),
		Entry("latency only, probability defaulted", "path=^/v1.0/groups,latency=2s,jitter=250ms",
			scenarios.Fault{Path: "^/v1.0/groups", Probability: ptr(1.0), Latency: scenarios.Duration(2 * time.Second), Jitter: scenarios.Duration(250 * time.Millisecond)}),
		Entry("a comma inside the pattern", "path=^/x{1,3}$,method=GET,status=503,count=2,probability=1",
			scenarios.Fault{Path: "^/x{1,3}$", Method: "GET", Status: 503, Count: 2, Probability: ptr(1.0)}),
	)

	DescribeTable("ParseFault says what is wrong",
		func(text, msg string) {
			_, err := scenarios.ParseFault(text)
			Expect(err).To(MatchError(msg))
		},
		Entry("empty", "", `fault "": empty: want key=value pairs such as path=^/v1.0/groups,status=429,retryAfter=5s`),
		Entry("no =", "status", `fault "status": "status" is not key=value`),
		Entry("unknown key", "path=x,stauts=429", `fault "path=x,stauts=429": unknown key "stauts" (did you mean "status"?)`),
		Entry("twice", "path=x,p=1,probability=1,status=500", `fault "path=x,p=1,probability=1,status=500": p given twice`),
		Entry("bad number", "path=x,status=many", `fault "path=x,status=many": status: want a whole number, got "many"`),
		Entry("bare number duration", "path=x,latency=2", `fault "path=x,latency=2": latency: bare number 2 is not a duration: write 2s, not 2 (units: ms, s, m, h)`),
		Entry("jitter finer than its draw", "path=x,jitter=500us", `fault "path=x,jitter=500us": jitter is drawn in whole milliseconds (mockgraph/faults.go): 500µs is not`),
		Entry("the scenario rules", "path=(,status=404,retryAfter=5s",
			"fault \"path=(,status=404,retryAfter=5s\": path: bad regular expression \"(\": error parsing regexp: missing closing ): `(`; retryAfter goes with status 429, 503 or 504, not 404; status 404 is not one a fault answers (want one of 429, 500, 502, 503, 504)"),
	)
})

func ptr[T any](v T) *T { return &v }
