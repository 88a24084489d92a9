package entrasync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/autopilotsim/autopilotsim/internal/strpack"
	"github.com/autopilotsim/autopilotsim/ldapclient"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

// ErrCycleRunning is returned by RunCycle while the previous cycle is still
// exporting (waiting out Retry-After or an answer's latency), as
// Start-ADSyncSyncCycle refuses to start while a cycle runs.
var ErrCycleRunning = errors.New("entrasync: a sync cycle is still running")

const (
	// DefaultInterval is Connect's default sync cycle ([DOC] S23).
	DefaultInterval = 30 * time.Minute
	// DefaultIOTimeout bounds one LDAP or HTTP exchange in wall time, a
	// guard against a hung peer (not simulated behaviour).
	DefaultIOTimeout = 30 * time.Second
	// pageSize is the paged-search page size (RFC 2696; AD's MaxPageSize
	// is 1000, rules-and-ad.md B.9).
	pageSize = 500
	actor    = "entraconnect"
)

// searchFilter selects computers that carry a certificate (S19, S24).
const searchFilter = "(&(objectClass=computer)(userCertificate=*))"

var searchAttributes = []string{"objectGUID", "objectSid", "cn", "sAMAccountName", "distinguishedName", "userCertificate"}

// Config configures Entra Connect for one domain.
type Config struct {
	Domain, NetBIOS        string
	BindUser, BindPassword string   // binds as NETBIOS\BindUser
	Scope                  []string // OU DNs in scope; empty = the whole domain
	Interval               time.Duration
	FirstCycle             time.Duration // delay of the first scheduled cycle
	Clock                  sim.Clock
	HTTP                   *http.Client
	GraphURL               string
	DialLDAP               transport.Dialer
	Trace                  *sim.Trace
	IOTimeout              time.Duration // default DefaultIOTimeout
	// Credential is the sync account's credential in the tenant (mockgraph
	// IssueSyncCredential, PRIVATE_API.md "Authentication"), presented as a
	// bearer on the sync channel. Empty: none is sent.
	Credential string
}

// CycleReport says what one cycle did.
type CycleReport struct {
	At                          time.Time
	Exported, Deleted, Filtered int
	Notes                       []string
	Error                       string // set when the cycle failed
	// Finished is when the cycle ended: At, unless its export had to wait
	// on the clock (Retry-After, backoff, added latency). Zero in the
	// report RunCycle returns while the export still runs; Reports() holds
	// the final one.
	Finished time.Time
}

// Sync is the Entra Connect server.
type Sync struct {
	cfg    Config
	scope  []string
	base   string
	mu     sync.Mutex // state below
	busy   bool       // a cycle is running (its export may span clock callbacks)
	timer  sim.Timer
	gen    uint64
	on     bool
	export map[string]Device // onPremisesObjectId → last successful export
	strs   strpack.Arena     // export's strings (internal/strpack)
	hist   []CycleReport
}

// New validates cfg.
func New(cfg Config) (*Sync, error) {
	var missing []string
	for _, f := range []struct {
		n   string
		bad bool
	}{{"Domain", cfg.Domain == ""}, {"NetBIOS", cfg.NetBIOS == ""}, {"BindUser", cfg.BindUser == ""},
		{"Clock", cfg.Clock == nil}, {"HTTP", cfg.HTTP == nil}, {"GraphURL", cfg.GraphURL == ""}, {"DialLDAP", cfg.DialLDAP == nil}} {
		if f.bad {
			missing = append(missing, f.n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("entrasync: config: missing %s", strings.Join(missing, ", "))
	}
	if cfg.Interval < 0 || cfg.FirstCycle < 0 || cfg.IOTimeout < 0 {
		return nil, fmt.Errorf("entrasync: config: negative duration (interval %v, firstCycle %v, ioTimeout %v)", cfg.Interval, cfg.FirstCycle, cfg.IOTimeout)
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.IOTimeout == 0 {
		cfg.IOTimeout = DefaultIOTimeout
	}
	base, err := domainDN(cfg.Domain)
	if err != nil {
		return nil, err
	}
	s := &Sync{cfg: cfg, base: base, export: map[string]Device{}}
	for _, o := range cfg.Scope {
		if strings.TrimSpace(o) == "" {
			return nil, errors.New("entrasync: config: empty scope entry")
		}
		s.scope = append(s.scope, o)
	}
	if len(s.scope) == 0 {
		s.scope = []string{base}
	}
	return s, nil
}

func domainDN(domain string) (string, error) {
	labels := strings.Split(strings.TrimSuffix(domain, "."), ".")
	for i, l := range labels {
		if l == "" {
			return "", fmt.Errorf("entrasync: config: bad domain %q", domain)
		}
		labels[i] = "DC=" + l
	}
	return strings.Join(labels, ","), nil
}

// Start schedules the first cycle after FirstCycle and then one every
// Interval. Starting a started Sync does nothing.
func (s *Sync) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on {
		return
	}
	s.on = true
	s.gen++
	s.armLocked(s.cfg.FirstCycle, s.gen)
}

// Stop cancels the scheduled cycles (sync paused, F19).
func (s *Sync) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.on {
		return
	}
	s.on = false
	s.gen++
	if s.timer != nil {
		s.timer.Stop()
	}
}

func (s *Sync) armLocked(d time.Duration, gen uint64) {
	s.timer = s.cfg.Clock.AfterFunc(d, actor, "sync cycle", func() { s.scheduled(gen) })
}

func (s *Sync) scheduled(gen uint64) {
	s.mu.Lock()
	live := s.on && s.gen == gen
	s.mu.Unlock()
	if !live {
		return
	}
	if _, err := s.RunCycle(); errors.Is(err, ErrCycleRunning) {
		s.trace("sync cycle skipped", "the previous cycle is still exporting")
	} // other errors are in the report and the trace
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on && s.gen == gen {
		s.armLocked(s.cfg.Interval, gen)
	}
}

// Reports returns the reports of every cycle so far, in order.
func (s *Sync) Reports() []CycleReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CycleReport(nil), s.hist...)
}

