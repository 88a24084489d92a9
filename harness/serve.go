package harness

import (
	crand "crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/autopilotsim/autopilotsim/devicesim"
	"github.com/autopilotsim/autopilotsim/labstate"
	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
)

// ServeOptions configure lab mode.
type ServeOptions struct {
	GraphAddr string  // e.g. 127.0.0.1:8080
	LDAPAddr  string  // first domain's DC; further domains take the next ports
	Speed     float64 // simulated seconds per wall second
	Seed      *uint64
	// Faults are added to the scenario's graph faults, before them, so for
	// a request both match the flag's error fault answers (--fault).
	Faults []scenarios.Fault
	// IntuneThrottling turns Intune's request budgets on even when the
	// scenario does not (--intune-throttling).
	IntuneThrottling bool
	// Start is T0 on the lab's clock (whole seconds, UTC); zero means
	// sim.Epoch, the T0 of every scenario run. Real clients that sign with
	// the wall clock (client assertions) want the wall clock's now
	// (--start now, the CLI's default).
	Start time.Time
	// WallClock makes the lab's clock read the wall clock once the setup
	// is replayed: T0 is Start (whole seconds), and the clock then catches
	// up the fraction of a second and the setup's own duration, so it is
	// never behind a client that signs with the wall clock (MSAL's
	// client-assertion nbf; mockgraph allows no skew). --start now.
	WallClock bool
	// GraphTLS serves mockgraph over https with a self-signed certificate
	// for loopback (Lab.GraphCertificatePEM), for clients that refuse a
	// plain-http authority (azidentity).
	GraphTLS bool
	// GraphLimits and LDAPLimits bound what clients can make the lab's
	// servers hold (timeouts, sizes, connections); zero fields take
	// mockgraph.DefaultHTTPLimits and mockad.DefaultLimits.
	GraphLimits mockgraph.HTTPLimits
	LDAPLimits  mockad.Limits
	// State keeps the lab's state on disk (serve --state-dir, state.go):
	// with records, the lab replays them before it answers.
	State *StateOptions
}

// InvalidError marks a problem with the user's input (exit code 2).
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// Lab is a running world on real ports.
type Lab struct {
	w        *world
	quietEnd bool // DescribeWorld
	stop     chan struct{}
	done     chan struct{}
	failed   chan error
}

