// Package results models what happened in a run and writes it down.
//
// A Run holds one ScenarioResult per scenario: each device's outcome, the
// stage and documented error code where it failed, its computer name and
// distinguished name, how many Entra device objects it has, and its
// timeline, the Windows event log entries and dsregcmd state it would show,
// and for a device that did not join an Explanation (filled by package
// diagnosis); and each expectation with whether it held and which devices
// did not match. Writers render a Run as results.json (the documented,
// stable shape; RESULTS.md), JUnit XML (one suite per scenario, one test
// case per expectation, failures carrying the devices' explanations, for CI
// dashboards) and a plain-text summary table. ExplainLine and FixLine put
// an explanation in a line, for consoles and JUnit alike.
//
// Nothing here reads the wall clock: every time is virtual, so the same
// scenarios and seed give byte-identical files.
//
// Left out for now: SARIF and the HTML timeline report (docs/DESIGN.md: the report package, later).
package results
