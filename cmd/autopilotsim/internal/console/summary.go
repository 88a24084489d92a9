package console

import (
	"fmt"
	"io"
	"strings"

	"github.com/autopilotsim/autopilotsim/results"
)

// Verbosity is how much Summary prints.
type Verbosity int

// The verbosities.
const (
	// Quiet prints only what failed: scenario errors and failed
	// expectations with their devices; nothing when all passed.
	Quiet Verbosity = iota - 1
	// Normal adds the table and the totals.
	Normal
	// Verbose adds every device of every scenario, explained, with what
	// the user saw on screen and the documentation page.
	Verbose
)

// Summary prints the run: the table, then each scenario error and each
// failed expectation with its devices explained in one or two lines, then
// the totals.
func Summary(w io.Writer, r *results.Run, v Verbosity) error {
	if v >= Normal {
		if err := results.WriteTable(w, r); err != nil {
			return err
		}
	}
	if v >= Verbose {
		for _, sc := range r.Scenarios {
			fmt.Fprintf(w, "\n%s (%s, seed %d)\n", sc.Name, sc.File, sc.Seed)
			for _, d := range sc.Devices {
				writeDevice(w, d, "  ", true)
			}
		}
	}
	first := v < Normal
	gap := func() {
		if !first {
			fmt.Fprintln(w)
		}
		first = false
	}
	for _, sc := range r.Scenarios {
		if sc.Error != "" {
			gap()
			fmt.Fprintf(w, "%s (%s): %s\n", sc.Name, sc.File, sc.Error)
		}
		for _, e := range sc.Expectations {
			if e.Passed {
				continue
			}
			gap()
			fmt.Fprintf(w, "%s:%d: %s\n  %s\n", sc.File, e.Line, e.Description, e.Detail)
			for _, d := range mismatched(sc, e) {
				writeDevice(w, d, "  ", v >= Verbose)
			}
		}
	}
	if v < Normal {
		return nil
	}
	return results.WriteTotals(w, r)
}

// writeDevice prints one device in one line, and its fix in a second
// (and, verbose, what the user saw and the documentation page).
func writeDevice(w io.Writer, d results.DeviceResult, indent string, verbose bool) {
	fmt.Fprintf(w, "%s%s\n", indent, DeviceLine(d))
	if fix := results.FixLine(d); fix != "" {
		fmt.Fprintf(w, "%s  %s\n", indent, fix)
	}
	if x := d.Explanation; verbose && x != nil {
		if x.Message != "" {
			fmt.Fprintf(w, "%s  on screen: %s\n", indent, x.Message)
		}
		if x.DocTitle != "" {
			fmt.Fprintf(w, "%s  see: %s\n", indent, x.DocTitle)
		}
	}
}

// DeviceLine is a device's verdict in one line: results.ExplainLine when
// the device has an explanation, else what the device reported (stage,
// error code, detail).
func DeviceLine(d results.DeviceResult) string {
	if d.Explanation != nil {
		return results.ExplainLine(d)
	}
	s := d.Serial + " " + d.Outcome
	if d.FailedStage != "" {
		s += " at " + d.FailedStage
	}
	if d.ErrorCode != "" {
		s += ": " + d.ErrorCode
	}
	if d.Detail != "" {
		s += ": " + d.Detail
	}
	return s
}

// mismatched are the devices a failed expectation names: its Mismatched
// serials, or else those its detail lists ("…; SERIAL: why").
func mismatched(sc results.ScenarioResult, e results.ExpectationResult) []results.DeviceResult {
	want := map[string]bool{}
	for _, s := range e.Mismatched {
		want[s] = true
	}
	var out []results.DeviceResult
	for _, d := range sc.Devices {
		if want[d.Serial] || (len(e.Mismatched) == 0 && strings.Contains(e.Detail, "; "+d.Serial+": ")) {
			out = append(out, d)
		}
	}
	return out
}
