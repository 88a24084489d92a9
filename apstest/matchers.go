package apstest

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/autopilotsim/autopilotsim/results"
)

// The matchers take a Device (results.DeviceResult), a *Device, or a
// *Result (Pass). Their failure messages describe the device the way the
// CLI does: serial, outcome, stage, code and meaning, the cause in this
// run's terms, the fix, and the last steps of its timeline.

// HaveHybridJoined succeeds for a device whose outcome is hybridJoined: in
// the domain, in Entra ID as a hybrid (ServerAd) device, signed in.
func HaveHybridJoined() types.GomegaMatcher { return HaveOutcome("hybridJoined") }

// HaveOutcome succeeds for a device with this outcome (hybridJoined,
// entraJoined, domainJoinedNotRegistered, failed, notAutopilot, pending).
func HaveOutcome(outcome string) types.GomegaMatcher {
	return &deviceMatcher{
		want:  "have outcome " + outcome,
		match: func(d Device) bool { return d.Outcome == outcome },
	}
}

// FailAt succeeds for a failed device that failed at stage with code (the
// code as Windows shows it, e.g. 80070774); an empty code matches any.
func FailAt(stage, code string) types.GomegaMatcher {
	want := "fail at " + stage
	if code != "" {
		want += " with " + code
	}
	return &deviceMatcher{
		want: want,
		match: func(d Device) bool {
			return d.Outcome == "failed" && d.FailedStage == stage && (code == "" || strings.EqualFold(d.ErrorCode, code))
		},
	}
}

// HaveComputerIn succeeds for a device whose computer object is directly in
// ou (case-insensitive DN comparison, spaces after commas ignored).
func HaveComputerIn(ou string) types.GomegaMatcher {
	return &deviceMatcher{
		want: "have its computer object in " + ou,
		match: func(d Device) bool {
			dn := normDN(d.DistinguishedName)
			i := strings.Index(dn, ",")
			return dn != "" && i > 0 && dn[i+1:] == normDN(ou)
		},
	}
}

// HaveEntraObjects succeeds for a device with n Microsoft Entra device
// objects (a hybrid join that worked: 2, the Autopilot object and the
// hybrid one).
func HaveEntraObjects(n int) types.GomegaMatcher {
	return &deviceMatcher{
		want:  fmt.Sprintf("have %d Entra device object(s)", n),
		match: func(d Device) bool { return d.EntraDeviceObjects == n },
	}
}

// HaveProfile succeeds for a device that got the deployment profile name
// (empty: no profile).
func HaveProfile(name string) types.GomegaMatcher {
	return &deviceMatcher{
		want:  fmt.Sprintf("get deployment profile %q", name),
		match: func(d Device) bool { return d.Profile == name },
	}
}

// Pass succeeds for a *Result whose scenario passed: set-up accepted and
// every expectation of its expect: section held.
func Pass() types.GomegaMatcher { return passMatcher{} }

type deviceMatcher struct {
	want  string
	match func(Device) bool
}

func asDevice(actual any) (Device, error) {
	switch d := actual.(type) {
	case results.DeviceResult:
		return d, nil
	case *results.DeviceResult:
		if d == nil {
			return Device{}, fmt.Errorf("apstest: expected a device result, got a nil *DeviceResult")
		}
		return *d, nil
	}
	return Device{}, fmt.Errorf("apstest: expected a device result (apstest.Device), got %T", actual)
}

func (m *deviceMatcher) Match(actual any) (bool, error) {
	d, err := asDevice(actual)
	if err != nil {
		return false, err
	}
	if d.Serial == "" {
		return false, nil
	}
	return m.match(d), nil
}

func (m *deviceMatcher) FailureMessage(actual any) string {
	d, err := asDevice(actual)
	if err != nil {
		return err.Error()
	}
	if d.Serial == "" {
		return "Expected a device to " + m.want + ", but " + d.Outcome
	}
	return fmt.Sprintf("Expected device %s to %s, but\n%s", d.Serial, m.want, Describe(d))
}

func (m *deviceMatcher) NegatedFailureMessage(actual any) string {
	d, _ := asDevice(actual)
	return fmt.Sprintf("Expected device %s not to %s, but it did\n%s", d.Serial, m.want, Describe(d))
}

// Describe is a device's state in a few indented lines: what the matchers
// print when they fail.
func Describe(d Device) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  outcome:   %s", d.Outcome)
	if d.FailedStage != "" {
		fmt.Fprintf(&b, " at %s", d.FailedStage)
	}
	if d.ErrorCode != "" {
		fmt.Fprintf(&b, " (%s)", d.ErrorCode)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "  profile:   %s\n", orNone(d.Profile))
	fmt.Fprintf(&b, "  computer:  %s\n", orNone(d.DistinguishedName))
	fmt.Fprintf(&b, "  entra:     %d object(s)\n", d.EntraDeviceObjects)
	if d.Explanation != nil {
		fmt.Fprintf(&b, "  why:       %s\n", results.ExplainLine(d))
		if f := results.FixLine(d); f != "" {
			fmt.Fprintf(&b, "  %s\n", f)
		}
	}
	if n := len(d.Timeline); n > 0 {
		b.WriteString("  last steps:\n")
		for _, t := range d.Timeline[max(0, n-4):] {
			detail := t.Detail
			if len(detail) > 160 {
				detail = detail[:157] + "..."
			}
			fmt.Fprintf(&b, "    %s %s %s %s\n", t.Offset, t.Actor, t.Step, detail)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func normDN(dn string) string {
	parts := strings.Split(dn, ",")
	for i, p := range parts {
		parts[i] = strings.ToLower(strings.TrimSpace(p))
	}
	return strings.Join(parts, ",")
}

type passMatcher struct{}

func asResult(actual any) (*Result, error) {
	if r, ok := actual.(*Result); ok && r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("apstest: Pass expects a *apstest.Result, got %T", actual)
}

func (passMatcher) Match(actual any) (bool, error) {
	r, err := asResult(actual)
	if err != nil {
		return false, err
	}
	return r.Err() == nil && r.Passed, nil
}

func (passMatcher) FailureMessage(actual any) string {
	r, err := asResult(actual)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Expected scenario %q (seed %d) to pass, but", r.Name, r.Seed)
	if e := r.Err(); e != nil {
		fmt.Fprintf(&b, " it could not run: %v", e)
		return b.String()
	}
	b.WriteString(" these expectations failed:")
	bySerial := map[string]Device{}
	for _, d := range r.Devices {
		bySerial[d.Serial] = d
	}
	for _, e := range r.Expectations {
		if e.Passed {
			continue
		}
		where := ""
		if e.Line > 0 {
			where = fmt.Sprintf(" (%s:%d)", r.File, e.Line)
		}
		fmt.Fprintf(&b, "\n- %s%s: %s", e.Description, where, e.Detail)
		for _, s := range e.Mismatched {
			fmt.Fprintf(&b, "\n    %s", results.ExplainLine(bySerial[s]))
		}
	}
	return b.String()
}

func (passMatcher) NegatedFailureMessage(actual any) string {
	r, _ := asResult(actual)
	name := ""
	if r != nil {
		name = r.Name
	}
	return fmt.Sprintf("Expected scenario %q not to pass, but every expectation held", name)
}
