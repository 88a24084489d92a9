package sim

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrEventLimit is returned by Run when a run schedules more events than its
// limit: a guard against a simulated system that reschedules itself forever.
var ErrEventLimit = errors.New("sim: event limit reached")

// Scheduler is the virtual clock: a priority queue of events ordered by
// (time, sequence). It is safe to schedule from any goroutine (servers
// schedule follow-up work from their handlers while the callback that called
// them is blocked), but callbacks run one at a time on the goroutine that
// called Run.
type Scheduler struct {
	mu    sync.Mutex
	now   time.Time
	seq   uint64
	queue eventQueue
	// stopped counts the events in queue that Stop cancelled: they stay
	// where they are until they reach the head or are half the queue
	// (dropStoppedLocked), so that the heap never has to know where an
	// event stands.
	stopped int
	ran     int
	limit   int
	trace   *Trace
	halted  bool
	rt      *realTime // set by RunRealTime
	// lockstep and running: SetLockstep (realtime.go).
	lockstep, running bool
}

// NewScheduler returns a virtual clock standing at start (Epoch when zero).
// Every event that runs is recorded in trace when trace is not nil.
func NewScheduler(start time.Time, trace *Trace) *Scheduler {
	if start.IsZero() {
		start = Epoch
	}
	return &Scheduler{now: start.UTC(), trace: trace, limit: 10_000_000}
}

// SetEventLimit bounds how many events Run may execute.
func (s *Scheduler) SetEventLimit(n int) { s.mu.Lock(); s.limit = n; s.mu.Unlock() }

// Now implements Clock.
func (s *Scheduler) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

// AfterFunc implements Clock. A negative d is treated as zero: the event runs
// at the current instant, after every event already scheduled for it.
func (s *Scheduler) AfterFunc(d time.Duration, actor, step string, fn func()) Timer {
	if d < 0 {
		d = 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked(s.nowLocked().Add(d), actor, step, fn)
}

// At schedules fn at an absolute virtual time; a time in the past runs now.
func (s *Scheduler) At(t time.Time, actor, step string, fn func()) Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Before(s.now) {
		t = s.now
	}
	return s.pushLocked(t, actor, step, fn)
}

func (s *Scheduler) pushLocked(at time.Time, actor, step string, fn func()) *event {
	s.seq++
	e := &event{at: at, seq: s.seq, actor: actor, step: step, fn: fn, sched: s}
	s.queue.push(e)
	if s.rt != nil {
		select {
		case s.rt.wake <- struct{}{}:
		default:
		}
	}
	return e
}

// popLocked removes the next event, advances the clock to it and marks it run.
func (s *Scheduler) popLocked() *event {
	e := s.queue.pop()
	s.ran++
	if e.at.After(s.now) {
		s.now = e.at
	}
	e.done = true
	s.dropStoppedLocked()
	return e
}

// dropStoppedLocked keeps the queue's head an event that will run, which
// is what every reader of s.queue[0] and len(s.queue) expects, and squeezes
// the stopped events out of the queue once they are half of it. Both keep
// the order of the events that remain: (time, sequence) is a total order.
func (s *Scheduler) dropStoppedLocked() {
	for len(s.queue) > 0 && s.queue[0].e.stopped {
		s.queue.pop()
		s.stopped--
	}
	if s.stopped > 1024 && 2*s.stopped > len(s.queue) {
		live := s.queue[:0]
		for _, sl := range s.queue {
			if !sl.e.stopped {
				live = append(live, sl)
			}
		}
		clear(s.queue[len(live):])
		s.queue, s.stopped = live, 0
		s.queue.init()
	}
}

// Pending reports how many events are waiting.
func (s *Scheduler) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) - s.stopped
}

// Halt makes Run return after the event that is running now.
func (s *Scheduler) Halt() { s.mu.Lock(); s.halted = true; s.mu.Unlock() }

