package console

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/autopilotsim/autopilotsim/check"
)

// CheckSummary prints a check's report for the terminal: the findings as
// file:line:col: severity RULE: message, the cohorts' outcomes, what
// changed from the base, and the verdict. Quiet leaves out the cohorts
// table and findings below the --fail-on severity.
func CheckSummary(w io.Writer, r *check.Report, v Verbosity) error {
	findings := r.Findings
	if v < Normal {
		findings = r.BlockingFindings()
	}
	if len(findings) > 0 {
		fmt.Fprintln(w, "Findings")
		for _, f := range findings {
			fmt.Fprintf(w, "  %s: %s %s: %s", findingAt(r, f), f.Severity, f.RuleID, f.Message)
			if f.Object != "" {
				fmt.Fprintf(w, " (%s)", f.Object)
			}
			fmt.Fprintln(w)
			if v >= Verbose && f.HelpURI != "" {
				fmt.Fprintf(w, "    see %s\n", f.HelpURI)
			}
		}
		fmt.Fprintln(w)
	}
	if v >= Normal && len(r.Cohorts) > 0 {
		fmt.Fprintln(w, "Cohorts")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  COHORT\tDEVICES\tOUTCOME\tWHY")
		for _, c := range r.Cohorts {
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\n", c.Key, c.Cohort.Devices, cohortOutcome(c), oneLine(c.Reason))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	if len(r.Changes) > 0 {
		fmt.Fprintln(w, "Changes from the base")
		for _, c := range r.Changes {
			fmt.Fprintf(w, "  %s %s: %s -> %s", c.Kind, c.Key, cohortOutcome(c.Base), cohortOutcome(c.Head))
			if c.Head.Reason != "" {
				fmt.Fprintf(w, " (%s)", oneLine(c.Head.Reason))
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintln(w, Verdict(r))
	return err
}

// Verdict is the check's last line: blocking or not, and why.
func Verdict(r *check.Report) string {
	var why []string
	if n := len(r.BlockingFindings()); n > 0 {
		why = append(why, fmt.Sprintf("%d finding(s) at or above %s", n, r.FailOn))
	}
	if n := len(r.Regressions()); n > 0 {
		why = append(why, fmt.Sprintf("%d regression(s)", n))
	}
	if len(why) == 0 {
		return fmt.Sprintf("nothing blocking: %d finding(s), %d cohort(s) simulated (fail on %s)", len(r.Findings), len(r.Cohorts), r.FailOn)
	}
	return "blocking: " + strings.Join(why, ", ")
}

func findingAt(r *check.Report, f check.Finding) string {
	file := f.File
	if file == "" {
		file = r.ConfigDir
	} else if !f.External && r.ConfigDir != "" {
		file = strings.TrimSuffix(r.ConfigDir, "/") + "/" + file
	}
	switch {
	case f.Line > 0 && f.Col > 0:
		return fmt.Sprintf("%s:%d:%d", file, f.Line, f.Col)
	case f.Line > 0:
		return fmt.Sprintf("%s:%d", file, f.Line)
	}
	return file
}

func cohortOutcome(c check.CohortResult) string {
	s := c.Outcome
	if c.FailedStage != "" {
		s += " at " + c.FailedStage
	}
	if c.ErrorCode != "" {
		s += " " + c.ErrorCode
	}
	return s
}