// Exported returns the devices currently exported, keyed by
// onPremisesObjectId.
func (s *Sync) Exported() map[string]Device {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Device, len(s.export))
	for k, v := range s.export {
		out[k] = v
	}
	return out
}

func (s *Sync) trace(step, detail string) {
	if s.cfg.Trace != nil {
		s.cfg.Trace.Record(s.cfg.Clock.Now(), actor, step, detail)
	}
}

// RunCycle runs one delta cycle now (also the script's syncNow). The read
// and the plan happen now; the export goes on synchronously unless an
// answer makes it wait (see exportRun), in which case the report returned
// is the one so far (Finished zero) and the cycle ends on the clock. While
// a cycle runs, RunCycle returns ErrCycleRunning.
func (s *Sync) RunCycle() (CycleReport, error) {
	s.mu.Lock()
	if s.busy {
		s.mu.Unlock()
		return CycleReport{At: s.cfg.Clock.Now()}, ErrCycleRunning
	}
	s.busy = true
	s.mu.Unlock()
	run := &exportRun{rep: CycleReport{At: s.cfg.Clock.Now()}}
	found, notes, err := s.read()
	run.rep.Notes = append(run.rep.Notes, notes...)
	if err != nil {
		run.rep.Error = err.Error()
		s.finish(run)
		return run.rep, err
	}
	plan := Plan(found, s.Exported(), run.rep.At)
	run.rep.Filtered = plan.Filtered
	run.rep.Notes = append(run.rep.Notes, plan.Notes...)
	for _, e := range plan.Puts {
		run.ops = append(run.ops, exportOp{put: &e})
	}
	for _, id := range plan.Deletes {
		run.ops = append(run.ops, exportOp{del: id})
	}
	s.exportFrom(run)
	return run.rep, nil
}

// exportOp is one export of a cycle: a PUT of put, or a DELETE of del.
type exportOp struct {
	put *Export
	del string
}

// exportRun is a cycle's export in progress. Exports go one after another;
// a throttled or transient answer is retried after Retry-After or a backoff
// (transport's shared policy: the Graph SDK's, [INF]; the real Connect's is
// not documented), and an answer's added latency delays the next export, so
// a run may continue in later clock callbacks. Export errors that remain do
// not fail the cycle (Connect reports them per object and retries next
// cycle); they are noted.
type exportRun struct {
	rep      CycleReport
	ops      []exportOp
	next     int
	retries  int // of ops[next]
	failures []string
}

// exportFrom exports from run.next on, until done or until an answer makes
// the run wait.
func (s *Sync) exportFrom(run *exportRun) {
	for run.next < len(run.ops) {
		op := run.ops[run.next]
		var ans transport.Answer
		var err error
		if op.put != nil {
			ans, err = s.put(*op.put, run.retries)
		} else {
			ans, err = s.delete(op.del, run.retries)
		}
		if wait, note, ok := transport.NextRetry(ans, run.retries); err != nil && ok {
			run.retries++
			s.trace("export throttled", fmt.Sprintf("%v; %s", err, note))
			s.cfg.Clock.AfterFunc(wait+ans.Latency, actor, "export retry", func() { s.exportFrom(run) })
			return
		}
		run.retries = 0
		run.next++
		switch {
		case err != nil:
			run.failures = append(run.failures, err.Error())
		case op.put != nil:
			run.rep.Exported++
			// What was exported is kept to the end of the run; its strings
			// came from the cycle's search entries, an allocation each.
			id, d := op.put.ObjectID, op.put.Device
			s.strs.Pack(&id, &d.DisplayName, &d.DeviceID, &d.OnPremisesSecurityIdentifier, &d.OnPremisesDistinguishedName, &d.CertificateThumbprint)
			s.mu.Lock()
			s.export[id] = d
			s.mu.Unlock()
		default:
			run.rep.Deleted++
			s.mu.Lock()
			delete(s.export, op.del)
			s.mu.Unlock()
		}
		if ans.Latency > 0 {
			// The answer arrives later: so does the next export (or the
			// end of the cycle).
			s.cfg.Clock.AfterFunc(ans.Latency, actor, "", func() { s.exportFrom(run) })
			return
		}
	}
	for _, f := range run.failures {
		run.rep.Notes = append(run.rep.Notes, "export error: "+f)
	}
	s.finish(run)
}