// Run executes events in order until none is left, until the next one lies
// after until (when until is not zero; the clock then stands at until), or
// until Halt. It returns ErrEventLimit if the event limit is exceeded.
func (s *Scheduler) Run(until time.Time) error {
	for {
		s.mu.Lock()
		if s.halted {
			s.halted = false
			s.mu.Unlock()
			return nil
		}
		if len(s.queue) == 0 {
			if !until.IsZero() && s.now.Before(until) {
				s.now = until
			}
			s.mu.Unlock()
			return nil
		}
		next := s.queue[0].e
		if !until.IsZero() && next.at.After(until) {
			if s.now.Before(until) {
				s.now = until
			}
			s.mu.Unlock()
			return nil
		}
		if s.ran >= s.limit {
			s.mu.Unlock()
			return fmt.Errorf("%w (%d events, next %s/%s at %s)", ErrEventLimit, s.ran, next.actor, next.step, next.at.Format(time.RFC3339))
		}
		s.popLocked()
		trace := s.trace
		s.mu.Unlock()

		if trace != nil && next.step != "" {
			trace.Record(next.at, next.actor, next.step, "")
		}
		next.fn()
	}
}

// Ran reports how many events have run.
func (s *Scheduler) Ran() int { s.mu.Lock(); defer s.mu.Unlock(); return s.ran }

type event struct {
	at    time.Time
	seq   uint64
	actor string
	step  string
	fn    func()
	done  bool // ran or stopped
	// stopped: Stop cancelled it while it waited; it stays in the queue,
	// skipped, until dropStoppedLocked removes it.
	stopped bool
	sched   *Scheduler
}

// Stop implements Timer. The event is marked rather than taken out of the
// heap: taking it out needs its place in the heap, which every swap of the
// heap then had to write into the event, a cache miss per swap once a
// fleet keeps hundreds of thousands of events pending (make bench-scale's
// CPU profile: eventQueue.Swap 13 -> 30 us a device from 10,000 to 100,000
// devices).
func (e *event) Stop() bool {
	s := e.sched
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.done {
		return false
	}
	e.done, e.stopped = true, true
	s.stopped++
	s.dropStoppedLocked()
	return true
}

// eventQueue is a heap of events, four children to a slot. Each slot
// holds the event's time and sequence next to its pointer, so that ordering
// reads the slots and not the events they point to: with a fleet's hundreds
// of thousands of pending events, following a pointer per comparison was a
// cache miss per comparison. sec and nsec are the time's instant (what
// time.Time.Before and Equal compare), exact for any time.
//
// Four children rather than two: half the levels between the head and a
// leaf, each level a likely cache miss in a large fleet's queue, for up to
// three more comparisons within one or two cache lines; and its own
// methods rather than container/heap's interface calls. (time, sequence)
// is a total order, so events leave in the same order whatever the shape
// of the heap.
type eventQueue []queueSlot

type queueSlot struct {
	sec  int64
	nsec int32
	seq  uint64
	e    *event
}

// before reports whether a runs before b.
func (a *queueSlot) before(b *queueSlot) bool {
	if a.sec != b.sec {
		return a.sec < b.sec
	}
	if a.nsec != b.nsec {
		return a.nsec < b.nsec
	}
	return a.seq < b.seq
}

// push adds e.
func (q *eventQueue) push(e *event) {
	sl := queueSlot{sec: e.at.Unix(), nsec: int32(e.at.Nanosecond()), seq: e.seq, e: e}
	*q = append(*q, sl)
	h := *q
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !sl.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = sl
}

// pop removes and returns the first event. The queue must not be empty.
func (q *eventQueue) pop() *event {
	h := *q
	n := len(h) - 1
	first, last := h[0].e, h[n]
	h[n] = queueSlot{}
	*q = h[:n]
	if n > 0 {
		h[:n].down(0, last)
	}
	return first
}

// down puts sl in slot i or below it, moving the earlier children up.
func (q eventQueue) down(i int, sl queueSlot) {
	n := len(q)
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < min(c+4, n); j++ {
			if q[j].before(&q[m]) {
				m = j
			}
		}
		if !q[m].before(&sl) {
			break
		}
		q[i] = q[m]
		i = m
	}
	q[i] = sl
}

// init orders a queue of slots in any order into a heap.
func (q eventQueue) init() {
	for i := (len(q) - 2) / 4; i >= 0; i-- {
		q.down(i, q[i])
	}
}
