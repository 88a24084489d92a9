package tenantconfig

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// translateLead is how far before T0 the translated objects are created:
// the scenario language's default timings.setupLead (scenarios/README.md,
// "Time"). A scenario that shortens setupLead must keep it above this.
const translateLead = 24 * time.Hour

// Translate turns a loaded configuration into the scenario language's
// tenant, which the harness replays as Graph calls against mockgraph.
// Everything the scenario language cannot say becomes a Note; nothing is
// dropped silently.
//
//   - Groups keep their names; duplicate names (and the reserved
//     allDevices/allUsers) get " (ID)" appended, deterministically.
//   - Assigned groups' members become Autopilot device serials (a member
//     device's deviceId is the Autopilot device's azureAdDeviceId).
//   - Creation order: groups first, then deployment and Domain Join
//     profiles in the order of their createdDateTime (undated ones after
//     the dated, by id), one minute apart from -24h, so "the oldest-created
//     profile wins" (https://learn.microsoft.com/en-us/autopilot/profiles)
//     holds as in the tenant.
//   - ESPs keep priority and timeout; the tenant's default ESP cannot be
//     declared (mockgraph creates it with 60 minutes), so it is a Note.
//   - A custom configuration setting SkipUserStatusPage becomes
//     skipUserStatusPage on the ESPs it shares a target with (see Notes).
func Translate(cfg *Config) (scenarios.Tenant, []Note) {
	t := &translator{cfg: cfg, groupName: map[string]string{}, serialOf: map[string]string{}}
	t.groups()
	t.order()
	t.deploymentProfiles()
	t.domainJoinProfiles()
	t.esps()
	for _, cn := range cfg.Connectors {
		t.note(cn.Source.File, fmt.Sprintf("connector %q (%s, %s) belongs to the environment, not the tenant: declare it under environment.connectors", cn.Name, cn.Version, cn.State))
	}
	return t.out, t.notes
}

type translator struct {
	cfg       *Config
	out       scenarios.Tenant
	notes     []Note
	groupName map[string]string // group id → scenario name
	serialOf  map[string]string // azureAdDeviceId → serial
	created   map[string]scenarios.Duration
}

func (t *translator) note(file, msg string) { t.notes = append(t.notes, Note{File: file, Msg: msg}) }

type named struct{ id, name string }

// uniqueNames gives each item a name unique case-insensitively (the
// scenario language's rule), appending " (ID)" to every item of a name
// that repeats or is reserved.
func uniqueNames(items []named, reserved ...string) map[string]string {
	count := map[string]int{}
	for _, it := range items {
		count[strings.ToLower(it.name)]++
	}
	for _, r := range reserved {
		count[strings.ToLower(r)] += 2
	}
	out := map[string]string{}
	for _, it := range items {
		n := it.name
		if n == "" || count[strings.ToLower(n)] > 1 {
			n = strings.TrimSpace(n + " (" + it.id + ")")
		}
		out[it.id] = n
	}
	return out
}

