package sim

import (
	"errors"
	"math"
	"time"
)

// RunRealTime drives the scheduler from the wall clock until stop is closed:
// lab mode, where people poke the mocks with curl or ldapsearch while the
// simulated systems keep their timers. Simulated time runs speed times as
// fast as wall time from the moment this is called (speed <= 0 means 1),
// and Now() moves continuously between events, so a server stamps requests
// with the current lab time. Events scheduled from handlers wake the loop.
// Pause, Resume, SetSpeed and Advance steer the clock while it runs.
//
// The wall clock enters here only; scenario runs use Run and stay virtual.
func (s *Scheduler) RunRealTime(stop <-chan struct{}, speed float64) {
	s.BeginRealTime(speed)
	s.mu.Lock()
	wake := s.rt.wake
	s.mu.Unlock()
	for {
		s.mu.Lock()
		if j := s.rt.jumpTo; j != nil {
			// Advance: run every event up to the target at its own time,
			// as Run does, then stand at the target.
			if len(s.queue) > 0 && !s.queue[0].e.at.After(*j) {
				s.runNextLocked()
				continue
			}
			if s.now.Before(*j) {
				s.now = *j
			}
			s.rt.sim, s.rt.wall, s.rt.jumpTo = s.now, time.Now(), nil
			close(s.rt.jumpDone)
		}
		now := s.nowLocked()
		wait := time.Hour
		if len(s.queue) > 0 {
			next := s.queue[0].e
			if !next.at.After(now) {
				s.runNextLocked()
				continue
			}
			if !s.rt.paused {
				wait = time.Duration(float64(next.at.Sub(now)) / s.rt.speed)
			}
		}
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-stop:
			t.Stop()
			s.mu.Lock()
			if s.rt.jumpTo != nil {
				s.rt.jumpTo = nil
				close(s.rt.jumpDone)
			}
			s.mu.Unlock()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// BeginRealTime switches the clock to real time at speed (<= 0 means 1)
// now, so the clock controls (Pause, SetSpeed, …) work before the
// RunRealTime goroutine has started; RunRealTime calls it when nobody did.
// Calling it again does nothing.
func (s *Scheduler) BeginRealTime(speed float64) {
	if speed <= 0 {
		speed = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rt == nil {
		s.rt = &realTime{wall: time.Now(), sim: s.now, speed: speed, wake: make(chan struct{}, 1)}
	}
}

// runNextLocked pops and runs the next event; it is called with s.mu held
// and returns with it released.
func (s *Scheduler) runNextLocked() {
	popped := s.popLocked()
	trace := s.trace
	s.running = true
	s.mu.Unlock()
	if trace != nil && popped.step != "" {
		trace.Record(popped.at, popped.actor, popped.step, "")
	}
	popped.fn()
	s.mu.Lock()
	s.running = false
	s.mu.Unlock()
}

// SetLockstep makes a real-time clock reproducible from its inputs: the
// time never passes an event that has not run, and stands still while one
// runs, so what an event schedules lands where a virtual run (Run) would
// put it, whatever the wall clock did meanwhile. A lab whose journal is
// replayed in virtual time needs that. Observers see a time that lags the
// wall clock while the clock goroutine catches up, never one that goes
// back. Set it before BeginRealTime.
func (s *Scheduler) SetLockstep(on bool) { s.mu.Lock(); s.lockstep = on; s.mu.Unlock() }

type realTime struct {
	wall   time.Time
	sim    time.Time
	speed  float64
	paused bool
	jumpTo *time.Time // Advance's target, while its events run
	// jumpDone is closed when the clock stands at jumpTo.
	jumpDone chan struct{}
	wake     chan struct{}
}

// ErrNotRealTime is returned by the clock controls of a scheduler that is
// not running in real time (RunRealTime).
var ErrNotRealTime = errors.New("sim: the clock is not running in real time")

// ClockState is where a real-time clock stands.
type ClockState struct {
	Now    time.Time `json:"now"`
	Speed  float64   `json:"speed"`
	Paused bool      `json:"paused"`
}

// State reports the clock; a virtual scheduler reports speed 0.
func (s *Scheduler) State() ClockState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := ClockState{Now: s.nowLocked()}
	if s.rt != nil {
		st.Speed, st.Paused = s.rt.speed, s.rt.paused
	}
	return st
}

// rebaseLocked restarts the wall-to-simulated mapping at the current time,
// so a change of speed or a pause applies from now on.
func (s *Scheduler) rebaseLocked() {
	s.rt.sim = s.nowLocked()
	s.rt.wall = time.Now()
}

func (s *Scheduler) wakeLocked() {
	select {
	case s.rt.wake <- struct{}{}:
	default:
	}
}

// Pause stops simulated time (a trainer talks); requests are still
// answered, stamped with the paused time, and nothing scheduled runs.
func (s *Scheduler) Pause() error {
	return s.control(func() {
		s.rebaseLocked()
		s.rt.paused = true
	})
}

// Resume lets simulated time run again from where it was paused.
func (s *Scheduler) Resume() error {
	return s.control(func() {
		s.rt.wall = time.Now()
		s.rt.paused = false
	})
}

// SetSpeed changes how many simulated seconds pass per wall second, from
// now on (speed must be > 0).
func (s *Scheduler) SetSpeed(speed float64) error {
	if !(speed > 0) || math.IsInf(speed, 1) {
		return errors.New("sim: speed must be a finite number greater than 0")
	}
	return s.control(func() {
		s.rebaseLocked()
		s.rt.speed = speed
	})
}

// Advance jumps simulated time ahead by d: every event due before the
// target runs at its own time, in order, as in a virtual run; a paused
// clock stays paused at the target. It returns once the clock stands at
// the target (or the clock stopped). Not to be called from an event.
func (s *Scheduler) Advance(d time.Duration) error {
	if d <= 0 {
		return errors.New("sim: advance needs a positive duration")
	}
	var done chan struct{}
	err := s.control(func() {
		target := s.nowLocked().Add(d)
		if s.rt.jumpTo == nil {
			s.rt.jumpDone = make(chan struct{})
		}
		if s.rt.jumpTo == nil || target.After(*s.rt.jumpTo) {
			s.rt.jumpTo = &target
		}
		done = s.rt.jumpDone
	})
	if err != nil {
		return err
	}
	<-done
	return nil
}

func (s *Scheduler) control(fn func()) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rt == nil {
		return ErrNotRealTime
	}
	fn()
	s.wakeLocked()
	return nil
}

// nowLocked is the current time: the virtual now, or in real-time mode the
// wall-derived time (never behind the last event run). While paused or
// jumping ahead, the clock is the last event's (or the pause's) time.
func (s *Scheduler) nowLocked() time.Time {
	if s.rt == nil || s.rt.jumpTo != nil {
		return s.now
	}
	if s.rt.paused {
		if s.rt.sim.After(s.now) {
			s.now = s.rt.sim
		}
		return s.now
	}
	if s.lockstep && s.running {
		return s.now
	}
	t := s.rt.sim.Add(time.Duration(float64(time.Since(s.rt.wall)) * s.rt.speed)).UTC()
	if s.lockstep && len(s.queue) > 0 && t.After(s.queue[0].e.at) {
		t = s.queue[0].e.at
	}
	if t.Before(s.now) {
		return s.now
	}
	s.now = t
	return t
}
