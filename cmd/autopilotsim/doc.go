// Command autopilotsim runs Windows Autopilot hybrid-join scenarios against
// the embedded mock services, explains their outcomes, and serves those
// mocks on real ports.
//
//	autopilotsim run [--out DIR] [--seed N] [--wire memory|loopback] [-q|-v] [--progress MODE]
//	                 [--parallel N] [--timeline all|failed|none] [--jsonl] [--shard I/N] PATH...
//	autopilotsim merge [--out DIR] SHARD_DIR...
//	autopilotsim validate PATH...
//	autopilotsim explain [--results FILE] [--scenario NAME] SERIAL
//	autopilotsim export --tenant T --client-id ID (--client-secret S | --client-cert F) --out DIR [--graph URL]
//	autopilotsim check --config DIR --env FILE [--base DIR] [--cohorts FILE] [--format LIST] [--out DIR]
//	                   [--fail-on error|warning|note] [--seed N] [--parallel N]
//	autopilotsim serve --scenario FILE [--graph ADDR] [--ldap ADDR] [--speed X] [--seed N]
//	                   [--fault SPEC]... [--intune-throttling] [--start now|epoch|TIME] [--tls-cert FILE]
//	autopilotsim version
//	autopilotsim help [COMMAND]
//	autopilotsim completion bash|zsh|fish|powershell
//
// The commands are github.com/spf13/cobra commands: COMMAND --help (or -h)
// prints a command's purpose, flags with defaults, exit codes and examples.
// Every command exits 0 when all is well, 1 when an expectation failed (or
// a blocking finding, or a lab stopped on an error), 2 on invalid input:
// an unknown command or flag (with a hint), a bad value, a scenario problem
// at file:line. Go-style single-dash long flags (-out DIR) still work.
//
// run executes scenario files or folders, prints a summary table with each
// failed expectation's devices explained (package diagnosis, through
// results.ExplainLine), shows progress on stderr (a bar on a terminal,
// plain lines otherwise), and writes DIR/results.json, DIR/junit.xml and
// DIR/report.html (default DIR test-results). What a scenario sets up that
// the mocks refuse is invalid input (harness.Execute, harness.SetupError).
// validate loads scenarios and performs their set-up without devices
// (harness.CheckSetup). explain prints one device's story from a
// results.json. export writes a tenant's configuration from Graph
// (tenantconfig.Export; the secret also from AUTOPILOTSIM_CLIENT_SECRET);
// check gates a configuration (package check). serve starts mockgraph and mockad seeded from a scenario's
// environment and tenant, prints their addresses and runs until
// interrupted, so curl, ldapsearch and the Microsoft Graph SDK can talk to
// them.
//
// serve's --fault adds a cloud fault (repeatable) to the scenario's
// graph.faults, ahead of them: SPEC is comma-separated key=value pairs with
// the same keys and rules (path, method, status, p or probability, count,
// retryAfter, latency, jitter; see scenarios/README.md "graph"), e.g.
//
//	--fault 'path=^/beta/deviceManagement/,status=429,p=0.2,retryAfter=5s'
//	--fault 'path=^/v1.0/groups,latency=2s'
//
// A bad SPEC exits 2 with what is wrong. Added latency holds a client's
// answer back on the lab clock (scaled by --speed). --intune-throttling
// enforces Intune's request budgets on /deviceManagement.
//
// --start sets T0 of the lab's clock: now (default: the wall clock, so
// clients that sign client assertions with it fit), epoch (2026-01-05T08:00Z,
// the T0 of runs) or an RFC 3339 time. --tls-cert FILE serves mockgraph over
// https with a self-signed certificate for loopback and writes it to FILE
// (clients such as azidentity refuse a plain-http authority).
//
// The command only parses flags and maps outcomes to exit codes; what it
// prints is package console (internal), what it runs is package harness.
package main
