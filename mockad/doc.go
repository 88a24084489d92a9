// Package mockad is a fake Active Directory domain controller over real
// LDAP. It models one AD DS domain — the domainDNS head with
// ms-DS-MachineAccountQuota, CN=Users, CN=Computers, CN=Managed Service
// Accounts, OU=Domain Controllers, OUs, users, groups, computers, managed
// service accounts, the configuration and schema partitions and the Device
// Registration SCP — and the AD rules that matter to Windows Autopilot
// hybrid join: the computer-add decision procedure of
// ms-DS-MachineAccountQuota and delegated "Create Computer objects"
// (rules-and-ad.md B.4), naming rules (B.3), AD's result codes and
// diagnostic strings (B.5), DN normalisation (B.6), the rootDSE (B.7),
// binary objectGUID/objectSid (B.8), search semantics with MaxPageSize and
// paging (B.9) and userAccountControl defaults (B.10).
//
// The Directory is the model and can be used without LDAP (the harness
// seeds and inspects it). Server puts it behind glauth's LDAP server
// library (github.com/glauth/ldap) so real clients (go-ldap, ldapsearch,
// the connector, Entra Connect) talk to it over LDAP, through a real
// socket, an in-memory transport.PipeListener, or DialInline, which runs
// glauth's loop for the connection as a coroutine of the client
// (transport.InlinePipe; the simulated systems' wire): the same bytes and
// handlers without a goroutine per connection, and a connection counts
// toward MaxConnections exactly from its dial to its client's Close. On a
// PipeListener a connection stops counting as soon as its client closes
// it (Server.forgetHungUp), so admission does not depend on when the Go
// scheduler runs the closed connection's goroutine.
//
// # The diagnostic seam
//
// glauth's server always sends LDAPResultCodeMap[code] as the diagnostic
// message, never a matchedDN, closes the connection when a Search handler
// returns an error, ignores a search result's ResultCode, round-trips the
// search filter through a lossy string form (extensible matches such as
// userAccountControl:1.2.840.113556.1.4.803:=2 turn into "()" and fail to
// compile, so the handler is never called and the connection closes; only
// the first substring component survives; values are not re-escaped, so
// (cn=\28x\29) fails to compile too), keeps AddRequest and
// ModifyDNRequest fields unexported, and closes the connection on Abandon.
// AD clients need AD's exact texts (the connector parses the leading Win32
// code, e.g. 0000216D for the quota) and non-fatal codes like
// sizeLimitExceeded.
//
// We solve this without forking glauth: Serve wraps the net.Listener so
// every accepted connection is a *seamConn, and glauth passes that conn to
// every handler. On the way in, seamConn reads whole LDAPMessages, keeps
// the decoded request as the connection's current request (glauth handles
// one request at a time per connection, so the handler being called is
// always for the last message read), replaces a SearchRequest's filter by
// (objectClass=*) and drops its controls before glauth sees them, and
// swallows AbandonRequest. Handlers decode the operation from the BER the
// client sent, run it against the Directory and record a pending result
// (code, diagnosticMessage, matchedDN and, for searches, the response
// controls) on the conn. On the way out, seamConn.Write decodes each
// packet glauth writes and rewrites the next LDAPResult-bearing response
// (Bind/Add/Modify/Del/ModifyDN/Compare/Extended response or
// SearchResultDone) with it. Search handlers never return an error to
// glauth; a failed search is an empty result whose SearchResultDone the
// seam rewrites. A search's entries are written by the seam itself, in the
// bytes glauth's encoder would write, and glauth is handed the search
// without its attribute list (which it does not read with EnforceLDAP
// off): glauth's BER library copies every value again at each level of a
// message, and these were a tenth of the bytes a fleet allocated
// (leanwrite.go, checked against glauth's own output). StartTLS is handled the same way: the handler marks the
// conn, and after the ExtendedResponse is written in clear the conn swaps
// its inner connection for a tls.Server, below the seam, so the seam keeps
// seeing clear BER.
//
// # What is left out
//
// No Kerberos/NTLM/SASL binds (simple binds only), no real security
// descriptors (delegations are a list of ACE-like grants: createComputer,
// deleteComputer, fullControl, this object or descendants), no
// replication, no global catalog, no range retrieval, no in-chain matching
// rule, no time limits. LDIF import/export (ImportLDIF, ExportLDIF) and a
// glauth handler.Handler adapter (GlauthHandler, less faithful: no seam)
// are provided. COVERAGE.md lists emulated behaviours and known
// differences from AD.
//
// Source IDs in comments (S1…S42, F1…F42, seed 000/004, §n) are listed with
// their public URLs in docs/SOURCES.md.
package mockad
