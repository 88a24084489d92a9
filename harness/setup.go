package harness

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/devicesim"
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

	for i, g := range w.sc.Tenant.Groups {
		g, path := g, fmt.Sprintf("tenant.groups[%d]", i)
		w.schedule(next(g.CreatedAt), "admin", "create group "+g.Name, func() error {
			return w.located(path, w.createGroup(g), groupFields, false)
		})
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
		w.schedule(at, "device/"+d.Serial, "enrolled before Autopilot", func() error {
			return w.located(fmt.Sprintf("devices[%d].enrolled", d.Spec), w.enrollExisting(d), nil, false)
		})
	}
	w.schedulePreviousDeployments(lead) // F26 (history.go)
	// Import the registered devices (S1 P1): the import creates the Autopilot
	// device and its Entra object with [ZTDId]. Each batch's bodies, with
	// their 4 KB hashes, are built when it is sent, not held from setup.
	var toImport []scenarios.Device
	for _, d := range w.sc.ExpandDevices() {
		if d.Registered {
			toImport = append(toImport, d)
		}
	}
	if len(toImport) > 0 {
		importAt := next(nil)
		var importIDs []string
		w.schedule(importAt, "admin", fmt.Sprintf("import %d devices", len(toImport)), func() error {
			// The step runs again from the top after a wait.
			importIDs = importIDs[:0]
			for start := 0; start < len(toImport); start += 500 { // the portal's 500-per-upload limit (graph-api.md §5.3)
				batch := toImport[start:min(start+500, len(toImport))]
				imports := make([]map[string]any, 0, len(batch))
				for _, d := range batch {
					imports = append(imports, map[string]any{
						"@odata.type":               "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
						"serialNumber":              d.Serial,
						"groupTag":                  d.GroupTag,
						"productKey":                "",
						"hardwareIdentifier":        w.hardwareHash(d.Serial),
						"assignedUserPrincipalName": d.AssignedUser,
						"orderIdentifier":           d.OrderID,
						"purchaseOrderIdentifier":   d.PurchaseOrderID,
					})
				}
				var created struct {
					Value []struct {
						ID string `json:"id"`
					} `json:"value"`
				}
				if err := w.admin.call("POST", "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities/import",
					map[string]any{"importedWindowsAutopilotDeviceIdentities": imports}, &created); err != nil {
					return w.located("devices", fmt.Errorf("import devices: %w", err), nil, false)
				}
				for _, c := range created.Value {
					importIDs = append(importIDs, c.ID)
				}
			}
			w.importsDone = w.sched.Now()
			return nil
		})
		if !w.setupOnly {
			w.schedule(importAt+w.sc.Timings.ImportProcessing.D()+2*time.Minute, "admin", "remove the import records",
				func() error { return w.removeImportRecords(importIDs) })
		}
	}
	// Assigned (static) groups get their members once the import has
	// created the Entra objects.
	if w.hasStaticMembers() {
		w.schedule(tick+w.sc.Timings.ImportProcessing.D()+time.Minute, "admin", "add static members", w.addStaticMembers)
	}
	for i, p := range w.sc.Tenant.DeploymentProfiles {
		p, path := p, fmt.Sprintf("tenant.deploymentProfiles[%d]", i)
		created := next(p.CreatedAt)
		w.schedule(created, "admin", "create deployment profile "+p.Name, func() error {
			return w.located(path, w.createProfile(p), deploymentProfileFields, false)
		})
		assigned := created
		if p.AssignedAt != nil {
			assigned = p.AssignedAt.D()
		}
		w.schedule(assigned, "admin", "assign deployment profile "+p.Name, func() error {
			return w.located(path+".assignTo", w.assignProfile(p.Name, p.AssignTo), nil, false)
		})
	}
	for i, dj := range w.sc.Tenant.DomainJoinProfiles {
		dj, path := dj, fmt.Sprintf("tenant.domainJoinProfiles[%d]", i)
		w.schedule(next(dj.CreatedAt), "admin", "create Domain Join profile "+dj.Name, func() error {
			return w.located(path, w.createDomainJoin(dj), domainJoinFields, false)
		})
	}
	for i, e := range w.sc.Tenant.ESP {
		e, path := e, fmt.Sprintf("tenant.esp[%d]", i)
		w.schedule(next(nil), "admin", "create ESP "+e.Name, func() error {
			return w.located(path, w.createESP(e), espFields, false)
		})
	}
	if r := w.sc.Tenant.EnrollmentRestrictions; r.BlockWindows || r.DeviceLimit != nil {
		w.schedule(next(nil), "admin", "create enrollment restrictions", func() error { return w.createRestrictions(r) })
	}
	if len(w.sc.Tenant.ConditionalAccess) > 0 { // F36 (conditional_access.go)
		w.schedule(next(nil), "admin", "create Conditional Access policies", w.createConditionalAccess)
	}
	return nil
}

