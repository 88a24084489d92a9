package sim_test

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/sim"
)

var _ = Describe("Scheduler", func() {
	var (
		s     *sim.Scheduler
		trace *sim.Trace
		order []string
	)
	BeforeEach(func() {
		trace = &sim.Trace{}
		s = sim.NewScheduler(time.Time{}, trace)
		order = nil
	})
	note := func(name string) func() { return func() { order = append(order, name) } }

	It("starts at the fixed epoch", func() {
		Expect(s.Now()).To(Equal(sim.Epoch))
	})

	It("runs events by time, then by scheduling order", func() {
		s.AfterFunc(2*time.Minute, "a", "late", note("late"))
		s.AfterFunc(time.Minute, "a", "first", note("first"))
		s.AfterFunc(time.Minute, "b", "second", note("second"))
		s.AfterFunc(0, "c", "now", note("now"))
		Expect(s.Run(time.Time{})).To(Succeed())
		Expect(order).To(Equal([]string{"now", "first", "second", "late"}))
		Expect(s.Now()).To(Equal(sim.Epoch.Add(2 * time.Minute)))
		Expect(trace.Events()).To(HaveLen(4))
		Expect(trace.Events()[1]).To(Equal(sim.Event{At: sim.Epoch.Add(time.Minute), Actor: "a", Step: "first"}))
	})

	It("lets a callback schedule more work, which runs in causal order", func() {
		s.AfterFunc(time.Minute, "a", "", func() {
			order = append(order, "outer")
			s.AfterFunc(0, "a", "", note("inner"))
		})
		s.AfterFunc(time.Minute, "b", "", note("sibling"))
		Expect(s.Run(time.Time{})).To(Succeed())
		Expect(order).To(Equal([]string{"outer", "sibling", "inner"}))
	})

	It("stops at until and leaves later events queued", func() {
		s.AfterFunc(time.Hour, "a", "", note("later"))
		Expect(s.Run(sim.Epoch.Add(30 * time.Minute))).To(Succeed())
		Expect(order).To(BeEmpty())
		Expect(s.Now()).To(Equal(sim.Epoch.Add(30 * time.Minute)))
		Expect(s.Pending()).To(Equal(1))
	})

	It("cancels a stopped timer", func() {
		t := s.AfterFunc(time.Minute, "a", "", note("cancelled"))
		Expect(t.Stop()).To(BeTrue())
		Expect(t.Stop()).To(BeFalse())
		Expect(s.Run(time.Time{})).To(Succeed())
		Expect(order).To(BeEmpty())
	})

	It("runs what was not stopped in order, counts only that as pending, and stops nothing twice, however many timers are stopped", func() {
		// Stopped timers stay in the queue, skipped, until they reach its
		// head or are half of it; the events that run must be the ones a
		// queue that took them out at once would run, in the same order.
		rng := rand.New(rand.NewPCG(7, 9))
		var timers []sim.Timer
		var want []string
		stopped := map[int]bool{}
		for i := range 5000 {
			name := fmt.Sprint(i)
			timers = append(timers, s.AfterFunc(time.Duration(rng.IntN(600))*time.Second, "a", "", note(name)))
		}
		for i := range timers {
			if rng.IntN(4) != 0 { // three in four: more than half, past the squeeze
				Expect(timers[i].Stop()).To(BeTrue())
				stopped[i] = true
			}
		}
		Expect(s.Pending()).To(Equal(5000 - len(stopped)))
		Expect(timers[0].Stop()).To(Equal(!stopped[0]))
		stopped[0] = true
		// The expected order: by time, then by scheduling order.
		rng = rand.New(rand.NewPCG(7, 9))
		type due struct {
			at time.Duration
			i  int
		}
		var all []due
		for i := range 5000 {
			all = append(all, due{time.Duration(rng.IntN(600)) * time.Second, i})
		}
		slices.SortStableFunc(all, func(a, b due) int { return cmp.Compare(a.at, b.at) })
		for _, d := range all {
			if !stopped[d.i] {
				want = append(want, fmt.Sprint(d.i))
			}
		}
		Expect(s.Pending()).To(Equal(len(want)))
		Expect(s.Run(time.Time{})).To(Succeed())
		Expect(order).To(Equal(want))
		Expect(s.Ran()).To(Equal(len(want)), "a stopped timer does not count as run")
		Expect(s.Pending()).To(BeZero())
		for i := range timers {
			Expect(timers[i].Stop()).To(BeFalse(), "timer %d ran or was stopped", i)
		}
	})

	It("runs events scheduled while it runs in order of time to the nanosecond, then of scheduling, as a sorted list would", func() {
		// A model: every event's (time, sequence) in a list, the next one
		// to run the least of them. The queue must agree at every step,
		// with events added from callbacks between removals.
		rng := rand.New(rand.NewPCG(3, 5))
		type due struct {
			at  time.Time
			seq int
		}
		var model []due
		seq := 0
		var add func(depth int)
		add = func(depth int) {
			seq++
			d := due{s.Now().Add(time.Duration(rng.IntN(3)) * time.Second).Add(time.Duration(rng.IntN(1000))), seq}
			model = append(model, d)
			name := fmt.Sprint(d.seq)
			s.At(d.at, "a", "", func() {
				order = append(order, name)
				for range rng.IntN(3) {
					if depth < 6 {
						add(depth + 1)
					}
				}
			})
		}
		for range 3000 {
			add(0)
		}
		Expect(s.Run(time.Time{})).To(Succeed())
		// The model's order: (time, sequence). A callback's events come
		// after the event that added them in it too, as they are never
		// before the clock and have later sequences.
		slices.SortFunc(model, func(a, b due) int {
			return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.seq, b.seq))
		})
		var want []string
		for _, d := range model {
			want = append(want, fmt.Sprint(d.seq))
		}
		Expect(order).To(HaveLen(len(model)))
		Expect(order).To(Equal(want))
	})

	It("stops the next event and the one after it, and runs the rest", func() {
		first := s.AfterFunc(time.Minute, "a", "", note("first"))
		second := s.AfterFunc(2*time.Minute, "a", "", note("second"))
		s.AfterFunc(3*time.Minute, "a", "", note("third"))
		Expect(first.Stop()).To(BeTrue())
		Expect(second.Stop()).To(BeTrue())
		Expect(s.Pending()).To(Equal(1))
		Expect(s.Run(sim.Epoch.Add(150 * time.Second))).To(Succeed())
		Expect(order).To(BeEmpty())
		Expect(s.Now()).To(Equal(sim.Epoch.Add(150 * time.Second)))
		Expect(s.Run(time.Time{})).To(Succeed())
		Expect(order).To(Equal([]string{"third"}))
	})

	It("halts after the running event", func() {
		s.AfterFunc(time.Minute, "a", "", func() { order = append(order, "one"); s.Halt() })
		s.AfterFunc(2*time.Minute, "a", "", note("two"))
		Expect(s.Run(time.Time{})).To(Succeed())
		Expect(order).To(Equal([]string{"one"}))
	})

	It("treats a time in the past as now", func() {
		s.AfterFunc(time.Minute, "a", "", func() {
			s.At(sim.Epoch, "a", "", note("past"))
		})
		Expect(s.Run(time.Time{})).To(Succeed())
		Expect(order).To(Equal([]string{"past"}))
		Expect(s.Now()).To(Equal(sim.Epoch.Add(time.Minute)))
	})

	It("refuses to run forever", func() {
		var again func()
		again = func() { s.AfterFunc(time.Second, "loop", "tick", again) }
		again()
		s.SetEventLimit(100)
		Expect(s.Run(time.Time{})).To(MatchError(sim.ErrEventLimit))
		Expect(s.Ran()).To(Equal(100))
	})

	It("replays the same timeline for the same schedule", func() {
		build := func() []sim.Event {
			tr := &sim.Trace{}
			sc := sim.NewScheduler(time.Time{}, tr)
			r := sim.NewStreams(42).Stream("x")
			for i := 0; i < 50; i++ {
				sc.AfterFunc(time.Duration(r.IntN(1000))*time.Second, "x", "e", func() {})
			}
			Expect(sc.Run(time.Time{})).To(Succeed())
			return tr.Events()
		}
		Expect(build()).To(Equal(build()))
	})
})

