package harness

import (
	crand "crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/diagnosis"
	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
)

// DefaultSeed is used when neither the scenario nor the caller gives one.
const DefaultSeed uint64 = 1

// Options control a run.
type Options struct {
	// Seed overrides the scenario's seed when not nil.
	Seed *uint64
	// Wire picks in-memory pipes (default) or loopback sockets.
	Wire Wire
	// SigningKey, when set, is mockgraph's token-signing key, so that a
	// caller running many small worlds (check's cohorts) generates one RSA
	// key instead of one per world. Tokens are not part of any result.
	SigningKey *rsa.PrivateKey
	// Progress, when set, hears of each scenario's start and end and of
	// each device that finishes. Calls never overlap (with Parallel > 1
	// they come from several goroutines, one at a time). It must return
	// quickly; it sees only the virtual clock and changes nothing in the
	// results.
	Progress func(Progress)
	// Parallel is how many scenarios run at once (0 or 1: one after
	// another). Each scenario is its own world with its own clock and
	// seeded streams, so the results are the same in the same order
	// whatever Parallel is.
	Parallel int
	// Timeline picks the devices whose timeline and Windows event log
	// (both in time order, the bulk of a device's result) the results
	// keep, once the expectations have read them: TimelineAll (also ""), TimelineFailed (devices the
	// diagnosis explains: failed, not registered, not Autopilot, pending)
	// or TimelineNone. Every other field of a device result is the same.
	Timeline TimelineMode
	// OnScenario, when set, receives each scenario's result as soon as it
	// and every scenario before it are done, in the scenarios' order (a
	// stream for tools, e.g. results.WriteJSONLines). Calls never overlap.
	// The result is the run's own: what the call leaves in it is what the
	// run returns, so a writer may cut its devices once written (package
	// sink keeps results.DeviceResult.Brief).
	OnScenario func(index int, res *results.ScenarioResult)
}

// TimelineMode is Options.Timeline.
type TimelineMode string

// Timeline modes.
const (
	TimelineAll    TimelineMode = "all"
	TimelineFailed TimelineMode = "failed"
	TimelineNone   TimelineMode = "none"
)

// ParseTimelineMode reads all, failed or none.
func ParseTimelineMode(s string) (TimelineMode, error) {
	switch m := TimelineMode(s); m {
	case TimelineAll, TimelineFailed, TimelineNone:
		return m, nil
	}
	return "", fmt.Errorf("timeline must be all, failed or none, got %q", s)
}

// Progress is where a run stands.
type Progress struct {
	Scenario  string // name
	File      string
	Index     int // of the scenario in the run, from 0
	Scenarios int // in the run
	// Devices of this scenario finished (an outcome) and in all.
	DevicesDone, Devices int
	// Devices of the whole run finished and in all.
	RunDevicesDone, RunDevices int
	// Simulated is the scenario's virtual clock, from T0 (negative while
	// the admin's setup runs).
	Simulated time.Duration
	// Finished is set once, when the scenario is over.
	Finished bool
}

// RunAll runs scenarios (opts.Parallel at once) and summarises them.
func RunAll(scs []*scenarios.Scenario, opts Options) *results.Run {
	run, _ := Execute(scs, opts)
	return run
}

// Execute is RunAll that also tells invalid input from a failure: the
// error joins the *InvalidError of every scenario whose set-up the mocks
// refused (each holding a *SetupError with file, line and YAML path). Those
// scenarios are in the results too, failed with Error set. Scenarios run
// opts.Parallel at once; results and errors keep the scenarios' order.
func Execute(scs []*scenarios.Scenario, opts Options) (*results.Run, error) {
	run := &results.Run{Scenarios: make([]results.ScenarioResult, len(scs))}
	if opts.SigningKey == nil && len(scs) > 1 {
		// One token-signing key for the run's worlds rather than a 2048-bit
		// key each (tens of milliseconds apiece): tokens are in no result,
		// and no world talks to another's mockgraph.
		// On an error each world makes its own (and reports it there).
		if k, err := rsa.GenerateKey(crand.Reader, 2048); err == nil {
			opts.SigningKey = k
		}
	}
	var hub *progressHub
	if opts.Progress != nil {
		hub = &progressHub{fn: opts.Progress}
		for _, sc := range scs {
			hub.runDevices += sc.DeviceCount()
		}
	}
	errs := make([]error, len(scs))
	// Results go to OnScenario in order: done marks finished scenarios,
	// next is the first not yet handed over.
	var (
		mu   sync.Mutex
		done = make([]bool, len(scs))
		next int
	)
	one := func(i int) {
		var p *Progress
		if hub != nil {
			p = &Progress{Index: i, Scenario: scs[i].Name, File: scs[i].File, Scenarios: len(scs), RunDevices: hub.runDevices}
		}
		res, err := runScenario(scs[i], opts, p, hub)
		mu.Lock()
		defer mu.Unlock()
		run.Scenarios[i], errs[i], done[i] = res, err, true
		for opts.OnScenario != nil && next < len(scs) && done[next] {
			opts.OnScenario(next, &run.Scenarios[next])
			next++
		}
	}
	workers := min(max(opts.Parallel, 1), len(scs))
	if workers <= 1 {
		for i := range scs {
			one(i)
		}
	} else {
		work := make(chan int)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					one(i)
				}
			}()
		}
		for i := range scs {
			work <- i
		}
		close(work)
		wg.Wait()
	}
	run.Summarise()
	return run, errors.Join(errs...)
}