// Serve builds the scenario's world on real loopback ports, replays the
// tenant setup (everything before T0) in virtual time, then lets the clock
// follow the wall clock (scaled by Speed) until Close.
//
// Added latency (graph faults) holds a real client's answer back on the
// lab clock (mockgraph.Config.RealTimeLatency); the simulated systems take
// it virtually, as in a run.
func Serve(sc *scenarios.Scenario, opts ServeOptions) (*Lab, error) {
	if len(opts.Faults) > 0 || opts.IntuneThrottling {
		own := *sc // the caller's scenario stays as loaded
		own.Graph.Faults = append(append([]scenarios.Fault(nil), opts.Faults...), sc.Graph.Faults...)
		own.Graph.IntuneThrottling = sc.Graph.IntuneThrottling || opts.IntuneThrottling
		sc = &own
	}
	t0 := sim.Epoch
	if !opts.Start.IsZero() {
		t0 = opts.Start.UTC().Truncate(time.Second)
	}
	seed := opts.Seed
	var key *rsa.PrivateKey
	if opts.State != nil {
		var err error
		if t0, seed, key, err = prepareState(opts.State, sc.Name, t0, seed); err != nil {
			return nil, err
		}
	}
	w := newWorld(sc, seed, t0)
	if opts.State != nil {
		w.signingKey = key
		st, err := newStateLog(w, opts.State.Dir)
		if err != nil {
			return nil, err
		}
		w.st = st
	}
	w.graphAddr, w.ldapAddr, w.graphTLS = opts.GraphAddr, opts.LDAPAddr, opts.GraphTLS
	w.graphLimits, w.ldapLimits = opts.GraphLimits, opts.LDAPLimits
	w.realTime = true
	if err := w.build(WireLoopback); err != nil {
		w.close()
		return nil, err
	}
	if err := w.sched.Run(w.t0); err != nil {
		w.close()
		return nil, fmt.Errorf("harness: serve: setup: %w", err)
	}
	if w.setupErr != nil {
		w.close()
		return nil, fmt.Errorf("harness: serve: setup: %w", w.setupErr)
	}
	l := &Lab{w: w, stop: make(chan struct{}), done: make(chan struct{}), failed: make(chan error, 1)}
	speed, paused := opts.Speed, false
	if w.st != nil {
		w.st.done = l.done
		w.st.scheduleCheckpoints(w.t0)
		clock, err := l.replay(opts.State.Records)
		if err != nil {
			w.close()
			return nil, err
		}
		if clock != nil {
			speed, paused = clock.Speed, clock.Paused
		}
		if err := w.beginState(opts.State); err != nil {
			w.close()
			return nil, err
		}
	}
	if speed <= 0 {
		speed = 1 // real time, as sim.BeginRealTime takes it; journaled clocks carry it too
	}
	if opts.WallClock {
		// A lab runs in real time: reading the wall clock here is the
		// point, not a leak into a simulation. The catch-up is lab time
		// like any other: its checkpoints are journaled.
		if w.st != nil {
			w.st.resume = labstate.Clock{Speed: speed, Paused: paused}
			w.st.catchingUp.Store(true)
		}
		err := w.sched.Run(time.Now().UTC())
		if err == nil && w.st != nil && len(opts.State.Records) > 0 {
			err = w.st.clock("checkpoint")
		}
		if err == nil && w.st != nil && w.st.failed.Load() != nil {
			err = *w.st.failed.Load()
		}
		if w.st != nil {
			w.st.catchingUp.Store(false)
		}
		if err != nil {
			w.close()
			return nil, fmt.Errorf("harness: serve: catch up with the wall clock: %w", err)
		}
	}
	w.onFail = func(err error) {
		select {
		case l.failed <- fmt.Errorf("harness: serve: %w", err):
		default: // the first failure is the one to report
		}
	}
	// Real time from here: the lab's clock controls work as soon as Serve
	// returns, not only once the goroutine below has started.
	if w.st != nil {
		w.sched.SetLockstep(true) // the journal replays in virtual time
	}
	w.sched.BeginRealTime(speed)
	if paused {
		_ = w.sched.Pause()
	}
	if w.st != nil {
		w.st.replaying.Store(false)
	}
	go func() {
		defer close(l.done)
		w.sched.RunRealTime(l.stop, speed)
	}()
	return l, nil
}

// Failed delivers the error of a scripted step (an admin call, a power-on)
// that failed while the lab ran; the lab's script stops there, its servers
// keep answering.
func (l *Lab) Failed() <-chan error { return l.failed }

// GraphURL is mockgraph's base URL.
func (l *Lab) GraphURL() string { return l.w.graphURL }

// GraphCertificatePEM is mockgraph's certificate with ServeOptions.GraphTLS
// (nil otherwise): what a client must trust.
func (l *Lab) GraphCertificatePEM() []byte { return l.w.graphCert }

// TenantID is the tenant's id (the {tenant} of the token endpoint).
func (l *Lab) TenantID() string { return l.w.admin.tenant }

// LDAPAddr returns the address of a domain's DC.
func (l *Lab) LDAPAddr(domain string) string {
	if d, ok := l.w.domains[lower(domain)]; ok {
		return d.addr
	}
	return ""
}

// Now is the lab's current simulated time.
func (l *Lab) Now() string { return l.w.sched.Now().Format("2006-01-02T15:04:05Z") }

