package console

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/autopilotsim/autopilotsim/results"
)

// FindDevice finds the device with serial in run, in the named scenario
// when scenario is not "" (a serial may recur across scenarios).
func FindDevice(run *results.Run, serial, scenario string) (results.ScenarioResult, results.DeviceResult, error) {
	var hits []int
	var names []string
	for i, sc := range run.Scenarios {
		names = append(names, sc.Name)
		if scenario != "" && sc.Name != scenario {
			continue
		}
		for _, d := range sc.Devices {
			if strings.EqualFold(d.Serial, serial) {
				hits = append(hits, i)
			}
		}
	}
	if scenario != "" && !contains(names, scenario) {
		return results.ScenarioResult{}, results.DeviceResult{}, fmt.Errorf("no scenario %q in the results (scenarios: %s)", scenario, list(names))
	}
	switch len(hits) {
	case 0:
		var serials []string
		for _, sc := range run.Scenarios {
			if scenario != "" && sc.Name != scenario {
				continue
			}
			for _, d := range sc.Devices {
				serials = append(serials, d.Serial)
			}
		}
		return results.ScenarioResult{}, results.DeviceResult{}, fmt.Errorf("no device %q in the results (devices: %s)", serial, list(serials))
	case 1:
		sc := run.Scenarios[hits[0]]
		for _, d := range sc.Devices {
			if strings.EqualFold(d.Serial, serial) {
				return sc, d, nil
			}
		}
	}
	var in []string
	for _, i := range hits {
		in = append(in, run.Scenarios[i].Name)
	}
	return results.ScenarioResult{}, results.DeviceResult{}, fmt.Errorf("device %q is in %d scenarios (%s): name one with --scenario", serial, len(hits), strings.Join(in, ", "))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// list names at most ten values.
func list(vals []string) string {
	if len(vals) == 0 {
		return "none"
	}
	sort.Strings(vals)
	if len(vals) > 10 {
		return strings.Join(vals[:10], ", ") + fmt.Sprintf(", … %d more", len(vals)-10)
	}
	return strings.Join(vals, ", ")
}

// Explain prints one device's story: its verdict and diagnosis, its
// timeline, the Windows events it would have logged and its dsregcmd
// state, as results.json holds them.
func Explain(w io.Writer, sc results.ScenarioResult, d results.DeviceResult) error {
	fmt.Fprintf(w, "%s in scenario %s (%s, seed %d)\n\n", d.Serial, sc.Name, sc.File, sc.Seed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "  %s\t%s\n", k, v)
		}
	}
	outcome := d.Outcome
	if d.FailedStage != "" {
		outcome += " at " + d.FailedStage
	}
	if d.ErrorCode != "" {
		outcome += ", " + d.ErrorCode
	}
	row("outcome", outcome)
	row("detail", d.Detail)
	if d.Profile != "" {
		row("profile", d.Profile+" ("+d.ProfileSource+")")
	} else {
		row("profile", d.ProfileSource)
	}
	row("registration", d.Registration)
	row("computer", strings.TrimSpace(d.ComputerName+"  "+d.DistinguishedName))
	if d.ConnectorError != nil {
		row("connector", fmt.Sprintf("error %d", *d.ConnectorError))
	}
	entra := fmt.Sprintf("%d device object(s)", d.EntraDeviceObjects)
	for _, e := range d.EntraDevices {
		entra += fmt.Sprintf("; %s %s %s", e.DisplayName, e.TrustType, e.DeviceID)
	}
	row("Entra", entra)
	row("local admins", strings.Join(d.LocalAdministrators, ", "))
	row("Conditional Access", results.AccessLine(d.ConditionalAccess))
	if d.PoweredOnAt != "" {
		row("powered on", "T0+"+d.PoweredOnAt)
	}
	row("finished", finished(d.FinishedAt))
	if err := tw.Flush(); err != nil {
		return err
	}

	if x := d.Explanation; x != nil {
		fmt.Fprintln(w, "\nWhy")
		fmt.Fprintf(w, "  %s\n", results.ExplainLine(d))
		if fix := results.FixLine(d); fix != "" {
			fmt.Fprintf(w, "  %s\n", fix)
		}
		if x.Message != "" {
			fmt.Fprintf(w, "  on screen: %s\n", x.Message)
		}
		if x.DocTitle != "" {
			fmt.Fprintf(w, "  see: %s\n", x.DocTitle)
		}
	}

	fmt.Fprintln(w, "\nTimeline")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range d.Timeline {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", at(t.Offset), t.Actor, t.Step, oneLine(t.Detail))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(d.Events) > 0 {
		fmt.Fprintln(w, "\nWindows events")
		writeEvents(w, d.Events)
	}

	if s := d.DSRegCmd; s != nil {
		fmt.Fprintln(w, "\ndsregcmd /status")
		tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
		for _, kv := range [][2]string{
			{"AzureAdJoined", s.AzureAdJoined}, {"EnterpriseJoined", s.EnterpriseJoined}, {"DomainJoined", s.DomainJoined},
			{"DomainName", s.DomainName}, {"DeviceName", s.DeviceName}, {"DeviceId", s.DeviceID}, {"TenantId", s.TenantID},
			{"TenantName", s.TenantName}, {"AzureAdPrt", s.AzureAdPrt}, {"Registration Type", s.RegistrationType},
			{"Error Phase", s.ErrorPhase}, {"Client ErrorCode", s.ClientErrorCode},
		} {
			if kv[1] != "" {
				fmt.Fprintf(tw, "  %s\t: %s\n", kv[0], kv[1])
			}
		}
		return tw.Flush()
	}
	return nil
}

// writeEvents prints one event a row, its data fields on the rows below
// it, indented under the machine (the rows stay narrow).
func writeEvents(w io.Writer, events []results.WindowsEvent) {
	rows := make([][5]string, len(events))
	var width [5]int
	for i, e := range events {
		rows[i] = [5]string{at(e.Offset), e.Machine, fmt.Sprint(e.ID), e.Level, shortLog(e.Log)}
		for c, v := range rows[i] {
			width[c] = max(width[c], len(v))
		}
	}
	indent := 2 + width[0] + 2
	for i, e := range events {
		fmt.Fprint(w, "  ")
		for c, v := range rows[i] {
			fmt.Fprintf(w, "%-*s  ", width[c], v)
		}
		fmt.Fprintln(w, oneLine(e.Message))
		for _, f := range e.Fields {
			fmt.Fprintf(w, "%*s%s: %s\n", indent+4, "", f.Name, oneLine(f.Value))
		}
	}
}

func at(offset string) string {
	if strings.HasPrefix(offset, "-") {
		return "T0" + offset
	}
	return "T0+" + offset
}

func finished(offset string) string {
	if offset == "" {
		return "never (pending)"
	}
	return "T0+" + offset
}

// shortLog drops the Microsoft-Windows- prefix of a channel name.
func shortLog(log string) string { return strings.TrimPrefix(log, "Microsoft-Windows-") }

// oneLine keeps a value on its row.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
