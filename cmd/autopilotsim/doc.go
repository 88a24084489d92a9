// Command autopilotsim runs Windows Autopilot hybrid-join scenarios against
// the embedded mock services, and serves those mocks on real ports.
//
//	autopilotsim run [--out DIR] [--seed N] [--wire memory|loopback] PATH...
//	autopilotsim validate PATH...
//	autopilotsim serve --scenario FILE [--graph ADDR] [--ldap ADDR] [--speed X]
//
// run executes scenario files or folders, prints a summary table and writes
// DIR/results.json and DIR/junit.xml (default DIR test-results). It exits 0
// when every expectation holds, 1 when one fails, 2 on invalid input.
// validate only loads and checks scenarios (exit 0 or 2). serve starts
// mockgraph and mockad seeded from a scenario's environment and tenant,
// prints their addresses and runs until interrupted, so curl, ldapsearch
// and the Microsoft Graph SDK can talk to them.
package main
