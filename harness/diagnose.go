package harness

import (
	"fmt"
	"sort"
	"strings"

	"github.com/autopilotsim/autopilotsim/devicesim"
	"github.com/autopilotsim/autopilotsim/diagnosis"
	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// diagnose fills dr's Events, DSRegCmd and Explanation (package diagnosis)
// from the device's result and what the world knows of its scenario.
// keepEvents says whether the results keep the event log (diagnosis.Apply).
func (w *world) diagnose(t *diagnosisTables, dr *results.DeviceResult, r devicesim.Result, apDeviceID string, conn []diagnosis.ConnectorEvent, keepEvents func(*results.DeviceResult) bool) {
	spec := w.specs[r.Serial]
	in := diagnosis.Device{
		Result: *dr, T0: w.t0, RunDuration: w.sc.Duration.D(),
		TenantName: w.sc.Tenant.Domain, HybridDeviceID: r.HybridDeviceID, AutopilotDeviceID: apDeviceID,
		Domain: r.Domain, GroupTag: spec.GroupTag, Location: spec.Location, VPN: spec.VPN,
		Connector: conn, NonRoutableUPN: scenarios.NonRoutableUPN(w.adUPN(spec)),
	}
	if w.admin != nil {
		in.TenantID = w.admin.tenant
	}
	for _, n := range w.sc.Environment.Networks {
		if n.Name == spec.Location {
			in.LocationKind = n.Kind
		}
	}
	if dc := w.domains[strings.ToLower(r.Domain)]; dc != nil {
		in.NetBIOS = dc.netbios
	}
	in.Request = w.requestTarget(t, r, conn)
	ec := w.sc.Environment.EntraConnect
	in.Sync = diagnosis.Sync{Disabled: ec.Disabled, Scope: ec.Scope, InScope: inScope(r.DistinguishedName, ec.Scope)}
	diagnosis.Apply(dr, in, keepEvents)
}

// requestTarget finds the domain, OU, quota and connectors of the
// device's ODJ request: the OU from the connector's own trace of the
// request ("request <id> device <id> ou %q …", connector.process), else
// from the single Domain Join profile of the domain.
func (w *world) requestTarget(t *diagnosisTables, r devicesim.Result, conn []diagnosis.ConnectorEvent) diagnosis.Request {
	q := diagnosis.Request{Domain: r.Domain}
	if q.Domain == "" {
		// No blob: the domain of the connector that took the request.
		for _, c := range conn {
			if dom := t.connDomain[c.Connector]; dom != "" {
				q.Domain = dom
				break
			}
		}
	}
	if q.Domain == "" {
		var doms []string
		for _, p := range w.sc.Tenant.DomainJoinProfiles {
			doms = append(doms, p.Domain)
		}
		if len(doms) == 1 {
			q.Domain = doms[0]
		}
	}
	ou, found := t.requestOU[r.ODJRequestID]
	q.OU = ou
	if !found || r.ODJRequestID == "" {
		n := 0
		for _, p := range w.sc.Tenant.DomainJoinProfiles {
			if strings.EqualFold(p.Domain, q.Domain) {
				q.OU = p.OU
				n++
			}
		}
		if n != 1 {
			q.OU = ""
		}
	}
	q.Quota = 10
	if dc := w.domains[strings.ToLower(q.Domain)]; dc != nil && dc.spec.MachineAccountQuota != nil {
		q.Quota = *dc.spec.MachineAccountQuota
	}
	q.Connectors, q.Running = t.domainConnectors(q.Domain)
	return q
}

// diagnosisTables is what the diagnosis looks up for every device, read
// from the world once per results build (deviceResults): a lab builds
// results again while requests arrive and connectors stop and start.
type diagnosisTables struct {
	// requestOU maps each ODJ request id to the OU the connector was asked
	// for, from the connectors' traces ("request <id> device <id> ou %q …",
	// connector.process); the last trace of a request wins.
	requestOU map[string]string
	// connDomain maps a connector's name to its domain (names are unique,
	// scenarios' validation).
	connDomain map[string]string
	conns      []connectorState // in connOrder
	// byDomain caches domainConnectors per domain name: a fleet's devices
	// share a few domains while its connectors scale with it (one per 1,000
	// devices in BenchmarkFleetScale), so a scan per device grew with the
	// fleet squared.
	byDomain map[string]domainConns
}

type connectorState struct {
	name, domain string
	running      bool
}

type domainConns struct{ all, running []string }

func (w *world) newDiagnosisTables() *diagnosisTables {
	t := &diagnosisTables{requestOU: map[string]string{}, connDomain: make(map[string]string, len(w.sc.Environment.Connectors)),
		byDomain: map[string]domainConns{}}
	for _, c := range w.sc.Environment.Connectors {
		t.connDomain[c.Name] = c.Domain
	}
	for _, name := range w.connOrder {
		t.conns = append(t.conns, connectorState{name: name, domain: t.connDomain[name], running: w.connectors[name].Running()})
		for _, ev := range w.trace.For("connector/" + name) {
			if ev.Step != "request" {
				continue
			}
			var id, dev, ou string
			if _, err := fmt.Sscanf(ev.Detail, "request %s device %s ou %q", &id, &dev, &ou); err == nil {
				t.requestOU[id] = ou
			}
		}
	}
	return t
}

// domainConnectors returns the connectors of domain and those of them
// running. The slices are shared between devices: read only.
func (t *diagnosisTables) domainConnectors(domain string) (all, running []string) {
	if c, ok := t.byDomain[domain]; ok {
		return c.all, c.running
	}
	for _, c := range t.conns {
		if !strings.EqualFold(c.domain, domain) {
			continue
		}
		all = append(all, c.name)
		if c.running {
			running = append(running, c.name)
		}
	}
	t.byDomain[domain] = domainConns{all, running}
	return all, running
}

// inScope reports whether the computer dn lies in Entra Connect's scope
// (empty scope: the whole domain), comparing DNs as AD does.
func inScope(dn string, scope []string) bool {
	child, err := mockad.ParseDN(dn)
	if err != nil || len(child) == 0 {
		return false
	}
	if len(scope) == 0 {
		return true
	}
	for _, s := range scope {
		anc, err := mockad.ParseDN(s)
		if err == nil && child.IsDescendantOf(anc) {
			return true
		}
	}
	return false
}

// entraDevices lists objects as results.EntraDevice, sorted by display
// name then deviceId.
func entraDevices(objs []mockgraph.EntraDevice) []results.EntraDevice {
	out := make([]results.EntraDevice, 0, len(objs))
	for _, e := range objs {
		out = append(out, results.EntraDevice{DisplayName: e.DisplayName, TrustType: e.TrustType, DeviceID: e.DeviceID})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].DisplayName != out[j].DisplayName {
			return out[i].DisplayName < out[j].DisplayName
		}
		return out[i].DeviceID < out[j].DeviceID
	})
	return out
}

