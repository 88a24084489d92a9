package check

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// invalidRule: Graph refuses the rule; the group has no members (F3).
func invalidRule(c *lintCtx) []Finding {
	var out []Finding
	for _, g := range c.cfg.Groups {
		se := c.parseErr[g.ID]
		if se == nil {
			continue
		}
		f := cfgFinding(g.Source, "/membershipRule", groupName(g),
			"membership rule does not parse at line %d, column %d: %s%s; fix the rule (e.g. device.devicePhysicalIds -any (_ -eq \"[OrderID]:SALES\"))",
			se.Line, se.Col, se.Msg, detail(se.Detail))
		// The rule is one JSON string: its line is the value's; the column
		// moves by the offending character's column inside it (plus the
		// opening quote) when the rule is on one line.
		if se.Line == 1 && f.Line > 0 {
			f.Col += se.Col
		}
		out = append(out, f)
	}
	return out
}

func detail(d string) string {
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

// ruleMatchesNothing: a targeted dynamic group matches no registered
// device — typically a group-tag typo (F3).
func ruleMatchesNothing(c *lintCtx) []Finding {
	if len(c.cfg.AutopilotDevices) == 0 {
		return nil // nothing exported to compare with
	}
	tags := map[string]bool{} // lower-cased: rules compare case-insensitively
	spelled := map[string]string{}
	for _, d := range c.cfg.AutopilotDevices {
		if d.GroupTag != "" {
			spelled[strings.ToLower(d.GroupTag)] = d.GroupTag
			tags[strings.ToLower(d.GroupTag)] = true
		}
	}
	var out []Finding
	for _, g := range c.cfg.Groups {
		r := c.parsed[g.ID]
		if r == nil || g.Paused {
			continue
		}
		matched := false
		for _, p := range c.probes {
			if p.registered && c.inGroup(g.ID, p) {
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		msg := fmt.Sprintf("membership rule matches none of the %d registered Autopilot devices", len(c.cfg.AutopilotDevices))
		for _, cmp := range r.Comparisons() {
			for _, id := range ruleIdentities(cmp) {
				if id.Tag != "" && !tags[strings.ToLower(id.Tag)] {
					if s := spelled[nearest(id.Tag, tags)]; s != "" {
						msg += fmt.Sprintf("; group tag %q is on no device — did you mean %q?", id.Tag, s)
					} else {
						msg += fmt.Sprintf("; group tag %q is on no device", id.Tag)
					}
				}
			}
		}
		out = append(out, cfgFinding(g.Source, "/membershipRule", groupName(g), "%s. Check the tag's spelling (rules compare values case-insensitively, but exactly)", msg))
	}
	return out
}

// nearest returns the tag within edit distance 2 of s, or "".
func nearest(s string, tags map[string]bool) string {
	best, bestD := "", 3
	for t := range tags {
		if d := levenshtein(strings.ToLower(s), strings.ToLower(t)); d < bestD || (d == bestD && t < best) {
			best, bestD = t, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func (c *lintCtx) internetNetworks() []string {
	var out []string
	for _, n := range c.env.Networks {
		if n.Kind == "internet" {
			out = append(out, n.Name)
		}
	}
	return out
}

// connectivityCheck: "Skip AD connectivity check" is off while devices
// may start at internet locations: they wait 25 minutes and fail
// with 80070774 before the reboot (F14).
func connectivityCheck(c *lintCtx) []Finding {
	remote := c.internetNetworks()
	if len(remote) == 0 {
		return nil
	}
	var out []Finding
	for _, p := range c.cfg.DeploymentProfiles {
		if p.JoinType == "hybrid" && !p.SkipConnectivityCheck {
			out = append(out, cfgFinding(p.Source, "/hybridAzureADJoinSkipConnectivityCheck", dpName(p),
				"\"Skip AD connectivity check\" is off while the environment has internet locations (%s): a device there waits 25 minutes for a domain controller and fails with 80070774. Turn the skip on and give remote devices a VPN that connects before sign-in",
				strings.Join(remote, ", ")))
		}
	}
	return out
}

// vpnBeforeSignIn: a cohort file puts devices on an internet location with
// a VPN that cannot connect before the user signs in (F15, F16).
func vpnBeforeSignIn(c *lintCtx) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, co := range c.explicit {
		switch co.VPN {
		case "userTunnel", "uwpPlugin", "directAccess":
		default:
			continue
		}
		if !c.isInternet(co.Location) || seen[co.VPN+co.Location] {
			continue
		}
		seen[co.VPN+co.Location] = true
		f := Finding{Object: "cohort " + co.Key(), File: co.File, Line: co.Line, Col: 1, External: true,
			Message: fmt.Sprintf("VPN kind %s cannot connect before the first Windows sign-in, so devices at %s find no domain controller for the AD sign-in; use a Win32 VPN client with a device certificate or an always-on device tunnel", co.VPN, co.Location)}
		out = append(out, f)
	}
	return out
}

func (c *lintCtx) isInternet(loc string) bool {
	for _, n := range c.env.Networks {
		if n.Name == loc {
			return n.Kind == "internet"
		}
	}
	return false
}

// delegated reports whether a connector identity of domain may create
// computers in ou.
func delegated(dom *scenarios.Domain, conns []scenarios.Connector, ou string) bool {
	for _, d := range dom.Delegations {
		if d.Right != "createComputer" && d.Right != "fullControl" {
			continue
		}
		if !(within(ou, d.OU) && within(d.OU, ou)) && !(d.AppliesTo == "descendants" && within(ou, d.OU)) {
			continue
		}
		for _, cn := range conns {
			if strings.EqualFold(cn.Domain, dom.Name) && (strings.EqualFold(d.Trustee, cn.Name) || strings.EqualFold(strings.TrimSuffix(d.Trustee, "$"), cn.Identity)) {
				return true
			}
		}
	}
	return false
}

// quota: no connector identity is delegated on the OU, so joins count
// against ms-DS-MachineAccountQuota (default 10) and stop there (F9).
func quota(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DomainJoinProfiles {
		dom := c.domain(p.Domain)
		if dom == nil {
			continue
		}
		if id, _ := ouProblem(p.OU); id != "" {
			continue
		}
		ou := targetOU(p)
		if delegated(dom, c.env.Connectors, ou) {
			continue
		}
		n := 0
		for _, pr := range c.probes {
			if pr.registered && c.reaches(p.Assignments, pr) {
				n++
			}
		}
		q := *dom.MachineAccountQuota
		f := cfgFinding(p.Source, "/organizationalUnit", djName(p),
			"no connector identity of %s is delegated \"Create computer objects\" on %q, so each join counts against the machine-account quota of %d; %d registered devices would join. Delegate the right on the OU to the connector's managed service account",
			p.Domain, ou, q, n)
		if n <= q {
			f.Severity = SeverityWarning
		}
		out = append(out, f)
	}
	return out
}

// envConnectors are the environment's connectors of a domain.
func (c *lintCtx) envConnectors(domain string) []scenarios.Connector {
	var out []scenarios.Connector
	for _, cn := range c.env.Connectors {
		if strings.EqualFold(cn.Domain, domain) {
			out = append(out, cn)
		}
	}
	return out
}

// noConnector: a Domain Join profile names a domain no connector serves
// (F13), or only stopped/unhealthy ones do (F10).
func noConnector(c *lintCtx) []Finding {
	healthy := map[string]bool{}
	known := map[string]bool{}
	for _, cn := range c.cfg.Connectors {
		known[strings.ToLower(cn.Name)] = true
		healthy[strings.ToLower(cn.Name)] = cn.State == "active" && !versionBelow(cn.Version, minConnectorVersion)
	}
	var out []Finding
	for _, p := range c.cfg.DomainJoinProfiles {
		conns := c.envConnectors(p.Domain)
		ok := false
		for _, cn := range conns {
			k := strings.ToLower(cn.Name)
			if !cn.Down && cn.Kind != "legacy" && (!known[k] || healthy[k]) && !versionBelow(cn.Version, minConnectorVersion) {
				ok = true
			}
		}
		if !ok {
			why := "no Intune Connector for Active Directory serves it"
			if len(conns) > 0 {
				why = "none of its connectors is active, updated and at a supported version"
			}
			out = append(out, cfgFinding(p.Source, "/activeDirectoryDomainName", djName(p),
				"domain %s: %s, so no device gets an offline domain join blob. Install the updated connector (%s or later) on a server of that domain",
				p.Domain, why, minConnectorVersion))
		}
	}
	return out
}

// minConnectorVersion is the oldest supported updated connector (hybrid
// article "Install the Intune Connector for Active Directory").
const minConnectorVersion = "6.2501.2000.5"

// versionBelow compares dotted versions numerically; an unreadable version
// is treated as below (it cannot be shown supported).
func versionBelow(v, min string) bool {
	a, b := strings.Split(strings.TrimSpace(v), "."), strings.Split(min, ".")
	for i := 0; i < len(b); i++ {
		if i >= len(a) {
			return true
		}
		x, err := strconv.Atoi(a[i])
		if err != nil {
			return true
		}
		y, _ := strconv.Atoi(b[i])
		if x != y {
			return x < y
		}
	}
	return false
}

func connectorState(c *lintCtx) []Finding {
	var out []Finding
	for _, cn := range c.cfg.Connectors {
		if cn.State != "active" {
			last := "never"
			if !cn.LastConnection.IsZero() {
				last = cn.LastConnection.UTC().Format(time.RFC3339)
			}
			out = append(out, cfgFinding(cn.Source, "/state", connName(cn.Name),
				"connector %s is %s (last connection %s): it takes no domain join requests. Restart the Intune ODJConnector service and check its proxy", cn.Name, cn.State, last))
		}
	}
	return out
}

func connectorVersion(c *lintCtx) []Finding {
	var out []Finding
	for _, cn := range c.cfg.Connectors {
		if versionBelow(cn.Version, minConnectorVersion) {
			out = append(out, cfgFinding(cn.Source, "/version", connName(cn.Name),
				"connector %s runs version %q, below the supported %s; requests from older connectors are refused. Install the updated connector", cn.Name, cn.Version, minConnectorVersion))
		}
	}
	for _, cn := range c.env.Connectors {
		if cn.Kind == "legacy" {
			out = append(out, c.envFinding(connName(cn.Name),
				"connector %s is the legacy connector (no managed service account), which Intune no longer accepts; install the updated connector", cn.Name))
		}
	}
	return out
}

// connectorNotExported: the environment has a connector Intune does not list.
func connectorUnknown(c *lintCtx) []Finding {
	if len(c.cfg.Connectors) == 0 {
		return nil
	}
	known := map[string]bool{}
	for _, cn := range c.cfg.Connectors {
		known[strings.ToLower(cn.Name)] = true
	}
	var out []Finding
	for _, cn := range c.env.Connectors {
		if !known[strings.ToLower(cn.Name)] {
			out = append(out, c.envFinding(connName(cn.Name),
				"connector %s is in the environment but the tenant does not list it: it is not enrolled, or the names differ. Enroll it or fix the name", cn.Name))
		}
	}
	return out
}

// espTimeout: the ESP must outlast one Entra Connect cycle after the
// computer appears, plus the device's join task; hybrid adds 40 minutes to
// the configured timeout (F18).
func espTimeout(c *lintCtx) []Finding {
	hybrid := false
	for _, p := range c.cfg.DeploymentProfiles {
		hybrid = hybrid || p.JoinType == "hybrid"
	}
	if !hybrid {
		return nil
	}
	interval := c.env.EntraConnect.Interval.D()
	var out []Finding
	for _, e := range c.cfg.ESPs {
		if !e.ShowInstallationProgress {
			continue
		}
		t := time.Duration(e.TimeoutMinutes) * time.Minute
		switch {
		case t+hybridESPExtra < interval+2*deviceJoinTask:
			f := cfgFinding(e.Source, "/installProgressTimeoutInMinutes", espName(e),
				"timeout %d minutes (+40 for hybrid) is shorter than one Entra Connect cycle (%s) plus the device's registration task: hybrid devices time out with 0x800705B4. Raise it to at least 60 minutes",
				e.TimeoutMinutes, interval)
			f.Severity = SeverityError
			out = append(out, f)
		case t < defaultESPTimeout:
			out = append(out, cfgFinding(e.Source, "/installProgressTimeoutInMinutes", espName(e),
				"timeout %d minutes is below the 60-minute default that hybrid join's extra registration time is planned around; raise it to 60 minutes or more", e.TimeoutMinutes))
		}
	}
	return out
}

const (
	hybridESPExtra    = 40 * time.Minute // ESP "Create new profile": hybrid adds 40 minutes
	defaultESPTimeout = 60 * time.Minute
	deviceJoinTask    = 4 * time.Minute // the forced Automatic-Device-Join task interval in the user ESP
)

// convertAll: "Convert all targeted devices" registers existing devices
// over up to 48 hours, and they then take this profile (note).
func convertAll(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DeploymentProfiles {
		if p.ConvertAllTargeted {
			out = append(out, cfgFinding(p.Source, firstPtr(p.Source, "/hardwareHashExtractionEnabled", "/extractHardwareHash"), dpName(p),
				"\"Convert all targeted devices to Autopilot\" registers every targeted enrolled device, allow 48 hours; a device reset afterwards runs this profile. Make sure the targeted groups hold only devices meant for it"))
		}
	}
	return out
}

// lineOfSight: a corporate network sees no DC of a domain a Domain Join
// profile names, and the profile does not skip the check.
func lineOfSight(c *lintCtx) []Finding {
	var out []Finding
	for _, n := range c.env.Networks {
		if n.Kind != "corporate" || len(n.Domains) == 0 {
			continue
		}
		for _, p := range c.cfg.DomainJoinProfiles {
			seen := false
			for _, d := range n.Domains {
				seen = seen || strings.EqualFold(d, p.Domain)
			}
			if !seen {
				out = append(out, c.envFinding("network "+n.Name,
					"corporate network %s has no line of sight to a domain controller of %s, which %s joins; devices there behave as remote ones. Open the DC ports from that network or plan it as an internet location",
					n.Name, p.Domain, djName(p)))
			}
		}
	}
	return out
}

// skipUserESP: a custom profile skips the user status page — the device
// then reaches the desktop before its hybrid registration (note, F19).
func skipUserESP(c *lintCtx) []Finding {
	var out []Finding
	for _, cc := range c.cfg.CustomConfigs {
		if cc.SkipUserStatusPage {
			out = append(out, cfgFinding(cc.Source, "/omaSettings", "custom profile "+quote(cc.Name),
				"SkipUserStatusPage is on: users reach the desktop before the hybrid registration completes and may lack single sign-on for up to one Entra Connect cycle. Expected only when registration delays are accepted"))
		}
	}
	return out
}

// firstPtr is the first pointer the object has (Graph spells some
// properties two ways across versions), else the first.
func firstPtr(src tenantconfig.Source, ptrs ...string) string {
	for _, p := range ptrs {
		if _, ok := src.Fields[p]; ok {
			return p
		}
	}
	return ptrs[0]
}
