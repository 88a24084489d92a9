package console_test

import (
	"bytes"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/cmd/autopilotsim/internal/console"
	"github.com/autopilotsim/autopilotsim/harness"
)

// clock is a wall clock the spec moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func step(done int, sim time.Duration) harness.Progress {
	return harness.Progress{Scenario: "two-domains", Index: 2, Scenarios: 20, RunDevicesDone: done, RunDevices: 40, Simulated: sim}
}

var _ = Describe("progress", func() {
	var (
		out bytes.Buffer
		c   *clock
	)
	BeforeEach(func() {
		out.Reset()
		c = &clock{t: time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)}
	})

	Context("when stderr is not a terminal (CI logs): plain lines", func() {
		It("prints nothing for a run shorter than a second", func() {
			p := console.NewProgress(&out, console.Lines, c.now, 0)
			p.Update(step(0, -24*time.Hour))
			c.advance(900 * time.Millisecond)
			p.Update(step(40, 35*time.Minute))
			p.Finish()
			Expect(out.String()).To(BeEmpty())
		})

		It("prints a line once the run has taken a second, then at most one every 5 seconds, and a last one", func() {
			p := console.NewProgress(&out, console.Lines, c.now, 0)
			p.Update(step(0, -24*time.Hour))
			c.advance(time.Second)
			p.Update(step(12, 35*time.Minute))
			c.advance(4 * time.Second)
			p.Update(step(13, 36*time.Minute)) // within 5 s of the last line: quiet
			c.advance(time.Second)
			p.Update(step(20, -time.Hour))
			c.advance(1500 * time.Millisecond)
			p.Finish()
			Expect(out.String()).To(Equal(
				"progress: 12/40 devices, scenario 3/20 two-domains at T0+35m0s\n" +
					"progress: 20/40 devices, scenario 3/20 two-domains at T0-1h0m0s\n" +
					"progress: done, 20/40 devices in 20 scenarios (8s)\n"))
			Expect(out.String()).NotTo(ContainSubstring("\r"))
		})
	})

	Context("on a terminal: a bar", func() {
		It("redraws one line in place, at most ten times a second, cut to the width, and clears it at the end", func() {
			p := console.NewProgress(&out, console.Bar, c.now, 60)
			p.Update(step(0, 0))
			c.advance(time.Second)
			p.Update(step(10, 5*time.Minute))
			c.advance(50 * time.Millisecond)
			p.Update(step(11, 6*time.Minute)) // too soon: not drawn
			c.advance(50 * time.Millisecond)
			p.Update(step(30, 7*time.Minute))
			draws := strings.Split(out.String(), "\r")[1:]
			Expect(draws).To(HaveLen(2))
			Expect(draws[0]).To(Equal("[######------------------] 10/40 devices, scenario 3/20 two"))
			Expect(draws[1]).To(HavePrefix("[##################------] 30/40 devices"))
			for _, d := range draws {
				Expect(len(d)).To(Equal(59))
			}
			Expect(out.String()).NotTo(ContainSubstring("\n"))
			p.Finish()
			Expect(out.String()).To(HaveSuffix("\r" + strings.Repeat(" ", 59) + "\r"))
		})
	})

	It("shows nothing when off", func() {
		p := console.NewProgress(&out, console.Off, c.now, 80)
		p.Update(step(0, 0))
		c.advance(time.Minute)
		p.Update(step(40, time.Hour))
		p.Finish()
		Expect(out.String()).To(BeEmpty())
	})

	It("knows a buffer is not a terminal", func() {
		_, tty := console.Terminal(&out)
		Expect(tty).To(BeFalse())
	})
})
