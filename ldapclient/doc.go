// Package ldapclient is the LDAP client the simulated Windows systems use to
// reach a domain controller: the Intune Connector's
// NetProvisionComputerAccount (bind, add the computer, read the rootDSE),
// the device's DC checks and its userCertificate write, and Entra Connect's
// read of its sync scope.
//
// It speaks LDAPv3 (RFC 4511) over any net.Conn, with StartTLS (RFC 4511
// §4.14) and the simple paged results control (RFC 2696), and takes and
// returns go-ldap's request, result and error types, so its callers read
// like go-ldap callers and its errors read as go-ldap's do ("LDAP Result
// Code 68 "Entry Already Exists": …", ldap.IsErrorWithCode). A request
// is the bytes go-ldap writes for it, byte for byte (ldapclient's
// conformance spec compares them).
//
// Why not go-ldap's own client: it runs two goroutines per connection that
// hand every message over channels, reads through a BER library that
// allocates a tree of packets for every message and 512 bytes for every
// value, and annotates each packet with descriptions. A fleet opens about
// four connections a device; at 10,000 devices go-ldap's client was about a
// tenth of the CPU and a fifth of the bytes allocated (docs/SCALE.md).
// Windows' own client (wldap32) is neither, so nothing of the simulation's
// fidelity rests on go-ldap's client; the server side stays glauth.
//
// What it models: one request at a time on a connection, answered in order
// (what the simulated callers do); message IDs from 1; a per-request timeout
// (SetTimeout) as the read deadline of its answer; StartTLS only with no
// request outstanding; search result entries, references and the done
// message with its controls; the paged-results loop of go-ldap's
// SearchWithPaging.
//
// What it leaves out: several requests in flight on one connection, unbind,
// abandon, SASL binds, intermediate responses, unsolicited notifications
// (a message with ID 0 ends the connection), and referral chasing
// (references are returned, as go-ldap returns them).
//
// Bounds: an answer is read whole into a buffer that the connection keeps
// for the next one; an answer longer than MaxMessage bytes ends the
// connection with an error instead of being read.
package ldapclient
