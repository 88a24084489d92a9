package sim_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/autopilotsim/autopilotsim/sim"
)

// BenchmarkSchedulerHold is the classic hold model of an event queue: n
// events pending, and each event that runs schedules one more at a random
// delay, so the queue stays at n. A fleet of 100,000 devices keeps a few
// hundred thousand events pending; the cost of an event grows with the
// depth of the queue and the cache misses on the way down.
func BenchmarkSchedulerHold(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 300_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s := sim.NewScheduler(time.Time{}, nil)
			rng := rand.New(rand.NewPCG(1, 2))
			left := 0
			var hold func()
			hold = func() {
				if left > 0 {
					left--
					s.AfterFunc(time.Duration(rng.IntN(3600_000))*time.Millisecond, "device/x", "", hold)
				}
			}
			for range n {
				s.AfterFunc(time.Duration(rng.IntN(3600_000))*time.Millisecond, "device/x", "", hold)
			}
			left = b.N
			b.ResetTimer()
			if err := s.Run(time.Time{}); err != nil {
				b.Fatal(err)
			}
		})
	}
}
