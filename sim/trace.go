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

// Trace records every event of a run in order. It is safe for concurrent
// use, though under the Scheduler records arrive one at a time.
type Trace struct {
	mu     sync.Mutex
	events []Event
}

// Record appends an event.
func (t *Trace) Record(at time.Time, actor, step, detail string) {
	t.mu.Lock()
	t.events = append(t.events, Event{At: at.UTC(), Actor: actor, Step: step, Detail: detail})
	t.mu.Unlock()
}

// Events returns a copy of the events recorded so far.
func (t *Trace) Events() []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Event(nil), t.events...)
}

// For returns the events whose actor is actor, in order.
func (t *Trace) For(actor string) []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Event
	for _, e := range t.events {
		if e.Actor == actor {
			out = append(out, e)
		}
	}
	return out
}