// reportMismatch checks the expectation keys on what the report shows
// (computerName, entraDevices, events, dsregcmd) and says what differs.
func reportMismatch(e scenarios.Expectation, d results.DeviceResult) []string {
	var why []string
	if e.ComputerName != "" {
		re, err := scenarios.FullMatch(e.ComputerName)
		switch {
		case err != nil:
			why = append(why, fmt.Sprintf("computerName pattern: %v", err))
		case d.ComputerName == "":
			why = append(why, fmt.Sprintf("no computer name, want one matching %q", e.ComputerName))
		case !re.MatchString(d.ComputerName):
			why = append(why, fmt.Sprintf("computer name %q does not match %q", d.ComputerName, e.ComputerName))
		}
	}
	if c := e.EntraDevices; c != nil {
		var got []string
		for _, o := range d.EntraDevices {
			got = append(got, o.TrustType)
		}
		sort.Strings(got)
		if len(c.TrustTypes) > 0 {
			want := append([]string(nil), c.TrustTypes...)
			sort.Strings(want)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				why = append(why, fmt.Sprintf("Entra trust types [%s], want [%s]", strings.Join(got, ", "), strings.Join(want, ", ")))
			}
		}
		for _, n := range c.Names {
			re, err := scenarios.FullMatch(n)
			if err != nil {
				why = append(why, fmt.Sprintf("entraDevices name pattern: %v", err))
				continue
			}
			found := false
			for _, o := range d.EntraDevices {
				found = found || re.MatchString(o.DisplayName)
			}
			if !found {
				var names []string
				for _, o := range d.EntraDevices {
					names = append(names, o.DisplayName)
				}
				why = append(why, fmt.Sprintf("no Entra object named like %q (objects: %s)", n, orNone(names)))
			}
		}
	}
	if c := e.Events; c != nil {
		seen := map[int]bool{}
		for _, ev := range d.Events {
			seen[ev.ID] = true
		}
		for _, id := range c.Present {
			if !seen[id] {
				why = append(why, fmt.Sprintf("no event %d", id))
			}
		}
		for _, id := range c.Absent {
			if seen[id] {
				why = append(why, fmt.Sprintf("event %d present, want none", id))
			}
		}
	}
	if c := e.DSRegCmd; c != nil {
		s := d.DSRegCmd
		if s == nil {
			s = &results.DSRegState{}
		}
		for _, f := range []struct{ key, want, got string }{
			{"AzureAdJoined", c.AzureAdJoined, s.AzureAdJoined}, {"EnterpriseJoined", c.EnterpriseJoined, s.EnterpriseJoined},
			{"DomainJoined", c.DomainJoined, s.DomainJoined}, {"AzureAdPrt", c.AzureAdPrt, s.AzureAdPrt},
			{"DomainName", c.DomainName, s.DomainName}, {"Error Phase", c.ErrorPhase, s.ErrorPhase},
			{"Client ErrorCode", c.ClientErrorCode, s.ClientErrorCode},
		} {
			if f.want != "" && !strings.EqualFold(f.want, f.got) {
				why = append(why, fmt.Sprintf("dsregcmd %s: %s, want %s", f.key, orNone([]string{f.got}), f.want))
			}
		}
	}
	return why
}

