package check

import (
	"fmt"

	"github.com/autopilotsim/autopilotsim/results"
)

// Run is the head configuration's cohorts as a simulation run, for the
// HTML report (package report): one scenario per cohort, with its device's
// timeline, explanation, Windows events and dsregcmd state. A cohort has no
// expectation of its own (an Entra-joined cohort may be what the tenant
// wants); with a base, a changed cohort carries one, "no regression against
// the base configuration", which fails for a regression.
func (r *Report) Run() *results.Run {
	changes := map[string]CohortChange{}
	for _, c := range r.Changes {
		changes[c.Key] = c
	}
	run := &results.Run{Scenarios: []results.ScenarioResult{}}
	for _, c := range r.Cohorts {
		if c.World == nil {
			continue
		}
		sc := *c.World
		sc.Expectations = []results.ExpectationResult{}
		sc.Passed = sc.Error == ""
		if ch, ok := changes[c.Key]; ok {
			e := results.ExpectationResult{
				Description: "no regression against the base configuration",
				Passed:      ch.Kind != Regression,
				Detail:      fmt.Sprintf("%s: base %s, head %s", ch.Kind, ch.Base.outcomeText(), ch.Head.outcomeText()),
			}
			sc.Expectations = append(sc.Expectations, e)
			sc.Passed = sc.Passed && e.Passed
		}
		run.Scenarios = append(run.Scenarios, sc)
	}
	run.Summarise()
	return run
}

// outcomeText is "failed at odjBlobWait 80070774" or "hybridJoined".
func (c CohortResult) outcomeText() string {
	s := c.Outcome
	if c.FailedStage != "" {
		s += " at " + c.FailedStage
	}
	if c.ErrorCode != "" {
		s += " " + c.ErrorCode
	}
	return s
}
