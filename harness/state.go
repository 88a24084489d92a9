package harness

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/autopilotsim/autopilotsim/labstate"
	"github.com/autopilotsim/autopilotsim/mockad"
)

// A lab with a state directory (ServeOptions.State) runs every external
// change on its clock, as an event due now, journals it (fsynced) before
// the client gets its answer, and on restart rebuilds the world from the
// scenario and replays the journal in virtual time (package labstate).
// External changes are the Graph writes of clients other than the
// simulated systems, LDAP writes on the DCs' real ports, and the lab's
// operations. The simulated systems reach mockgraph with a per-lab
// internal mark and the DCs over in-memory pipes: the replay regenerates
// what they do.

// internalHeader marks the simulated systems' Graph requests in a lab with
// a state directory (the value is random per lab).
const internalHeader = "Autopilotsim-Lab-Internal"

// stateLog journals a lab's external changes.
type stateLog struct {
	w   *world
	dir *labstate.Dir
	key string
	// replaying is true during set-up and replay: nothing is journaled,
	// and external writes are refused (the lab is not ready yet).
	replaying atomic.Bool
	// catchingUp is true while a lab runs to the wall clock
	// (--start now): external writes are still refused, but the clock's
	// checkpoints are journaled, so the journal keeps no gap.
	catchingUp atomic.Bool
	resume     labstate.Clock        // speed and pause the catch-up's checkpoints carry
	failed     atomic.Pointer[error] // the first checkpoint that could not be journaled
	done       <-chan struct{}
}

// checkpointEvery is how often (in lab time) a lab with a state directory
// journals where its clock stands. A replay runs the clock through every
// event between records, so its cost grows with lab time; a journal
// written by a lab never holds two records further apart than this, and a
// replay refuses one that does (a damaged or edited journal would
// otherwise replay for hours).
const checkpointEvery = 24 * time.Hour

// scheduleCheckpoints journals a clock checkpoint every checkpointEvery of
// lab time from T0 (during a replay the events run but write nothing).
func (s *stateLog) scheduleCheckpoints(from time.Time) {
	var tick func()
	next := from.Add(checkpointEvery)
	tick = func() {
		if err := s.clock("checkpoint"); err != nil {
			// Not silent: a catch-up fails the start, a running lab
			// reports it (Lab.Failed), as a failed scripted step.
			s.failed.CompareAndSwap(nil, &err)
			if s.w.onFail != nil {
				s.w.onFail(fmt.Errorf("journal the clock: %w", err))
			}
		}
		next = next.Add(checkpointEvery)
		s.w.sched.At(next, "", "", tick)
	}
	s.w.sched.At(next, "", "", tick)
}

// StateOptions put a lab's state on disk (serve --state-dir).
type StateOptions struct {
	Dir *labstate.Dir
	// Records are what Dir held when opened: empty for a new lab.
	Records []labstate.Record
	// ScenarioSHA256 identifies the scenario file; a journal written for
	// another one is refused.
	ScenarioSHA256 string
	// Options are the serve flags that shape the world, as text.
	Options string
}

// prepareState reads the meta record (or writes one for a new lab) and
// fixes what the world is built from: T0, seed and the token key.
func prepareState(so *StateOptions, scenario string, t0 time.Time, seed *uint64) (time.Time, *uint64, *rsa.PrivateKey, error) {
	if len(so.Records) > 0 {
		m := so.Records[0].Meta
		if m.ScenarioSHA256 != so.ScenarioSHA256 {
			return t0, seed, nil, &InvalidError{fmt.Errorf("harness: state directory %s was written for another scenario (%q, SHA-256 %.12s…; this one is %.12s…): serve it with that scenario, use another --state-dir, or reset it (autopilotsim lab snapshot reset --state-dir %s)",
				so.Dir.Path(), m.Scenario, m.ScenarioSHA256, so.ScenarioSHA256, so.Dir.Path())}
		}
		if m.Options != so.Options {
			return t0, seed, nil, &InvalidError{fmt.Errorf("harness: state directory %s was written with the options %q, not %q: serve it with the same --fault and --intune-throttling flags, or reset it", so.Dir.Path(), m.Options, so.Options)}
		}
		if seed != nil && *seed != m.Seed {
			return t0, seed, nil, &InvalidError{fmt.Errorf("harness: state directory %s was written with seed %d, not %d", so.Dir.Path(), m.Seed, *seed)}
		}
		k, err := x509.ParsePKCS8PrivateKey(m.SigningKey)
		rk, ok := k.(*rsa.PrivateKey)
		if err != nil || !ok {
			return t0, seed, nil, fmt.Errorf("harness: state directory %s: the token signing key does not parse (%v)", so.Dir.Path(), err)
		}
		s := m.Seed
		return m.Start, &s, rk, nil
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return t0, seed, nil, fmt.Errorf("harness: signing key: %w", err)
	}
	return t0, seed, k, nil
}

