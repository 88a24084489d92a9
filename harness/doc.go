// Package harness runs scenarios: it builds a world from a scenario, runs the
// script and the devices on one virtual clock, and checks the expectations.
//
// A world is one mockgraph tenant, one mockad domain controller per AD
// domain, an Intune Connector per scenario connector, Entra Connect, and the
// devices. The harness wires them the way the real systems are wired: the
// simulated systems never call each other's Go code. Devices, the connector
// and sync reach mockgraph over HTTP and mockad over LDAP, through the wire
// the harness picks (Options.Wire): in-memory pipes (fast, the default) or
// loopback sockets. Both carry the same bytes into the same handlers, and the
// end-to-end suite checks they give identical results.
//
// The tenant is set up the way an admin sets it up: the harness signs in
// with client credentials and calls Graph (groups, device import, deployment
// profiles and their assignments, the Domain Join profile, ESP) at the
// virtual times the scenario gives, before T0 (SetupLead, default 24h).
// Like a script, the admin honours Retry-After and waits for slow answers
// (the scenario's graph faults): a step that must wait runs again later on
// the clock with the answers it already has replayed (admin.go), and the
// admin's later steps queue behind it.
//
// What the scenario sets up that the mocks refuse (a 4xx answer to the
// admin, mockad refusing a declared OU or account) is invalid input, not a
// failure: the error is a *SetupError at the object's file, line and YAML
// path (tenant.groups[2].membershipRule), with the cloud's message in words
// (*GraphError, Graph's error JSON unescaped), wrapped in an *InvalidError.
// Execute returns those beside the results; CheckSetup performs the set-up
// alone, devices off (autopilotsim validate). Options.Progress hears of each
// finished device for a progress display; it never touches the results.
//
// The harness reads mockgraph's and mockad's state directly only to write
// results (how many Entra objects a device has, where its computer object
// is), never to drive the simulation.
//
// Lab mode: Serve builds the world on real ports with a real-time clock;
// labops.go holds the operations a running lab offers (power on, reset, add
// a device, connector down/up, clock controls, a state view), each run on
// the clock. Package lab puts the console and control API on top.
// ServeOptions.State (state.go, replay.go) keeps a lab's state on disk:
// external changes run on the clock in lockstep and are journaled
// (package labstate) before their answer; a restart rebuilds the world and
// replays the journal in virtual time, refusing it when an answer differs.
//
// Left out: the Graph SDK conformance suite (its own module).
package harness