// finish records a cycle's report and frees the Sync for the next cycle.
func (s *Sync) finish(run *exportRun) {
	run.rep.Finished = s.cfg.Clock.Now()
	if run.rep.Error != "" {
		s.trace("sync cycle failed", run.rep.Error)
	} else {
		s.trace("sync cycle done", fmt.Sprintf("exported %d, deleted %d, filtered %d", run.rep.Exported, run.rep.Deleted, run.rep.Filtered))
	}
	s.mu.Lock()
	s.hist = append(s.hist, run.rep)
	s.busy = false
	s.mu.Unlock()
}

// read binds and searches every scope OU. A scope OU that does not exist is
// a note and contributes nothing (its objects left scope); any other error
// fails the cycle before anything is deleted.
func (s *Sync) read() ([]Computer, []string, error) {
	var found []Computer
	var notes []string
	var l *ldapclient.Conn
	defer func() {
		if l != nil {
			l.Close()
		}
	}()
	for _, base := range s.scope {
		if l == nil {
			var err error
			if l, err = s.connect(); err != nil {
				return nil, notes, err
			}
		}
		req := ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			searchFilter, searchAttributes, nil)
		res, err := l.SearchWithPaging(req, pageSize)
		if err != nil {
			// glauth (mockad's server) closes the connection after a failed
			// search: start the next scope on a fresh one.
			l.Close()
			l = nil
			if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
				notes = append(notes, fmt.Sprintf("scope %s: no such object", base))
				continue
			}
			return nil, notes, fmt.Errorf("entrasync: search %q: %w", base, err)
		}
		for _, e := range res.Entries {
			dn := e.GetAttributeValue("distinguishedName")
			if dn == "" {
				dn = e.DN
			}
			found = append(found, Computer{
				DN: dn, CN: e.GetAttributeValue("cn"), SAMAccountName: e.GetAttributeValue("sAMAccountName"),
				ObjectGUID: e.GetRawAttributeValue("objectGUID"), ObjectSID: e.GetRawAttributeValue("objectSid"),
				Certificates: e.GetRawAttributeValues("userCertificate"),
			})
		}
	}
	return found, notes, nil
}

func (s *Sync) connect() (*ldapclient.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.IOTimeout)
	defer cancel()
	nc, err := s.cfg.DialLDAP(ctx)
	if err != nil {
		return nil, fmt.Errorf("entrasync: connect to %s: %w", s.cfg.Domain, err)
	}
	l := ldapclient.New(nc)
	l.SetTimeout(s.cfg.IOTimeout)
	user := s.cfg.NetBIOS + `\` + s.cfg.BindUser
	if err := l.Bind(user, s.cfg.BindPassword); err != nil {
		l.Close()
		return nil, fmt.Errorf("entrasync: bind as %s: %w", user, err)
	}
	return l, nil
}

func (s *Sync) devicesURL(id string) string {
	return strings.TrimSuffix(s.cfg.GraphURL, "/") + "/_private/sync/v1/devices/" + url.PathEscape(id)
}

func (s *Sync) put(e Export, retry int) (transport.Answer, error) {
	body, err := json.Marshal(e.Device)
	if err != nil {
		return transport.Answer{}, fmt.Errorf("entrasync: encode %s: %w", e.ObjectID, err)
	}
	return s.do(http.MethodPut, s.devicesURL(e.ObjectID), retry, body, http.StatusOK, http.StatusCreated)
}

func (s *Sync) delete(id string, retry int) (transport.Answer, error) {
	// 404: already gone, which is what a delete wants.
	return s.do(http.MethodDelete, s.devicesURL(id), retry, nil, http.StatusNoContent, http.StatusOK, http.StatusNotFound)
}

// do sends one request (retry numbers a retry: Retry-Attempt) and returns
// the answer's status, Retry-After and added latency with any error.
func (s *Sync) do(method, u string, retry int, body []byte, want ...int) (transport.Answer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.IOTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return transport.Answer{}, fmt.Errorf("entrasync: %s %s: %w", method, u, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.cfg.Credential != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.Credential)
	}
	transport.MarkSimulated(req, "autopilotsim-entraconnect/"+s.cfg.Domain, retry)
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return transport.Answer{}, fmt.Errorf("entrasync: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	ans := transport.ReadAnswer(resp)
	raw, _ := transport.ReadBody(resp, 1<<16)
	for _, w := range want {
		if resp.StatusCode == w {
			return ans, nil
		}
	}
	return ans, fmt.Errorf("entrasync: %s %s: HTTP %d: %s", method, u, resp.StatusCode, strings.TrimSpace(string(raw)))
}
