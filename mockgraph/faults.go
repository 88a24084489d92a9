package mockgraph

import (
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/transport"
)

// Fault injects an error answer, added latency, or both, on requests whose
// path matches Path (a regular expression over the URL path, e.g.
// `^/beta/deviceManagement/`) and whose method is Method (any when empty),
// with probability Probability drawn from the server's seeded stream, at
// most Count times (unlimited when zero).
//
// Every matching fault is considered in order for each request: the
// latency-only ones (Status 0) that fire all add their latency; the first
// error fault that fires answers the request (after its own latency, if
// any) and later error faults are skipped without a draw.
type Fault struct {
	Path        string
	Method      string
	Status      int           // 429, 500, 502, 503 or 504; 0 = latency only
	Probability float64       // (0, 1]
	RetryAfter  time.Duration // sent as Retry-After (whole seconds, §1.4) on 429/503/504
	Count       int
	// Latency is added before the answer; Jitter adds up to that much more,
	// drawn (in whole milliseconds) from the faults' seeded stream. See
	// Config.RealTimeLatency for how the latency is applied.
	Latency, Jitter time.Duration
}

type compiledFault struct {
	Fault
	re       *regexp.Regexp
	injected int
}

type faultState struct {
	faults []*compiledFault
	rnd    *mrand.Rand
}

// CheckFault validates one fault the way New does (index i is only for the
// message).
func CheckFault(i int, f Fault) error {
	if _, err := regexp.Compile(f.Path); err != nil {
		return fmt.Errorf("mockgraph: fault %d: path pattern %q: %w", i, f.Path, err)
	}
	if f.Method != strings.ToUpper(f.Method) {
		// Methods compare exactly (r.Method is upper case): "post" would
		// never fire.
		return fmt.Errorf("mockgraph: fault %d: method %q would never match: write it upper case (%q)", i, f.Method, strings.ToUpper(f.Method))
	}
	switch f.Status {
	case 429, 500, 502, 503, 504:
	case 0:
		if f.Latency <= 0 && f.Jitter <= 0 {
			return fmt.Errorf("mockgraph: fault %d: status 0 (latency only) needs a latency or jitter", i)
		}
	default:
		return fmt.Errorf("mockgraph: fault %d: status %d is not one of 429, 500, 502, 503, 504", i, f.Status)
	}
	if !(f.Probability > 0 && f.Probability <= 1) { // also refuses NaN
		return fmt.Errorf("mockgraph: fault %d: probability %v is not in (0, 1]", i, f.Probability)
	}
	if f.Count < 0 || f.RetryAfter < 0 || f.Latency < 0 || f.Jitter < 0 {
		return fmt.Errorf("mockgraph: fault %d: negative count, retry-after, latency or jitter", i)
	}
	if f.RetryAfter > 0 && f.Status != 429 && f.Status != 503 && f.Status != 504 {
		return fmt.Errorf("mockgraph: fault %d: Retry-After goes with 429, 503 or 504, not status %d", i, f.Status)
	}
	// Refused rather than truncated: the header carries whole seconds
	// (§1.4), and jitter is drawn in whole milliseconds (pick), so a 500ms
	// Retry-After or a 0.5ms jitter would silently become 0.
	if f.RetryAfter%time.Second != 0 {
		return fmt.Errorf("mockgraph: fault %d: Retry-After %s is not whole seconds (the header carries seconds, graph-api.md §1.4)", i, f.RetryAfter)
	}
	if f.Jitter%time.Millisecond != 0 {
		return fmt.Errorf("mockgraph: fault %d: jitter %s is not whole milliseconds (it is drawn in milliseconds)", i, f.Jitter)
	}
	return nil
}

func newFaultState(fs []Fault) (*faultState, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	st := &faultState{}
	for i, f := range fs {
		if err := CheckFault(i, f); err != nil {
			return nil, err
		}
		st.faults = append(st.faults, &compiledFault{Fault: f, re: regexp.MustCompile(f.Path)})
	}
	return st, nil
}

