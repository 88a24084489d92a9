package sim

import (
	"time"
)

// RunRealTime drives the scheduler from the wall clock until stop is closed:
// lab mode, where people poke the mocks with curl or ldapsearch while the
// simulated systems keep their timers. Simulated time runs speed times as
// fast as wall time from the moment this is called (speed <= 0 means 1),
// and Now() moves continuously between events, so a server stamps requests
// with the current lab time. Events scheduled from handlers wake the loop.
//
// The wall clock enters here only; scenario runs use Run and stay virtual.
func (s *Scheduler) RunRealTime(stop <-chan struct{}, speed float64) {
	if speed <= 0 {
		speed = 1
	}
	s.mu.Lock()
	s.rt = &realTime{wall: time.Now(), sim: s.now, speed: speed, wake: make(chan struct{}, 1)}
	wake := s.rt.wake
	s.mu.Unlock()
	for {
		s.mu.Lock()
		now := s.nowLocked()
		wait := time.Hour
		if s.queue.Len() > 0 {
			next := s.queue[0]
			if !next.at.After(now) {
				popped := s.popLocked()
				trace := s.trace
				s.mu.Unlock()
				if trace != nil && popped.step != "" {
					trace.Record(popped.at, popped.actor, popped.step, "")
				}
				popped.fn()
				continue
			}
			wait = time.Duration(float64(next.at.Sub(now)) / speed)
		}
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-stop:
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

type realTime struct {
	wall  time.Time
	sim   time.Time
	speed float64
	wake  chan struct{}
}

// nowLocked is the current time: the virtual now, or in real-time mode the
// wall-derived time (never behind the last event run).
func (s *Scheduler) nowLocked() time.Time {
	if s.rt == nil {
		return s.now
	}
	t := s.rt.sim.Add(time.Duration(float64(time.Since(s.rt.wall)) * s.rt.speed)).UTC()
	if t.Before(s.now) {
		return s.now
	}
	s.now = t
	return t
}
