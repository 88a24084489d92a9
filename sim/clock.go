package sim

import (
	"sync"
	"time"
)

// Epoch is the virtual instant every scenario starts at unless it says
// otherwise. A fixed epoch keeps timestamps in results reproducible.
var Epoch = time.Date(2026, time.January, 5, 8, 0, 0, 0, time.UTC)

// Clock is the seam every simulated system reads time through and schedules
// follow-up work on. Implementations run callbacks one at a time.
type Clock interface {
	// Now returns the current (virtual or real) time.
	Now() time.Time
	// AfterFunc runs fn once, d from now. actor and step name the event in
	// the trace so a timeline can say who did what.
	AfterFunc(d time.Duration, actor, step string, fn func()) Timer
}

// Timer cancels a scheduled callback.
type Timer interface {
	// Stop prevents the callback from running; it reports whether it did.
	Stop() bool
}

// RealClock is the lab-mode clock: wall time, optionally sped up by Speed
// (2 = simulated time runs twice as fast), anchored at Start. Callbacks are
// serialised by a mutex so the systems see the same one-at-a-time execution
// as under the Scheduler.
type RealClock struct {
	Start time.Time // simulated time at construction
	Speed float64   // 1 when zero

	mu     sync.Mutex // serialises callbacks
	origin time.Time  // wall time at construction
	trace  *Trace
}

// NewRealClock returns a real-time clock starting at start (Epoch when zero)
// that records events in trace (which may be nil).
func NewRealClock(start time.Time, speed float64, trace *Trace) *RealClock {
	if start.IsZero() {
		start = time.Now().UTC()
	}
	if speed <= 0 {
		speed = 1
	}
	return &RealClock{Start: start, Speed: speed, origin: time.Now(), trace: trace}
}

// Now implements Clock.
func (c *RealClock) Now() time.Time {
	elapsed := time.Since(c.origin)
	return c.Start.Add(time.Duration(float64(elapsed) * c.Speed)).UTC()
}

// AfterFunc implements Clock.
func (c *RealClock) AfterFunc(d time.Duration, actor, step string, fn func()) Timer {
	wall := time.Duration(float64(d) / c.Speed)
	return time.AfterFunc(wall, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.trace != nil {
			c.trace.Record(c.Now(), actor, step, "")
		}
		fn()
	})
}
