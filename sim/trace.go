package sim

import (
	"sync"
	"time"
	"unsafe"
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

// The byte chunks that hold the events' details start at firstText bytes
// and double up to textChunk (a small world's trace stays small); a detail
// longer than the next chunk gets a chunk of its own size.
const (
	firstText = 1 << 10
	textChunk = 256 << 10
)

// record is an Event as the trace keeps it, with no pointers in it: the time
// as seconds and nanoseconds (a time.Time also carries a location pointer),
// the actor and the step as numbers, and the detail as a place in the
// trace's text chunks. 32 bytes, which the collector never scans: a fleet of
// 100,000 devices records millions of events and keeps them to the end of
// the run, and the marking of a heap of strings (48 bytes a record before,
// plus each detail's own allocation) was what grew the collector's cost per
// device with the fleet (docs/SCALE.md, "Why CPU per device is not flat").
type record struct {
	sec         int64
	nsec        int32
	actor, step int32
	detail      span
}

// Trace records every event of a run in order. It is safe for concurrent
// use, though under the Scheduler records arrive one at a time.
//
// Events are kept in fixed-size chunks, so that a long trace grows without
// copying what it holds (a single slice doubling copied hundreds of MB at
// the end of a large fleet's run, with both copies alive).
//
// Bound: a trace holds every event of the run until it is dropped, 32
// bytes a record plus its detail's bytes; the run's duration and its
// scheduler's event cap bound how many there are.
type Trace struct {
	mu     sync.Mutex
	chunks [][]record
	n      int
	// actors and steps name the numbers records hold; actorIDs and stepIDs
	// number the names.
	actors, steps     []string
	actorIDs, stepIDs map[string]int32
	// last is the actor of the last record, whose number 44 % of a
	// fleet's records reuse (an event's several records, a device's steps
	// in a row): a lookup in a map of every actor, 200,000 and more in a
	// large fleet, is a cache miss.
	last   string
	lastID int32
	// texts holds the details' bytes, appended and never changed, so that
	// a detail read back can point into them.
	texts [][]byte
	// byActor indexes events by actor number (positions in the trace), so
	// that For costs the actor's events, not the whole trace: a fleet's
	// results read one actor per device.
	byActor [][]int32
	// recent holds, by step number, the last few details kept for that
	// step, so that a detail every device repeats word for word (about
	// half the bytes of a fleet's device timelines) is kept once.
	recent [][recentDetails]span
}

// recentDetails is how many of a step's last distinct details are
// remembered for reuse.
const recentDetails = 4

// span is where a detail's bytes are: texts[text][at:to].
type span struct{ text, at, to int32 }

// number numbers name in names and ids, and reports whether it is new.
// Called with t.mu held.
func number(name string, names *[]string, ids *map[string]int32) (int32, bool) {
	id, ok := (*ids)[name]
	if !ok {
		if *ids == nil {
			*ids = map[string]int32{}
		}
		id = int32(len(*names))
		*names = append(*names, name)
		(*ids)[name] = id
	}
	return id, !ok
}

// detail keeps a detail of step and says where its bytes are: where the
// same text already is if one of the step's recent details was the same.
// Called with t.mu held.
func (t *Trace) detail(step int32, s string) span {
	if s == "" {
		return span{}
	}
	for len(t.recent) <= int(step) {
		t.recent = append(t.recent, [recentDetails]span{})
	}
	r := &t.recent[step]
	for _, sp := range r {
		if int(sp.to-sp.at) == len(s) && string(t.texts[sp.text][sp.at:sp.to]) == s {
			return sp
		}
	}
	copy(r[1:], r[:recentDetails-1])
	r[0] = t.text(s)
	return r[0]
}

// text keeps s (not empty) and says where its bytes are. Called with t.mu
// held.
func (t *Trace) text(s string) span {
	last := len(t.texts) - 1
	if last < 0 || len(t.texts[last])+len(s) > cap(t.texts[last]) {
		size := firstText
		if last >= 0 {
			size = min(textChunk, 2*cap(t.texts[last]))
		}
		t.texts = append(t.texts, make([]byte, 0, max(size, len(s))))
		last++
	}
	b := &t.texts[last]
	start := len(*b)
	*b = append(*b, s...)
	return span{int32(last), int32(start), int32(len(*b))}
}

// Record appends an event.
func (t *Trace) Record(at time.Time, actor, step, detail string) {
	t.mu.Lock()
	a := t.lastID
	if actor != t.last || len(t.actors) == 0 {
		var added bool
		a, added = number(actor, &t.actors, &t.actorIDs)
		if added {
			t.byActor = append(t.byActor, nil)
		}
		t.last, t.lastID = actor, a
	}
	s, _ := number(step, &t.steps, &t.stepIDs)
	d := t.detail(s, detail)
	if t.n>>chunkBits == len(t.chunks) {
		t.chunks = append(t.chunks, make([]record, 0, 1<<chunkBits))
	}
	c := &t.chunks[len(t.chunks)-1]
	*c = append(*c, record{sec: at.Unix(), nsec: int32(at.Nanosecond()), actor: a, step: s, detail: d})
	t.byActor[a] = append(t.byActor[a], int32(t.n))
	t.n++
	t.mu.Unlock()
}

// event rebuilds the n-th event. Called with t.mu held.
func (t *Trace) event(n int) Event {
	r := &t.chunks[n>>chunkBits][n&(1<<chunkBits-1)]
	e := Event{At: time.Unix(r.sec, int64(r.nsec)).UTC(), Actor: t.actors[r.actor], Step: t.steps[r.step]}
	if sp := r.detail; sp.to > sp.at {
		// The bytes are never written again once appended (text only
		// appends past them), so the string may share them.
		b := t.texts[sp.text][sp.at:sp.to]
		e.Detail = unsafe.String(&b[0], len(b))
	}
	return e
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
