package results

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	File       string          `xml:"file,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// maxExplained bounds the devices a failure's body explains.
const maxExplained = 10

// WriteJUnit writes JUnit XML as CI dashboards read it (Jenkins, GitLab,
// GitHub test reporters): one <testsuite> per scenario with its file and
// properties (seed, simulated time and start, devices, outcomes), one
// <testcase> per expectation with the scenario file as its file attribute
// and the expectation's line. A failed expectation's <failure> message is
// its detail and the explanation of the first device that did not match
// (ExplainLine); the body adds file:line and every such device's
// explanation and fix. A scenario that could not run is one errored test
// case named "run". Times are 0: the wall clock is not part of results;
// the simulated time is the property simulatedTime.
func WriteJUnit(w io.Writer, r *Run) error {
	out := junitSuites{Name: "autopilotsim", Time: "0"}
	for _, sc := range r.Scenarios {
		suite := junitSuite{Name: sc.Name, Time: "0", File: sc.File, Properties: []junitProperty{
			{"file", sc.File},
			{"seed", fmt.Sprint(sc.Seed)},
			{"simulatedTime", sc.SimulatedTime},
			{"simulatedStart", sc.Start.UTC().Format(time.RFC3339)},
			{"devices", fmt.Sprint(len(sc.Devices))},
			{"outcomes", outcomeCounts(sc.Devices)},
		}}
		if sc.Error != "" {
			suite.Tests, suite.Errors = 1, 1
			suite.Cases = append(suite.Cases, junitCase{Name: "run", Classname: sc.Name, File: sc.File, Time: "0",
				Error: &junitFailure{Message: sc.Error, Type: "ScenarioError", Body: sc.File + ": " + sc.Error}})
		}
		bySerial := make(map[string]DeviceResult, len(sc.Devices))
		for _, d := range sc.Devices {
			bySerial[d.Serial] = d
		}
		for _, e := range sc.Expectations {
			c := junitCase{Name: e.Description, Classname: sc.Name, File: sc.File, Line: e.Line, Time: "0", SystemOut: e.Detail}
			if !e.Passed {
				c.Failure = expectationFailure(sc, e, bySerial)
				suite.Failures++
			}
			suite.Tests++
			suite.Cases = append(suite.Cases, c)
		}
		out.Tests += suite.Tests
		out.Failures += suite.Failures
		out.Errors += suite.Errors
		out.Suites = append(out.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("results: write JUnit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("results: encode JUnit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// expectationFailure is the <failure> of expectation e: the message in one
// or two lines, the body with every unmatched device's explanation.
func expectationFailure(sc ScenarioResult, e ExpectationResult, bySerial map[string]DeviceResult) *junitFailure {
	loc := sc.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", sc.File, e.Line)
	}
	msg := e.Detail
	var body strings.Builder
	fmt.Fprintf(&body, "%s: %s\n%s\n", loc, e.Description, e.Detail)
	first := true
	for i, serial := range e.Mismatched {
		if i == maxExplained {
			fmt.Fprintf(&body, "… and %d more devices\n", len(e.Mismatched)-i)
			break
		}
		d, ok := bySerial[serial]
		if !ok || d.Explanation == nil {
			continue
		}
		line := ExplainLine(d)
		if first {
			msg += "\n" + line
			first = false
		}
		body.WriteString(line + "\n")
		if fix := FixLine(d); fix != "" {
			body.WriteString("  " + fix + "\n")
		}
	}
	return &junitFailure{Message: msg, Type: "ExpectationFailed", Body: body.String()}
}

// WriteSummary prints a table: one row per scenario with its devices'
// outcomes and its expectations, then failed expectations in full.
func WriteSummary(w io.Writer, r *Run) error {
	if err := WriteTable(w, r); err != nil {
		return err
	}
	for _, sc := range r.Scenarios {
		if sc.Error != "" {
			fmt.Fprintf(w, "\n%s (%s): %s\n", sc.Name, sc.File, sc.Error)
		}
		for _, e := range sc.Expectations {
			if !e.Passed {
				fmt.Fprintf(w, "\n%s:%d: %s\n  %s\n", sc.File, e.Line, e.Description, e.Detail)
			}
		}
	}
	return WriteTotals(w, r)
}

// WriteTable prints the summary table alone: one row per scenario.
func WriteTable(w io.Writer, r *Run) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tRESULT\tDEVICES\tOUTCOMES\tEXPECTATIONS\tSIMULATED")
	for _, sc := range r.Scenarios {
		res := "PASS"
		if !sc.Passed {
			res = "FAIL"
		}
		if sc.Error != "" {
			res = "ERROR"
		}
		ok := 0
		for _, e := range sc.Expectations {
			if e.Passed {
				ok++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d/%d\t%s\n", sc.Name, res, len(sc.Devices), outcomeCounts(sc.Devices), ok, len(sc.Expectations), sc.SimulatedTime)
	}
	return tw.Flush()
}

// WriteTotals prints the summary's last line: the run's counts.
func WriteTotals(w io.Writer, r *Run) error {
	s := r.Summary
	_, err := fmt.Fprintf(w, "\n%d scenarios: %d passed, %d failed; %d devices; %d expectations, %d failed\n",
		s.Scenarios, s.ScenariosPassed, s.ScenariosFailed, s.Devices, s.Expectations, s.ExpectationsFailed)
	return err
}

func outcomeCounts(devs []DeviceResult) string {
	n := map[string]int{}
	for _, d := range devs {
		n[d.Outcome]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, n[k])
	}
	return strings.Join(parts, " ")
}

// WriteDir writes results.json and junit.xml into dir, creating it. Each
// file is written to a temporary file in dir and renamed over the old one,
// so a reader (a CI step, a dashboard polling the folder) sees either the
// previous complete file or the new complete file, never a truncated one,
// and a failed write leaves the previous file in place.
func WriteDir(dir string, r *Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results: create %s: %w", dir, err)
	}
	write := func(name string, fn func(io.Writer, *Run) error) (err error) {
		path := filepath.Join(dir, name)
		f, err := os.CreateTemp(dir, "."+name+".tmp-*")
		if err != nil {
			return fmt.Errorf("results: %w", err)
		}
		defer func() {
			if err != nil {
				f.Close()
				os.Remove(f.Name())
			}
		}()
		if err := fn(f, r); err != nil {
			return fmt.Errorf("results: write %s: %w", path, err)
		}
		// CreateTemp makes the file 0600; results are for everyone to read,
		// as os.Create made them before.
		if err := f.Chmod(0o644); err != nil {
			return fmt.Errorf("results: write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("results: write %s: %w", path, err)
		}
		if err := os.Rename(f.Name(), path); err != nil {
			return fmt.Errorf("results: write %s: %w", path, err)
		}
		return nil
	}
	if err := write("results.json", WriteJSON); err != nil {
		return err
	}
	return write("junit.xml", WriteJUnit)
}
