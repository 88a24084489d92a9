package check

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Formats are the output formats WriteAll knows, with their file names.
var Formats = map[string]string{
	"sarif": "check.sarif",
	"junit": "check-junit.xml",
	"json":  "check.json",
	"md":    "check.md",
}

// ParseFormats reads --format's comma-separated list (sarif,junit,json,md).
func ParseFormats(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if _, ok := Formats[f]; !ok {
			return nil, &InvalidInputError{What: "format", Err: fmt.Errorf("%q: want a comma-separated list of sarif, junit, json, md", f)}
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, &InvalidInputError{What: "format", Err: fmt.Errorf("no format given")}
	}
	return out, nil
}

// WriteAll writes each format to dir under Formats' file name and returns
// the paths written.
func WriteAll(r *Report, dir string, formats []string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("check: output folder: %w", err)
	}
	var paths []string
	for _, f := range formats {
		name, ok := Formats[f]
		if !ok {
			return paths, &InvalidInputError{What: "format", Err: fmt.Errorf("unknown format %q", f)}
		}
		p := filepath.Join(dir, name)
		if err := writeFile(p, r, f); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func writeFile(p string, r *Report, format string) (err error) {
	file, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	defer func() {
		if cerr := file.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("check: %w", cerr)
		}
	}()
	switch format {
	case "sarif":
		err = WriteSARIF(file, r)
	case "junit":
		err = WriteJUnit(file, r)
	case "json":
		err = WriteJSON(file, r)
	case "md":
		err = WriteMarkdown(file, r)
	}
	if err != nil {
		return fmt.Errorf("check: write %s: %w", p, err)
	}
	return nil
}

// WriteJSON writes the report as indented JSON (the Report type's fields).
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	rep := *r
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if rep.Cohorts == nil {
		rep.Cohorts = []CohortResult{}
	}
	return enc.Encode(struct {
		*Report
		Blocking bool `json:"blocking"`
	}{&rep, r.Blocking()})
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes one test case per rule (failing when it has a finding
// at or above FailOn) and one per cohort (failing on a regression; its
// outcome and reason in system-out).
func WriteJUnit(w io.Writer, r *Report) error {
	rules := junitSuite{Name: "autopilotsim check: rules"}
	for _, ru := range Rules() {
		c := junitCase{Name: ru.ID + " " + ru.Title, Classname: "check.rules"}
		var block, other []string
		for _, f := range r.Findings {
			if f.RuleID != ru.ID {
				continue
			}
			line := fmt.Sprintf("%s: %s %s: %s", locationText(r, f), f.Severity, f.Object, f.Message)
			if f.Severity.AtLeast(r.FailOn) {
				block = append(block, line)
			} else {
				other = append(other, line)
			}
		}
		if len(block) > 0 {
			c.Failure = &junitFailure{Message: fmt.Sprintf("%d finding(s) at or above %s", len(block), r.FailOn), Type: ru.ID, Text: strings.Join(block, "\n")}
			rules.Failures++
		}
		c.SystemOut = strings.Join(other, "\n")
		rules.Cases = append(rules.Cases, c)
	}
	rules.Tests = len(rules.Cases)
	cohorts := junitSuite{Name: "autopilotsim check: cohorts"}
	changes := map[string]CohortChange{}
	for _, ch := range r.Changes {
		changes[ch.Key] = ch
	}
	for _, co := range r.Cohorts {
		c := junitCase{Name: co.Key, Classname: "check.cohorts", SystemOut: resultText(co)}
		if ch, ok := changes[co.Key]; ok {
			c.SystemOut = fmt.Sprintf("%s: was %s, now %s", ch.Kind, resultText(ch.Base), resultText(ch.Head))
			if ch.Kind == Regression {
				c.Failure = &junitFailure{Message: fmt.Sprintf("regression: %s → %s", ch.Base.Outcome, ch.Head.Outcome), Type: "regression", Text: c.SystemOut}
				cohorts.Failures++
			}
		}
		cohorts.Cases = append(cohorts.Cases, c)
	}
	cohorts.Tests = len(cohorts.Cases)
	all := junitSuites{Name: "autopilotsim check", Suites: []junitSuite{rules, cohorts},
		Tests: rules.Tests + cohorts.Tests, Failures: rules.Failures + cohorts.Failures}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// resultText is one cohort result in words.
func resultText(c CohortResult) string {
	s := c.Outcome
	if c.FailedStage != "" {
		s += " at " + c.FailedStage
	}
	if c.ErrorCode != "" {
		s += " (" + c.ErrorCode + ")"
	}
	if c.Reason != "" {
		s += ": " + c.Reason
	}
	return s
}

// locationText is file:line:col of a finding, relative as in SARIF.
func locationText(r *Report, f Finding) string {
	s := artifactURI(r.ConfigDir, f)
	if f.Line > 0 {
		s += fmt.Sprintf(":%d:%d", f.Line, f.Col)
	}
	return s
}