// removeImportRecords deletes the import records once the service has
// processed them, as the WindowsAutopilotIntune module's Import-AutopilotCSV
// does after reading their status ("Remove-AutopilotImportedDevice ... cleans
// up the status information about a new device being imported into Windows
// Autopilot. This should be done regardless of whether the import was
// successful or not", https://www.powershellgallery.com/packages/WindowsAutopilotIntune).
// Nothing in the flow reads them afterwards; each holds the 4 KB hardware
// hash as posted, which is what a large fleet would otherwise keep (3 KB per
// device decoded). When the import waited out throttling, the step comes
// back once the import is done and processed, without holding the admin
// (other steps go on meanwhile).
func (w *world) removeImportRecords(ids []string) error {
	if a := w.admin; a.busy != nil && a.busy != a.step {
		return errAdminBusy // runs again when the waiting step (the import?) is done
	}
	again := func(d time.Duration) error {
		w.sched.AfterFunc(d, "admin", "", func() {
			w.runStep("admin", "remove the import records", func() error { return w.removeImportRecords(ids) })
		})
		return nil
	}
	if w.importsDone.IsZero() {
		return again(time.Minute)
	}
	if ready := w.importsDone.Add(w.sc.Timings.ImportProcessing.D() + time.Minute); w.sched.Now().Before(ready) {
		return again(ready.Sub(w.sched.Now()))
	}
	for _, id := range ids {
		if err := w.admin.call("DELETE", "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities/"+url.PathEscape(id), nil, nil); err != nil {
			return w.located("devices", fmt.Errorf("remove import record %s: %w", id, err), nil, false)
		}
	}
	return nil
}

