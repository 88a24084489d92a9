package harness

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/mockad"
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
}

// RunAll runs scenarios one after another and summarises them.
func RunAll(scs []*scenarios.Scenario, opts Options) *results.Run {
	run := &results.Run{}
	for _, sc := range scs {
		run.Scenarios = append(run.Scenarios, Run(sc, opts))
	}
	run.Summarise()
	return run
}

// Run runs one scenario. A scenario that cannot be built or run is a failed
// result with Error set, not a Go error: the other scenarios still run.
func Run(sc *scenarios.Scenario, opts Options) results.ScenarioResult {
	w := newWorld(sc, opts.Seed, sim.Epoch)
	res := results.ScenarioResult{Name: sc.Name, File: sc.File, Seed: w.seed, Start: w.t0, Warnings: sc.Warnings,
		Devices: []results.DeviceResult{}, Expectations: []results.ExpectationResult{}}
	defer w.close()

	if err := w.build(opts.Wire); err != nil {
		res.Error = err.Error()
		res.SimulatedTime = "0s"
		return res
	}
	end := w.t0.Add(sc.Duration.D())
	if err := w.sched.Run(end); err != nil {
		res.Error = "simulation: " + err.Error()
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
	res.Passed = res.Error == ""
	for _, e := range res.Expectations {
		if !e.Passed {
			res.Passed = false
		}
	}
	return res
}

func (w *world) build(wire Wire) error {
	if wire == "" {
		wire = WireMemory
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
	out := make([]results.DeviceResult, 0, len(w.devices))
	for _, d := range w.devices {
		r := d.Result()
		dr := results.DeviceResult{
			Serial: r.Serial, Outcome: string(r.Outcome), FailedStage: string(r.FailedStage), ErrorCode: r.ErrorCode,
			Detail: r.Detail, ProfileSource: r.ProfileSource, Profile: r.ProfileName, ComputerName: r.ComputerName,
			DistinguishedName: r.DistinguishedName, PoweredOnAt: offset(r.PoweredOnAt, w.t0), FinishedAt: offset(r.FinishedAt, w.t0),
		}
		// Entra objects of this device: the Autopilot one (linked through the
		// Autopilot record's Entra device id) and the hybrid one (keyed on the
		// deviceId of the certificate the device wrote, S19).
		var apDeviceID string
		dr.Registration = "none"
		for _, a := range autopilot {
			if a.SerialNumber == r.Serial {
				apDeviceID = a.AzureADDeviceID
				dr.Registration = a.RegisteredBy
			}
		}
		// A device enrolled before the scenario also has the object it got
		// then (setup.go enrollExisting); once converted it may be the
		// Autopilot one too.
		enrolledObject := w.enrolledObjects[r.Serial]
		for _, e := range entra {
			if (apDeviceID != "" && e.DeviceID == apDeviceID) || (r.HybridDeviceID != "" && e.DeviceID == r.HybridDeviceID) ||
				(enrolledObject != "" && e.ID == enrolledObject) {
				dr.EntraDeviceObjects++
			}
		}
		var timeline []sim.Event
		timeline = append(timeline, w.trace.For("device/"+r.Serial)...)
		timeline = append(timeline, conversions[r.Serial]...)
		for _, ce := range byRequest[r.ODJRequestID] {
			ev := ce.ev
			timeline = append(timeline, sim.Event{At: ev.At, Actor: "connector/" + ce.name,
				Step: fmt.Sprintf("event %d %s", ev.ID, ev.Name), Detail: ev.Payload})
			if ev.ID == connector.EventRequestFailure { // the last failure wins, as in FailureFor
				code := ev.ErrorCode
				dr.ConnectorError = &code
			}
		}
		sort.SliceStable(timeline, func(i, j int) bool { return timeline[i].At.Before(timeline[j].At) })
		dr.Timeline = make([]results.TimelineEntry, 0, len(timeline))
		for _, ev := range timeline {
			dr.Timeline = append(dr.Timeline, results.TimelineEntry{At: ev.At, Offset: offset(ev.At, w.t0), Actor: ev.Actor, Step: ev.Step, Detail: ev.Detail})
		}
		out = append(out, dr)
	}
	return out
}

// check evaluates the expectations.
func (w *world) check(devs []results.DeviceResult) []results.ExpectationResult {
	bySerial := map[string]results.DeviceResult{}
	for _, d := range devs {
		bySerial[d.Serial] = d
	}
	all := w.sc.ExpandDevices()
	out := make([]results.ExpectationResult, 0, len(w.sc.Expect))
	for i, e := range w.sc.Expect {
		if e.Requests != nil {
			out = append(out, w.checkRequests(e, i)) // faults.go
			continue
		}
		er := results.ExpectationResult{Description: describe(e, i), Line: e.Line}
		sel, err := w.sc.Select(e.Devices, all)
		if err != nil {
			er.Detail = err.Error()
			out = append(out, er)
			continue
		}
		matched := 0
		var misses []string
		for _, s := range sel {
			d := bySerial[s.Serial]
			if why := w.mismatch(e, d); why == "" {
				matched++
			} else if len(misses) < 5 {
				misses = append(misses, d.Serial+": "+why)
			}
		}
		want := len(sel)
		if e.Count != nil {
			want = *e.Count
		}
		er.Passed = matched == want && len(sel) > 0
		er.Detail = fmt.Sprintf("%d of %d selected devices match (want %d)", matched, len(sel), want)
		if len(sel) == 0 {
			er.Detail = fmt.Sprintf("selector %q matches no device", e.Devices)
		}
		if !er.Passed && len(misses) > 0 {
			er.Detail += "; " + strings.Join(misses, "; ")
		}
		out = append(out, er)
	}
	return out
}

// mismatch says why device d does not meet e, or "" when it does.
func (w *world) mismatch(e scenarios.Expectation, d results.DeviceResult) string {
	var why []string
	if e.Outcome != "" && d.Outcome != e.Outcome {
		why = append(why, fmt.Sprintf("outcome %s, want %s", d.Outcome, e.Outcome))
	}
	if e.FailedStage != "" && d.FailedStage != e.FailedStage {
		why = append(why, fmt.Sprintf("failed stage %q, want %q", d.FailedStage, e.FailedStage))
	}
	if e.ErrorCode != "" && !strings.EqualFold(strings.TrimPrefix(d.ErrorCode, "0x"), strings.TrimPrefix(e.ErrorCode, "0x")) {
		why = append(why, fmt.Sprintf("error code %q, want %q", d.ErrorCode, e.ErrorCode))
	}
	if e.ConnectorError != nil && (d.ConnectorError == nil || *d.ConnectorError != *e.ConnectorError) {
		got := "none"
		if d.ConnectorError != nil {
			got = fmt.Sprint(*d.ConnectorError)
		}
		why = append(why, fmt.Sprintf("connector error %s, want %d", got, *e.ConnectorError))
	}
	if e.OU != "" {
		if got, same := sameParent(d.DistinguishedName, e.OU); !same {
			why = append(why, fmt.Sprintf("computer in %q, want %q", got, e.OU))
		}
	}
	if e.EntraObjects != nil && d.EntraDeviceObjects != *e.EntraObjects {
		why = append(why, fmt.Sprintf("%d Entra device objects, want %d", d.EntraDeviceObjects, *e.EntraObjects))
	}
	if e.ProfileSource != "" && d.ProfileSource != e.ProfileSource {
		why = append(why, fmt.Sprintf("profile source %q, want %q", d.ProfileSource, e.ProfileSource))
	}
	if e.Profile != "" && d.Profile != e.Profile {
		why = append(why, fmt.Sprintf("profile %q, want %q", d.Profile, e.Profile))
	}
	if e.Registration != "" && d.Registration != e.Registration {
		why = append(why, fmt.Sprintf("registration %q, want %q", d.Registration, e.Registration))
	}
	dev := w.deviceIdx[d.Serial].Result()
	if e.Within != 0 {
		if dev.FinishedAt.IsZero() || dev.FinishedAt.After(w.t0.Add(e.Within.D())) {
			why = append(why, fmt.Sprintf("finished at %s, want within %s", orPending(d.FinishedAt), e.Within.D()))
		}
	}
	if e.After != 0 {
		if dev.FinishedAt.IsZero() || dev.TimerStartedAt.IsZero() {
			why = append(why, "no timed failure to measure")
		} else if took := dev.FinishedAt.Sub(dev.TimerStartedAt); took < e.After.D() {
			why = append(why, fmt.Sprintf("failed %s after its timer started, want at least %s", took, e.After.D()))
		}
	}
	return strings.Join(why, ", ")
}

func orPending(s string) string {
	if s == "" {
		return "never (pending)"
	}
	return "T0+" + s
}

// sameParent reports whether the computer dn sits directly in ou, comparing
// DNs as AD does (RFC 4514 escapes, case-insensitive; rules-and-ad.md B.6),
// and returns the parent it found. A DN that does not parse never matches.
func sameParent(dn, ou string) (string, bool) {
	child, err := mockad.ParseDN(dn)
	if err != nil || len(child) == 0 {
		return dn, false
	}
	parent := child.Parent()
	want, err := mockad.ParseDN(ou)
	if err != nil {
		return parent.String(), false
	}
	return parent.String(), parent.Norm() == want.Norm()
}

func describe(e scenarios.Expectation, i int) string {
	if e.Description != "" {
		return e.Description
	}
	if e.Requests != nil {
		return fmt.Sprintf("expect[%d]: %s", i, describeRequests(e.Requests))
	}
	parts := []string{}
	if e.Count != nil {
		parts = append(parts, fmt.Sprintf("%d of", *e.Count))
	}
	parts = append(parts, e.Devices)
	if e.Outcome != "" {
		parts = append(parts, e.Outcome)
	}
	if e.FailedStage != "" {
		parts = append(parts, "at "+e.FailedStage)
	}
	if e.ErrorCode != "" {
		parts = append(parts, e.ErrorCode)
	}
	return fmt.Sprintf("expect[%d]: %s", i, strings.Join(parts, " "))
}
