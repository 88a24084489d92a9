package apstest

import (
	"errors"
	"fmt"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// Scenario is a loaded, validated scenario.
type Scenario = scenarios.Scenario

// Device is one device's result: outcome, failed stage and code, computer
// object, Entra objects, timeline and explanation (results/RESULTS.md).
type Device = results.DeviceResult

// Load reads and validates a scenario file. Errors carry file:line and the
// field.
func Load(path string) (*Scenario, error) { return scenarios.Load(path) }

// LoadYAML validates scenario text held by the test; name stands for the
// file name in error messages.
func LoadYAML(name, text string) (*Scenario, error) {
	return scenarios.LoadBytes(name, []byte(text))
}

// MustLoad is Load that panics on an error, for package-level fixtures.
func MustLoad(path string) *Scenario {
	sc, err := Load(path)
	if err != nil {
		panic(fmt.Sprintf("apstest: %v", err))
	}
	return sc
}

// MustLoadYAML is LoadYAML that panics on an error.
func MustLoadYAML(name, text string) *Scenario {
	sc, err := LoadYAML(name, text)
	if err != nil {
		panic(fmt.Sprintf("apstest: %v", err))
	}
	return sc
}

// Option changes one run.
type Option func(*harness.Options)

// WithSeed runs with seed instead of the scenario's (or the default, 1).
func WithSeed(seed uint64) Option {
	return func(o *harness.Options) { o.Seed = &seed }
}

// WithLoopback runs the clients over real loopback sockets instead of the
// in-memory wire (same bytes, same results; slower).
func WithLoopback() Option {
	return func(o *harness.Options) { o.Wire = harness.WireLoopback }
}

// Result is one scenario run.
type Result struct {
	results.ScenarioResult
	// Invalid is set when the mocks refused the scenario's set-up (a
	// membership rule Graph does not parse, an OU AD refuses): the error
	// names the file, line and field.
	Invalid error
}

// Run runs the scenario to its end on the virtual clock. It never fails
// the test itself: assert on the Result (Pass, the device matchers).
func Run(sc *Scenario, opts ...Option) *Result {
	var o harness.Options
	for _, f := range opts {
		f(&o)
	}
	run, err := harness.Execute([]*scenarios.Scenario{sc}, o)
	r := &Result{Invalid: err}
	if len(run.Scenarios) == 1 {
		r.ScenarioResult = run.Scenarios[0]
	}
	return r
}

// Device is the result of the device with serial; a device that is not in
// the run is a zero Device whose Serial is empty, which every matcher
// rejects with a message naming the devices the run has.
func (r *Result) Device(serial string) Device {
	for _, d := range r.Devices {
		if d.Serial == serial {
			return d
		}
	}
	return Device{Outcome: missingOutcome(r, serial)}
}

// missingOutcome marks a lookup of an unknown serial so matchers can say so.
func missingOutcome(r *Result, serial string) string {
	serials := make([]string, 0, len(r.Devices))
	for _, d := range r.Devices {
		serials = append(serials, d.Serial)
	}
	return fmt.Sprintf("(no device %q in scenario %q; it has %v)", serial, r.Name, serials)
}

// Serials are the run's devices in scenario order.
func (r *Result) Serials() []string {
	out := make([]string, 0, len(r.Devices))
	for _, d := range r.Devices {
		out = append(out, d.Serial)
	}
	return out
}

// Err is the run's error: the refused set-up, or the scenario's Error.
func (r *Result) Err() error {
	if r.Invalid != nil {
		return r.Invalid
	}
	if r.Error != "" {
		return errors.New(r.Error)
	}
	return nil
}