func (w *world) beginState(so *StateOptions) error {
	if len(so.Records) > 0 {
		return nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(w.signingKey)
	if err != nil {
		return fmt.Errorf("harness: signing key: %w", err)
	}
	return so.Dir.Begin(labstate.Record{Kind: labstate.KindMeta, At: w.t0, Meta: &labstate.Meta{Scenario: w.sc.Name,
		ScenarioSHA256: so.ScenarioSHA256, Seed: w.seed, Start: w.t0, Options: so.Options, SigningKey: der,
		Created: time.Now().UTC()}}) // the wall clock, for people reading the file
}

func newStateLog(w *world, dir *labstate.Dir) (*stateLog, error) {
	var k [16]byte
	if _, err := rand.Read(k[:]); err != nil {
		return nil, fmt.Errorf("harness: state: %w", err)
	}
	s := &stateLog{w: w, dir: dir, key: hex.EncodeToString(k[:])}
	s.replaying.Store(true)
	return s, nil
}

// append journals a record at the clock's now: nothing during set-up and
// replay, except the clock checkpoints of the catch-up to the wall clock.
func (s *stateLog) append(r labstate.Record) error {
	if s == nil || s.replaying.Load() && !s.catchingUp.Load() {
		return nil
	}
	r.At = s.w.sched.Now()
	if err := s.dir.Append(r); err != nil {
		return fmt.Errorf("lab: the change is made but could not be saved: %w", err)
	}
	return nil
}

func (s *stateLog) lab(op labstate.LabOp) error {
	return s.append(labstate.Record{Kind: labstate.KindLab, Lab: &op})
}

func (s *stateLog) clock(op string) error {
	if s == nil {
		return nil
	}
	st := s.w.sched.State()
	r := labstate.Record{Kind: labstate.KindClock, Clock: &labstate.Clock{Op: op, Speed: st.Speed, Paused: st.Paused}}
	if s.catchingUp.Load() {
		// The clock runs virtually until real time begins: journal the
		// speed and pause it will resume with.
		c := s.resume
		c.Op = op
		r.Clock = &c
	}
	return s.append(r)
}

// onClock runs fn as an event due now and waits for it, so an external
// change has one place among the simulated systems' events.
func (s *stateLog) onClock(fn func() error) error {
	if s.replaying.Load() {
		return errors.New("lab: the lab is starting (replaying its journal); try again when /readyz answers 200")
	}
	res := make(chan error, 1)
	s.w.sched.At(s.w.sched.Now(), "", "", func() { res <- fn() })
	t := time.NewTimer(opTimeout)
	defer t.Stop()
	select {
	case err := <-res:
		return err
	case <-s.done:
		return errors.New("lab: the lab is stopped")
	case <-t.C:
		return fmt.Errorf("lab: the lab's clock did not answer within %s", opTimeout)
	}
}

// markTransport marks the simulated systems' Graph requests.
type markTransport struct {
	rt  http.RoundTripper
	key string
}

func (m markTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(internalHeader, m.key)
	return m.rt.RoundTrip(r)
}

func (s *stateLog) mark(rt http.RoundTripper) http.RoundTripper {
	if s == nil {
		return rt
	}
	return markTransport{rt, s.key}
}

// skipHeaders are not recorded: transport details, or the mark.
var skipHeaders = map[string]bool{"Content-Length": true, "Content-Encoding": true, "Connection": true, "Accept-Encoding": true, internalHeader: true}

// intercept journals the Graph writes of external clients (mockgraph
// Config.Intercept).
func (s *stateLog) intercept() func(http.ResponseWriter, *http.Request, http.Handler) {
	if s == nil {
		return nil
	}
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		internal := r.Header.Get(internalHeader) == s.key
		r.Header.Del(internalHeader)
		switch {
		case internal, r.Method == http.MethodGet, r.Method == http.MethodHead, r.Method == http.MethodOptions,
			strings.HasPrefix(r.URL.Path, "/_private/"), strings.Contains(r.URL.Path, "/oauth2/"):
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			next.ServeHTTP(w, r.WithContext(r.Context())) // the handler answers the body error
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		err = s.onClock(func() error {
			next.ServeHTTP(rec, r)
			if rec.Code < 200 || rec.Code > 299 {
				return nil
			}
			g := &labstate.GraphWrite{Method: r.Method, URI: r.URL.RequestURI(), Header: map[string][]string{}, Body: body, Status: rec.Code}
			for k, v := range r.Header {
				if !skipHeaders[k] {
					g.Header[k] = v
				}
			}
			var out struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &out) == nil {
				g.ID = out.ID
			}
			return s.append(labstate.Record{Kind: labstate.KindGraph, Graph: g})
		})
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"error":{"code":"serviceUnavailable","message":%q}}`, err.Error())
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}
}

// splitLDAP serves a DC's real port with a server that journals writes,
// and gives the simulated systems an in-memory connection (DialInline) to
// the same directory.
func (s *stateLog) splitLDAP(ctl *domainCtl, srvTLS *tls.Config, lim mockad.Limits) {
	if s == nil {
		return
	}
	ctl.inner, ctl.dial = ctl.srv, ctl.srv.DialInline
	domain := ctl.spec.Name
	ctl.srv = mockad.NewServer(ctl.dir, mockad.ServerOptions{TLSConfig: srvTLS, RequireSecurePasswordWrites: true, Limits: lim,
		OnWrite: func(op mockad.WriteOp, apply func() int) error {
			return s.onClock(func() error {
				if code := apply(); code != 0 {
					return nil
				}
				return s.append(labstate.Record{Kind: labstate.KindLDAP, LDAP: ldapRecord(domain, op)})
			})
		}})
}

func ldapRecord(domain string, op mockad.WriteOp) *labstate.LDAPWrite {
	l := &labstate.LDAPWrite{Domain: domain, Op: op.Op, By: op.By, Secure: op.Secure, DN: op.DN, NewRDN: op.NewRDN, DeleteOld: op.DeleteOld, NewSuperior: op.NewSuperior}
	for _, a := range op.Attrs {
		l.Attrs = append(l.Attrs, labstate.LDAPAttr{Name: a.Name, Values: a.Values})
	}
	for _, c := range op.Changes {
		l.Changes = append(l.Changes, labstate.LDAPChange{Op: c.Op, Name: c.Name, Values: c.Values})
	}
	return l
}
