package harness

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// graphFaults converts the scenario's graph faults for mockgraph.
func graphFaults(sc *scenarios.Scenario) []mockgraph.Fault {
	var out []mockgraph.Fault
	for _, f := range sc.Graph.Faults {
		p := scenarios.Defaults.FaultProbability
		if f.Probability != nil {
			p = *f.Probability
		}
		out = append(out, mockgraph.Fault{Path: f.Path, Method: f.Method, Status: f.Status, Probability: p, Count: f.Count,
			RetryAfter: f.RetryAfter.D(), Latency: f.Latency.D(), Jitter: f.Jitter.D()})
	}
	return out
}

// needsRequestLog: mockgraph keeps its request log only when an
// expectation reads it (a long run would otherwise hold every call).
func needsRequestLog(sc *scenarios.Scenario) bool {
	for _, e := range sc.Expect {
		if e.Requests != nil {
			return true
		}
	}
	return false
}

// labRequestLog bounds the request log of a lab, which may run for days;
// a scenario run keeps it whole for its expectations.
func labRequestLog(realTime bool) int {
	if realTime {
		return 10000
	}
	return 0
}

// checkRequests evaluates an expectation on the request log.
func (w *world) checkRequests(e scenarios.Expectation, i int) results.ExpectationResult {
	er := results.ExpectationResult{Description: describe(e, i), Line: e.Line}
	rc := e.Requests
	var re *regexp.Regexp
	if rc.Path != "" {
		var err error
		if re, err = regexp.Compile(rc.Path); err != nil {
			er.Detail = fmt.Sprintf("requests.path: %v", err)
			return er
		}
	}
	var selected, throttled, repeats int
	var early []string
	for _, r := range w.graph.RequestLog() {
		path, _, _ := strings.Cut(r.Path, "?")
		if re != nil && !re.MatchString(path) {
			continue
		}
		selected++
		if r.RetryAfter > 0 {
			throttled++
		}
		if r.HonouredRetryAfter != nil {
			repeats++
			if !*r.HonouredRetryAfter {
				early = append(early, fmt.Sprintf("%s %s %s at T0+%s", r.Client, r.Method, path, r.At.Sub(w.t0)))
			}
		}
	}
	er.Passed = true
	var why []string
	if rc.MinThrottled != nil && throttled < *rc.MinThrottled {
		er.Passed = false
		why = append(why, fmt.Sprintf("want at least %d answers with Retry-After", *rc.MinThrottled))
	}
	if h := rc.RetryAfterHonoured; h != nil {
		switch {
		case *h && repeats == 0:
			er.Passed = false
			why = append(why, "no request repeated an answer with Retry-After, so nothing shows it honoured")
		case *h && len(early) > 0:
			er.Passed = false
			why = append(why, "came before Retry-After allowed: "+strings.Join(first(early, 5), "; "))
		case !*h && len(early) == 0:
			er.Passed = false
			why = append(why, "want a repeat that came before Retry-After allowed; every one waited")
		}
	}
	er.Detail = fmt.Sprintf("%d requests, %d answered with Retry-After, %d repeats of those, %d too soon", selected, throttled, repeats, len(early))
	if len(why) > 0 {
		er.Detail += "; " + strings.Join(why, "; ")
	}
	return er
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// describeRequests names an expectation on the request log.
func describeRequests(rc *scenarios.RequestCheck) string {
	parts := []string{"requests"}
	if rc.Path != "" {
		parts = append(parts, rc.Path)
	}
	if rc.MinThrottled != nil {
		parts = append(parts, fmt.Sprintf("≥%d throttled", *rc.MinThrottled))
	}
	if rc.RetryAfterHonoured != nil {
		if *rc.RetryAfterHonoured {
			parts = append(parts, "Retry-After honoured")
		} else {
			parts = append(parts, "Retry-After not honoured")
		}
	}
	return strings.Join(parts, " ")
}

// describeFault writes a fault in the --fault flag's form.
func describeFault(f scenarios.Fault) string {
	parts := []string{"path=" + f.Path}
	if f.Method != "" {
		parts = append(parts, "method="+f.Method)
	}
	if f.Status != 0 {
		parts = append(parts, fmt.Sprintf("status=%d", f.Status))
	}
	if f.Probability != nil && *f.Probability != 1 {
		parts = append(parts, fmt.Sprintf("p=%g", *f.Probability))
	}
	if f.Count != 0 {
		parts = append(parts, fmt.Sprintf("count=%d", f.Count))
	}
	for _, d := range []struct {
		k string
		v scenarios.Duration
	}{{"retryAfter", f.RetryAfter}, {"latency", f.Latency}, {"jitter", f.Jitter}} {
		if d.v != 0 {
			parts = append(parts, d.k+"="+d.v.String())
		}
	}
	return strings.Join(parts, ",")
}
