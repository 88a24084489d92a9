// Package sink writes a run's results as its scenarios finish: results.json
// and devices.jsonl a scenario at a time, report.html's compact form of each
// device, and, once the run is over, the summary, junit.xml and the report
// page. Each scenario's device results are then cut to what the console
// summary and junit.xml still read (results.DeviceResult.Brief), so a suite
// holds the full results of the scenarios not yet written (running, or
// finished while an earlier one still runs: results keep the scenarios'
// order), not of every scenario it has run.
//
// The files are the bytes results.WriteDir and report.WriteFile write for
// the same run with its full results (specs in sink_test.go). results.json,
// junit.xml and report.html are written to temporary files in the folder
// and renamed over the old ones when the run is closed, so a reader sees
// the previous complete file or the new one; devices.jsonl, a stream for
// tools, is written in place as scenarios finish.
//
// Left out: merge reads whole shard results and writes with
// results.WriteDir and report.WriteFile, holding the merged run.
package sink
