// Package labstate is the on-disk form of a training lab's state (serve
// --state-dir): a write-ahead journal of every acknowledged change and
// snapshot files, both made of CRC-framed records after a versioned header.
//
// What it models: nothing simulated. The lab's world is deterministic (a
// scenario, a seed and a virtual clock), so its state is the scenario plus
// the external inputs that changed it, each with the virtual time it ran
// at: Graph writes of trainees and scripts, LDAP writes, and the lab's own
// operations (power on, reset, add device, connector down/up, clock
// changes). Package harness journals each one before the client gets its
// answer and, on restart, rebuilds the world from the scenario and replays
// the journal in virtual time, checking the recorded statuses and ids.
//
// Format (version 1, little-endian):
//
//	header  8-byte magic ("APSJRNL\x00" journal, "APSSNAP\x00" snapshot), uint32 version
//	frame   uint32 payload length, uint32 CRC-32C of the payload, payload (one JSON Record)
//
// The first record is the meta record (scenario, its SHA-256, seed, T0,
// the token signing key). Bounds: a record is at most MaxRecord (8 MiB), a
// journal at most MaxJournal (1 GiB); past that, Append refuses and the
// lab answers the change with an error (save a snapshot, reset).
//
// Crash safety: Append writes one frame and fsyncs the file before it
// returns; a crash mid-write leaves a torn last frame (short, or its CRC
// does not match and nothing follows), which Open truncates. A bad frame
// with data after it is corruption, not a torn write: Open refuses it
// rather than drop acknowledged changes. A new file (journal, snapshot,
// restore) is written to a temporary name, fsynced, renamed and the
// directory fsynced. Files are 0600, directories 0700; Open takes an
// exclusive lock (flock on DIR/LOCK) so two labs never share a directory.
//
// Time: records go forward in time (Append refuses and Open reports an
// earlier record as ErrCorrupt). Package harness also journals the lab's
// clock every 24 h of lab time and refuses to replay a journal with two
// records further apart, so a damaged time cannot make a restart run for
// years of simulated events.
//
// Left out: compaction (the journal only grows until a reset; replay time
// grows with the lab's age, about 0.45 s a lab day for the lab world:
// BenchmarkRestart in package lab), encryption at rest (the journal holds what clients sent,
// including bearer tokens and LDAP passwords; the files are readable by
// their owner only), and locking on systems without flock.
package labstate