func (t *translator) groups() {
	for _, d := range t.cfg.AutopilotDevices {
		if d.AzureADDeviceID != "" && d.AzureADDeviceID != "00000000-0000-0000-0000-000000000000" {
			t.serialOf[strings.ToLower(d.AzureADDeviceID)] = d.Serial
		}
	}
	var items []named
	for _, g := range t.cfg.Groups {
		items = append(items, named{g.ID, g.Name})
	}
	t.groupName = uniqueNames(items, scenarios.AllDevices, scenarios.AllUsers)
	for _, g := range t.cfg.Groups {
		name := t.groupName[g.ID]
		if name != g.Name {
			t.note(g.Source.File, fmt.Sprintf("group %q (%s) is named %q: its name repeats or is reserved", g.Name, g.ID, name))
		}
		sg := scenarios.Group{Name: name, Paused: g.Paused}
		if g.Dynamic {
			sg.MembershipRule = g.MembershipRule
			if g.MembershipRule == "" {
				t.note(g.Source.File, fmt.Sprintf("dynamic group %q has no membership rule: translated as an assigned group without members", name))
			}
		} else {
			for _, m := range g.Members {
				serial, ok := t.serialOf[strings.ToLower(m.DeviceID)]
				switch {
				case m.Type == "device" && ok:
					sg.Members = append(sg.Members, serial)
				case m.Type == "device":
					t.note(g.Source.File, fmt.Sprintf("group %q: member device %q (%s) is no loaded Autopilot device: left out", name, m.DisplayName, m.DeviceID))
				default:
					t.note(g.Source.File, fmt.Sprintf("group %q: member %s %q is not a device: left out (the scenario language's groups hold devices)", name, orUnknown(m.Type), m.DisplayName))
				}
			}
			sort.Strings(sg.Members)
			if g.Paused {
				t.note(g.Source.File, fmt.Sprintf("group %q: paused has no effect on an assigned group", name))
			}
		}
		t.out.Groups = append(t.out.Groups, sg)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown type)"
	}
	return s
}

// order fixes each object's createdAt: groups first, then the profiles
// by creation date.
func (t *translator) order() {
	type ev struct {
		key  string
		at   time.Time
		id   string
		rank int
	}
	var evs []ev
	for _, g := range t.cfg.Groups {
		evs = append(evs, ev{"g/" + g.ID, g.CreatedAt, g.ID, 0})
	}
	for _, p := range t.cfg.DeploymentProfiles {
		evs = append(evs, ev{"p/" + p.ID, p.CreatedAt, p.ID, 1})
	}
	for _, p := range t.cfg.DomainJoinProfiles {
		evs = append(evs, ev{"d/" + p.ID, p.CreatedAt, p.ID, 1})
	}
	sort.SliceStable(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.at.IsZero() != b.at.IsZero() {
			return !a.at.IsZero()
		}
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return a.key < b.key
	})
	t.created = map[string]scenarios.Duration{}
	undated := 0
	// One minute apart, closer when there are more objects than minutes
	// in the lead, so every createdAt stays before T0.
	step := min(time.Minute, (translateLead / time.Duration(len(evs)+1)).Truncate(time.Second))
	for i, e := range evs {
		t.created[e.key] = scenarios.Duration(-translateLead + time.Duration(i)*step)
		if e.rank == 1 && e.at.IsZero() {
			undated++
		}
	}
	for i := range t.out.Groups {
		d := t.created["g/"+t.cfg.Groups[i].ID]
		t.out.Groups[i].CreatedAt = &d
	}
	if undated > 0 {
		t.note("", fmt.Sprintf("%d profiles have no createdDateTime (IntuneCD removes it): created after the dated ones, by id, so which profile wins may differ from the tenant", undated))
	}
}

// target turns assignments into a Target; devicesOnly drops allUsers
// (deployment and Domain Join profiles target devices, scenarios/README.md
// "Targets").
func (t *translator) target(what string, as []Assignment, devicesOnly bool) scenarios.Target {
	var tg scenarios.Target
	for _, a := range as {
		switch a.Kind {
		case TargetAllDevices:
			tg.Include = append(tg.Include, scenarios.AllDevices)
		case TargetAllUsers:
			if devicesOnly {
				t.note(a.Source.File, fmt.Sprintf("%s: an All users assignment does not reach devices before sign-in: left out", what))
				continue
			}
			tg.Include = append(tg.Include, scenarios.AllUsers)
		case TargetGroup, TargetExclusion:
			name, ok := t.groupName[a.GroupID]
			if !ok {
				t.note(a.Source.File, fmt.Sprintf("%s: assignment to group %s is left out: the group is not in the configuration", what, orUnknown(a.GroupID+a.GroupName)))
				continue
			}
			if a.Kind == TargetGroup {
				tg.Include = append(tg.Include, name)
			} else {
				tg.Exclude = append(tg.Exclude, name)
			}
		}
	}
	// Order does not matter to Intune; sorted, the output is stable
	// whatever order Graph listed the assignments in.
	sort.Strings(tg.Include)
	sort.Strings(tg.Exclude)
	return tg
}

