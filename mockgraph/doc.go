// Package mockgraph is a simulated Microsoft tenant: Entra ID, Intune and
// the Windows Autopilot service, served over HTTP the way Microsoft Graph
// serves them, plus the private channels devices, the Intune Connector for
// AD and Entra Connect use (PRIVATE_API.md).
//
// Layout (after moto): the tenant STATE is a store of typed entities
// (store.go); the HTTP RESPONSES — Graph JSON shapes, the two error
// envelopes, OData paging — are in responses.go and collection.go; the
// ROUTES (gorilla/mux) are in routes.go and the h_*.go handlers; the
// ENGINES that run on the simulation clock are engine_import.go (import
// processing), engine_groups.go (dynamic membership), engine_assign.go
// (profile, Domain Join and ESP resolution, assignment status),
// engine_convert.go ("Convert all targeted devices") and the ODJ queue in
// h_private.go. Every timestamp comes from Config.Clock, every id
// from Config.Rand. OData $filter/$orderby/$select parsing lives in
// mockgraph/odata; dynamic membership rules in mockgraph/rules.
//
// What it models: client-credentials tokens (RS256, JWKS, discovery) and
// per-endpoint application permissions; Autopilot registration through
// importedWindowsAutopilotDeviceIdentities with DDS error codes, creating
// the Entra object that carries [ZTDID]/[OrderId]/[PurchaseOrderId];
// deployment profiles (beta) and their group/exclusion/All-devices
// assignments with oldest-wins resolution and the Assigning window;
// "Convert all targeted devices" registering enrolled corporate devices
// within its seeded delay (at most 48 h by default, seed 000); Domain
// Join and ESP configurations; assigned and dynamic groups; Entra devices;
// managed devices; domainJoinConnectors with heartbeat-derived state; the
// ODJ request queue with retries; Entra Connect export and DRS
// registration; fault injection (429/5xx) and added latency per path
// pattern (Config.RealTimeLatency says how latency is applied), Intune's
// per-tenant/per-app request budgets (optional), and a request log that
// records whether clients honoured Retry-After. Also: the Intune record and
// stale hybrid object a reused device's earlier deployment left, and the
// refusal of its user-less re-enrollment (h_history.go, F26); Conditional
// Access policies (/identity/conditionalAccess/policies) and their decision
// for a hybrid device's sign-in, with the hybrid device ID's compliance N/A
// until the user signs in (conditional_access.go, h_signin.go, F36).
//
// It also answers the directory queries the official SDK sends: $search
// (search.go, with ConsistencyLevel), /$count, members/$ref GET and DELETE
// by @id, $expand=members on a group, and the graph.group casts; and
// "Convert all targeted devices" (engine_convert.go).
//
// For a lab that keeps its state on disk: Config.Intercept sees each
// request that passed the faults (the lab runs clients' writes on its clock
// and journals them), ServeReplay serves a recorded request again without
// faults or throttling, and Config.TokenIDsApart keeps token fetches from
// shifting entity ids (replay.go).
//
// What it leaves out: users, licences and delegated (user) tokens; real
// certificates on the private channels; $expand beyond group members and
// the Autopilot profile expansions; the hardware-hash length check; nested
// groups in the assignment engines (the Graph transitive navigations do
// follow them). COVERAGE.md has the detail.
//
// Source IDs in comments (S1…S42, F1…F42, seed 000/004, §n) are listed with
// their public URLs in docs/SOURCES.md.
package mockgraph