func orNone(s []string) string {
	if len(s) == 0 || (len(s) == 1 && s[0] == "") {
		return "none"
	}
	return strings.Join(s, ", ")
}

// describeReport names the report keys of e, for a default description.
func describeReport(e scenarios.Expectation) []string {
	var parts []string
	if e.ComputerName != "" {
		parts = append(parts, "named "+e.ComputerName)
	}
	if c := e.EntraDevices; c != nil && len(c.TrustTypes) > 0 {
		parts = append(parts, "Entra ["+strings.Join(c.TrustTypes, ", ")+"]")
	}
	if c := e.Events; c != nil {
		for _, id := range c.Present {
			parts = append(parts, fmt.Sprintf("event %d", id))
		}
		for _, id := range c.Absent {
			parts = append(parts, fmt.Sprintf("no event %d", id))
		}
	}
	if c := e.DSRegCmd; c != nil {
		var kv []string
		for _, f := range [][2]string{{"AzureAdJoined", c.AzureAdJoined}, {"EnterpriseJoined", c.EnterpriseJoined},
			{"DomainJoined", c.DomainJoined}, {"AzureAdPrt", c.AzureAdPrt}, {"DomainName", c.DomainName},
			{"ErrorPhase", c.ErrorPhase}, {"ClientErrorCode", c.ClientErrorCode}} {
			if f[1] != "" {
				kv = append(kv, f[0]+"="+f[1])
			}
		}
		parts = append(parts, "dsregcmd "+strings.Join(kv, " "))
	}
	return parts
}
