package sim

import (
	"sync"
	"time"
)

// Event is one line of a trace: when, who, what, and any detail.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Step   string    `json:"step"`
	Detail string    `json:"detail,omitempty"`
}

// chunkBits sets the size of the trace's chunks (1<<chunkBits records).
const chunkBits = 12

// record is an Event as the trace keeps it: the time as seconds and
// nanoseconds (a time.Time also carries a location pointer) and the actor
// as a number. 48 bytes instead of 72: a fleet of 100,000 devices records
// millions of events and keeps them to the end of the run.
type record struct {
	sec          int64
	nsec         int32
	actor        int32
	step, detail string
}

// Trace records every event of a run in order. It is safe for concurrent
// use, though under the Scheduler records arrive one at a time.
//
// Events are kept in fixed-size chunks, so that a long trace grows without
// copying what it holds (a single slice doubling copied hundreds of MB at
// the end of a large fleet's run, with both copies alive).
type Trace struct {
	mu     sync.Mutex
	chunks [][]record
	n      int
	// actors names the actor numbers; actorIDs numbers the names.
	actors   []string
	actorIDs map[string]int32
	// byActor indexes events by actor number (positions in the trace), so
	// that For costs the actor's events, not the whole trace: a fleet's
	// results read one actor per device.
	byActor [][]int32
}

// Record appends an event.
func (t *Trace) Record(at time.Time, actor, step, detail string) {
	t.mu.Lock()
	id, ok := t.actorIDs[actor]
	if !ok {
		if t.actorIDs == nil {
			t.actorIDs = map[string]int32{}
		}
		id = int32(len(t.actors))
		t.actors = append(t.actors, actor)
		t.actorIDs[actor] = id
		t.byActor = append(t.byActor, nil)
	}
	if t.n>>chunkBits == len(t.chunks) {
		t.chunks = append(t.chunks, make([]record, 0, 1<<chunkBits))
	}
	c := &t.chunks[len(t.chunks)-1]
	*c = append(*c, record{sec: at.Unix(), nsec: int32(at.Nanosecond()), actor: id, step: step, detail: detail})
	t.byActor[id] = append(t.byActor[id], int32(t.n))
	t.n++
	t.mu.Unlock()
}

// event rebuilds the n-th event. Called with t.mu held.
func (t *Trace) event(n int) Event {
	r := &t.chunks[n>>chunkBits][n&(1<<chunkBits-1)]
	return Event{At: time.Unix(r.sec, int64(r.nsec)).UTC(), Actor: t.actors[r.actor], Step: r.step, Detail: r.detail}
}

// Events returns a copy of the events recorded so far.
func (t *Trace) Events() []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		return nil
	}
	out := make([]Event, t.n)
	for i := range out {
		out[i] = t.event(i)
	}
	return out
}

// For returns the events whose actor is actor, in order.
func (t *Trace) For(actor string) []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	id, ok := t.actorIDs[actor]
	if !ok || len(t.byActor[id]) == 0 {
		return nil
	}
	idx := t.byActor[id]
	out := make([]Event, len(idx))
	for i, n := range idx {
		out[i] = t.event(int(n))
	}
	return out
}
