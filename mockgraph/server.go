package mockgraph

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/autopilotsim/autopilotsim/internal/strpack"
	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
	"github.com/autopilotsim/autopilotsim/sim"
)

// App is an app registration allowed to use the client-credentials grant.
// Roles are its application permissions (e.g. "DeviceManagementServiceConfig.ReadWrite.All").
// It authenticates with ClientSecret, or with a JWT client assertion signed
// by the key of one of Certificates (RSA keys: RS256/PS256); it needs at
// least one of the two.
type App struct {
	ClientID, ClientSecret, DisplayName string
	Roles                               []string
	Certificates                        []*x509.Certificate
}

// Delays are how long the tenant's background engines take. Zero means the
// work is scheduled at the current instant (it still runs on the clock, after
// the request that caused it returns).
type Delays struct {
	ImportProcessing  time.Duration // import POST → Autopilot device + Entra object (graph-api.md §5.3: minutes)
	GroupEvaluation   time.Duration // device/rule change → dynamic membership updated (§9.2: minutes)
	ProfileAssignment time.Duration // device targeted → assignment status "assigned" (S12: minutes)
	// ConversionMin and ConversionMax bound the seeded delay between a
	// device becoming targeted by a profile with "Convert all targeted
	// devices" and its Autopilot registration (engine_convert.go). Seed 000
	// says "allow 48 hours" (the maximum); the minimum is UNCERTAIN.
	ConversionMin, ConversionMax time.Duration
}

// Matcher is a compiled dynamic membership rule.
type Matcher interface {
	Match(rules.Properties) bool
}

// RuleCompiler compiles a membershipRule. The default wraps rules.Parse;
// tests inject a stub while the real parser is being written.
type RuleCompiler func(string) (Matcher, error)