// Describe prints how to reach the mocks.
func (l *Lab) Describe(out io.Writer) {
	w := l.w
	fmt.Fprintf(out, "autopilotsim lab for scenario %q (seed %d), simulated time %s\n\n", w.sc.Name, w.seed, l.Now())
	fmt.Fprintf(out, "mockgraph   %s\n", w.graphURL)
	fmt.Fprintf(out, "  token     POST %s/%s/oauth2/v2.0/token  (client_credentials)\n", w.graphURL, w.admin.tenant)
	fmt.Fprintf(out, "  admin app client_id=%s client_secret=%s\n", harnessApp.ClientID, harnessApp.ClientSecret)
	fmt.Fprintf(out, "  requests  GET %s/_private/requests?last=50  (admin app token; newest 10000 kept: status, Retry-After, honoured or not)\n", w.graphURL)
	for _, a := range w.sc.Tenant.Apps {
		cred := "secret"
		if len(a.Certificates) > 0 {
			cred = fmt.Sprintf("certificate %s (%d)", a.Certificate, len(a.Certificates))
		}
		fmt.Fprintf(out, "  app %-6s client_id=%s %s roles=%v\n", a.Name, a.ClientID, cred, a.Roles)
	}
	for _, d := range w.sortedDomains() {
		fmt.Fprintf(out, "\nmockad      ldap://%s  (%s, base %s)\n", d.addr, d.spec.Name, d.dir.BaseDN())
		for _, u := range d.spec.Users {
			fmt.Fprintf(out, "  user      %s\\%s  password %s\n", d.netbios, u.SAMAccountName, u.Password)
		}
		fmt.Fprintf(out, "  TLS       StartTLS (-ZZ) with a self-signed certificate for %s (LDAPTLS_REQCERT=never); password writes (unicodePwd) need it, as in AD\n", d.dir.DCHostName())
		fmt.Fprintf(out, "  e.g.      ldapsearch -H ldap://%s -x -D '%s\\%s' -w '%s' -b '%s' '(objectClass=computer)'\n",
			d.addr, d.netbios, syncAccount, syncPassword(w.seed), d.dir.BaseDN())
	}
	if g := w.sc.Graph; g.IntuneThrottling || len(g.Faults) > 0 {
		fmt.Fprintln(out, "\nfaults (first error fault that fires answers; latency holds the answer on the lab clock)")
		if g.IntuneThrottling {
			fmt.Fprintln(out, "  Intune budgets on /deviceManagement: 429 + Retry-After past 200 writes / 2000 requests per 20 s")
		}
		for _, f := range g.Faults {
			fmt.Fprintf(out, "  %s\n", describeFault(f))
		}
	}
	if !l.quietEnd {
		fmt.Fprintln(out, "\nCtrl+C stops the lab.")
	}
}

// DescribeWorld is Describe without the closing "Ctrl+C" line, for a
// caller (package lab) that prints more after it.
func (l *Lab) DescribeWorld(out io.Writer) {
	l.quietEnd = true
	defer func() { l.quietEnd = false }()
	l.Describe(out)
}

// Close stops the clock and the servers.
func (l *Lab) Close() {
	if l.w.st != nil {
		// A clean stop keeps the clock where it stands; after a crash the
		// lab resumes from the last record.
		_ = l.w.st.clock("checkpoint")
	}
	close(l.stop)
	<-l.done
	l.w.close()
}

// dialable is the address clients use for a listener: a wildcard listen
// (0.0.0.0, ::, as in the container) is reached on loopback, and printed
// that way instead of "[::]:8080".
func dialable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// listen opens a loopback listener at addr, or the i-th port after it.
func listen(addr string, i int) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if i > 0 {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("port of %q: %w", addr, err)
		}
		if p != 0 {
			addr = net.JoinHostPort(host, strconv.Itoa(p+i))
		}
	}
	return net.Listen("tcp", addr)
}

// newWorld prepares a world whose T0 is t0 (sim.Epoch for runs).
func newWorld(sc *scenarios.Scenario, seedOverride *uint64, t0 time.Time) *world {
	seed := DefaultSeed
	if sc.Seed != nil {
		seed = *sc.Seed
	}
	if seedOverride != nil {
		seed = *seedOverride
	}
	w := &world{sc: sc, seed: seed, t0: t0, trace: &sim.Trace{}, streams: sim.NewStreams(seed)}
	if _, err := crand.Read(w.hashKey[:]); err != nil {
		panic(fmt.Sprintf("harness: crypto/rand: %v", err)) // the runtime guarantees Read does not fail
	}
	w.sched = sim.NewScheduler(w.t0.Add(-sc.Timings.SetupLead.D()), nil)
	w.deviceDC = &devicesim.LDAPDirectory{Dial: w.dialDomain}
	w.deviceDone = w.recordDeviceDone
	return w
}