// progressHub serialises progress reports of scenarios running at once
// and keeps the run's count of finished devices.
type progressHub struct {
	mu         sync.Mutex
	fn         func(Progress)
	runDevices int
	runDone    int
}

// report sends p, with the run's count, to the caller; deviceDone first
// counts a finished device of p's scenario.
func (h *progressHub) report(p *Progress, deviceDone bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if deviceDone {
		p.DevicesDone++
		h.runDone++
	}
	p.RunDevicesDone = h.runDone
	h.fn(*p)
}

// Run runs one scenario. A scenario that cannot be built or run is a failed
// result with Error set, not a Go error: the other scenarios still run.
func Run(sc *scenarios.Scenario, opts Options) results.ScenarioResult {
	res, _ := runScenario(sc, opts, nil, nil)
	return res
}

// runScenario is Run, also returning the *InvalidError when the mocks
// refused the scenario's set-up. p, when not nil, is the run's progress,
// reported to opts.Progress.
func runScenario(sc *scenarios.Scenario, opts Options, p *Progress, hub *progressHub) (results.ScenarioResult, error) {
	w := newWorld(sc, opts.Seed, sim.Epoch)
	w.signingKey = opts.SigningKey
	w.timeline = opts.Timeline
	res := results.ScenarioResult{Name: sc.Name, File: sc.File, Seed: w.seed, Start: w.t0, Warnings: sc.Warnings,
		Devices: []results.DeviceResult{}, Expectations: []results.ExpectationResult{}}
	defer w.close()
	if p != nil {
		p.DevicesDone, p.Devices, p.Finished, p.Simulated = 0, sc.DeviceCount(), false, w.sched.Now().Sub(w.t0)
		hub.report(p, false)
		w.onDeviceDone = func() {
			p.Simulated = w.sched.Now().Sub(w.t0)
			hub.report(p, true)
		}
		defer func() {
			p.Finished = true
			hub.report(p, false)
		}()
	}

	if err := w.build(opts.Wire); err != nil {
		res.Error = err.Error()
		res.SimulatedTime = "0s"
		return res, invalidOrNil(err)
	}
	end := w.t0.Add(sc.Duration.D())
	if err := w.sched.Run(end); err != nil {
		res.Error = "simulation: " + err.Error()
	}
	if p != nil {
		p.Simulated = w.sched.Now().Sub(w.t0)
	}
	if w.setupErr != nil {
		res.Error = "setup: " + w.setupErr.Error()
	}
	for _, d := range w.devices {
		d.Settle()
	}
	last := w.lastDone
	if w.remaining > 0 || last.IsZero() {
		last = w.sched.Now()
	}
	res.SimulatedTime = last.Sub(w.t0).String()
	res.Devices = w.deviceResults()
	res.Expectations = w.check(res.Devices)
	// Timelines and event logs go once the expectations (which read the
	// event log) are checked.
	for i := range res.Devices {
		if d := &res.Devices[i]; w.dropTimeline(d) {
			d.Timeline, d.Events = []results.TimelineEntry{}, nil
		}
	}
	res.Passed = res.Error == ""
	for _, e := range res.Expectations {
		if !e.Passed {
			res.Passed = false
		}
	}
	return res, invalidOrNil(w.setupErr)
}

// invalidOrNil returns err when it marks invalid input, else nil.
func invalidOrNil(err error) error {
	var inv *InvalidError
	if errors.As(err, &inv) {
		return inv
	}
	return nil
}

