// Command autopilotsim runs Windows Autopilot hybrid-join scenarios against
// the embedded mock services, and serves those mocks on real ports.
//
//	autopilotsim run [--out DIR] [--seed N] [--wire memory|loopback] PATH...
//	autopilotsim validate PATH...
//	autopilotsim serve --scenario FILE [--graph ADDR] [--ldap ADDR] [--speed X] [--seed N]
//	                   [--fault SPEC]... [--intune-throttling] [--start now|epoch|TIME] [--tls-cert FILE]
//
// run executes scenario files or folders, prints a summary table and writes
// DIR/results.json and DIR/junit.xml (default DIR test-results). It exits 0
// when every expectation holds, 1 when one fails, 2 on invalid input.
// validate only loads and checks scenarios (exit 0 or 2). serve starts
// mockgraph and mockad seeded from a scenario's environment and tenant,
// prints their addresses and runs until interrupted, so curl, ldapsearch
// and the Microsoft Graph SDK can talk to them.
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
package main
