package harness

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// setupTenant schedules the admin's Graph calls: groups, device import,
// deployment profiles, Domain Join profiles and ESP, each at its virtual
// time. Objects without an explicit time are created at T0-SetupLead in
// declaration order, one minute apart, so "oldest-created wins" (S12) follows
// the order in the file.
func (w *world) setupTenant() error {
	lead := -w.sc.Timings.SetupLead.D()
	tick := lead
	next := func(explicit *scenarios.Duration) time.Duration {
		if explicit != nil {
			return explicit.D()
		}
		tick += time.Minute
		return tick
	}
	w.groupIDs = map[string]string{}
	w.enrolledObjects = map[string]string{}
	w.profileIDs = map[string]string{}

	for _, g := range w.sc.Tenant.Groups {
		g := g
		w.schedule(next(g.CreatedAt), "admin", "create group "+g.Name, func() error { return w.createGroup(g) })
	}
	// Devices enrolled before the scenario, not through Autopilot: the
	// candidates of "Convert all targeted devices" (seed 000 "Register
	// Windows Autopilot devices that are already enrolled"). They come first,
	// at -setupLead unless they say otherwise.
	for _, d := range w.sc.ExpandDevices() {
		if d.Enrolled == nil {
			continue
		}
		d := d
		at := lead
		if d.Enrolled.At != nil {
			at = d.Enrolled.At.D()
		}
		w.schedule(at, "device/"+d.Serial, "enrolled before Autopilot", func() error { return w.enrollExisting(d) })
	}
	// Import the registered devices (S1 P1): the import creates the Autopilot
	// device and its Entra object with [ZTDId].
	var imports []map[string]any
	for _, d := range w.sc.ExpandDevices() {
		if !d.Registered {
			continue
		}
		imports = append(imports, map[string]any{
			"@odata.type":               "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
			"serialNumber":              d.Serial,
			"groupTag":                  d.GroupTag,
			"productKey":                "",
			"hardwareIdentifier":        hardwareHash(d.Serial),
			"assignedUserPrincipalName": "",
			"orderIdentifier":           d.OrderID,
			"purchaseOrderIdentifier":   d.PurchaseOrderID,
		})
	}
	if len(imports) > 0 {
		w.schedule(next(nil), "admin", fmt.Sprintf("import %d devices", len(imports)), func() error {
			for start := 0; start < len(imports); start += 500 { // the portal's 500-per-upload limit (graph-api.md §5.3)
				end := min(start+500, len(imports))
				if err := w.admin.call("POST", "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities/import",
					map[string]any{"importedWindowsAutopilotDeviceIdentities": imports[start:end]}, nil); err != nil {
					return err
				}
			}
			return nil
		})
	}
	// Assigned (static) groups get their members once the import has
	// created the Entra objects.
	if w.hasStaticMembers() {
		w.schedule(tick+w.sc.Timings.ImportProcessing.D()+time.Minute, "admin", "add static members", w.addStaticMembers)
	}
	for _, p := range w.sc.Tenant.DeploymentProfiles {
		p := p
		created := next(p.CreatedAt)
		w.schedule(created, "admin", "create deployment profile "+p.Name, func() error { return w.createProfile(p) })
		assigned := created
		if p.AssignedAt != nil {
			assigned = p.AssignedAt.D()
		}
		w.schedule(assigned, "admin", "assign deployment profile "+p.Name, func() error { return w.assignProfile(p.Name, p.AssignTo) })
	}
	for _, dj := range w.sc.Tenant.DomainJoinProfiles {
		dj := dj
		w.schedule(next(dj.CreatedAt), "admin", "create Domain Join profile "+dj.Name, func() error { return w.createDomainJoin(dj) })
	}
	for _, e := range w.sc.Tenant.ESP {
		e := e
		w.schedule(next(nil), "admin", "create ESP "+e.Name, func() error { return w.createESP(e) })
	}
	return nil
}

func (w *world) createGroup(g scenarios.Group) error {
	body := map[string]any{
		"displayName": g.Name, "mailEnabled": false, "securityEnabled": true,
		"mailNickname": strings.Map(func(r rune) rune {
			if r == ' ' {
				return -1
			}
			return r
		}, g.Name),
	}
	if g.MembershipRule != "" {
		state := "On"
		if g.Paused {
			state = "Paused"
		}
		body["groupTypes"] = []string{"DynamicMembership"}
		body["membershipRule"] = g.MembershipRule
		body["membershipRuleProcessingState"] = state
	} else {
		body["groupTypes"] = []string{}
	}
	var out idOnly
	if err := w.admin.call("POST", "/v1.0/groups", body, &out); err != nil {
		return fmt.Errorf("group %q: %w", g.Name, err)
	}
	w.groupIDs[g.Name] = out.ID
	return nil
}

func (w *world) hasStaticMembers() bool {
	for _, g := range w.sc.Tenant.Groups {
		if len(g.Members) > 0 {
			return true
		}
	}
	return false
}