// CheckSetup builds the scenario's world on in-memory wires and replays
// the admin's set-up (every admin call and script step up to the last of
// them, and at least to T0) against the embedded mocks, leaving the
// devices off: what the mocks refuse is found without running devices
// (autopilotsim validate). The error is an *InvalidError holding a
// *SetupError (file, line, YAML path) when the scenario sets up something
// the mocks refuse; another error when the set-up could not be checked.
func CheckSetup(sc *scenarios.Scenario) error {
	w := newWorld(sc, nil, sim.Epoch)
	w.setupOnly = true
	defer w.close()
	if err := w.build(WireMemory); err != nil {
		return err
	}
	end := w.t0.Add(sc.Duration.D())
	if err := w.sched.Run(w.at(max(0, w.lastStep))); err != nil {
		return fmt.Errorf("harness: setup: %w", err)
	}
	// A step still waiting out a Retry-After finishes within the run's
	// duration, as it would in a run.
	for w.setupErr == nil && w.admin != nil && w.admin.busy != nil && w.sched.Now().Before(end) {
		if err := w.sched.Run(w.sched.Now().Add(time.Minute)); err != nil {
			return fmt.Errorf("harness: setup: %w", err)
		}
	}
	return w.setupErr
}

func (w *world) build(wire Wire) error {
	if wire == "" {
		wire = WireMemory
	}
	// The same bound validate applies, for a scenario built in code.
	if n := w.sc.DeviceCount(); n > scenarios.MaxDevices {
		return fmt.Errorf("harness: %d devices: a scenario holds at most %d (scenarios.MaxDevices)", n, scenarios.MaxDevices)
	}
	steps := []func() error{
		func() error { return w.buildDomains(wire) },
		func() error { return w.buildGraph(wire) },
		w.buildConnectors,
		w.grantDelegations,
		w.buildSync,
		w.buildDevices,
		w.setupTenant,
		w.scheduleScript,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func offset(t, t0 time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Sub(t0).String()
}

// deviceResults gathers each device's result, Entra objects and timeline.
func (w *world) deviceResults() []results.DeviceResult {
	tables := w.newDiagnosisTables() // diagnose.go
	entra := w.graph.EntraDevices()
	autopilot := w.graph.AutopilotDevices()
	// Connector events by ODJ request id, read once: a connector's log holds
	// every request of the run.
	type connEvent struct {
		name string
		ev   connector.Event
	}
	byRequest := map[string][]connEvent{}
	for _, name := range w.connOrder {
		for _, ev := range w.connectors[name].Events() {
			if ev.RequestID != "" {
				byRequest[ev.RequestID] = append(byRequest[ev.RequestID], connEvent{name, ev})
			}
		}
	}
	// The cloud's conversion of a device (mockgraph engine_convert.go) belongs
	// to its story too; the event's detail starts with the serial.
	conversions := map[string][]sim.Event{}
	for _, ev := range w.trace.For("graph") {
		if strings.HasPrefix(ev.Step, "conversion.") {
			serial, _, _ := strings.Cut(ev.Detail, " ")
			conversions[serial] = append(conversions[serial], ev)
		}
	}
	// Indexes read once, so that each device costs its own records, not the
	// tenant's: the last Autopilot record of a serial wins (as the scan in
	// serial order did), and a device's Entra objects keep the table's order.
	apBySerial := make(map[string]mockgraph.AutopilotDevice, len(autopilot))
	for _, a := range autopilot {
		apBySerial[a.SerialNumber] = a
	}
	entraByDeviceID := make(map[string][]int, len(entra))
	entraByID := make(map[string][]int, len(entra))
	for i, e := range entra {
		if e.DeviceID != "" {
			entraByDeviceID[e.DeviceID] = append(entraByDeviceID[e.DeviceID], i)
		}
		entraByID[e.ID] = append(entraByID[e.ID], i)
	}
	eventsChecked := false
	for _, e := range w.sc.Expect {
		eventsChecked = eventsChecked || e.Events != nil
	}
	// A device's event log is kept unless its timeline goes and no
	// expectation reads the log.
	keepEvents := func(dr *results.DeviceResult) bool { return eventsChecked || !w.dropTimeline(dr) }
	out := make([]results.DeviceResult, 0, len(w.devices))
	for _, d := range w.devices {
		r := d.Result()
		dr := results.DeviceResult{
			Serial: r.Serial, Outcome: string(r.Outcome), FailedStage: string(r.FailedStage), ErrorCode: r.ErrorCode,
			Detail: r.Detail, ProfileSource: r.ProfileSource, Profile: r.ProfileName, ComputerName: r.ComputerName,
			DistinguishedName: r.DistinguishedName, PoweredOnAt: offset(r.PoweredOnAt, w.t0), FinishedAt: offset(r.FinishedAt, w.t0),
			LocalAdministrators: r.LocalAdministrators,             // F38
			ConditionalAccess:   conditionalAccessResult(r.Access), // F36
		}
		// Entra objects of this device: the Autopilot one (linked through the
		// Autopilot record's Entra device id) and the hybrid one (keyed on the
		// deviceId of the certificate the device wrote, S19).
		var apDeviceID string
		dr.Registration = "none"
		if a, ok := apBySerial[r.Serial]; ok {
			apDeviceID = a.AzureADDeviceID
			dr.Registration = a.RegisteredBy
		}
		// A device enrolled before the scenario also has the object it got
		// then (setup.go enrollExisting); once converted it may be the
		// Autopilot one too.
		enrolledObject := w.enrolledObjects[r.Serial]
		var idx []int
		if apDeviceID != "" {
			idx = append(idx, entraByDeviceID[apDeviceID]...)
		}
		if r.HybridDeviceID != "" && r.HybridDeviceID != apDeviceID {
			idx = append(idx, entraByDeviceID[r.HybridDeviceID]...)
		}
		if enrolledObject != "" {
			idx = append(idx, entraByID[enrolledObject]...)
		}
		if stale := w.previousObjects[r.Serial]; stale != "" {
			idx = append(idx, entraByID[stale]...) // F26: the earlier deployment's object
		}
		sort.Ints(idx)
		var mine []mockgraph.EntraDevice
		for k, i := range idx {
			if k > 0 && idx[k-1] == i {
				continue // one object matched twice
			}
			dr.EntraDeviceObjects++
			mine = append(mine, entra[i])
		}
		dr.EntraDevices = entraDevices(mine) // diagnose.go
		// A device the diagnosis does not explain loses its timeline under
		// --timeline failed and none, and then only its own events are read
		// (its dsregcmd state, diagnosis.DSRegCmd), in the trace's order,
		// which is time order: the connector's and the cloud's entries and
		// the sort are skipped for most of a large fleet.
		own := w.timeline != TimelineAll && !eventsChecked && !diagnosis.Explains(dr.Outcome)
		var timeline []sim.Event
		timeline = append(timeline, w.trace.For("device/"+r.Serial)...)
		if !own {
			timeline = append(timeline, conversions[r.Serial]...)
		}
		var conn []diagnosis.ConnectorEvent
		for _, ce := range byRequest[r.ODJRequestID] {
			ev := ce.ev
			conn = append(conn, diagnosis.ConnectorEvent{Connector: ce.name, Event: ev})
			if !own {
				timeline = append(timeline, sim.Event{At: ev.At, Actor: "connector/" + ce.name,
					Step: fmt.Sprintf("event %d %s", ev.ID, ev.Name), Detail: ev.Payload})
			}
			if ev.ID == connector.EventRequestFailure { // the last failure wins, as in FailureFor
				code := ev.ErrorCode
				dr.ConnectorError = &code
			}
		}
		if !own {
			sort.SliceStable(timeline, func(i, j int) bool { return timeline[i].At.Before(timeline[j].At) })
		}
		// Offsets are written once the timeline is known to be kept: the
		// diagnosis reads times, actors, steps and details, and a fleet run
		// with --timeline failed keeps few timelines.
		dr.Timeline = make([]results.TimelineEntry, 0, len(timeline))
		for _, ev := range timeline {
			dr.Timeline = append(dr.Timeline, results.TimelineEntry{At: ev.At, Actor: ev.Actor, Step: ev.Step, Detail: ev.Detail})
		}
		sort.SliceStable(conn, func(i, j int) bool { return conn[i].Event.At.Before(conn[j].Event.At) })
		w.diagnose(tables, &dr, r, apDeviceID, conn, keepEvents) // diagnose.go
		if w.dropTimeline(&dr) {
			// At once, so that a large fleet never holds every device's
			// timeline. Its event log was not built unless an expectation
			// reads it (keepEvents); runScenario drops it after the check.
			dr.Timeline = []results.TimelineEntry{}
		} else {
			for i := range dr.Timeline {
				dr.Timeline[i].Offset = offset(dr.Timeline[i].At, w.t0)
			}
		}
		out = append(out, dr)
	}
	return out
}

// dropTimeline reports whether Options.Timeline leaves d's timeline and
// event log out of the results.
func (w *world) dropTimeline(d *results.DeviceResult) bool {
	return w.timeline == TimelineNone || (w.timeline == TimelineFailed && d.Explanation == nil)
}
