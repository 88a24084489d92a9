package scenarios

import (
	"fmt"
	"strings"
)

// devices checks the device specs and returns the expanded list (nil when
// the specs are too broken to expand).
func (v *validator) devices() []Device {
	s := v.s
	if len(s.Devices) == 0 {
		v.errf("devices", "no devices: a scenario needs at least one")
		return nil
	}
	total := 0
	expandable := true
	for i, d := range s.Devices {
		p := fmt.Sprintf("devices[%d]", i)
		switch {
		case d.Serial != "" && (d.Count != 0 || d.SerialPrefix != ""):
			v.errf(p+".serial", "give serial (one device) or count + serialPrefix (a batch), not both")
			expandable = false
		case d.Serial != "":
			if strings.ContainsAny(d.Serial, " \t*?[]") {
				v.errf(p+".serial", "serial %q must not hold spaces or glob characters *?[]", d.Serial)
			}
			if d.Stagger != 0 {
				v.errf(p+".stagger", "stagger applies to batches (count) only")
			}
			total++
		case d.Count != 0 || d.SerialPrefix != "":
			if d.Count < 1 {
				v.errf(p+".count", "a batch needs count of at least 1, got %d", d.Count)
				expandable = false
			} else if total+d.Count > MaxDevices {
				v.errf(p+".count", "count %d takes the scenario over %d devices", d.Count, MaxDevices)
				expandable = false
			} else {
				total += d.Count
			}
			if d.SerialPrefix == "" {
				v.errf(p+".serialPrefix", "missing serialPrefix: a batch's serials are serialPrefix + 0001…")
			} else if strings.ContainsAny(d.SerialPrefix, " \t*?[]") {
				v.errf(p+".serialPrefix", "serialPrefix %q must not hold spaces or glob characters *?[]", d.SerialPrefix)
			}
			v.nonNegative(p+".stagger", d.Stagger)
		default:
			v.errf(p+".serial", "missing serial (one device) or count + serialPrefix (a batch)")
			expandable = false
		}
		v.networkRef(p+".location", d.Location)
		v.enum(p+".vpn", "VPN kind", d.VPN, vPNKinds, false)
		if v.required(p+".user", "user (the UPN of the person at the keyboard)", d.User) {
			if !validUPN(d.User) {
				v.errf(p+".user", "%q is not a user principal name (want name@domain)", d.User)
			} else if s.adUserByUPN(d.User) == nil && !s.tenantUser(d.User) && !s.syncedNonRoutable(d.User) {
				v.warnf(p+".user", "%q is neither an AD user (synced) nor a tenant user: the Entra sign-in will fail", d.User)
			}
		}
		if pp := d.PreProvision; pp != nil {
			v.enum(p+".preProvision.tpm", "TPM attestation outcome", pp.TPM, tpmOutcomes, false)
			if pp.UserFlowAfter != nil {
				v.nonNegative(p+".preProvision.userFlowAfter", *pp.UserFlowAfter)
			}
			if d.Enrolled != nil || (d.Registered != nil && !*d.Registered) {
				v.errf(p+".preProvision", "only a device imported into Autopilot can be pre-provisioned")
			}
		}
		v.previousDeployment(p, d) // device_history.go
		v.otherLocalAdmin(p, d)    // local_accounts.go
		if d.AssignedUser != "" {
			if !validUPN(d.AssignedUser) {
				v.errf(p+".assignedUser", "%q is not a user principal name (want name@domain)", d.AssignedUser)
			}
			if d.Enrolled != nil || (d.Registered != nil && !*d.Registered) {
				v.errf(p+".assignedUser", "only a device imported into Autopilot has an assigned user")
			}
		}
		if d.ADUser != "" {
			if !s.adUserBySAM(d.ADUser) {
				v.warnf(p+".adUser", "no AD user %q: the first Windows sign-in will fail", d.ADUser)
			}
		} else if d.User != "" {
			v.warnf(p+".user", "no AD user has UPN %q: the first Windows sign-in will fail; set adUser", d.User)
		}
		if d.Manual && d.PowerOn != nil {
			v.errf(p+".powerOn", "a manual device has no powerOn; the script powers it on")
		}
		if e := d.Enrolled; e != nil {
			if d.Registered != nil && *d.Registered {
				v.errf(p+".registered", "an enrolled device is one enrolled before Autopilot (the candidate of convertAllTargeted); it cannot also be imported: drop registered: true")
			}
			v.enum(p+".enrolled.ownership", "ownership", e.Ownership, []string{"company", "personal"}, false)
			v.enum(p+".enrolled.joinType", "join type", e.JoinType, []string{"hybridAzureADJoined", "azureADJoined", "azureADRegistered"}, false)
			if e.Name != "" && (len(e.Name) > 15 || strings.ContainsAny(e.Name, " \t*?[]")) {
				v.errf(p+".enrolled.name", "device name %q: at most 15 characters, no spaces or glob characters (NetBIOS)", e.Name)
			} else if strings.ContainsAny(e.Name, badNameChars) {
				v.errf(p+".enrolled.name", "device name %q holds a character not allowed in NetBIOS names", e.Name)
			}
			if e.Name != "" && d.Serial == "" {
				v.errf(p+".enrolled.name", "a batch cannot share one device name; leave name out (each device is named after its serial)")
			}
			if e.At != nil && e.At.D() > s.Duration.D() {
				v.errf(p+".enrolled.at", "%s is after the end of the run (duration %s)", e.At, s.Duration)
			} else if e.At != nil && d.PowerOn != nil && e.At.D() > d.PowerOn.D() {
				v.errf(p+".enrolled.at", "%s is after the device's powerOn %s, which is its reset: it must be enrolled before", e.At, d.PowerOn)
			}
			// Conversion uploads the device's hash without any of these
			// (seed 000 "Register Windows Autopilot devices that are
			// already enrolled"); silently dropping them would mislead.
			for _, f := range []struct{ key, val string }{{"groupTag", d.GroupTag}, {"orderId", d.OrderID}, {"purchaseOrderId", d.PurchaseOrderID}} {
				if f.val != "" {
					v.errf(p+"."+f.key, "%s applies to imported devices; an enrolled device registered by conversion gets none", f.key)
				}
			}
		}
		if d.PowerOn != nil {
			v.nonNegative(p+".powerOn", *d.PowerOn)
			if d.PowerOn.D() > s.Duration.D() {
				v.errf(p+".powerOn", "%s is after the end of the run (duration %s)", d.PowerOn, s.Duration)
			}
		}
	}
	if !expandable {
		return nil
	}
	devs := s.ExpandDevices()
	first := map[string]Device{}
	for _, d := range devs {
		if prev, dup := first[d.Serial]; dup {
			p := fmt.Sprintf("devices[%d]", d.Spec)
			field := ".serial"
			if s.Devices[d.Spec].Serial == "" {
				field = ".serialPrefix"
			}
			v.errf(p+field, "duplicate serial %q (also from devices[%d])", d.Serial, prev.Spec)
			continue
		}
		first[d.Serial] = d
	}
	// Every device's Entra object must be found by its displayName (group
	// members, harness setup.go): an enrolled device's name may not repeat
	// another device's name or serial.
	names := map[string]Device{}
	for _, d := range devs {
		n := strings.ToLower(d.EntraName())
		prev, dup := names[n]
		if !dup {
			names[n] = d
			continue
		}
		enrolled, other := d, prev
		if d.Enrolled == nil {
			enrolled, other = prev, d
		}
		if enrolled.Enrolled != nil && prev.Serial != d.Serial {
			v.errf(fmt.Sprintf("devices[%d].enrolled.name", enrolled.Spec), "device name %q is also the Entra name of %s; names must be unique", enrolled.EntraName(), other.Serial)
		}
	}
	v.previousNames(devs) // device_history.go
	for i, g := range s.Tenant.Groups {
		for j, m := range g.Members {
			if _, ok := first[m]; !ok {
				v.errf(fmt.Sprintf("tenant.groups[%d].members[%d]", i, j), "no device has serial %q", m)
			}
		}
	}
	return devs
}