// DefaultRuleCompiler compiles with mockgraph/rules.
func DefaultRuleCompiler(src string) (Matcher, error) {
	r, err := rules.Parse(src)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Config builds a Server.
type Config struct {
	Clock        sim.Clock
	Rand         *mrand.Rand
	TenantID     string // GUID
	TenantDomain string // contoso.onmicrosoft.com
	Apps         []App
	Delays       Delays
	// ODJMaxRetries is how many times a failed ODJ request goes back to
	// pending before it is marked failed (PRIVATE_API.md; the real policy is
	// UNCERTAIN, S10). Taken literally: 0 means no retry.
	ODJMaxRetries int
	Trace         *sim.Trace // optional: engine events, actor "graph"
	// SigningKey signs the tokens; nil generates a 2048-bit key. Callers
	// that build many servers (check's cohorts) share one: generating it
	// is most of a small world's start-up.
	SigningKey *rsa.PrivateKey
	// RuleCompiler compiles dynamic membership rules; nil = DefaultRuleCompiler.
	RuleCompiler RuleCompiler
	// LenientAutopilotFilter accepts `serialNumber eq` / `id eq` filters on
	// Autopilot devices. By default (false) they are refused with 400 as the
	// real service does (graph-api.md §4.3, S7 #3693, #1260).
	LenientAutopilotFilter bool
	// Faults inject errors, throttling and added latency per path pattern
	// (see faults.go).
	Faults []Fault
	// RealTimeLatency picks how a fault's added latency is applied.
	// False (virtual mode, scenario runs): the answer goes out at once with
	// the header Autopilotsim-Latency: <Go duration>, and the simulated
	// client treats it as arriving that much later on its own clock; a
	// handler must not block there, because the one scheduler goroutine is
	// waiting for the answer. True (lab mode, where the scheduler follows
	// the wall clock): the handler holds the answer until Clock has moved
	// the latency on, except for clients that send
	// Autopilotsim-Accept-Latency: virtual (the simulated ones), which get
	// the virtual treatment. Either way the request log records it.
	RealTimeLatency bool
	// TokenClockScale, when set, gives the simulated seconds per wall
	// second of a lab clock (its speed; 0 while paused counts as 1). Access
	// tokens then live 3599 s * scale on the simulated clock (the exp
	// claim), so a client that trusts expires_in (3599, wall seconds, as
	// MSAL and azidentity do) keeps a valid token for the wall-clock hour
	// it expects at --speed 60. nil: scale 1 (runs).
	TokenClockScale func() float64
	// Conversion holds the UNCERTAIN choices of "Convert all targeted
	// devices" (engine_convert.go), one switch each; the zero value is the
	// documented default.
	Conversion ConversionOptions
	// LogRequests keeps every request in RequestLog (client, method, path,
	// status, added latency, Retry-After and whether the client honoured it).
	LogRequests bool
	// RequestLogLimit keeps only the newest entries (0: all). A lab that
	// runs for days sets it; a scenario run reads the whole log.
	RequestLogLimit int
	// MaxBodyBytes caps a request body, on the wire and after gzip is
	// inflated (0: DefaultMaxBodyBytes); past it: 413.
	MaxBodyBytes int64
	// IntuneThrottling enforces Intune's per-tenant and per-app request
	// budgets on /deviceManagement (graph-api.md §1.4), answering 429.
	IntuneThrottling bool
	// MinConnectorVersion is the oldest Intune Connector for Active
	// Directory whose claims are served; default DefaultMinConnectorVersion
	// (connector_checks.go, F11).
	MinConnectorVersion string
	// UnlicensedUsers are the UPNs without an Intune licence: their MDM
	// enrollment is refused (enroll_checks.go, F28). Everyone else is
	// licensed.
	UnlicensedUsers []string
	// Intercept, when set, sees every request that passed the faults,
	// before it is routed; it must call next (or answer itself). A lab
	// runs clients' writes on its clock and journals them here. Requests
	// served by ServeReplay skip it.
	Intercept func(w http.ResponseWriter, r *http.Request, next http.Handler)
	// TokenIDsApart draws token ids (jti) from the request-id stream, not
	// the entities' one, so clients fetching tokens do not shift the ids
	// of what is created after (a lab that replays its journal needs
	// that; runs keep the entity stream, and their ids, as they were).
	TokenIDsApart bool
}

// Server is one simulated tenant: Entra ID, Intune and the Autopilot service.
type Server struct {
	// strs holds the ids the server draws and the strings its records
	// keep from requests, to the end of the run, in shared chunks.
	strs    strpack.Arena
	cfg     Config
	clock   sim.Clock
	compile RuleCompiler
	key     *rsa.PrivateKey
	keyID   string

	mu     sync.Mutex // guards everything below and rnd
	rnd    *mrand.Rand
	reqRnd *mrand.Rand // request ids and token ids only
	st     *store
	fault  *faultState
	// tokCache holds verified bearer tokens.
	tokCache map[string]*tokenClaims
	// creds are the private channels' credentials by SHA-256 of the
	// secret (creds.go).
	creds map[[32]byte]credential
	// Request log (Config.LogRequests).
	reqLog     []RequestLogEntry
	reqLogged  int // entries ever logged (the next entry's number)
	retryUntil map[string]retryMark
	throttles  *throttleState
	// Conversion engine (engine_convert.go): pending registrations by
	// managed device id, and the stream their delays are drawn from.
	conversions map[string]sim.Timer
	convRnd     *mrand.Rand

	handler http.Handler
}

// New validates cfg and builds an empty tenant (plus the default ESP every
// tenant has, graph-api.md §8).
func New(cfg Config) (*Server, error) {
	if cfg.Clock == nil {
		return nil, errors.New("mockgraph: Config.Clock is required")
	}
	if cfg.Rand == nil {
		return nil, errors.New("mockgraph: Config.Rand is required")
	}
	if !isGUID(cfg.TenantID) {
		return nil, fmt.Errorf("mockgraph: TenantID %q is not a GUID", cfg.TenantID)
	}
	if cfg.TenantDomain == "" {
		return nil, errors.New("mockgraph: TenantDomain is required")
	}
	if cfg.Delays.ConversionMin < 0 || cfg.Delays.ConversionMax < cfg.Delays.ConversionMin {
		return nil, fmt.Errorf("mockgraph: Delays.ConversionMin %v / ConversionMax %v: want 0 <= min <= max", cfg.Delays.ConversionMin, cfg.Delays.ConversionMax)
	}
	if cfg.RequestLogLimit < 0 {
		return nil, fmt.Errorf("mockgraph: RequestLogLimit %d is negative", cfg.RequestLogLimit)
	}
	if cfg.MinConnectorVersion == "" {
		cfg.MinConnectorVersion = DefaultMinConnectorVersion
	}
	if _, ok := parseVersion(cfg.MinConnectorVersion); !ok {
		return nil, fmt.Errorf("mockgraph: MinConnectorVersion %q is not a dotted version", cfg.MinConnectorVersion)
	}
	if cfg.ODJMaxRetries < 0 {
		return nil, fmt.Errorf("mockgraph: ODJMaxRetries %d is negative", cfg.ODJMaxRetries)
	}
	seen := map[string]bool{}
	for _, a := range cfg.Apps {
		if a.ClientID == "" {
			return nil, fmt.Errorf("mockgraph: app %q needs a ClientID", a.DisplayName)
		}
		if a.ClientSecret == "" && len(a.Certificates) == 0 {
			return nil, fmt.Errorf("mockgraph: app %q (%s) needs a ClientSecret or at least one certificate", a.DisplayName, a.ClientID)
		}
		for i, c := range a.Certificates {
			if c == nil {
				return nil, fmt.Errorf("mockgraph: app %q (%s): certificate %d is nil", a.DisplayName, a.ClientID, i)
			}
			// Assertions are RS256 or PS256 (certificate credentials page),
			// so only an RSA key can ever verify one.
			if _, ok := c.PublicKey.(*rsa.PublicKey); !ok {
				return nil, fmt.Errorf("mockgraph: app %q (%s): certificate %d (%s): the key is %s; client assertions are RS256/PS256, which need an RSA key", a.DisplayName, a.ClientID, i, c.Subject, c.PublicKeyAlgorithm)
			}
		}
		if seen[a.ClientID] {
			return nil, fmt.Errorf("mockgraph: duplicate app ClientID %q", a.ClientID)
		}
		seen[a.ClientID] = true
	}
	// Signing keys are not part of any result, so crypto/rand is fine here.
	key := cfg.SigningKey
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("mockgraph: generate signing key: %w", err)
		}
	}
	s := &Server{cfg: cfg, clock: cfg.Clock, compile: cfg.RuleCompiler, key: key, rnd: cfg.Rand, st: newStore(), tokCache: map[string]*tokenClaims{}, retryUntil: map[string]retryMark{}, conversions: map[string]sim.Timer{}}
	if s.compile == nil {
		s.compile = DefaultRuleCompiler
	}
	s.reqRnd = mrand.New(mrand.NewPCG(cfg.Rand.Uint64(), cfg.Rand.Uint64()))
	s.keyID = s.newID()
	fs, err := newFaultState(cfg.Faults)
	if err != nil {
		return nil, err
	}
	s.fault = fs
	s.seedDefaults()
	s.handler = s.routes()
	return s, nil
}

// Handler serves Graph (/v1.0, /beta), the token and discovery endpoints
// (/{tenant}/...), and the private device/connector/sync channels (/_private).
func (s *Server) Handler() http.Handler { return s.handler }

// newID draws a GUID from the injected stream. Callers hold s.mu (or are in New).
func (s *Server) newID() string {
	t := sim.GUIDBytes(s.rnd)
	return s.strs.String(t[:])
}

func (s *Server) now() time.Time { return s.clock.Now().UTC() }

// record writes an engine event to the optional trace.
func (s *Server) record(step, detail string) {
	if s.cfg.Trace != nil {
		s.cfg.Trace.Record(s.now(), "graph", step, detail)
	}
}

// after schedules fn on the clock; fn runs with s.mu held.
func (s *Server) after(d time.Duration, step string, fn func()) sim.Timer {
	return s.clock.AfterFunc(d, "graph", step, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		fn()
	})
}

func isGUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i, c := range v {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// reqID draws a request id from a stream of its own, so polling clients do
// not shift the ids of entities. Callers hold s.mu.
func (s *Server) reqID() string {
	// Not in s.strs: a request's id is gone with its answer.
	return sim.GUID(s.reqRnd)
}
