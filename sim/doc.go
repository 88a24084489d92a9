// Package sim models time and chance for a simulated world.
//
// It owns the one clock every simulated system reads, the event scheduler
// that advances it, the seeded random streams each component draws from, and
// the trace that records every event.
//
// Two clocks implement the Clock seam:
//
//   - Scheduler is virtual: time moves only when the next event runs, so hours
//     of simulated time pass in milliseconds. Events are ordered by (time,
//     sequence number); the sequence number is assigned when an event is
//     scheduled, so a run that schedules the same events in the same order
//     replays byte for byte.
//   - RealClock follows the wall clock (optionally sped up) for lab mode,
//     where people drive the mocks with curl, ldapsearch or the Graph SDK.
//
// Determinism rests on one rule the harness keeps: simulation callbacks run
// one at a time on the scheduler's goroutine, and a callback that talks to a
// mock over HTTP or LDAP waits for the answer before it returns. Servers
// that schedule follow-up work (an import finishing, a group re-evaluating)
// do so while the caller is blocked, so sequence numbers follow causality.
//
// Left out: wall-clock time in results, and any notion of concurrency inside
// simulated time (two events at the same instant run in scheduling order).
package sim