func (s *Scenario) tenantUser(upn string) bool {
	for _, u := range s.Tenant.Users {
		if strings.EqualFold(u.UPN, upn) {
			return true
		}
	}
	return false
}

// syncedNonRoutable reports whether upn is the Entra UPN Entra Connect
// gives an AD user with a non-routable UPN suffix: the same prefix at the
// tenant's initial onmicrosoft.com domain ("Microsoft Entra
// UserPrincipalName population", non-verified UPN suffix,
// https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/plan-connect-userprincipalname; F42).
func (s *Scenario) syncedNonRoutable(upn string) bool {
	prefix, suffix, _ := strings.Cut(upn, "@")
	if !strings.EqualFold(suffix, s.Tenant.Domain) {
		return false
	}
	for _, d := range s.Environment.Domains {
		for _, u := range d.Users {
			p, _, _ := strings.Cut(u.UPN, "@")
			if NonRoutableUPN(u.UPN) && strings.EqualFold(p, prefix) {
				return true
			}
		}
	}
	return false
}

// NonRoutableUPN reports whether upn's suffix is non-routable, one no
// tenant can verify, so that on a managed domain the user gets no PRT
// (F42). UNCERTAIN: the source names `.local` as its example of a
// non-routable suffix ("Plan your Microsoft Entra hybrid join
// implementation", "Review on-premises AD users UPN support for Microsoft
// Entra hybrid join",
// https://learn.microsoft.com/en-us/entra/identity/devices/hybrid-join-plan)
// and gives no list; the simulator treats a suffix whose last label is
// `local` as non-routable and every other one as routable. Federated
// domains, where a non-routable UPN is supported, are not modelled.
func NonRoutableUPN(upn string) bool {
	_, suffix, ok := strings.Cut(strings.ToLower(upn), "@")
	return ok && (suffix == "local" || strings.HasSuffix(suffix, ".local"))
}

