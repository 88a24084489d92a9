// Package results models what happened in a run and writes it down.
//
// A Run holds one ScenarioResult per scenario: each device's outcome, the
// stage and documented error code where it failed, its computer name and
// distinguished name, how many Entra device objects it has, and its
// timeline; and each expectation with whether it held. Writers render a Run
// as results.json (the documented, stable shape; RESULTS.md), JUnit XML (one
// test case per expectation, for CI systems) and a plain-text summary table.
//
// Nothing here reads the wall clock: every time is virtual, so the same
// scenarios and seed give byte-identical files.
//
// Left out for now: SARIF and the HTML timeline report (design.md, later).
package results
