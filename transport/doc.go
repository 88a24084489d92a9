// Package transport models the wires between the simulated systems.
//
// Devices, the connector and Entra Connect reach mockgraph over HTTP and
// mockad over LDAP. The harness picks the wire: real loopback sockets (so
// curl, ldapsearch and the Graph SDK can join in), or an in-memory wire into
// the very same handlers (fast, no ports, nothing left behind). Either way
// the bytes on the wire are real HTTP/1.1 and real BER-encoded LDAP. In
// memory, LDAP runs over buffered pipes (BufferedPipe: a Write returns once
// its bytes are buffered, as a socket's does) to glauth's server, either
// through a listener it serves on a goroutine per connection
// (PipeListener) or with its loop for the connection run as a coroutine of
// the client (InlinePipe: the simulated systems' wire, without goroutine
// hand-offs); HTTP is written, parsed, served and answered on the caller's
// goroutine without a connection (MemoryTransport), in the manner of
// net/http/httptest.
//
// The client side of mockgraph's faults is here too (answer.go): the
// Autopilotsim-Latency protocol for added latency on a virtual clock, and
// the retry policy every simulated client shares.
//
// Left out: latency on the wire itself, loss and partitions. Whether a
// device can reach a DC is decided by devicesim's network model before it
// dials, not here.
package transport
