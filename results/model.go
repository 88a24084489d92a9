package results

import "time"

// Run is the result of running a set of scenarios.
type Run struct {
	Scenarios []ScenarioResult `json:"scenarios"`
	Summary   Summary          `json:"summary"`
}

// ScenarioResult is one scenario's result.
type ScenarioResult struct {
	Name          string              `json:"name"`
	File          string              `json:"file"`
	Seed          uint64              `json:"seed"`
	Passed        bool                `json:"passed"`
	SimulatedTime string              `json:"simulatedTime"` // Go duration text, T0 to the last event
	Start         time.Time           `json:"start"`         // T0 on the virtual clock
	Error         string              `json:"error,omitempty"`
	Devices       []DeviceResult      `json:"devices"`
	Expectations  []ExpectationResult `json:"expectations"`
	Warnings      []string            `json:"warnings,omitempty"`
}

// DeviceResult is one device's result.
type DeviceResult struct {
	Serial             string          `json:"serial"`
	Outcome            string          `json:"outcome"`
	FailedStage        string          `json:"failedStage,omitempty"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	Detail             string          `json:"detail,omitempty"`
	ProfileSource      string          `json:"profileSource,omitempty"`
	Profile            string          `json:"profile,omitempty"`
	Registration       string          `json:"registration"` // import | conversion | none
	ComputerName       string          `json:"computerName,omitempty"`
	DistinguishedName  string          `json:"distinguishedName,omitempty"`
	ConnectorError     *int            `json:"connectorError,omitempty"`
	EntraDeviceObjects int             `json:"entraDeviceObjects"`
	PoweredOnAt        string          `json:"poweredOnAt,omitempty"` // offset from T0
	FinishedAt         string          `json:"finishedAt,omitempty"`  // offset from T0
	Timeline           []TimelineEntry `json:"timeline"`
}

// TimelineEntry is one event in a device's story.
type TimelineEntry struct {
	At     time.Time `json:"at"`
	Offset string    `json:"offset"` // from T0, Go duration text ("-1h0m0s" before T0)
	Actor  string    `json:"actor"`
	Step   string    `json:"step"`
	Detail string    `json:"detail,omitempty"`
}

// ExpectationResult is one checked expectation: one JUnit test case.
type ExpectationResult struct {
	Description string `json:"description"`
	Passed      bool   `json:"passed"`
	Detail      string `json:"detail"`
	Line        int    `json:"line,omitempty"`
}

// Summary counts the run.
type Summary struct {
	Scenarios          int `json:"scenarios"`
	ScenariosPassed    int `json:"scenariosPassed"`
	ScenariosFailed    int `json:"scenariosFailed"`
	Devices            int `json:"devices"`
	Expectations       int `json:"expectations"`
	ExpectationsFailed int `json:"expectationsFailed"`
}

// Summarise fills r.Summary from the scenarios.
func (r *Run) Summarise() {
	s := Summary{Scenarios: len(r.Scenarios)}
	for _, sc := range r.Scenarios {
		if sc.Passed {
			s.ScenariosPassed++
		} else {
			s.ScenariosFailed++
		}
		s.Devices += len(sc.Devices)
		for _, e := range sc.Expectations {
			s.Expectations++
			if !e.Passed {
				s.ExpectationsFailed++
			}
		}
	}
	r.Summary = s
}

// Passed reports whether every scenario passed.
func (r *Run) Passed() bool {
	for _, s := range r.Scenarios {
		if !s.Passed {
			return false
		}
	}
	return true
}
