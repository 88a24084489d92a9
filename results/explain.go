package results

import (
	"fmt"
	"strings"
)

// ExplainLine is one device's verdict in one line, for consoles and the
// JUnit failure messages: serial, outcome, stage, code and its meaning,
// and the cause in the run's terms, e.g.
//
//	QTA0012 failed at odjBlobWait: 80070774 (the device got no offline domain join blob…): the connector ODJCONN01 could not create …
//
// A device without an explanation (hybrid or Entra joined) gives its
// serial and outcome.
func ExplainLine(d DeviceResult) string {
	x := d.Explanation
	if x == nil {
		return d.Serial + " " + d.Outcome
	}
	var b strings.Builder
	b.WriteString(d.Serial + " " + d.Outcome)
	if x.Stage != "" {
		b.WriteString(" at " + x.Stage)
	}
	if x.Code != "" {
		b.WriteString(": " + x.Code)
		if x.Meaning != "" {
			fmt.Fprintf(&b, " (%s)", x.Meaning)
		}
	}
	if x.Cause != "" {
		b.WriteString(": " + x.Cause)
	}
	return b.String()
}

// FixLine is the fix and the page that documents it, the second line
// under ExplainLine; "" when there is no explanation.
func FixLine(d DeviceResult) string {
	x := d.Explanation
	if x == nil || x.Fix == "" {
		return ""
	}
	s := "fix: " + x.Fix
	if x.DocURL != "" {
		s += " (" + x.DocURL + ")"
	}
	return s
}

// AccessLine is Conditional Access's two decisions as one line (the
// report and `explain` show it), as an
// admin reads them in the sign-in logs: the result, the device's
// compliance, and the policy and reason of a block.
func AccessLine(ca *ConditionalAccess) string {
	if ca == nil {
		return ""
	}
	one := func(when string, a *AccessDecision) string {
		if a == nil {
			return ""
		}
		s := when + ": " + a.Result + " (compliance " + a.Compliance + ")"
		if a.Policy != "" {
			s += " by \u201c" + a.Policy + "\u201d"
		}
		if a.Reason != "" {
			s += ": " + a.Reason
		}
		return s
	}
	var parts []string
	for _, p := range []string{one("at the end of provisioning", ca.AtProvisioningEnd), one("after the user signs in again", ca.AfterSignIn)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "; ")
}
