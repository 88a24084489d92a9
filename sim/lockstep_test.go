package sim_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/sim"
)

var _ = Describe("a real-time clock in lockstep", func() {
	// At a million simulated seconds per wall second every microsecond the
	// clock goroutine takes is a simulated second: without lockstep a
	// follow-up lands wherever the wall clock had got to.
	It("puts what an event schedules where a virtual run would", func() {
		s := sim.NewScheduler(time.Time{}, nil)
		s.SetLockstep(true)
		type seen struct{ at time.Time }
		ran := make(chan seen, 20)
		var chain func(n int) func()
		chain = func(n int) func() {
			return func() {
				now := s.Now()
				ran <- seen{at: now}
				if n > 0 {
					s.AfterFunc(10*time.Second, "lab", "next", chain(n-1))
				}
			}
		}
		s.AfterFunc(time.Hour, "lab", "first", chain(9))
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { defer close(done); s.RunRealTime(stop, 1_000_000) }()
		DeferCleanup(func() { close(stop); <-done })
		for i := 0; i < 10; i++ {
			var got seen
			Eventually(ran).Should(Receive(&got))
			Expect(got.at).To(Equal(sim.Epoch.Add(time.Hour + time.Duration(i)*10*time.Second)))
		}
	})
})
