package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1
	exitInvalid = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  autopilotsim run [--out DIR] [--seed N] [--wire memory|loopback] PATH...
  autopilotsim validate PATH...
  autopilotsim serve --scenario FILE [--graph ADDR] [--ldap ADDR] [--speed X] [--seed N]
                     [--fault 'path=REGEXP,status=429,p=0.2,retryAfter=5s,latency=2s'...] [--intune-throttling]
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitInvalid
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "serve":
		return cmdServe(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "autopilotsim: unknown command %q\n%s", args[0], usage)
	return exitInvalid
}

// seedFlag is an optional uint64 flag.
type seedFlag struct{ v *uint64 }

func (s *seedFlag) String() string {
	if s.v == nil {
		return ""
	}
	return strconv.FormatUint(*s.v, 10)
}

func (s *seedFlag) Set(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return fmt.Errorf("seed must be a non-negative integer, got %q", v)
	}
	s.v = &n
	return nil
}

// faultFlag collects repeated --fault flags (scenarios.ParseFault).
type faultFlag struct{ faults []scenarios.Fault }

func (f *faultFlag) String() string { return "" }

func (f *faultFlag) Set(v string) error {
	fault, err := scenarios.ParseFault(v)
	if err != nil {
		return err
	}
	f.faults = append(f.faults, fault)
	return nil
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "test-results", "directory for results.json and junit.xml")
	wire := fs.String("wire", "memory", "how clients reach the servers: memory or loopback")
	var seed seedFlag
	fs.Var(&seed, "seed", "seed for every scenario (overrides the scenarios' own)")
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "autopilotsim run: no scenario paths given")
		return exitInvalid
	}
	if *wire != string(harness.WireMemory) && *wire != string(harness.WireLoopback) {
		fmt.Fprintf(stderr, "autopilotsim run: --wire must be memory or loopback, got %q\n", *wire)
		return exitInvalid
	}
	scs, err := scenarios.LoadPaths(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	res := harness.RunAll(scs, harness.Options{Seed: seed.v, Wire: harness.Wire(*wire)})
	if err := results.WriteSummary(stdout, res); err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	if err := results.WriteDir(*out, res); err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	fmt.Fprintf(stdout, "results written to %s/results.json and %s/junit.xml\n", *out, *out)
	if !res.Passed() {
		return exitFailed
	}
	return exitOK
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "autopilotsim validate: no scenario paths given")
		return exitInvalid
	}
	scs, err := scenarios.LoadPaths(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	for _, sc := range scs {
		fmt.Fprintf(stdout, "ok  %s (%s)\n", sc.File, sc.Name)
		for _, w := range sc.Warnings {
			fmt.Fprintf(stdout, "    warning: %s\n", w)
		}
	}
	return exitOK
}

func cmdServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("scenario", "", "scenario whose environment and tenant seed the mocks")
	graphAddr := fs.String("graph", "127.0.0.1:8080", "listen address for mockgraph")
	ldapAddr := fs.String("ldap", "127.0.0.1:3389", "listen address for the first domain's DC (further domains use the next ports)")
	speed := fs.Float64("speed", 1, "simulated seconds per wall-clock second")
	var seed seedFlag
	fs.Var(&seed, "seed", "seed (overrides the scenario's)")
	var faults faultFlag
	fs.Var(&faults, "fault", "a cloud fault, repeatable: comma-separated key=value with the keys of the scenario's graph.faults[]\n"+
		"(path, method, status, p, count, retryAfter, latency, jitter), e.g. 'path=^/beta/deviceManagement/,status=429,p=0.2,retryAfter=5s';\n"+
		"added before the scenario's faults, so its error answers first")
	throttling := fs.Bool("intune-throttling", false, "enforce Intune's request budgets on /deviceManagement (429 + Retry-After)")
	tlsCert := fs.String("tls-cert", "", "serve mockgraph over https with a self-signed certificate for loopback, written (PEM) to this file for clients to trust")
	start := fs.String("start", "now", "T0 of the lab's clock: now (the wall clock, for clients that sign with it), epoch (2026-01-05T08:00:00Z, as in runs) or an RFC 3339 time")
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "autopilotsim serve: unexpected argument %q (serve takes flags only; quote a --fault value that holds spaces)\n", fs.Arg(0))
		return exitInvalid
	}
	if *file == "" {
		fmt.Fprintln(stderr, "autopilotsim serve: --scenario is required")
		return exitInvalid
	}
	sc, err := scenarios.Load(*file)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	t0, err := parseStart(*start, time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "autopilotsim serve: --start: %v\n", err)
		return exitInvalid
	}
	lab, err := harness.Serve(sc, harness.ServeOptions{GraphAddr: *graphAddr, LDAPAddr: *ldapAddr, Speed: *speed, Seed: seed.v,
		Faults: faults.faults, IntuneThrottling: *throttling, Start: t0, WallClock: *start == "now", GraphTLS: *tlsCert != ""})
	if err != nil {
		fmt.Fprintln(stderr, err)
		var inv *harness.InvalidError
		if errors.As(err, &inv) {
			return exitInvalid
		}
		return exitFailed
	}
	defer lab.Close()
	if *tlsCert != "" {
		if err := os.WriteFile(*tlsCert, lab.GraphCertificatePEM(), 0o644); err != nil {
			fmt.Fprintf(stderr, "autopilotsim serve: --tls-cert: %v\n", err)
			return exitFailed
		}
	}
	lab.Describe(stdout)
	if *tlsCert != "" {
		fmt.Fprintf(stdout, "mockgraph's certificate: %s (e.g. curl --cacert %s)\n", *tlsCert, *tlsCert)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-sig:
		fmt.Fprintln(stdout, "stopping")
		return exitOK
	case err := <-lab.Failed():
		fmt.Fprintln(stderr, err)
		return exitFailed
	}
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
