package harness

import (
	"fmt"
	"strings"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// A scenario's expectations, checked against its devices' results.

// check evaluates the expectations.
func (w *world) check(devs []results.DeviceResult) []results.ExpectationResult {
	bySerial := map[string]results.DeviceResult{}
	for _, d := range devs {
		bySerial[d.Serial] = d
	}
	all := w.sc.ExpandDevices()
	out := make([]results.ExpectationResult, 0, len(w.sc.Expect))
	for i, e := range w.sc.Expect {
		if e.Requests != nil {
			out = append(out, w.checkRequests(e, i)) // faults.go
			continue
		}
		er := results.ExpectationResult{Description: describe(e, i), Line: e.Line}
		sel, err := w.sc.Select(e.Devices, all)
		if err != nil {
			er.Detail = err.Error()
			out = append(out, er)
			continue
		}
		matched := 0
		var misses, mismatched []string
		for _, s := range sel {
			d := bySerial[s.Serial]
			if why := w.mismatch(e, d); why == "" {
				matched++
			} else {
				mismatched = append(mismatched, d.Serial)
				if len(misses) < 5 {
					misses = append(misses, d.Serial+": "+why)
				}
			}
		}
		want := len(sel)
		if e.Count != nil {
			want = *e.Count
		}
		er.Passed = matched == want && len(sel) > 0
		er.Detail = fmt.Sprintf("%d of %d selected devices match (want %d)", matched, len(sel), want)
		if len(sel) == 0 {
			er.Detail = fmt.Sprintf("selector %q matches no device", e.Devices)
		}
		if !er.Passed && len(misses) > 0 {
			er.Detail += "; " + strings.Join(misses, "; ")
			er.Mismatched = mismatched
		}
		out = append(out, er)
	}
	return out
}

// mismatch says why device d does not meet e, or "" when it does.
func (w *world) mismatch(e scenarios.Expectation, d results.DeviceResult) string {
	var why []string
	if e.Outcome != "" && d.Outcome != e.Outcome {
		why = append(why, fmt.Sprintf("outcome %s, want %s", d.Outcome, e.Outcome))
	}
	if e.FailedStage != "" && d.FailedStage != e.FailedStage {
		why = append(why, fmt.Sprintf("failed stage %q, want %q", d.FailedStage, e.FailedStage))
	}
	if e.ErrorCode != "" && !strings.EqualFold(strings.TrimPrefix(d.ErrorCode, "0x"), strings.TrimPrefix(e.ErrorCode, "0x")) {
		why = append(why, fmt.Sprintf("error code %q, want %q", d.ErrorCode, e.ErrorCode))
	}
	if e.ConnectorError != nil && (d.ConnectorError == nil || *d.ConnectorError != *e.ConnectorError) {
		got := "none"
		if d.ConnectorError != nil {
			got = fmt.Sprint(*d.ConnectorError)
		}
		why = append(why, fmt.Sprintf("connector error %s, want %d", got, *e.ConnectorError))
	}
	if e.OU != "" {
		if got, same := sameParent(d.DistinguishedName, e.OU); !same {
			why = append(why, fmt.Sprintf("computer in %q, want %q", got, e.OU))
		}
	}
	if e.EntraObjects != nil && d.EntraDeviceObjects != *e.EntraObjects {
		why = append(why, fmt.Sprintf("%d Entra device objects, want %d", d.EntraDeviceObjects, *e.EntraObjects))
	}
	if e.ProfileSource != "" && d.ProfileSource != e.ProfileSource {
		why = append(why, fmt.Sprintf("profile source %q, want %q", d.ProfileSource, e.ProfileSource))
	}
	if e.Profile != "" && d.Profile != e.Profile {
		why = append(why, fmt.Sprintf("profile %q, want %q", d.Profile, e.Profile))
	}
	if e.Registration != "" && d.Registration != e.Registration {
		why = append(why, fmt.Sprintf("registration %q, want %q", d.Registration, e.Registration))
	}
	why = append(why, reportMismatch(e, d)...) // diagnose.go
	why = append(why, accessMismatch(e, d)...) // conditional_access.go
	dev := w.deviceIdx[d.Serial].Result()
	if e.UserAdmin != nil && dev.UserAdministrator != *e.UserAdmin {
		why = append(why, fmt.Sprintf("user administrator %t (local Administrators %v), want %t", dev.UserAdministrator, d.LocalAdministrators, *e.UserAdmin))
	}
	if e.Within != 0 {
		if dev.FinishedAt.IsZero() || dev.FinishedAt.After(w.t0.Add(e.Within.D())) {
			why = append(why, fmt.Sprintf("finished at %s, want within %s", orPending(d.FinishedAt), e.Within.D()))
		}
	}
	if e.After != 0 {
		if dev.FinishedAt.IsZero() || dev.TimerStartedAt.IsZero() {
			why = append(why, "no timed failure to measure")
		} else if took := dev.FinishedAt.Sub(dev.TimerStartedAt); took < e.After.D() {
			why = append(why, fmt.Sprintf("failed %s after its timer started, want at least %s", took, e.After.D()))
		}
	}
	return strings.Join(why, ", ")
}

func orPending(s string) string {
	if s == "" {
		return "never (pending)"
	}
	return "T0+" + s
}

// sameParent reports whether the computer dn sits directly in ou, comparing
// DNs as AD does (RFC 4514 escapes, case-insensitive; rules-and-ad.md B.6),
// and returns the parent it found. A DN that does not parse never matches.
func sameParent(dn, ou string) (string, bool) {
	child, err := mockad.ParseDN(dn)
	if err != nil || len(child) == 0 {
		return dn, false
	}
	parent := child.Parent()
	want, err := mockad.ParseDN(ou)
	if err != nil {
		return parent.String(), false
	}
	return parent.String(), parent.Norm() == want.Norm()
}

func describe(e scenarios.Expectation, i int) string {
	if e.Description != "" {
		return e.Description
	}
	if e.Requests != nil {
		return fmt.Sprintf("expect[%d]: %s", i, describeRequests(e.Requests))
	}
	parts := []string{}
	if e.Count != nil {
		parts = append(parts, fmt.Sprintf("%d of", *e.Count))
	}
	parts = append(parts, e.Devices)
	if e.Outcome != "" {
		parts = append(parts, e.Outcome)
	}
	if e.FailedStage != "" {
		parts = append(parts, "at "+e.FailedStage)
	}
	if e.ErrorCode != "" {
		parts = append(parts, e.ErrorCode)
	}
	parts = append(parts, describeReport(e)...) // diagnose.go
	return fmt.Sprintf("expect[%d]: %s", i, strings.Join(parts, " "))
}