func boolp(b bool) *bool { return &b }

func (t *translator) deploymentProfiles() {
	var items []named
	for _, p := range t.cfg.DeploymentProfiles {
		items = append(items, named{p.ID, p.Name})
	}
	names := uniqueNames(items)
	for _, p := range t.cfg.DeploymentProfiles {
		name := names[p.ID]
		what := fmt.Sprintf("deployment profile %q", name)
		created := t.created["p/"+p.ID]
		sp := scenarios.DeploymentProfile{Name: name, JoinType: p.JoinType, SkipConnectivityCheck: p.SkipConnectivityCheck,
			HidePrivacySettings: boolp(p.HidePrivacySettings), HideEULA: boolp(p.HideEULA), SkipKeyboard: boolp(p.SkipKeyboard),
			UserType: p.UserType, Language: p.Language, ConvertAllTargeted: p.ConvertAllTargeted, CreatedAt: &created,
			AssignTo: t.target(what, p.Assignments, true)}
		if p.JoinType == "entra" {
			sp.DeviceNameTemplate = p.DeviceNameTemplate
			sp.SkipConnectivityCheck = false
		} else if p.DeviceNameTemplate != "" {
			t.note(p.Source.File, fmt.Sprintf("%s: deviceNameTemplate %q is left out: hybrid join names devices by the Domain Join profile", what, p.DeviceNameTemplate))
		}
		if sp.UserType == "" {
			sp.UserType = "standard"
		}
		if p.PreprovisioningAllowed {
			t.note(p.Source.File, what+": pre-provisioning (enableWhiteGlove) is not simulated")
		}
		if name != p.Name {
			t.note(p.Source.File, fmt.Sprintf("deployment profile %q (%s) is named %q: its name repeats", p.Name, p.ID, name))
		}
		t.out.DeploymentProfiles = append(t.out.DeploymentProfiles, sp)
	}
	sort.SliceStable(t.out.DeploymentProfiles, func(i, j int) bool {
		return *t.out.DeploymentProfiles[i].CreatedAt < *t.out.DeploymentProfiles[j].CreatedAt
	})
}

func (t *translator) domainJoinProfiles() {
	var items []named
	for _, p := range t.cfg.DomainJoinProfiles {
		items = append(items, named{p.ID, p.Name})
	}
	names := uniqueNames(items)
	for _, p := range t.cfg.DomainJoinProfiles {
		name := names[p.ID]
		created := t.created["d/"+p.ID]
		t.out.DomainJoinProfiles = append(t.out.DomainJoinProfiles, scenarios.DomainJoinProfile{Name: name, Domain: p.Domain,
			Prefix: p.Prefix, RandomCharCount: p.RandomChars, OU: p.OU, CreatedAt: &created,
			AssignTo: t.target(fmt.Sprintf("Domain Join profile %q", name), p.Assignments, true)})
		if name != p.Name {
			t.note(p.Source.File, fmt.Sprintf("Domain Join profile %q (%s) is named %q: its name repeats", p.Name, p.ID, name))
		}
	}
	sort.SliceStable(t.out.DomainJoinProfiles, func(i, j int) bool {
		return *t.out.DomainJoinProfiles[i].CreatedAt < *t.out.DomainJoinProfiles[j].CreatedAt
	})
}

