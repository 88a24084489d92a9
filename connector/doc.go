// Package connector simulates the Intune Connector for Active Directory (the
// "ODJ connector"), in its updated, managed-service-account form (S2).
//
// What it models (hybrid-join-behaviour.md §1 S7 and §4; rules-and-ad.md
// PART B):
//   - the service's outbound channel to Intune: a heartbeat (which registers
//     the connector and keeps its Graph state "active", S27) and a claim loop
//     that picks up pending ODJ requests for its own domain at a configurable
//     pickup latency (UNCERTAIN, S39 / §6.1), using the private endpoints of
//     mockgraph/PRIVATE_API.md;
//   - NetProvisionComputerAccount (S33) reduced to what reaches the wire: a
//     simple LDAP bind as the MSA (NETBIOS\msaODJxxxxx$) and one computer
//     add in the profile's OU, or CN=Computers when the OU is empty (S4);
//     the name is the profile prefix plus random A–Z0–9 characters to 15 in
//     total (S1, S29); the machine password is random and unique;
//   - the opaque blob handed back to the service (PRIVATE_API.md: base64 of
//     JSON with domain, NetBIOS name, computer name, DN, password, DC name);
//   - failures as the real connector logs them: event 30132
//     RequestOfflineDomainJoinBlob_Failure with the JSON "Metric" payload of
//     S10, its ErrorCode being the Win32 code NetProvisionComputerAccount
//     would return (the AD diagnostic's leading hex, else wldap32's
//     LdapMapErrorToWin32 table), and a failure result to the service, which
//     owns the retry policy (S10 RetryCount, UNCERTAIN);
//   - a faulty service (mockgraph's faults): a throttled or transient answer
//     to a heartbeat, claim or result upload is retried on the clock after
//     Retry-After, else a backoff, at most transport.MaxRetries times in a
//     row (the Graph SDK's policy; the connector's own is not documented,
//     [INF]); an answer's added latency delays what follows it (claimed
//     work starts when the claim's answer arrives, the next claim waits for
//     the uploads' answers).
//
// What it leaves out: the legacy (Local System) connector, the enrollment
// wizard and the OU list of ODJConnectorEnrollmentWizard.exe.config (the
// directory's delegations decide what the MSA may do), proxies beyond
// "configured or not" (Config.ProxyUnset: no route to Intune, F21; the
// memory growth behind a proxy, F39, is not modelled), DC location beyond
// "a writable DC is reachable or not" (Config.OnlyReadOnlyDC, F41),
// Kerberos signing and sealing (the real connector's session is protected;
// here Config.LDAPTLS runs StartTLS as the stand-in, and without it the
// password travels over plain LDAP, which a directory requiring protected
// password writes refuses), the real binary blob format (ODJ_PROVISION_DATA), and the connector updater.
// The OU value is not validated beyond what the real connector does: it is
// passed to the DC as the parent DN, so bad values fail the way the
// directory refuses them: F7 (OU=Mine without DC parts, a quoted value) gets
// noSuchObject / invalidDNSyntax from the DC. F6 (CN=Computers given as an
// OU) is refused by the seed article ("a container can't be specified") but
// where that refusal happens is UNCERTAIN: an AD DC itself accepts a
// computer under CN=Computers. The connector refuses it with event 30132
// (ERROR_INVALID_PARAMETER, [INF]) unless Config.AcceptContainerOU, so the
// device ends as the article says (no blob), never joined into a container
// the article calls invalid.
//
// Design: the protocol decisions (naming, DN building, error mapping, event
// payloads, blob) are pure functions in naming.go, win32.go, events.go and
// blob.go, tested directly; connector.go is the thin I/O shell that runs on
// the simulation clock (every activity is a sim.Clock callback that performs
// its HTTP and LDAP calls synchronously and schedules the next one).
//
// Source IDs in comments (S1…S42, F1…F42, seed 000/004, §n) are listed with
// their public URLs in docs/SOURCES.md.
package connector
