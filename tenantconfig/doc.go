// Package tenantconfig models a real tenant's configuration as far as
// Windows Autopilot user-driven Microsoft Entra hybrid join depends on it,
// read from Graph JSON, so that CI can check it (the check package) and
// simulate it (the harness, through the scenario language).
//
// Load reads a folder tree of Graph JSON whatever the file names: our own
// export (Export), an IntuneBackupAndRestore backup or an IntuneCD backup
// (JSON output). It recognises Autopilot deployment profiles (both
// subtypes), Domain Join profiles (windowsDomainJoinConfiguration),
// Enrollment Status Page configurations, custom configurations that set
// the DMClient CSP's SkipUserStatusPage, groups with their direct members,
// Autopilot devices and Intune Connectors for Active Directory, with their
// assignments whether embedded or in separate files, and group targets
// given by id or (IntuneCD) by name. Every object keeps its file and the
// line:col of each of its properties (Source), for messages and SARIF.
// Anything else is a Note, never an error; malformed JSON and duplicate
// ids are errors with path and line:col.
//
// Translate turns a Config into scenarios.Tenant, preserving creation
// order (the oldest-created profile wins,
// https://learn.microsoft.com/en-us/autopilot/profiles), and notes
// whatever the scenario language cannot express.
//
// Export pulls the same objects from Graph with an app's client
// credentials (secret or certificate) and writes one canonical JSON file
// per object, replacing the previous export whole.
//
// What it leaves out: assignment filters (read, noted, not applied),
// nested group membership (members are direct members only), users and
// their licences, Windows Hello, enrollment restrictions, apps the ESP
// waits for, scope tags, and on-premises AD (the environment is described
// separately, scenarios.LoadEnvironment). IntuneCD's YAML output is not
// read. IntuneBackupAndRestore does not back up ESP assignments, groups,
// Autopilot devices or connectors, and IntuneCD drops ids and creation
// dates: Load reads what is there and says what is missing in Notes.
package tenantconfig
