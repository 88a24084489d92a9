// Package scenarios is the scenario language of autopilotsim: a YAML file
// that describes an on-premises environment (AD domains, OUs, quota,
// delegations, Intune Connectors, Entra Connect, networks), a tenant
// (groups, Autopilot deployment profiles, Domain Join profiles, ESP), how
// the cloud misbehaves (graph: faults, throttling, latency), a fleet of
// devices, a script of timed actions and the expected outcomes. ParseFault
// reads a fault in the serve command's --fault form.
//
// Load, LoadBytes and LoadPaths decode strictly through yaml.Node: unknown
// keys, wrong types, bare numbers where a duration belongs and bad enum
// values are errors carrying file:line:col and the YAML path
// ("devices[1].vpn"), all collected into one Errors value. Defaults live in
// one place (Defaults) and are documented, with their sources, in
// README.md. Validate checks cross-references (networks, domains, groups,
// profiles, connectors), naming rules (prefix + random characters = 15,
// S1/S29) and device selectors; rules that a scenario may break on purpose
// to show the failure (a Domain Join profile OU of CN=Computers, a quoted
// OU, an OU without DC= parts: seed 000 "Create and assign a Domain Join
// profile") are Warnings instead. ExpandDevices turns batches into
// concrete devices and Select applies a device selector. LoadEnvironment
// reads an environment kept in its own file (a scenario's environment key
// at the top level) with the same decoder, defaults and checks.
//
// What it leaves out: the package only describes a world; it runs nothing
// (the harness does). It does not parse dynamic membership rules (mockgraph
// does, and reports errors at run time), does not check that OUs named in
// delegations are also declared, and does not know which deployment profile
// a device will receive: that is the simulation's job.
//
// Source IDs in comments (S1…S42, F1…F42, seed 000/004, §n) are listed with
// their public URLs in docs/SOURCES.md.
package scenarios
