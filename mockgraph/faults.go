package mockgraph

import (
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Fault injects an error answer on requests whose path matches Path (a
// regular expression over the URL path, e.g. `^/beta/deviceManagement/`)
// and whose method is Method (any when empty), with probability
// Probability drawn from the server's seeded stream, at most Count times
// (unlimited when zero).
type Fault struct {
	Path        string
	Method      string
	Status      int           // 429, 500, 502, 503 or 504
	Probability float64       // (0, 1]
	RetryAfter  time.Duration // sent as Retry-After (whole seconds, §1.4) on 429/503/504
	Count       int
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

func newFaultState(fs []Fault) (*faultState, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	st := &faultState{}
	for i, f := range fs {
		re, err := regexp.Compile(f.Path)
		if err != nil {
			return nil, fmt.Errorf("mockgraph: fault %d: path pattern %q: %w", i, f.Path, err)
		}
		switch f.Status {
		case 429, 500, 502, 503, 504:
		default:
			return nil, fmt.Errorf("mockgraph: fault %d: status %d is not one of 429, 500, 502, 503, 504", i, f.Status)
		}
		if f.Probability <= 0 || f.Probability > 1 {
			return nil, fmt.Errorf("mockgraph: fault %d: probability %v is not in (0, 1]", i, f.Probability)
		}
		if f.Count < 0 || f.RetryAfter < 0 {
			return nil, fmt.Errorf("mockgraph: fault %d: negative count or retry-after", i)
		}
		st.faults = append(st.faults, &compiledFault{Fault: f, re: re})
	}
	return st, nil
}

// inject answers r with a fault when one fires; it reports whether it did.
func (fs *faultState) inject(s *Server, w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	if fs.rnd == nil {
		// Derived on first use from the request-id stream so faults never
		// shift entity ids.
		fs.rnd = mrand.New(mrand.NewPCG(s.reqRnd.Uint64(), s.reqRnd.Uint64()))
	}
	var hit *compiledFault
	for _, f := range fs.faults {
		if f.Method != "" && f.Method != r.Method || !f.re.MatchString(r.URL.Path) || f.Count > 0 && f.injected >= f.Count {
			continue
		}
		if fs.rnd.Float64() < f.Probability {
			f.injected++
			hit = f
			break
		}
	}
	s.mu.Unlock()
	if hit == nil {
		return false
	}
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
	return true
}
