// Package entrasync simulates Microsoft Entra Connect's device writeback
// direction that hybrid join depends on: exporting domain-joined computers
// as hybrid Entra device objects (hybrid-join-behaviour.md §1 S12 and F19;
// S19, S23, S24, S26).
//
// What it models:
//   - the scheduler: a cycle every Interval (default 30 min, S23), the first
//     after FirstCycle, plus on-demand cycles (RunCycle, the script's
//     syncNow = Start-ADSyncSyncCycle -PolicyType Delta); a failing cycle
//     (DC unreachable) is recorded and the next one still runs;
//   - OU filtering: only computers under the configured scope OUs (the
//     whole domain when empty) are read (seed 000 "Requirements": the OU
//     intended for Autopilot devices must be in sync scope; S22);
//   - the userCertificate rule: Connect ≥ 1.4 "cloudfilters" computers that
//     have no valid hybrid certificate (S24): a self-signed certificate whose
//     subject CN is the device id (a GUID), valid at the simulated time;
//     such computers are counted as Filtered;
//   - the export itself, over mockgraph's private sync endpoints
//     (PRIVATE_API.md "Entra Connect export"): PUT per computer with the
//     objectGUID as onPremisesObjectId, DELETE for objects exported earlier
//     that are no longer found (moved out of scope, deleted, certificate
//     gone or expired);
//   - a faulty service (mockgraph's faults): exports go one after another;
//     a throttled or transient answer is retried after Retry-After, else a
//     backoff, at most transport.MaxRetries times (the Graph SDK's policy;
//     Connect's own is not documented, [INF]), and an answer's added
//     latency delays the next export, so a cycle may end later on the
//     clock (CycleReport.Finished); a cycle due meanwhile is skipped, and
//     RunCycle answers ErrCycleRunning, as Start-ADSyncSyncCycle refuses to
//     start while a cycle runs. Errors that remain are noted and retried
//     next cycle.
//
// What it leaves out: users and groups, the metaverse and sync rules,
// full versus delta import (each cycle reads the scope afresh and exports
// only what changed since the last successful export), the 7-day delta
// rule, staging mode, multiple forests/domains, AllowedSyncCycleInterval,
// and the attribute-level detail of the real device export.
//
// Design: decoding (objectGUID, objectSid), certificate selection and the
// per-cycle diff (Plan) are pure functions tested directly; sync.go is the
// I/O shell that runs on the simulation clock.
//
// Source IDs in comments (S1…S42, F1…F42, seed 000/004, §n) are listed with
// their public URLs in docs/SOURCES.md.
package entrasync
