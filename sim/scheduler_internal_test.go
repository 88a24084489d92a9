package sim

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("stopped timers", func() {
	It("stay in the queue at most as many as the events that will run, or 1,024", func() {
		s := NewScheduler(time.Time{}, nil)
		var timers []Timer
		for i := range 10_000 {
			timers = append(timers, s.AfterFunc(time.Hour+time.Duration(i)*time.Second, "a", "", func() {}))
		}
		// The latest first: none of them reaches the head, where it
		// would be dropped at once.
		for i := 9_999; i >= 1_000; i-- {
			Expect(timers[i].Stop()).To(BeTrue())
		}
		const live = 1_000
		Expect(s.Pending()).To(Equal(live))
		Expect(len(s.queue)).To(BeNumerically("<=", live+max(1024, live)), "the stopped ones were squeezed out")
		Expect(s.queue[0].e.stopped).To(BeFalse(), "the head is an event that runs")
	})
})
