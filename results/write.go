package results

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes results.json: indented, keys in struct order.
func WriteJSON(w io.Writer, r *Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("results: encode JSON: %w", err)
	}
	return nil
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
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

// WriteJUnit writes JUnit XML: one testsuite per scenario, one testcase per
// expectation. A scenario that could not run is one errored test case.
// Test times are 0: the wall clock is not part of results.
func WriteJUnit(w io.Writer, r *Run) error {
	out := junitSuites{}
	for _, sc := range r.Scenarios {
		suite := junitSuite{Name: sc.Name, Time: "0"}
		if sc.Error != "" {
			suite.Tests, suite.Errors = 1, 1
			suite.Cases = append(suite.Cases, junitCase{Name: "run", Classname: sc.Name, Time: "0",
				Error: &junitFailure{Message: sc.Error, Type: "ScenarioError", Body: sc.File}})
		}
		for _, e := range sc.Expectations {
			c := junitCase{Name: e.Description, Classname: sc.Name, Time: "0", SystemOut: e.Detail}
			if !e.Passed {
				loc := sc.File
				if e.Line > 0 {
					loc = fmt.Sprintf("%s:%d", sc.File, e.Line)
				}
				c.Failure = &junitFailure{Message: e.Detail, Type: "ExpectationFailed", Body: loc + ": " + e.Detail}
				suite.Failures++
			}
			suite.Tests++
			suite.Cases = append(suite.Cases, c)
		}
		out.Tests += suite.Tests
		out.Failures += suite.Failures + suite.Errors
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

// WriteSummary prints a table: one row per scenario with its devices'
// outcomes and its expectations, then failed expectations in full.
func WriteSummary(w io.Writer, r *Run) error {
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
	if err := tw.Flush(); err != nil {
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

// WriteDir writes results.json and junit.xml into dir, creating it.
func WriteDir(dir string, r *Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results: create %s: %w", dir, err)
	}
	write := func(name string, fn func(io.Writer, *Run) error) error {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("results: %w", err)
		}
		if err := fn(f, r); err != nil {
			f.Close()
			return fmt.Errorf("results: write %s: %w", path, err)
		}
		return f.Close()
	}
	if err := write("results.json", WriteJSON); err != nil {
		return err
	}
	return write("junit.xml", WriteJUnit)
}
