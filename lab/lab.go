package lab

import (
	"context"
	crand "crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/labstate"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

//go:embed console
var consoleFS embed.FS

// Options configure a lab.
type Options struct {
	harness.ServeOptions
	// UIAddr is where the console, the control API and the health
	// endpoints listen (e.g. 127.0.0.1:8090); empty: a free loopback port.
	UIAddr string
	// EventInterval is how often the console's event stream sends the
	// lab's state (wall clock); zero: 500 ms.
	EventInterval time.Duration
	// StateDir keeps the lab's state on disk (serve --state-dir): a
	// journal replayed on start, and snapshots (package labstate).
	StateDir string
	// ScenarioSHA256 and StateOptions identify the world a state
	// directory belongs to (a journal for another is refused).
	ScenarioSHA256, StateOptions string
}

// Lab is a running lab with its console.
type Lab struct {
	*harness.Lab
	key      string
	srv      *http.Server
	ln       net.Listener
	interval time.Duration
	ready    bool
	state    *labstate.Dir // nil without a state directory
}

// Start builds the world (harness.Serve), then serves the console, the
// control API, /healthz and /readyz on opts.UIAddr.
func Start(sc *scenarios.Scenario, opts Options) (*Lab, error) {
	ln, err := listen(opts.UIAddr)
	if err != nil {
		return nil, fmt.Errorf("lab: console address %q: %w", opts.UIAddr, err)
	}
	var dir *labstate.Dir
	if opts.StateDir != "" {
		d, recs, err := labstate.Open(opts.StateDir)
		if err != nil {
			ln.Close()
			return nil, &harness.InvalidError{Err: fmt.Errorf("lab: --state-dir: %w", err)}
		}
		dir = d
		opts.State = &harness.StateOptions{Dir: d, Records: recs, ScenarioSHA256: opts.ScenarioSHA256, Options: opts.StateOptions}
	}
	hl, err := harness.Serve(sc, opts.ServeOptions)
	if err != nil {
		ln.Close()
		if dir != nil {
			dir.Close()
		}
		return nil, err
	}
	var k [16]byte
	if _, err := crand.Read(k[:]); err != nil {
		hl.Close()
		ln.Close()
		if dir != nil {
			dir.Close()
		}
		return nil, fmt.Errorf("lab: console key: %w", err)
	}
	l := &Lab{Lab: hl, key: "lab_" + hex.EncodeToString(k[:]), ln: ln, interval: opts.EventInterval, ready: true, state: dir}
	if l.interval <= 0 {
		l.interval = 500 * time.Millisecond
	}
	l.srv = &http.Server{Handler: l.routes(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 64 << 10}
	go func() { _ = l.srv.Serve(ln) }()
	return l, nil
}

func listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	return net.Listen("tcp", addr)
}

// URL is the console's base URL (also the control API's and the health
// endpoints').
func (l *Lab) URL() string {
	a := l.ln.Addr().(*net.TCPAddr)
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(a.Port))
}

// Key is the console key: a bearer credential for the control API, printed
// for the trainer (ConsoleURL carries it).
func (l *Lab) Key() string { return l.key }

// ConsoleURL opens the console signed in.
func (l *Lab) ConsoleURL() string { return l.URL() + "/#key=" + l.key }

// Describe prints the world's addresses (harness) and the console's.
func (l *Lab) Describe(out io.Writer) {
	l.DescribeWorld(out)
	fmt.Fprintf(out, "\nconsole     %s\n", l.ConsoleURL())
	fmt.Fprintf(out, "  control   %s/lab/v1/…  (Bearer: the console key %s, or an admin app token)\n", l.URL(), l.key)
	fmt.Fprintf(out, "  health    %s/healthz  %s/readyz\n", l.URL(), l.URL())
	fmt.Fprintln(out, "  drive     autopilotsim lab --url "+l.URL()+" --key "+l.key+" power-on SERIAL  (see autopilotsim lab --help)")
	if l.state != nil {
		fmt.Fprintf(out, "  state     %s: %d journaled records, every acknowledged change fsynced (autopilotsim lab snapshot --help)\n", l.state.Path(), l.state.Records())
	}
	fmt.Fprintln(out, "\nCtrl+C stops the lab.")
}

// Close stops the console, then the world.
func (l *Lab) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := l.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		_ = l.srv.Close()
	}
	_ = l.srv.Close()
	l.Lab.Close()
	if l.state != nil {
		_ = l.state.Close()
	}
}