var _ = Describe("RunRealTime", func() {
	It("follows the wall clock, scaled, and returns when stopped", func() {
		s := sim.NewScheduler(time.Time{}, nil)
		stop := make(chan struct{})
		var at time.Time
		// One simulated hour at 3,600,000x is about a millisecond of wall time.
		s.AfterFunc(time.Hour, "lab", "tick", func() { at = s.Now(); close(stop) })
		s.RunRealTime(stop, 3_600_000)
		Expect(at).To(BeTemporally(">=", sim.Epoch.Add(time.Hour)))
		Expect(s.Now()).To(BeTemporally(">=", at))
	})
})

var _ = Describe("Streams", func() {
	It("gives each name its own reproducible sequence", func() {
		a1, a2 := sim.NewStreams(7).Stream("device/A"), sim.NewStreams(7).Stream("device/A")
		for i := 0; i < 10; i++ {
			Expect(a1.Uint64()).To(Equal(a2.Uint64()))
		}
		// Drawing from another stream does not shift this one.
		s := sim.NewStreams(7)
		b := s.Stream("device/B")
		_ = b.Uint64()
		Expect(s.Stream("device/A").Uint64()).To(Equal(sim.NewStreams(7).Stream("device/A").Uint64()))
		Expect(sim.NewStreams(8).Stream("device/A").Uint64()).NotTo(Equal(sim.NewStreams(7).Stream("device/A").Uint64()))
	})

	It("gives a fresh stream the sequence Stream starts with, without keeping it", func() {
		s := sim.NewStreams(7)
		f := s.Fresh("device/A")
		want := sim.NewStreams(7).Stream("device/A")
		for i := 0; i < 10; i++ {
			Expect(f.Uint64()).To(Equal(want.Uint64()))
		}
		// Not kept: Stream afterwards starts from the beginning.
		Expect(s.Stream("device/A").Uint64()).To(Equal(sim.NewStreams(7).Stream("device/A").Uint64()))
	})

	It("draws what PCG seeded with the seed and the FNV-1a hash of the name draws, as every earlier run did", func() {
		// The sequence is part of every result (ids, jitter, faults):
		// keeping the generator and its source in one allocation must not
		// change it.
		for _, name := range []string{"device/A", "graph", "connector/ODJCONN001", ""} {
			h := fnv.New64a()
			_, _ = h.Write([]byte(name))
			want := rand.New(rand.NewPCG(7, h.Sum64()))
			f, st := sim.NewStreams(7).Fresh(name), sim.NewStreams(7).Stream(name)
			for i := 0; i < 20; i++ {
				w := want.Uint64()
				Expect(f.Uint64()).To(Equal(w), name)
				Expect(st.Uint64()).To(Equal(w), name)
			}
		}
	})
})

