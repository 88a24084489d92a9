package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Graph configures how the simulated cloud (mockgraph) misbehaves: injected
// errors, throttling and added latency per path pattern, and Intune's
// documented request budgets (graph-api.md §1.4).
type Graph struct {
	// IntuneThrottling enforces Intune's per-tenant and per-app budgets on
	// /deviceManagement (200 writes / 2000 requests per 20 s per tenant,
	// 100 / 1000 per app; graph-api.md §1.4, S4).
	IntuneThrottling bool    `yaml:"intuneThrottling"`
	Faults           []Fault `yaml:"faults"`
}

// Fault injects an error answer, added latency, or both, on the requests
// whose URL path matches Path (and whose method is Method, any when empty).
type Fault struct {
	Path        string   `yaml:"path"`        // regular expression (Go syntax) over the URL path
	Method      string   `yaml:"method"`      // GET | POST | PUT | PATCH | DELETE; any when empty
	Status      int      `yaml:"status"`      // 429 | 500 | 502 | 503 | 504; absent = latency only
	Probability *float64 `yaml:"probability"` // (0, 1]; default 1
	Count       int      `yaml:"count"`       // at most this many times; 0 = no limit
	RetryAfter  Duration `yaml:"retryAfter"`  // Retry-After (whole seconds) on 429/503/504
	Latency     Duration `yaml:"latency"`     // added before the answer
	Jitter      Duration `yaml:"jitter"`      // up to this much more, drawn from the seed
}

// RequestCheck is an expectation on mockgraph's request log: the calls of
// every simulated client (devices, connectors, Entra Connect, the admin).
type RequestCheck struct {
	// Path selects the logged requests by a regular expression over the
	// URL path (the query is not part of it); empty: every request.
	Path string `yaml:"path"`
	// MinThrottled is the least number of selected answers that carried
	// Retry-After (injected 429/503/504, Intune budgets).
	MinThrottled *int `yaml:"minThrottled"`
	// RetryAfterHonoured true: at least one selected request repeated an
	// answer with Retry-After (same client, method and path) and every such
	// repeat came no sooner than Retry-After (counted from the answer's
	// arrival) allowed. False: at least one repeat came too soon.
	RetryAfterHonoured *bool `yaml:"retryAfterHonoured"`
}

// The fault vocabulary (mockgraph/faults.go).
var (
	faultStatuses = []string{"429", "500", "502", "503", "504"}
	faultMethods  = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
)

// faultProblem is one rule a fault breaks: the key it is about ("" for the
// fault as a whole) and the message.
type faultProblem struct{ key, msg string }

