package check

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// maxRows bounds each Markdown table so the summary fits a pull-request
// comment; the JSON report has everything.
const maxRows = 15

// WriteMarkdown writes a summary short enough for a pull-request comment:
// the verdict, what changed, who is affected, and what to do.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	block := r.BlockingFindings()
	regs := r.Regressions()
	if r.Blocking() {
		fmt.Fprintf(&b, "## ❌ autopilotsim check: blocking\n\n")
	} else {
		fmt.Fprintf(&b, "## ✅ autopilotsim check: nothing blocking\n\n")
	}
	var parts []string
	if r.HasBase {
		parts = append(parts, plural(len(regs), "regression"), plural(len(r.Fixes()), "fix", "fixes"),
			plural(len(r.NewFindings), "new finding"))
	}
	parts = append(parts, fmt.Sprintf("%s at or above %s", plural(len(block), "finding"), r.FailOn),
		fmt.Sprintf("%s simulated", plural(len(r.Cohorts), "cohort")))
	fmt.Fprintf(&b, "%s.\n", strings.Join(parts, ", "))

	if len(r.Changes) > 0 {
		fmt.Fprintf(&b, "\n### Who is affected\n\n| | Devices | Before | After | Why |\n|---|---|---|---|---|\n")
		for i, c := range r.Changes {
			if i == maxRows {
				fmt.Fprintf(&b, "\n…and %d more cohorts (see the JSON report).\n", len(r.Changes)-maxRows)
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", changeIcon(c.Kind), cell(cohortWords(c.Head.Cohort)),
				outcomeCell(c.Base), outcomeCell(c.Head), cell(c.Head.Reason))
		}
	}

	shown := r.Findings
	title := "Findings"
	if r.HasBase {
		shown, title = r.NewFindings, "New findings"
	}
	if len(shown) > 0 {
		fmt.Fprintf(&b, "\n### %s\n\n", title)
		for i, f := range shown {
			if i == maxRows {
				fmt.Fprintf(&b, "- …and %d more (see the SARIF report)\n", len(shown)-maxRows)
				break
			}
			fmt.Fprintf(&b, "- **%s** %s `%s` %s: %s ([docs](%s))\n", f.RuleID, f.Severity, locationText(r, f), f.Object, oneLine(f.Message), f.HelpURI)
		}
	}
	if r.HasBase && len(r.FixedFindings) > 0 {
		fmt.Fprintf(&b, "\n%s no longer reported: %s.\n", plural(len(r.FixedFindings), "finding"), ruleIDs(r.FixedFindings))
	}

	if todo := todoList(r, block); len(todo) > 0 {
		fmt.Fprintf(&b, "\n### What to do\n\n")
		for _, t := range todo {
			fmt.Fprintf(&b, "- %s\n", t)
		}
	}

	fmt.Fprintf(&b, "\n<details><summary>Outcomes of all %d cohorts</summary>\n\n| Outcome | Cohorts |\n|---|---|\n", len(r.Cohorts))
	counts := map[string]int{}
	for _, c := range r.Cohorts {
		counts[c.Outcome]++
	}
	var outs []string
	for o := range counts {
		outs = append(outs, o)
	}
	sort.Strings(outs)
	for _, o := range outs {
		fmt.Fprintf(&b, "| %s | %d |\n", o, counts[o])
	}
	fmt.Fprintf(&b, "\n</details>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// todoList is one line per rule that blocks or caused a new finding, and
// one per regressed failure stage.
func todoList(r *Report, block []Finding) []string {
	var out []string
	seen := map[string]bool{}
	fs := block
	if r.HasBase {
		fs = append(append([]Finding(nil), r.NewFindings...), block...)
	}
	for _, f := range fs {
		if seen[f.RuleID] {
			continue
		}
		seen[f.RuleID] = true
		ru := ruleByID(f.RuleID)
		out = append(out, fmt.Sprintf("**%s** (%s): %s See [%s](%s).", f.RuleID, ru.Title, ru.Fix, ru.Heading, ru.HelpURI))
	}
	if len(r.Regressions()) > 0 && len(fs) == 0 {
		out = append(out, "No static rule explains the regressions: compare the cohorts' reasons above with the change, or run the JSON report's cohorts as scenarios (`autopilotsim run`).")
	}
	return out
}

func ruleIDs(fs []Finding) string {
	seen := map[string]bool{}
	var ids []string
	for _, f := range fs {
		if !seen[f.RuleID] {
			seen[f.RuleID] = true
			ids = append(ids, f.RuleID)
		}
	}
	return strings.Join(ids, ", ")
}

func changeIcon(k ChangeKind) string {
	switch k {
	case Regression:
		return "🔴 regression"
	case Fix:
		return "🟢 fix"
	}
	return "🟡 changed"
}

// cohortWords describes a cohort for people: "devices tagged SALES at
// home with a deviceTunnel VPN (12 registered)".
func cohortWords(c Cohort) string {
	s := "untagged devices"
	if c.Tag != "" {
		s = "devices tagged " + c.Tag
	}
	if c.PurchaseOrder != "" {
		s += " of purchase order " + c.PurchaseOrder
	}
	if c.Location != "" {
		s += " at " + c.Location
	}
	if c.VPN != "" && c.VPN != "none" {
		s += " with a " + c.VPN + " VPN"
	}
	if c.Devices > 0 {
		s += fmt.Sprintf(" (%d registered)", c.Devices)
	}
	return s
}

func outcomeCell(c CohortResult) string { return cell(c.outcomeText()) }

// cell makes text safe in a Markdown table cell.
func cell(s string) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:197]) + "…"
	}
	return strings.ReplaceAll(s, "|", "\\|")
}

func plural(n int, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	if len(many) > 0 {
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, one)
}