// enrollExisting records a device enrolled before the scenario: its Entra
// object and Intune managed device (mockgraph PRIVATE_API.md).
func (w *world) enrollExisting(d scenarios.Device) error {
	e := d.Enrolled
	body := map[string]any{"serialNumber": d.Serial, "hardwareHash": hardwareHash(d.Serial), "deviceName": e.Name,
		"ownership": e.Ownership, "joinType": e.JoinType, "userPrincipalName": d.User}
	var out struct {
		EntraObjectID string `json:"entraObjectId"`
	}
	if err := w.admin.call("POST", "/_private/enrollment/v1/existing", body, &out); err != nil {
		return fmt.Errorf("enrolled device %s: %w", d.Serial, err)
	}
	w.enrolledObjects[d.Serial] = out.EntraObjectID
	return nil
}

func (w *world) addStaticMembers() error {
	names := map[string]string{}
	for _, d := range w.sc.ExpandDevices() {
		names[d.Serial] = d.EntraName()
	}
	for _, g := range w.sc.Tenant.Groups {
		for _, serial := range g.Members {
			var list struct {
				Value []idOnly `json:"value"`
			}
			q := "/v1.0/devices?$filter=" + url.QueryEscape("displayName eq '"+names[serial]+"'")
			if err := w.admin.call("GET", q, nil, &list); err != nil {
				return fmt.Errorf("group %q: find device %s: %w", g.Name, serial, err)
			}
			if len(list.Value) == 0 {
				return fmt.Errorf("group %q: member %s has no Entra device object (neither imported nor enrolled by then?)", g.Name, serial)
			}
			ref := map[string]any{"@odata.id": w.graphURL + "/v1.0/directoryObjects/" + list.Value[0].ID}
			if err := w.admin.call("POST", "/v1.0/groups/"+w.groupIDs[g.Name]+"/members/$ref", ref, nil); err != nil {
				return fmt.Errorf("group %q: add %s: %w", g.Name, serial, err)
			}
		}
	}
	return nil
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func (w *world) createProfile(p scenarios.DeploymentProfile) error {
	oobe := map[string]any{
		"hidePrivacySettings":       boolOr(p.HidePrivacySettings, true),
		"hideEULA":                  boolOr(p.HideEULA, true),
		"userType":                  firstNonEmpty(p.UserType, "standard"),
		"deviceUsageType":           "singleUser",
		"skipKeyboardSelectionPage": boolOr(p.SkipKeyboard, false),
		"hideEscapeLink":            true,
	}
	body := map[string]any{
		// extractHardwareHash is "Convert all targeted devices to Autopilot"
		// (graph-api.md §6.3): mockgraph's conversion engine registers the
		// targeted enrolled devices (engine_convert.go).
		"displayName": p.Name, "description": "", "language": p.Language, "extractHardwareHash": p.ConvertAllTargeted,
		"deviceType": "windowsPc", "enableWhiteGlove": false, "outOfBoxExperienceSettings": oobe,
	}
	if p.JoinType == "entra" {
		body["@odata.type"] = "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile"
		body["deviceNameTemplate"] = p.DeviceNameTemplate
	} else {
		body["@odata.type"] = "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile"
		body["deviceNameTemplate"] = ""
		body["hybridAzureADJoinSkipConnectivityCheck"] = p.SkipConnectivityCheck
	}
	var out idOnly
	if err := w.admin.call("POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles", body, &out); err != nil {
		return fmt.Errorf("deployment profile %q: %w", p.Name, err)
	}
	w.profileIDs[p.Name] = out.ID
	return nil
}

// assignProfile posts one assignment per include and exclude target.
func (w *world) assignProfile(name string, t scenarios.Target) error {
	id, ok := w.profileIDs[name]
	if !ok {
		return fmt.Errorf("assign deployment profile %q: not created", name)
	}
	post := func(kind, group string) error {
		gid := ""
		if kind != "all" {
			gid, ok = w.groupIDs[group]
			if !ok {
				return fmt.Errorf("assign deployment profile %q: unknown group %q", name, group)
			}
		}
		body := map[string]any{"target": target(kind, gid)}
		return w.admin.call("POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+id+"/assignments", body, nil)
	}
	for _, g := range t.Include {
		kind := "include"
		if g == scenarios.AllDevices {
			kind = "all"
		}
		if g == scenarios.AllUsers {
			// The loader refuses this; kept as a clear error for scripts
			// and hand-built scenarios.
			return fmt.Errorf("assign deployment profile %q: allUsers: deployment profiles target devices only", name)
		}
		if err := post(kind, g); err != nil {
			return err
		}
	}
	for _, g := range t.Exclude {
		if err := post("exclude", g); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) assignments(t scenarios.Target) ([]map[string]any, error) {
	var out []map[string]any
	add := func(kind, g string) error {
		if g == scenarios.AllUsers {
			// Intune's All users (graph-api.md §6.5 targets). An exclusion
			// of All users has no target type: refused.
			if kind == "exclude" {
				return fmt.Errorf("allUsers cannot be excluded")
			}
			out = append(out, map[string]any{"@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
				"target": map[string]any{"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}})
			return nil
		}
		gid := ""
		if kind != "all" {
			var ok bool
			if gid, ok = w.groupIDs[g]; !ok {
				return fmt.Errorf("unknown group %q", g)
			}
		}
		out = append(out, map[string]any{"@odata.type": "#microsoft.graph.deviceConfigurationAssignment", "target": target(kind, gid)})
		return nil
	}
	for _, g := range t.Include {
		kind := "include"
		if g == scenarios.AllDevices {
			kind = "all"
		}
		if err := add(kind, g); err != nil {
			return nil, err
		}
	}
	for _, g := range t.Exclude {
		if err := add("exclude", g); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (w *world) createDomainJoin(dj scenarios.DomainJoinProfile) error {
	body := map[string]any{
		"@odata.type": "#microsoft.graph.windowsDomainJoinConfiguration", "displayName": dj.Name, "description": "",
		"computerNameStaticPrefix": dj.Prefix, "computerNameSuffixRandomCharCount": dj.RandomCharCount,
		"activeDirectoryDomainName": dj.Domain,
	}
	if dj.OU != "" {
		body["organizationalUnit"] = dj.OU
	}
	var out idOnly
	if err := w.admin.call("POST", "/beta/deviceManagement/deviceConfigurations", body, &out); err != nil {
		return fmt.Errorf("Domain Join profile %q: %w", dj.Name, err)
	}
	as, err := w.assignments(dj.AssignTo)
	if err != nil {
		return fmt.Errorf("Domain Join profile %q: %w", dj.Name, err)
	}
	if err := w.admin.call("POST", "/beta/deviceManagement/deviceConfigurations/"+out.ID+"/assign", map[string]any{"assignments": as}, nil); err != nil {
		return fmt.Errorf("Domain Join profile %q: assign: %w", dj.Name, err)
	}
	return nil
}

func (w *world) createESP(e scenarios.ESPProfile) error {
	body := map[string]any{
		"@odata.type": "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration", "displayName": e.Name,
		"priority": e.Priority, "showInstallationProgress": true, "installProgressTimeoutInMinutes": int(e.Timeout.D() / time.Minute),
		"allowDeviceResetOnInstallFailure": true, "allowLogCollectionOnInstallFailure": true,
	}
	var out idOnly
	if err := w.admin.call("POST", "/beta/deviceManagement/deviceEnrollmentConfigurations", body, &out); err != nil {
		return fmt.Errorf("ESP %q: %w", e.Name, err)
	}
	as, err := w.assignments(e.AssignTo)
	if err != nil {
		return fmt.Errorf("ESP %q: %w", e.Name, err)
	}
	if len(as) == 0 {
		return nil
	}
	var enrollmentAs []map[string]any
	for _, a := range as {
		enrollmentAs = append(enrollmentAs, map[string]any{"target": a["target"]})
	}
	if err := w.admin.call("POST", "/beta/deviceManagement/deviceEnrollmentConfigurations/"+out.ID+"/assign", map[string]any{"enrollmentConfigurationAssignments": enrollmentAs}, nil); err != nil {
		return fmt.Errorf("ESP %q: assign: %w", e.Name, err)
	}
	if e.SkipUserStatusPage {
		return w.createSkipUserESP(e.Name, as)
	}
	return nil
}

// createSkipUserESP is how admins skip the ESP's user phase: not an ESP
// property but a custom (OMA-URI) device configuration setting the DMClient
// CSP's FirstSyncStatus/SkipUserStatusPage (hybrid-join-behaviour.md F19),
// assigned like the ESP.
func (w *world) createSkipUserESP(esp string, as []map[string]any) error {
	body := map[string]any{
		"@odata.type": "#microsoft.graph.windows10CustomConfiguration", "displayName": esp + " - skip user ESP",
		"omaSettings": []any{map[string]any{
			"@odata.type": "#microsoft.graph.omaSettingBoolean", "displayName": "SkipUserStatusPage",
			"omaUri": "./Vendor/MSFT/DMClient/Provider/MS DM Server/FirstSyncStatus/SkipUserStatusPage", "value": true,
		}},
	}
	var out idOnly
	if err := w.admin.call("POST", "/v1.0/deviceManagement/deviceConfigurations", body, &out); err != nil {
		return fmt.Errorf("ESP %q: skip-user-ESP profile: %w", esp, err)
	}
	if err := w.admin.call("POST", "/v1.0/deviceManagement/deviceConfigurations/"+out.ID+"/assign", map[string]any{"assignments": as}, nil); err != nil {
		return fmt.Errorf("ESP %q: skip-user-ESP profile: assign: %w", esp, err)
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// hardwareHash is a stand-in 4K hardware hash: base64 of bytes derived from
// the serial (DDS wants about 4,096 characters, graph-api.md §5.3).
func hardwareHash(serial string) string {
	r := rand.New(rand.NewPCG(uint64(len(serial)), fnv64(serial)))
	b := make([]byte, 3072)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return base64Std(b)
}
