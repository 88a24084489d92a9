// Package graphsdk is the official-SDK conformance suite for mockgraph.
// It is a separate Go module so that the official
// Microsoft Graph Go SDK — minutes and gigabytes to compile — never enters
// the main module's build or `go test ./...`.
//
// What it models: a real Graph client, github.com/microsoftgraph/msgraph-sdk-go
// (v1.0), pointed at an in-process lab (harness.Serve over loopback) by
// overriding the request adapter's base URL and authenticating with a token
// issued by the mock's own token endpoint (graph-api.md §13 and its
// Addendum). The specs drive every v1.0 resource mockgraph serves — groups,
// members and $ref, devices, Autopilot devices and imports, device
// configurations, managed devices — through the SDK's own request builders,
// PageIterator, model decoding (including polymorphic @odata.type dispatch)
// and ODataError mapping. The beta-only resources (deployment profiles,
// windowsDomainJoinConfiguration, domainJoinConnectors) go through raw
// net/http requests with the same token, because msgraph-beta-sdk-go is not
// served by the module proxy available to this project.
//
// What it leaves out: the beta SDK itself, azidentity/MSAL token acquisition
// against the mock (the specs use a static AccessTokenProvider, §13),
// throttling and retry behaviour (mockgraph's fault injection is exercised
// by mockgraph's own specs), and the private device/connector API.
//
// The package has no non-test code; everything lives in the _test.go files.
//
// Source IDs in comments (S1…S42, F1…F42, seed 000/004, §n) are listed with
// their public URLs in docs/SOURCES.md.
package graphsdk
