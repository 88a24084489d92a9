package mockgraph

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Intune's documented budgets (graph-api.md §1.4, S4
// includes/throttling-intune-enrollment.md): per 20 s, 200 writes and 2000
// requests per tenant; 100 writes and 1000 requests per app per tenant.
// Enforced on /deviceManagement when Config.IntuneThrottling is set.
const throttleWindow = 20 * time.Second

type budget struct {
	limit int
	hits  []time.Time // oldest first, within the window
}

// wouldExceed drops hits older than the window and reports whether one
// more hit at now would overspend the budget, and if so how long until the
// oldest hit leaves the window.
func (b *budget) wouldExceed(now time.Time) (time.Duration, bool) {
	cut := 0
	for cut < len(b.hits) && !b.hits[cut].After(now.Add(-throttleWindow)) {
		cut++
	}
	b.hits = b.hits[cut:]
	if len(b.hits) >= b.limit {
		return b.hits[0].Add(throttleWindow).Sub(now), true
	}
	return 0, false
}

type throttleState struct {
	budgets map[string]*budget
}

func (t *throttleState) get(key string, limit int) *budget {
	b, ok := t.budgets[key]
	if !ok {
		b = &budget{limit: limit}
		t.budgets[key] = b
	}
	return b
}

// throttle applies the budgets to an authenticated Intune request. Callers hold s.mu.
func (s *Server) throttle(w http.ResponseWriter, r *http.Request, appID string) *apiError {
	if !s.cfg.IntuneThrottling || !strings.Contains(r.URL.Path, "/deviceManagement/") {
		return nil
	}
	if s.throttles == nil {
		s.throttles = &throttleState{budgets: map[string]*budget{}}
	}
	now := s.now()
	write := r.Method != http.MethodGet
	bs := []*budget{s.throttles.get("tenant/any", 2000), s.throttles.get("app/"+appID+"/any", 1000)}
	if write {
		bs = append(bs, s.throttles.get("tenant/write", 200), s.throttles.get("app/"+appID+"/write", 100))
	}
	var wait time.Duration
	for _, b := range bs {
		if d, over := b.wouldExceed(now); over && d > wait {
			wait = d
		}
	}
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.record("throttle", r.Method+" "+r.URL.Path)
		return intuneErr(429, "TooManyRequests", "Too many requests: the Intune per-tenant or per-app budget for this 20-second window is spent.")
	}
	for _, b := range bs {
		b.hits = append(b.hits, now)
	}
	return nil
}
