// Package report writes a run's results as one self-contained HTML page,
// report.html beside results.json, for the people who read verdicts: a QA
// engineer, an admin reviewing a pull request, a trainee in a lab.
//
// The page has the run's verdict and counts; per scenario its expectations
// and whether each held; per device its outcome, and for a device that did
// not get where it should, the stage, the error code with its meaning, the
// likely cause, the fix and a link to the public Microsoft documentation
// (results.Explanation, filled by package diagnosis; without one the page
// shows the stage, code and detail). A device's panel lists its facts, its
// Entra objects, local administrators and Conditional Access's
// decisions among them. Each device's timeline is drawn on demand as SVG
// swim lanes: the device, Intune / Autopilot, the connector,
// Active Directory and Entra Connect (lanes.go maps the timeline's actors and
// steps to lanes), with the stages and waits as bars, the failure point
// marked, on the simulated clock. Below it, the device's Windows events as
// Event Viewer lists them and its `dsregcmd /status` state, when the results
// have them. Devices can be filtered by outcome and searched by serial.
//
// Size: identical devices (same outcome, stage, code, explanation, profile
// and sequence of steps) form one group, rendered once; the per-device data
// is embedded as JSON with a string table, and each device's own values
// (serial, computer name, GUIDs) are cut out of its strings; its timeline
// and events are the group's templates plus its time deltas and how often
// one repeats. A device costs under half a kilobyte, and the page's script
// draws serials a page at a time and timelines only when opened. With the
// diagnosis, the catalogue's report (94 devices) is about 280 KB, the
// 1,000-device fleet's about 410 KB (see README.md).
//
// The page stands alone: CSS and script inline, no fonts, images or scripts
// from anywhere, opens from file://. Everything from the results is escaped
// by html/template or set as text by the script, never parsed as markup. The
// same results give the same bytes: no wall clock, no map order.
//
// Left out: a per-request view of the mocks' traffic, and anything beyond
// grouping for 100,000-device fleets: every device's timeline is still
// embedded, so the page grows linearly: about 4 MB at 10,000 devices, 41 MB
// at 100,000 with every timeline (16 MB as run --timeline failed writes it),
// which headless chromium opens in about 3 s and searches in under half a
// second (make report-scale, scale_browser_test.go; docs/SCALE.md).
package report
