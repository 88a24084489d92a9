package console

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/harness"
)

// Mode is how progress is shown.
type Mode int

// The modes.
const (
	Off   Mode = iota
	Bar        // one line redrawn in place, for a terminal
	Lines      // a plain line now and then, for CI logs and files
)

// Progress shows a run's progress (harness.Options.Progress) on w. Runs
// shorter than Delay show nothing; then the bar is redrawn at most every
// Redraw, and a plain line is printed at most every Every.
type Progress struct {
	w      io.Writer
	mode   Mode
	now    func() time.Time
	width  int // of the terminal, for the bar
	Delay  time.Duration
	Redraw time.Duration
	Every  time.Duration

	start, last time.Time
	shown       bool // something was drawn or printed
	latest      harness.Progress
}

// NewProgress reports on w in mode; now is the wall clock (time.Now;
// specs pass their own) and width the terminal's columns (bar only).
func NewProgress(w io.Writer, mode Mode, now func() time.Time, width int) *Progress {
	if width < 40 {
		width = 80
	}
	return &Progress{w: w, mode: mode, now: now, width: width,
		Delay: time.Second, Redraw: 100 * time.Millisecond, Every: 5 * time.Second}
}

// Update takes the run's progress; it is harness.Options.Progress.
func (p *Progress) Update(hp harness.Progress) {
	if p.mode == Off {
		return
	}
	now := p.now()
	if p.start.IsZero() {
		p.start = now
	}
	p.latest = hp
	if now.Sub(p.start) < p.Delay {
		return
	}
	switch p.mode {
	case Bar:
		if p.shown && now.Sub(p.last) < p.Redraw {
			return
		}
		line := p.barLine(hp)
		fmt.Fprintf(p.w, "\r%-*s", p.width-1, line)
	case Lines:
		if p.shown && now.Sub(p.last) < p.Every {
			return
		}
		fmt.Fprintln(p.w, "progress: "+status(hp))
	}
	p.last, p.shown = now, true
}

// Finish ends the display: the bar's line is cleared, and a run that
// printed lines gets a last one.
func (p *Progress) Finish() {
	if !p.shown {
		return
	}
	switch p.mode {
	case Bar:
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width-1))
	case Lines:
		hp := p.latest
		fmt.Fprintf(p.w, "progress: done, %d/%d devices in %d scenarios (%s)\n",
			hp.RunDevicesDone, hp.RunDevices, hp.Scenarios, p.now().Sub(p.start).Round(time.Second))
	}
	p.shown = false
}

// status is where the run stands in words.
func status(hp harness.Progress) string {
	return fmt.Sprintf("%d/%d devices, scenario %d/%d %s at %s", hp.RunDevicesDone, hp.RunDevices,
		hp.Index+1, hp.Scenarios, hp.Scenario, simulated(hp.Simulated))
}

// simulated is a virtual-clock offset as T0±d.
func simulated(d time.Duration) string {
	if d < 0 {
		return "T0-" + (-d).String()
	}
	return "T0+" + d.String()
}

// barLine is "[####------] " then status, cut to the terminal's width.
func (p *Progress) barLine(hp harness.Progress) string {
	const cells = 24
	filled := 0
	if hp.RunDevices > 0 {
		filled = cells * hp.RunDevicesDone / hp.RunDevices
	}
	line := "[" + strings.Repeat("#", filled) + strings.Repeat("-", cells-filled) + "] " + status(hp)
	if r := []rune(line); len(r) > p.width-1 {
		line = string(r[:p.width-1])
	}
	return line
}