// createRestrictions creates the tenant's enrollment restrictions, assigned
// to All users (F29 platform restriction, F30 device limit; "Enrollment
// restrictions in Intune", https://learn.microsoft.com/en-us/mem/intune/enrollment/enrollment-restrictions-set).
func (w *world) createRestrictions(r scenarios.EnrollmentRestrictions) error {
	var bodies []map[string]any
	if r.BlockWindows {
		bodies = append(bodies, map[string]any{
			"@odata.type": "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration", "displayName": "Block Windows (MDM)",
			"windowsRestriction": map[string]any{"platformBlocked": true, "personalDeviceEnrollmentBlocked": false},
		})
	}
	if r.DeviceLimit != nil {
		bodies = append(bodies, map[string]any{
			"@odata.type": "#microsoft.graph.deviceEnrollmentLimitConfiguration", "displayName": fmt.Sprintf("Device limit %d", *r.DeviceLimit),
			"limit": *r.DeviceLimit,
		})
	}
	for _, body := range bodies {
		var out idOnly
		if err := w.admin.call("POST", "/beta/deviceManagement/deviceEnrollmentConfigurations", body, &out); err != nil {
			return fmt.Errorf("enrollment restriction %q: %w", body["displayName"], err)
		}
		all := map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}
		if err := w.admin.call("POST", "/beta/deviceManagement/deviceEnrollmentConfigurations/"+out.ID+"/assign",
			map[string]any{"enrollmentConfigurationAssignments": []map[string]any{all}}, nil); err != nil {
			return fmt.Errorf("enrollment restriction %q: assign: %w", body["displayName"], err)
		}
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
	body := map[string]any{"serialNumber": d.Serial, "hardwareHash": w.hardwareHash(d.Serial), "deviceName": e.Name,
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
	for i, g := range w.sc.Tenant.Groups {
		for j, serial := range g.Members {
			path := fmt.Sprintf("tenant.groups[%d].members[%d]", i, j)
			var list struct {
				Value []idOnly `json:"value"`
			}
			q := "/v1.0/devices?$filter=" + url.QueryEscape("displayName eq '"+names[serial]+"'")
			if err := w.admin.call("GET", q, nil, &list); err != nil {
				return w.located(path, fmt.Errorf("group %q: find device %s: %w", g.Name, serial, err), nil, false)
			}
			if len(list.Value) == 0 {
				return w.located(path, fmt.Errorf("group %q: member %s has no Entra device object (neither imported nor enrolled by then?)", g.Name, serial), nil, true)
			}
			ref := map[string]any{"@odata.id": w.internalURL + "/v1.0/directoryObjects/" + list.Value[0].ID}
			if err := w.admin.call("POST", "/v1.0/groups/"+w.groupIDs[g.Name]+"/members/$ref", ref, nil); err != nil {
				return w.located(path, fmt.Errorf("group %q: add %s: %w", g.Name, serial, err), nil, false)
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

// unlicensed lists the tenant users without an Intune licence
// (tenant.users[].licensed: false, F28); mockgraph refuses their enrollment.
func unlicensed(sc *scenarios.Scenario) []string {
	var out []string
	for _, u := range sc.Tenant.Users {
		if u.Licensed != nil && !*u.Licensed {
			out = append(out, u.UPN)
		}
	}
	return out
}

// verifiedDomains are the tenant's verified domains as the scenario implies
// them: its onmicrosoft.com domain and the UPN suffixes of its users, AD
// (synced) and cloud-only. A device user outside them belongs to another
// organisation (F31).
func verifiedDomains(sc *scenarios.Scenario) []string {
	seen := map[string]bool{}
	var out []string
	add := func(d string) {
		if d = strings.ToLower(d); d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	add(sc.Tenant.Domain)
	for _, dom := range sc.Environment.Domains {
		for _, u := range dom.Users {
			_, d, _ := strings.Cut(u.UPN, "@")
			add(d)
		}
	}
	for _, u := range sc.Tenant.Users {
		_, d, _ := strings.Cut(u.UPN, "@")
		add(d)
	}
	return out
}

// preProvision is the device's pre-provisioning, or nil (F33, F35).
func preProvision(d scenarios.Device) (*devicesim.PreProvision, error) {
	if d.PreProvision == nil {
		return nil, nil
	}
	tpm, err := devicesim.ParseTPMOutcome(d.PreProvision.TPM)
	if err != nil {
		return nil, err
	}
	return &devicesim.PreProvision{TPM: tpm, UserFlowAfter: d.PreProvision.UserFlowAfter.D()}, nil
}

// deleteEntraObjects deletes the Autopilot-created Entra device object of
// each device through Graph (DELETE /v1.0/devices/{id}), as an admin
// cleaning up would (F25, F34). The Autopilot record stays.
func (w *world) deleteEntraObjects(devs []scenarios.Device) error {
	for _, d := range devs {
		var id string
		for _, ap := range w.graph.AutopilotDevices() {
			if strings.EqualFold(ap.SerialNumber, d.Serial) {
				id = ap.AzureADDeviceID
			}
		}
		var obj string
		for _, e := range w.graph.EntraDevices() {
			if id != "" && strings.EqualFold(e.DeviceID, id) {
				obj = e.ID
			}
		}
		if obj == "" {
			return fmt.Errorf("delete Entra object of %s: none found", d.Serial)
		}
		if err := w.admin.call("DELETE", "/v1.0/devices/"+obj, nil, nil); err != nil {
			return fmt.Errorf("delete Entra object of %s: %w", d.Serial, err)
		}
	}
	return nil
}