func (s *Scenario) adUserBySAM(sam string) bool {
	for _, d := range s.Environment.Domains {
		for _, u := range d.Users {
			if strings.EqualFold(u.SAMAccountName, sam) {
				return true
			}
		}
	}
	return false
}

// selector checks a selector's syntax and that it picks at least one
// device; it returns the picked devices.
func (v *validator) selector(path, sel string, devs []Device) []Device {
	if err := checkSelector(sel); err != nil {
		v.errf(path, "%v", err)
		return nil
	}
	if devs == nil {
		return nil // devices already reported broken
	}
	picked, _ := v.s.Select(sel, devs)
	if len(picked) == 0 {
		v.errf(path, "selector %q matches no device", sel)
	}
	return picked
}

// actionFields lists, per action, the fields it uses; any other field set
// on the action is an error (it would be silently ignored).
var actionFields = map[string][]string{
	"powerOn":          {"devices"},
	"moveDevices":      {"devices", "location"},
	"connectorDown":    {"connector"},
	"connectorUp":      {"connector"},
	"grantDelegation":  {"domain", "delegation"},
	"revokeDelegation": {"domain", "delegation"},
	"syncNow":          {},
	"assignProfile":    {"profile", "group"},
	// deleteEntraObject: an admin deletes the Autopilot-created Entra
	// device object of each selected device (F25, F34).
	"deleteEntraObject": {"devices"},
}

func (v *validator) script(devs []Device) {
	s := v.s
	for i, a := range s.Script {
		p := fmt.Sprintf("script[%d]", i)
		v.offset(p+".at", a.At)
		if !v.enum(p+".do", "action", a.Do, actions, true) {
			continue
		}
		set := map[string]bool{
			"devices": a.Devices != "", "connector": a.Connector != "", "domain": a.Domain != "",
			"delegation": a.Delegation != nil, "location": a.Location != "", "profile": a.Profile != "", "group": a.Group != "",
		}
		uses := map[string]bool{}
		for _, f := range actionFields[a.Do] {
			uses[f] = true
		}
		for _, f := range []string{"devices", "connector", "domain", "delegation", "location", "profile", "group"} {
			if set[f] && !uses[f] {
				uses := "it uses no fields"
				if len(actionFields[a.Do]) > 0 {
					uses = "it uses: " + strings.Join(actionFields[a.Do], ", ")
				}
				v.errf(p+"."+f, "%s is not used by do: %s (%s)", f, a.Do, uses)
			}
		}
		switch a.Do {
		case "powerOn", "moveDevices":
			if !v.required(p+".devices", "devices (a selector: all, tag:<groupTag> or a serial glob)", a.Devices) {
				break
			}
			picked := v.selector(p+".devices", a.Devices, devs)
			if a.Do == "moveDevices" {
				v.networkRef(p+".location", a.Location)
				break
			}
			for _, d := range picked {
				if d.PowerOn != nil {
					v.errf(p+".devices", "selects %s, which powers on by itself at %s; set manual: true (or powerOn: null) on devices[%d]", d.Serial, Duration(*d.PowerOn), d.Spec)
					break
				}
			}
		case "deleteEntraObject":
			if v.required(p+".devices", "devices (a selector: all, tag:<groupTag> or a serial glob)", a.Devices) {
				for _, d := range v.selector(p+".devices", a.Devices, devs) {
					if !d.Registered || d.Enrolled != nil {
						v.errf(p+".devices", "selects %s, which has no Autopilot-created Entra object (not imported)", d.Serial)
						break
					}
				}
			}
		case "connectorDown", "connectorUp":
			if v.required(p+".connector", "connector name", a.Connector) && !v.s.hasConnector(a.Connector) {
				v.errf(p+".connector", "unknown connector %q", a.Connector)
			}
		case "grantDelegation", "revokeDelegation":
			dom := v.domainRef(p+".domain", a.Domain)
			if a.Delegation == nil {
				v.errf(p+".delegation", "missing delegation (trustee, ou, right)")
			} else {
				name := ""
				if dom != nil {
					name = dom.Name
				}
				v.delegation(p+".delegation", *a.Delegation, name)
			}
		case "syncNow":
			if s.Environment.EntraConnect.Disabled {
				v.errf(p+".do", "syncNow needs Entra Connect, but environment.entraConnect.disabled is true")
			}
		case "assignProfile":
			if v.required(p+".profile", "profile (a deployment profile name)", a.Profile) && !s.hasDeploymentProfile(a.Profile) {
				v.errf(p+".profile", "unknown deployment profile %q", a.Profile)
			}
			if v.required(p+".group", "group (a group name or allDevices)", a.Group) && a.Group != AllDevices && s.group(a.Group) == nil {
				v.errf(p+".group", "unknown group %q (%s)", a.Group, oneOf(s.groupNames()))
			}
		}
	}
}

