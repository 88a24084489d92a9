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

	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

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
}

// CycleReport says what one cycle did.
type CycleReport struct {
	At                          time.Time
	Exported, Deleted, Filtered int
	Notes                       []string
	Error                       string // set when the cycle failed
}

// Sync is the Entra Connect server.
type Sync struct {
	cfg    Config
	scope  []string
	base   string
	mu     sync.Mutex // state below
	cycle  sync.Mutex // one cycle at a time
	timer  sim.Timer
	gen    uint64
	on     bool
	export map[string]Device // onPremisesObjectId → last successful export
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
	_, _ = s.RunCycle() // errors are in the report and the trace
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

// RunCycle runs one delta cycle now (also the script's syncNow).
func (s *Sync) RunCycle() (CycleReport, error) {
	s.cycle.Lock()
	defer s.cycle.Unlock()
	rep := CycleReport{At: s.cfg.Clock.Now()}
	err := s.run(&rep)
	if err != nil {
		rep.Error = err.Error()
		s.trace("sync cycle failed", err.Error())
	} else {
		s.trace("sync cycle done", fmt.Sprintf("exported %d, deleted %d, filtered %d", rep.Exported, rep.Deleted, rep.Filtered))
	}
	s.mu.Lock()
	s.hist = append(s.hist, rep)
	s.mu.Unlock()
	return rep, err
}

func (s *Sync) run(rep *CycleReport) error {
	found, notes, err := s.read()
	rep.Notes = append(rep.Notes, notes...)
	if err != nil {
		return err
	}
	prev := s.Exported()
	plan := Plan(found, prev, rep.At)
	rep.Filtered = plan.Filtered
	rep.Notes = append(rep.Notes, plan.Notes...)
	var failures []string
	for _, e := range plan.Puts {
		if err := s.put(e); err != nil {
			failures = append(failures, err.Error())
			continue
		}
		rep.Exported++
		s.mu.Lock()
		s.export[e.ObjectID] = e.Device
		s.mu.Unlock()
	}
	for _, id := range plan.Deletes {
		if err := s.delete(id); err != nil {
			failures = append(failures, err.Error())
			continue
		}
		rep.Deleted++
		s.mu.Lock()
		delete(s.export, id)
		s.mu.Unlock()
	}
	if len(failures) > 0 {
		// Export errors do not fail the cycle (Connect reports them per
		// object and retries next cycle); they are noted.
		for _, f := range failures {
			rep.Notes = append(rep.Notes, "export error: "+f)
		}
	}
	return nil
}

// read binds and searches every scope OU. A scope OU that does not exist is
// a note and contributes nothing (its objects left scope); any other error
// fails the cycle before anything is deleted.
func (s *Sync) read() ([]Computer, []string, error) {
	var found []Computer
	var notes []string
	var l *ldap.Conn
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

func (s *Sync) connect() (*ldap.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.IOTimeout)
	defer cancel()
	nc, err := s.cfg.DialLDAP(ctx)
	if err != nil {
		return nil, fmt.Errorf("entrasync: connect to %s: %w", s.cfg.Domain, err)
	}
	l := ldap.NewConn(nc, false)
	l.Start()
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

func (s *Sync) put(e Export) error {
	body, err := json.Marshal(e.Device)
	if err != nil {
		return fmt.Errorf("entrasync: encode %s: %w", e.ObjectID, err)
	}
	return s.do(http.MethodPut, s.devicesURL(e.ObjectID), body, http.StatusOK, http.StatusCreated)
}

func (s *Sync) delete(id string) error {
	// 404: already gone, which is what a delete wants.
	return s.do(http.MethodDelete, s.devicesURL(id), nil, http.StatusNoContent, http.StatusOK, http.StatusNotFound)
}

func (s *Sync) do(method, u string, body []byte, want ...int) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.IOTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("entrasync: %s %s: %w", method, u, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("entrasync: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	for _, w := range want {
		if resp.StatusCode == w {
			return nil
		}
	}
	return fmt.Errorf("entrasync: %s %s: HTTP %d: %s", method, u, resp.StatusCode, strings.TrimSpace(string(raw)))
}