var _ = Describe("Trace", func() {
	It("filters by actor", func() {
		t := &sim.Trace{}
		t.Record(sim.Epoch, "a", "x", "")
		t.Record(sim.Epoch, "b", "y", "")
		Expect(t.For("b")).To(Equal([]sim.Event{{At: sim.Epoch, Actor: "b", Step: "y"}}))
	})

	It("files records under their actor whether they come in a row or apart, the empty name too", func() {
		t := &sim.Trace{}
		actors := []string{"", "", "a", "a", "a", "b", "", "a", "b", "b", ""}
		for i, a := range actors {
			t.Record(sim.Epoch.Add(time.Duration(i)), a, "s", fmt.Sprint(i))
		}
		for _, a := range []string{"", "a", "b"} {
			var want []string
			for i, b := range actors {
				if b == a {
					want = append(want, fmt.Sprint(i))
				}
			}
			var got []string
			for _, e := range t.For(a) {
				Expect(e.Actor).To(Equal(a))
				got = append(got, e.Detail)
			}
			Expect(got).To(Equal(want), "actor %q", a)
		}
	})

	It("gives back every event in order, with its time in UTC to the nanosecond, however many it holds", func() {
		t := &sim.Trace{}
		Expect(t.Events()).To(BeNil())
		Expect(t.For("nobody")).To(BeNil())
		paris := time.FixedZone("CET", 3600)
		var want []sim.Event
		for i := 0; i < 10_000; i++ { // several of the trace's chunks
			at := sim.Epoch.Add(time.Duration(i)*time.Second + time.Duration(i)).In(paris)
			actor := fmt.Sprintf("device/%d", i%3)
			t.Record(at, actor, "step", fmt.Sprint(i))
			want = append(want, sim.Event{At: at.UTC(), Actor: actor, Step: "step", Detail: fmt.Sprint(i)})
		}
		Expect(t.Events()).To(Equal(want))
		got := t.For("device/2")
		Expect(got).To(HaveLen(3333))
		Expect(got[1]).To(Equal(want[5]))
	})

	It("keeps each detail as it was recorded, however long, and after the events that follow it", func() {
		t := &sim.Trace{}
		long := strings.Repeat("x", 300<<10) // longer than a text chunk
		details := []string{"", "first", long, "", "after the long one", strings.Repeat("y", 200<<10), "z"}
		for i, d := range details {
			t.Record(sim.Epoch.Add(time.Duration(i)), "device/A", fmt.Sprintf("step%d", i%2), d)
			if i == 1 {
				early := t.Events()[1]
				defer func() { Expect(early.Detail).To(Equal("first")) }()
			}
		}
		got := t.For("device/A")
		Expect(got).To(HaveLen(len(details)))
		for i, d := range details {
			Expect(got[i].Detail).To(Equal(d), "event %d", i)
			Expect(got[i].Step).To(Equal(fmt.Sprintf("step%d", i%2)))
		}
		Expect(t.For("step0")).To(BeNil(), "a step's name is not an actor")
	})

	It("gives back each device's detail when devices repeat one another's word for word, or almost", func() {
		t := &sim.Trace{}
		details := []string{"profile Hybrid", "profile Hybrid", "profile Hybri", "profile Hybrid!", "a", "b", "c", "d", "e", "profile Hybrid", ""}
		for i, d := range details {
			for dev := 0; dev < 3; dev++ {
				t.Record(sim.Epoch.Add(time.Duration(i)), fmt.Sprintf("device/%d", dev), "profileDownload", d)
			}
		}
		for dev := 0; dev < 3; dev++ {
			got := t.For(fmt.Sprintf("device/%d", dev))
			Expect(got).To(HaveLen(len(details)))
			for i, d := range details {
				Expect(got[i].Detail).To(Equal(d), "device %d event %d", dev, i)
			}
		}
	})
})

var _ = Describe("RealClock", func() {
	It("runs callbacks on the wall clock, scaled, and records them", func() {
		trace := &sim.Trace{}
		start := sim.Epoch
		c := sim.NewRealClock(start, 3_600_000, trace) // one simulated hour ≈ 1 ms
		done := make(chan time.Time, 1)
		c.AfterFunc(time.Hour, "lab", "tick", func() { done <- c.Now() })
		var at time.Time
		Eventually(done).Should(Receive(&at))
		Expect(at).To(BeTemporally(">=", start.Add(time.Hour)))
		Expect(trace.For("lab")).To(HaveLen(1))
	})

	It("can cancel a callback before it runs", func() {
		c := sim.NewRealClock(time.Time{}, 1, nil)
		t := c.AfterFunc(time.Hour, "lab", "never", func() { Fail("cancelled callback ran") })
		Expect(t.Stop()).To(BeTrue())
	})
})