func (s *Scenario) hasConnector(name string) bool {
	for _, c := range s.Environment.Connectors {
		if c.Name == name {
			return true
		}
	}
	return false
}

func (s *Scenario) hasDeploymentProfile(name string) bool {
	for _, p := range s.Tenant.DeploymentProfiles {
		if p.Name == name {
			return true
		}
	}
	return false
}

func (v *validator) expectations(devs []Device) {
	s := v.s
	if len(s.Expect) == 0 {
		v.errf("expect", "no expectations: a scenario must assert at least one outcome")
		return
	}
	for i, e := range s.Expect {
		p := fmt.Sprintf("expect[%d]", i)
		if e.Requests != nil {
			v.requestCheck(p, e) // graph.go
			continue
		}
		var picked []Device
		if v.required(p+".devices", "devices (a selector: all, tag:<groupTag> or a serial glob)", e.Devices) {
			picked = v.selector(p+".devices", e.Devices, devs)
		}
		if e.Outcome == "" && e.FailedStage == "" && e.ErrorCode == "" && e.ConnectorError == nil &&
			e.OU == "" && e.EntraObjects == nil && e.ProfileSource == "" && e.Profile == "" && e.Registration == "" &&
			e.ComputerName == "" && e.EntraDevices == nil && e.Events == nil && e.DSRegCmd == nil && e.UserAdmin == nil &&
			e.AccessAtProvisioningEnd == "" && e.AccessAfterSignIn == "" {
			v.errf(p, "nothing to check: give outcome, failedStage, errorCode, connectorError, ou, entraObjects, profileSource, profile, registration, computerName, entraDevices, events, dsregcmd, userAdmin, accessAtProvisioningEnd or accessAfterSignIn")
		}
		v.deviceChecks(p, e) // expectations.go
		v.accessChecks(p, e) // conditional_access.go
		v.enum(p+".outcome", "outcome", e.Outcome, outcomes, false)
		if v.enum(p+".failedStage", "failedStage", e.FailedStage, failedStages, false) && e.FailedStage != "" && e.Outcome != "failed" {
			v.errf(p+".failedStage", "failedStage needs outcome: failed")
		}
		if e.ErrorCode != "" {
			if !errorCode.MatchString(e.ErrorCode) {
				v.errf(p+".errorCode", "error code %q is not 8 hex digits, e.g. \"80070774\"", e.ErrorCode)
			} else if e.Outcome != "failed" {
				v.errf(p+".errorCode", "errorCode needs outcome: failed")
			}
		}
		if e.ConnectorError != nil && *e.ConnectorError < 0 {
			v.errf(p+".connectorError", "must not be negative, got %d", *e.ConnectorError)
		}
		if e.Count != nil {
			if *e.Count < 0 {
				v.errf(p+".count", "must not be negative, got %d", *e.Count)
			} else if picked != nil && *e.Count > len(picked) {
				v.errf(p+".count", "count %d is more than the %d devices %q selects", *e.Count, len(picked), e.Devices)
			}
		}
		if e.EntraObjects != nil && *e.EntraObjects < 0 {
			v.errf(p+".entraObjects", "must not be negative, got %d", *e.EntraObjects)
		}
		if e.OU != "" {
			if _, err := parseDN(e.OU); err != nil {
				v.errf(p+".ou", "%q: %v", e.OU, err)
			}
		}
		v.enum(p+".profileSource", "profileSource", e.ProfileSource, profileSources, false)
		v.enum(p+".registration", "registration", e.Registration, []string{"import", "conversion", "none"}, false)
		if e.Profile != "" && !s.hasDeploymentProfile(e.Profile) {
			v.errf(p+".profile", "unknown deployment profile %q", e.Profile)
		}
		v.nonNegative(p+".within", e.Within)
		if e.Within.D() > s.Duration.D() {
			v.errf(p+".within", "%s is after the end of the run (duration %s)", e.Within, s.Duration)
		}
		v.nonNegative(p+".after", e.After)
		if e.After != 0 && e.FailedStage == "" && e.ErrorCode == "" {
			v.errf(p+".after", "after needs failedStage or errorCode (it times a failure)")
		}
	}
}