// checkFault applies the value rules of a fault; statusGiven says whether
// status was written (so an explicit 0 is not taken for "absent").
func checkFault(f Fault, statusGiven bool) []faultProblem {
	var ps []faultProblem
	add := func(key, format string, args ...any) {
		ps = append(ps, faultProblem{key, fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(f.Path) == "" {
		add("path", "missing path (a regular expression over the URL path, e.g. ^/beta/deviceManagement/)")
	} else if _, err := regexp.Compile(f.Path); err != nil {
		add("path", "bad regular expression %q: %v", f.Path, err)
	}
	if f.Method != "" && !contains(faultMethods, f.Method) {
		hint := ""
		if s := suggest(f.Method, faultMethods); s != "" {
			hint = fmt.Sprintf("did you mean %q? ", s)
		}
		add("method", "unknown method %q (%s%s)", f.Method, hint, oneOf(faultMethods))
	}
	switch {
	case f.Status == 0 && statusGiven:
		add("status", "status 0 is no answer: leave status out for a latency-only fault (%s)", oneOf(faultStatuses))
	case f.Status != 0 && !contains(faultStatuses, strconv.Itoa(f.Status)):
		add("status", "status %d is not one a fault answers (%s)", f.Status, oneOf(faultStatuses))
	case f.Status == 0 && f.Latency <= 0 && f.Jitter <= 0:
		add("", "nothing to inject: give status (%s), latency, or both", strings.Join(faultStatuses, ", "))
	}
	if p := f.Probability; p != nil && !(*p > 0 && *p <= 1) { // also refuses NaN
		add("probability", "probability %v is outside (0, 1]", *p)
	}
	if f.Count < 0 {
		add("count", "must not be negative, got %d", f.Count)
	}
	for _, d := range []struct {
		key string
		v   Duration
	}{{"retryAfter", f.RetryAfter}, {"latency", f.Latency}, {"jitter", f.Jitter}} {
		if d.v < 0 {
			add(d.key, "must not be negative, got %s", d.v)
		}
	}
	if f.Jitter.D()%time.Millisecond != 0 {
		add("jitter", "jitter is drawn in whole milliseconds (mockgraph/faults.go): %s is not", f.Jitter)
	}
	if f.RetryAfter > 0 {
		switch {
		case f.RetryAfter.D()%time.Second != 0:
			add("retryAfter", "Retry-After is sent in whole seconds (graph-api.md §1.4): %s is not", f.RetryAfter)
		case f.Status == 0:
			add("retryAfter", "retryAfter needs status 429, 503 or 504: a latency-only fault answers normally")
		case f.Status != 429 && f.Status != 503 && f.Status != 504:
			add("retryAfter", "retryAfter goes with status 429, 503 or 504, not %d", f.Status)
		}
	}
	return ps
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// graph validates the graph section.
func (v *validator) graph() {
	for i, f := range v.s.Graph.Faults {
		p := fmt.Sprintf("graph.faults[%d]", i)
		for _, pr := range checkFault(f, v.s.explicit(p+".status")) {
			if pr.key == "" {
				v.errf(p, "%s", pr.msg)
			} else {
				v.errf(p+"."+pr.key, "%s", pr.msg)
			}
		}
	}
}

// requestCheck validates an expectation on the request log. It takes no
// device selector and no device assertion: those would be ignored.
func (v *validator) requestCheck(p string, e Expectation) {
	ev := reflect.ValueOf(e)
	et := ev.Type()
	for i := 0; i < et.NumField(); i++ {
		key := strings.Split(et.Field(i).Tag.Get("yaml"), ",")[0]
		if key == "" || key == "-" || key == "description" || key == "requests" {
			continue
		}
		if !ev.Field(i).IsZero() {
			v.errf(p+"."+key, "an expectation with requests checks the request log only: %s belongs in a separate expectation about devices", key)
		}
	}
	rc := e.Requests
	if rc.Path != "" {
		if _, err := regexp.Compile(rc.Path); err != nil {
			v.errf(p+".requests.path", "bad regular expression %q: %v", rc.Path, err)
		}
	}
	if rc.MinThrottled == nil && rc.RetryAfterHonoured == nil {
		v.errf(p+".requests", "nothing to check: give minThrottled or retryAfterHonoured")
	}
	if rc.MinThrottled != nil && *rc.MinThrottled < 0 {
		v.errf(p+".requests.minThrottled", "must not be negative, got %d", *rc.MinThrottled)
	}
}

// graphDefaults fills a fault's probability (called by WithDefaults).
func (s *Scenario) graphDefaults() {
	for i := range s.Graph.Faults {
		if s.Graph.Faults[i].Probability == nil {
			p := Defaults.FaultProbability
			s.Graph.Faults[i].Probability = &p
		}
	}
}

// faultKeys are the keys of a fault written as flag text (ParseFault): the
// YAML keys, and p for probability.
var faultKeys = []string{"count", "jitter", "latency", "method", "p", "path", "probability", "retryAfter", "status"}

// startsPair is what begins a new key=value pair in flag text; a comma not
// followed by one stays in the value (a path pattern such as a{1,3}).
var startsPair = regexp.MustCompile(`^[A-Za-z]+=`)

// ParseFault reads a fault written as comma-separated key=value pairs, the
// form of the serve command's --fault flag:
//
//	path=^/beta/deviceManagement/,status=429,p=0.2,retryAfter=5s
//	path=^/v1.0/groups,latency=2s,jitter=500ms
//
// Keys are those of graph.faults[] (p is short for probability);
// durations are Go duration text. The fault is checked by the same rules
// as a scenario's, and the probability defaults the same way.
func ParseFault(text string) (Fault, error) {
	var f Fault
	fail := func(format string, args ...any) (Fault, error) {
		return Fault{}, fmt.Errorf("fault %q: %s", text, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(text) == "" {
		return fail("empty: want key=value pairs such as path=^/v1.0/groups,status=429,retryAfter=5s")
	}
	var pairs []string
	for _, piece := range strings.Split(text, ",") {
		if len(pairs) > 0 && !startsPair.MatchString(piece) {
			pairs[len(pairs)-1] += "," + piece
			continue
		}
		pairs = append(pairs, piece)
	}
	seen := map[string]bool{}
	statusGiven := false
	for _, pair := range pairs {
		key, val, ok := strings.Cut(pair, "=")
		if !ok {
			return fail("%q is not key=value", pair)
		}
		if key == "probability" {
			key = "p"
		}
		if seen[key] {
			return fail("%s given twice", key)
		}
		seen[key] = true
		switch key {
		case "path":
			f.Path = val
		case "method":
			f.Method = val
		case "status", "count":
			n, err := strconv.Atoi(val)
			if err != nil {
				return fail("%s: want a whole number, got %q", key, val)
			}
			if key == "status" {
				f.Status, statusGiven = n, true
			} else {
				f.Count = n
			}
		case "p":
			x, err := strconv.ParseFloat(val, 64)
			if err != nil || math.IsNaN(x) {
				return fail("p: want a number in (0, 1], got %q", val)
			}
			f.Probability = &x
		case "retryAfter", "latency", "jitter":
			d, err := parseFlagDuration(val)
			if err != nil {
				return fail("%s: %v", key, err)
			}
			switch key {
			case "retryAfter":
				f.RetryAfter = d
			case "latency":
				f.Latency = d
			default:
				f.Jitter = d
			}
		default:
			msg := fmt.Sprintf("unknown key %q", key)
			if s := suggest(key, faultKeys); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known keys: " + strings.Join(faultKeys, ", ") + ")"
			}
			return fail("%s", msg)
		}
	}
	if ps := checkFault(f, statusGiven); len(ps) > 0 {
		var msgs []string
		for _, p := range ps {
			if p.key == "" || strings.HasPrefix(p.msg, p.key+" ") {
				msgs = append(msgs, p.msg) // the message names its key already
			} else {
				msgs = append(msgs, p.key+": "+p.msg)
			}
		}
		sort.Strings(msgs)
		return fail("%s", strings.Join(msgs, "; "))
	}
	if f.Probability == nil {
		p := Defaults.FaultProbability
		f.Probability = &p
	}
	return f, nil
}

// parseFlagDuration is the scenario duration rule for flag text: Go
// duration text, and a bare number is refused (its unit would be a guess).
func parseFlagDuration(s string) (Duration, error) {
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, fmt.Errorf("bare number %s is not a duration: write %ss, not %s (units: ms, s, m, h)", s, s, s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: want Go duration text such as 5s, 500ms or 1m", s)
	}
	return Duration(d), nil
}
