// Package lab runs a training lab: the scenario's world on real ports
// (package harness builds it and replays the admin's set-up), with a web
// console, a control API, and health and readiness endpoints, so a trainer
// and trainees can watch the devices and drive the world.
//
// One set of operations changes the world: harness.Lab's PowerOn,
// ResetDevice, AddDevice, SetConnector, Pause, Resume, SetSpeed and
// Advance. The control API (api.go, CONTROL_API.md) calls them; the console
// (console/, embedded in the binary, no CDN) calls the control API; the
// `autopilotsim lab` commands call the control API. A scenario's script
// reaches the same world functions. Each operation runs on the lab's clock
// as an event due now, and returns once it has run.
//
// Authentication: a Graph access token of the lab's admin app (role
// DeviceManagementServiceConfig.ReadWrite.All, the role mockgraph's own
// admin routes want), or the console key the lab prints (random per lab,
// from crypto/rand), as `Authorization: Bearer …` or, for the console's
// event stream, `?key=`. /healthz and /readyz need none.
//
// Time: tokens live 3599 s on the wall clock at any --speed (the simulated
// lifetime is scaled by the speed; mockgraph Config.TokenClockScale);
// Pause stops simulated time while servers keep answering.
//
// Layering: cmd/autopilotsim → lab → harness. harness.Serve still builds
// the world on real ports (the world's types are harness's own); lab owns
// everything people see and drive.
//
// State on disk (Options.StateDir, serve --state-dir): the lab locks the
// directory and hands its journal to harness, which journals every
// external change and replays the journal on start (package labstate for
// the format, harness/state.go for what is journaled). Save, list and
// export are control API calls on the running lab (snapshots.go); restore,
// reset and import replace the journal, so the CLI does them on a stopped
// lab's directory: rebuilding the world under running clients is left out.
// Also left out: the console on the Graph port (it has its own address,
// --ui), and journal compaction (replay time grows with the journal).
package lab
