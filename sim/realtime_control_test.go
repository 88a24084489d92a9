package sim_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/sim"
)

var _ = Describe("steering a real-time clock (lab controls)", func() {
	It("pauses, jumps ahead running due events at their own times, and changes speed", func() {
		s := sim.NewScheduler(time.Time{}, nil)
		Expect(s.Pause()).To(MatchError(sim.ErrNotRealTime))
		ran := make(chan time.Time, 2)
		s.AfterFunc(time.Hour, "lab", "first", func() { ran <- s.Now() })
		s.AfterFunc(2*time.Hour, "lab", "second", func() { ran <- s.Now() })
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { defer close(done); s.RunRealTime(stop, 1) }()
		DeferCleanup(func() { close(stop); <-done })

		Eventually(s.Pause).Should(Succeed())
		paused := s.State()
		Expect(paused.Paused).To(BeTrue())
		Expect(paused.Now).To(BeTemporally("<", sim.Epoch.Add(time.Minute)))
		Expect(s.State().Now).To(Equal(paused.Now), "a paused clock stands still")

		Expect(s.Advance(90 * time.Minute)).To(Succeed())
		Eventually(ran).Should(Receive(Equal(sim.Epoch.Add(time.Hour))), "the due event runs at its own time")
		Eventually(func() time.Time { return s.State().Now }).Should(Equal(paused.Now.Add(90 * time.Minute)))
		Consistently(ran, 50*time.Millisecond).ShouldNot(Receive(), "the later event waits")
		Expect(s.State().Paused).To(BeTrue())

		Expect(s.SetSpeed(0)).To(MatchError(ContainSubstring("speed must be a finite number greater than 0")))
		Expect(s.Advance(0)).To(MatchError(ContainSubstring("positive duration")))
		Expect(s.SetSpeed(3_600_000)).To(Succeed())
		Expect(s.Resume()).To(Succeed())
		Eventually(ran).Should(Receive(BeTemporally(">=", sim.Epoch.Add(2*time.Hour))))
		Expect(s.State().Speed).To(Equal(3_600_000.0))
	})
})