func (t *translator) esps() {
	var items []named
	for _, e := range t.cfg.ESPs {
		if !e.IsDefault {
			items = append(items, named{e.ID, e.Name})
		}
	}
	names := uniqueNames(items)
	defaultTimeout := 60
	maxPrio := 0
	for _, e := range t.cfg.ESPs {
		if e.IsDefault {
			msg := "the tenant's default ESP is created by mockgraph itself (60 minutes, shown to All users and all devices) and cannot be declared"
			if e.TimeoutMinutes != 60 && e.TimeoutMinutes != 0 {
				defaultTimeout = e.TimeoutMinutes
				msg += fmt.Sprintf("; this tenant's default ESP times out after %d minutes, which the simulation does not follow", e.TimeoutMinutes)
			}
			if e.ShowInstallationProgress {
				msg += "; it is shown in this tenant"
			}
			t.note(e.Source.File, msg)
			continue
		}
		name := names[e.ID]
		se := scenarios.ESPProfile{Name: name, Priority: e.Priority, AssignTo: t.target(fmt.Sprintf("ESP %q", name), e.Assignments, false)}
		if e.TimeoutMinutes > 0 {
			se.Timeout = scenarios.Duration(time.Duration(e.TimeoutMinutes) * time.Minute)
		}
		if !e.ShowInstallationProgress {
			t.note(e.Source.File, fmt.Sprintf("ESP %q does not show installation progress: the simulation shows every ESP", name))
		}
		maxPrio = max(maxPrio, e.Priority)
		t.out.ESP = append(t.out.ESP, se)
	}
	sort.SliceStable(t.out.ESP, func(i, j int) bool { return t.out.ESP[i].Priority < t.out.ESP[j].Priority })
	for _, c := range t.cfg.CustomConfigs {
		if !c.SkipUserStatusPage {
			continue
		}
		ct := t.target(fmt.Sprintf("custom configuration %q", c.Name), c.Assignments, false)
		var hit []string
		for i := range t.out.ESP {
			if shares(t.out.ESP[i].AssignTo.Include, ct.Include) {
				t.out.ESP[i].SkipUserStatusPage = true
				hit = append(hit, t.out.ESP[i].Name)
			}
		}
		approx := "the harness assigns its SkipUserStatusPage profile to the ESP's targets, not to the configuration's own"
		if len(hit) > 0 {
			t.note(c.Source.File, fmt.Sprintf("custom configuration %q (SkipUserStatusPage) is translated as skipUserStatusPage on ESP %s, which shares a target with it; approximation: %s",
				c.Name, strings.Join(hit, ", "), approx))
			continue
		}
		if len(ct.Include) == 0 {
			t.note(c.Source.File, fmt.Sprintf("custom configuration %q (SkipUserStatusPage) reaches no translated target: left out", c.Name))
			continue
		}
		maxPrio++
		se := scenarios.ESPProfile{Name: uniqueESPName(t.out.ESP, c.Name+" (SkipUserStatusPage)"), Priority: maxPrio,
			Timeout: scenarios.Duration(time.Duration(defaultTimeout) * time.Minute), SkipUserStatusPage: true, AssignTo: ct}
		t.out.ESP = append(t.out.ESP, se)
		t.note(c.Source.File, fmt.Sprintf("custom configuration %q (SkipUserStatusPage) shares no target with an ESP: translated as ESP %q with its targets, the lowest priority (%d) and the default ESP's timeout; approximation: devices another ESP reaches do not skip the user phase in the simulation",
			c.Name, se.Name, se.Priority))
	}
}

func shares(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func uniqueESPName(es []scenarios.ESPProfile, name string) string {
	for n := 2; ; n++ {
		taken := false
		for _, e := range es {
			taken = taken || strings.EqualFold(e.Name, name)
		}
		if !taken {
			return name
		}
		name = fmt.Sprintf("%s %d", strings.TrimSuffix(name, fmt.Sprintf(" %d", n-1)), n)
	}
}

// Devices returns the loaded Autopilot devices as scenario devices with
// serial, group tag and purchase order; where they are and who signs in is
// the scenario's to say.
func Devices(cfg *Config) []scenarios.DeviceSpec {
	var out []scenarios.DeviceSpec
	for _, d := range cfg.AutopilotDevices {
		out = append(out, scenarios.DeviceSpec{Serial: d.Serial, GroupTag: d.GroupTag, PurchaseOrderID: d.PurchaseOrder})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Serial < out[j].Serial })
	return out
}
