package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/lab"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
)

func newServeCmd(e env) *cobra.Command {
	var (
		file, graphAddr, ldapAddr, tlsCert, start, uiAddr, stateDir string
		speed                                                       float64
		seed                                                        seedFlag
		faults                                                      faultFlag
		throttling                                                  bool
	)
	cmd := &cobra.Command{
		Use:   "serve --scenario FILE",
		Short: "Serve mockgraph and mockad on real ports, seeded from a scenario",
		Long: `serve starts mockgraph and mockad seeded from a scenario's environment and
tenant, replays the admin's setup, prints the addresses and credentials, and
runs in real time (scaled by --speed) until interrupted, so curl, ldapsearch
and the Microsoft Graph SDK can talk to them.

--fault adds a cloud fault (repeatable) ahead of the scenario's graph.faults:
comma-separated key=value pairs with the keys of graph.faults[] (path, method,
status, p or probability, count, retryAfter, latency, jitter). Added latency
holds a client's answer back on the lab clock.

--state-dir keeps the lab's state on disk: it survives a stop, a crash or
kill -9, and serve on the same directory (with the same scenario and flags)
carries on where the lab was. Snapshots: autopilotsim lab snapshot.

--ui serves the lab's web console, its control API (/lab/v1, driven by
'autopilotsim lab') and /healthz, /readyz; the console's address, signed in
with the lab's console key, is printed. Tokens stay valid for the wall-clock
hour their expires_in promises at any --speed.

Exit code 1 also when the lab stops on an error while it runs.`,
		Example: `  autopilotsim serve --scenario harness/testdata/lab.yaml --graph 127.0.0.1:8080 --ldap 127.0.0.1:3389
  autopilotsim serve --scenario lab.yaml --speed 60 \
    --fault 'path=^/beta/deviceManagement/,status=429,p=0.2,retryAfter=5s' --intune-throttling
  autopilotsim serve --scenario lab.yaml --tls-cert /tmp/mockgraph.pem`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return invalidf("unexpected argument %q (serve takes flags only; quote a --fault value that holds spaces)", args[0])
			}
			return nil
		},
		RunE: func(_ *cobra.Command, _ []string) error {
			if file == "" {
				return invalidf("--scenario is required")
			}
			sc, err := scenarios.Load(file)
			if err != nil {
				fmt.Fprintln(e.stderr, err)
				return exitWith(exitInvalid)
			}
			t0, err := parseStart(start, time.Now)
			if err != nil {
				return invalidf("--start: %v", err)
			}
			var sum, optText string
			if stateDir != "" {
				raw, err := os.ReadFile(file)
				if err != nil {
					return invalidf("--scenario: %v", err)
				}
				sum, optText = fmt.Sprintf("%x", sha256.Sum256(raw)), fmt.Sprintf("faults=%+v intuneThrottling=%t", faults.faults, throttling)
			}
			lab, err := lab.Start(sc, lab.Options{UIAddr: uiAddr, StateDir: stateDir, ScenarioSHA256: sum, StateOptions: optText, ServeOptions: harness.ServeOptions{GraphAddr: graphAddr, LDAPAddr: ldapAddr, Speed: speed, Seed: seed.v,
				Faults: faults.faults, IntuneThrottling: throttling, Start: t0, WallClock: start == "now", GraphTLS: tlsCert != ""}})
			if err != nil {
				var inv *harness.InvalidError
				if errors.As(err, &inv) {
					return &exitError{code: exitInvalid, err: err}
				}
				return &exitError{code: exitFailed, err: err}
			}
			defer lab.Close()
			if tlsCert != "" {
				if err := os.WriteFile(tlsCert, lab.GraphCertificatePEM(), 0o644); err != nil {
					return &exitError{code: exitFailed, err: fmt.Errorf("--tls-cert: %w", err)}
				}
			}
			lab.Describe(e.stdout)
			if tlsCert != "" {
				fmt.Fprintf(e.stdout, "mockgraph's certificate: %s (e.g. curl --cacert %s)\n", tlsCert, tlsCert)
			}
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(sig)
			select {
			case <-sig:
				fmt.Fprintln(e.stdout, "stopping")
				return nil
			case err := <-lab.Failed():
				return &exitError{code: exitFailed, err: err}
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&file, "scenario", "", "scenario whose environment and tenant seed the mocks (required)")
	f.StringVar(&graphAddr, "graph", "127.0.0.1:8080", "listen address for mockgraph")
	f.StringVar(&ldapAddr, "ldap", "127.0.0.1:3389", "listen address for the first domain's DC (further domains use the next ports)")
	f.Float64Var(&speed, "speed", 1, "simulated seconds per wall-clock second")
	f.Var(&seed, "seed", "seed (overrides the scenario's)")
	f.Var(&faults, "fault", "a cloud fault, repeatable: comma-separated key=value with the keys of graph.faults[]\n"+
		"(path, method, status, p, count, retryAfter, latency, jitter), e.g. 'path=^/beta/deviceManagement/,status=429,p=0.2,retryAfter=5s';\n"+
		"added before the scenario's faults, so its error answers first")
	f.BoolVar(&throttling, "intune-throttling", false, "enforce Intune's request budgets on /deviceManagement (429 + Retry-After)")
	f.StringVar(&tlsCert, "tls-cert", "", "serve mockgraph over https with a self-signed certificate for loopback, written (PEM) to this file for clients to trust")
	f.StringVar(&uiAddr, "ui", "127.0.0.1:8090", "listen address for the web console, the control API (/lab/v1) and /healthz, /readyz")
	f.StringVar(&stateDir, "state-dir", "", "keep the lab's state (tenant, directory, devices, clock) in this directory: every acknowledged change is journaled\n"+
		"(fsynced) before its answer and replayed when serve starts again on it; snapshots live there too (autopilotsim lab snapshot)")
	f.StringVar(&start, "start", "now", "T0 of the lab's clock: now (the wall clock, for clients that sign with it), epoch (2026-01-05T08:00:00Z, as in runs) or an RFC 3339 time")
	return cmd
}

// parseStart reads --start: "now" (from the wall clock: a lab runs in real
// time), "epoch" (sim.Epoch, the T0 of runs) or an RFC 3339 time.
func parseStart(v string, now func() time.Time) (time.Time, error) {
	switch v {
	case "now":
		return now().UTC().Truncate(time.Second), nil
	case "epoch":
		return sim.Epoch, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not now, epoch or an RFC 3339 time (e.g. 2026-01-05T08:00:00Z)", v)
	}
	return t.UTC(), nil
}
