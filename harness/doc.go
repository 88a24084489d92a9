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
// The harness reads mockgraph's and mockad's state directly only to write
// results (how many Entra objects a device has, where its computer object
// is), never to drive the simulation.
//
// Left out: the Graph SDK conformance suite (its own module), lab mode with a
// sped-up real clock beyond `serve`.
package harness