// pick draws the faults for r: the error fault that answers it (nil for
// none) and the total added latency.
func (fs *faultState) pick(s *Server, r *http.Request) (*compiledFault, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fs.rnd == nil {
		// Derived on first use from the request-id stream so faults never
		// shift entity ids.
		fs.rnd = mrand.New(mrand.NewPCG(s.reqRnd.Uint64(), s.reqRnd.Uint64()))
	}
	var hit *compiledFault
	var latency time.Duration
	for _, f := range fs.faults {
		if f.Method != "" && f.Method != r.Method || !f.re.MatchString(r.URL.Path) || f.Count > 0 && f.injected >= f.Count {
			continue
		}
		if f.Status != 0 && hit != nil {
			continue
		}
		if fs.rnd.Float64() >= f.Probability {
			continue
		}
		f.injected++
		latency += f.Latency
		if f.Jitter > 0 {
			latency += time.Duration(fs.rnd.Int64N(int64(f.Jitter/time.Millisecond)+1)) * time.Millisecond
		}
		if f.Status != 0 {
			hit = f
		}
	}
	return hit, latency
}

// delay applies added latency to r. In virtual mode (the default, and for
// any client that sends AcceptLatencyHeader) it only stamps LatencyHeader on
// the answer; in real-time mode it holds the answer until the clock has
// moved d on. It reports false when the client went away meanwhile.
func (s *Server) delay(w http.ResponseWriter, r *http.Request, d time.Duration) bool {
	if n := noteOf(r); n != nil {
		n.latency = d
	}
	s.record("fault.latency", fmt.Sprintf("%s %s + %s", r.Method, r.URL.Path, d))
	if !s.cfg.RealTimeLatency || r.Header.Get(transport.AcceptLatencyHeader) == transport.AcceptLatencyVirtual {
		w.Header().Set(transport.LatencyHeader, d.String())
		return true
	}
	// Wait on the simulation clock, never the wall clock: in lab mode the
	// scheduler follows the wall clock (scaled by --speed) and runs this
	// event when simulated time has moved d on.
	done := make(chan struct{})
	t := s.clock.AfterFunc(d, "graph", "", func() { close(done) })
	select {
	case <-done:
		return true
	case <-r.Context().Done():
		t.Stop()
		return false
	}
}

// answerFault writes the injected error answer.
func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, hit *compiledFault) {
	s.record("fault.injected", fmt.Sprintf("%s %s → %d", r.Method, r.URL.Path, hit.Status))
	if hit.RetryAfter > 0 && (hit.Status == 429 || hit.Status == 503 || hit.Status == 504) {
		w.Header().Set("Retry-After", strconv.Itoa(int(hit.RetryAfter/time.Second)))
	}
	switch hit.Status {
	case 429:
		// §1.4 body.
		ri := info(r)
		writeJSON(w, 429, map[string]any{"error": map[string]any{
			"code": "TooManyRequests", "message": "Please retry again later.",
			"innerError": map[string]any{"code": "429", "date": ri.date.Format("2006-01-02T15:04:05"), "message": "Please retry after",
				"request-id": ri.requestID, "client-request-id": ri.clientRequestID, "status": "429"},
		}})
	case 503:
		writeErr(w, r, dirErr(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later."))
	case 504:
		writeErr(w, r, dirErr(504, "GatewayTimeout", "The gateway did not receive a timely response."))
	case 502:
		writeErr(w, r, dirErr(502, "BadGateway", "The gateway received an invalid response."))
	default:
		writeErr(w, r, dirErr(500, "InternalServerError", "An internal server error occurred (injected fault)."))
	}
}

// applyFaults runs the faults for r; it reports whether the request has
// been answered (an error fault, or a client that left during the latency).
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request) bool {
	if s.fault == nil {
		return false
	}
	hit, latency := s.fault.pick(s, r)
	if latency > 0 && !s.delay(w, r, latency) {
		return true
	}
	if hit != nil {
		s.answerFault(w, r, hit)
		return true
	}
	return false
}
