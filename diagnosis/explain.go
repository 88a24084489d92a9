package diagnosis

import (
	"fmt"
	"strings"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/results"
)

// explainers are the outcomes Explain explains, each with its way: one
// table, so that Explains and Explain cannot disagree.
var explainers = map[string]func(Device) *results.Explanation{
	"failed":                    explainFailure,
	"notAutopilot":              explainNotAutopilot,
	"domainJoinedNotRegistered": explainUnregistered,
	"pending":                   explainPending,
}

// Explains reports whether Explain explains a device of this outcome:
// failed, notAutopilot, domainJoinedNotRegistered and pending devices
// get an explanation, the others (hybridJoined, entraJoined, …) none,
// whatever their timeline says. A large fleet's results read it to skip
// building the full timeline of a device whose timeline they drop.
func Explains(outcome string) bool {
	_, ok := explainers[outcome]
	return ok
}

// Explain says why a device did not end hybrid or Entra joined: for
// failed, domainJoinedNotRegistered, notAutopilot and pending devices; nil
// otherwise. Cause is written in the run's terms (serials, connector names,
// OUs, quotas, networks); Fix and the doc link come from the failure modes
// of the cited pages.
func Explain(d Device) *results.Explanation {
	explain, ok := explainers[d.Result.Outcome]
	if !ok {
		return nil
	}
	x := explain(d)
	if x.Code != "" && (x.Meaning == "" || x.DocURL == "") {
		if c, ok := Lookup(x.Code); ok {
			if x.Meaning == "" {
				x.Meaning = c.Meaning
			}
			if x.Message == "" {
				x.Message = c.Message
			}
			if x.DocURL == "" {
				x.DocURL, x.DocTitle = c.Doc.URL, c.Doc.Title
			}
		}
	}
	return x
}

// explainPending says why a device had no outcome when the run ended.
func explainPending(d Device) *results.Explanation {
	r := d.Result
	if r.PoweredOnAt == "" {
		return &results.Explanation{
			Cause: fmt.Sprintf("%s was never powered on: it is manual (manual: true or powerOn: null) and no script powerOn selects it before the run ended", r.Serial),
			Fix:   "add a script step `do: powerOn` for it, or give it a powerOn offset",
		}
	}
	return &results.Explanation{
		Stage: stageOf(r),
		Cause: fmt.Sprintf("the run ended after %s while %s was still in stage %s (%s)", d.RunDuration, r.Serial, stageOf(r), r.Detail),
		Fix:   "give the scenario a longer duration, or check what the device was waiting for in its timeline",
	}
}

// stageOf is the failed stage, or for a pending device the stage named in
// its detail ("run ended in stage X").
func stageOf(r results.DeviceResult) string {
	if r.FailedStage != "" {
		return r.FailedStage
	}
	if s, ok := strings.CutPrefix(r.Detail, "run ended in stage "); ok {
		return s
	}
	return ""
}

// has reports whether the device's own timeline has step with a detail
// starting with prefix.
func has(d Device, step, prefix string) bool {
	actor := "device/" + d.Result.Serial
	for _, e := range d.Result.Timeline {
		if e.Actor == actor && e.Step == step && strings.HasPrefix(e.Detail, prefix) {
			return true
		}
	}
	return false
}

func with(x results.Explanation, doc Doc) *results.Explanation {
	x.DocURL, x.DocTitle = doc.URL, doc.Title
	return &x
}

func explainNotAutopilot(d Device) *results.Explanation {
	r := d.Result
	switch {
	case has(d, "profileDownload", "event 807"):
		return with(results.Explanation{Stage: "profileDownload", Code: "807",
			Meaning: "ZtdDeviceIsNotRegistered: the device's hardware hash is not registered in Windows Autopilot",
			Cause:   fmt.Sprintf("no Autopilot device with serial %s exists in tenant %s when it asked for its profile, so it ran the ordinary OOBE", r.Serial, d.TenantName),
			Fix:     "import the device's hardware hash (or let \"Convert all targeted devices\" register it), wait until its profile status is Assigned, then reset the device",
		}, docAutopilotEvents)
	case has(d, "profileDownload", "assignment in progress"):
		return with(results.Explanation{Stage: "profileDownload",
			Meaning: "a profile assignment was still processing: the device cached a blank profile, which it keeps until the next reboot",
			Cause:   fmt.Sprintf("%s asked for its profile before the assignment reached it (profile status Assigning), so it ran the ordinary OOBE", r.Serial),
			Fix:     "deploy only when the profile status is Assigned with a Date assigned; at OOBE, Shift+F10 and shutdown.exe /r /t 0 fetches the profile again",
		}, docProfileDownload)
	default: // event 815
		tag := ""
		if d.GroupTag != "" {
			tag = fmt.Sprintf(" (group tag %q)", d.GroupTag)
		}
		return with(results.Explanation{Stage: "profileDownload", Code: "815",
			Meaning: "ZtdDeviceHasNoAssignedProfile: no profile assigned to the device, and no default profile found in the tenant",
			Cause: fmt.Sprintf("%s%s is registered but in no group a deployment profile is assigned to, and no profile is assigned to All devices: check the groups' membership rules (the [OrderID] tag, paused rule processing)",
				r.Serial, tag),
			Fix: "put the device in the profile's group (fix the dynamic rule, e.g. (device.devicePhysicalIds -any _ -eq \"[OrderID]:<tag>\")) or assign a default profile to All devices, wait for Assigned, then reset the device",
		}, docDeviceGroup)
	}
}

func explainFailure(d Device) *results.Explanation {
	r := d.Result
	switch {
	case r.ErrorCode == "80070774" && r.FailedStage == "odjBlobWait":
		return explainNoBlob(d)
	case r.ErrorCode == "80070774":
		where := d.Location
		if d.LocationKind != "" {
			where = fmt.Sprintf("%s (%s network)", d.Location, d.LocationKind)
		}
		vpn := "no VPN"
		if d.VPN != "" && d.VPN != "none" {
			vpn = "its VPN (" + d.VPN + ") installs only in ESP device setup, after the check"
		}
		return with(results.Explanation{Stage: r.FailedStage, Code: r.ErrorCode,
			Cause: fmt.Sprintf("%s applied the ODJ blob for %s but could not reach a domain controller of %s from %s, with %s; Skip AD connectivity check is No, so OOBE waited 25 minutes and gave up",
				r.Serial, r.ComputerName, d.Domain, where, vpn),
			Fix:     "deploy on the corporate network, or set the profile's Skip AD connectivity check to Yes and give the device a VPN that connects before Windows sign-in (a device tunnel)",
			Message: messageDCNotFound,
		}, docEnroll80070774)
	case r.ErrorCode == "80180014" && strings.Contains(r.Detail, "One Time Limit Check"):
		// F26: Troubleshoot Autopilot device import and enrollment, "Error
		// code 0x80180014 when re-enrolling using self-deployment or
		// pre-provisioning mode".
		return with(results.Explanation{Stage: r.FailedStage, Code: r.ErrorCode,
			Meaning: "MENROLL_E_DEVICENOTSUPPORTED: Intune refused the enrollment (fault DeviceNotSupported, \"Enrollment blocked for AP device by SDM One Time Limit Check\")",
			Cause:   fmt.Sprintf("%s was deployed through Autopilot before, and Intune still holds the device record of that deployment: a device enrolls without a user (pre-provisioning, self-deploying mode) only once", r.Serial),
			Fix:     "delete the device record in Intune (Devices > All devices > Delete), then redeploy the device; the stale Entra object and AD computer object of the earlier deployment can go too",
		}, docReenroll80180014)
	case r.ErrorCode == "8007051F":
		why := "it has no VPN"
		if d.VPN != "" && d.VPN != "none" {
			why = fmt.Sprintf("its VPN (%s) connects only after Windows sign-in, which itself needs the DC", d.VPN)
		}
		return &results.Explanation{Stage: r.FailedStage, Code: r.ErrorCode,
			Cause: fmt.Sprintf("%s (domain-joined as %s\\%s) reached the Windows sign-in screen without line of sight to a domain controller from %s: %s, and a first sign-in has no cached credentials",
				r.Serial, d.NetBIOS, r.ComputerName, d.Location, why),
			Fix: "use a VPN that connects before sign-in with a device certificate (device tunnel / Always On, a tested Win32 client), or deploy on the corporate network; user-certificate VPNs, UWP plug-ins and DirectAccess are unsupported",
		}
	case r.ErrorCode == "8007052E":
		return &results.Explanation{Stage: r.FailedStage, Code: r.ErrorCode,
			Cause: fmt.Sprintf("the domain controller of %s refused the AD account used at %s's first sign-in", d.Domain, r.Serial),
			Fix:   "use the user's on-premises AD credentials (DOMAIN\\user) at the Windows sign-in",
		}
	case r.ErrorCode == "800705B4" && r.FailedStage == "accountSetup":
		x := registrationCause(d)
		x.Stage, x.Code = r.FailedStage, r.ErrorCode
		x.Cause = "the ESP account setup timed out waiting for Microsoft Entra registration: " + x.Cause
		x.Message = messageESP
		return x
	case r.ErrorCode == "800705B4":
		return with(results.Explanation{Stage: r.FailedStage, Code: r.ErrorCode,
			Cause: fmt.Sprintf("%s's ESP device setup needed longer than the ESP profile's timeout", r.Serial),
			Fix:   "raise the ESP profile's timeout (\"Show an error when installation takes longer than specified number of minutes\", 60 by default) or track fewer blocking apps",
		}, docESP)
	default:
		return with(results.Explanation{Stage: r.FailedStage, Code: r.ErrorCode,
			Cause: fmt.Sprintf("%s failed in %s: %s", r.Serial, r.FailedStage, r.Detail),
			Fix:   "see the device's timeline and the linked page for this code",
		}, docEnrollErrors)
	}
}

// lastFailure is the last 30132 event of the device's request and its
// connector, unless a later attempt created the account (30130).
func lastFailure(d Device) (ConnectorEvent, bool) {
	for i := len(d.Connector) - 1; i >= 0; i-- {
		switch d.Connector[i].Event.ID {
		case connector.EventRequestFailure:
			return d.Connector[i], true
		case connector.EventRequestSuccess:
			return ConnectorEvent{}, false
		}
	}
	return ConnectorEvent{}, false
}

func ouText(q Request) string {
	if q.OU == "" {
		return "the Computers container of " + q.Domain
	}
	return q.OU
}

// explainNoBlob: 80070774 while waiting for the blob (F5, F8–F10, F13, F23).
func explainNoBlob(d Device) *results.Explanation {
	r, q := d.Result, d.Request
	base := results.Explanation{Stage: r.FailedStage, Code: r.ErrorCode, Message: messageDCNotFound}
	if has(d, "odjBlobWait", "event 111") && !hasODJRequest(d) {
		base.Cause = fmt.Sprintf("no Domain Join profile targets %s, so Intune never asked a connector for its computer account, and the device waited 25 minutes for a blob that could not come", r.Serial)
		base.Fix = "assign the Domain Join profile to the device's group, or to All devices as recommended"
		return with(base, docDomainJoinProfile)
	}
	ce, failed := lastFailure(d)
	if !failed {
		if len(d.Connector) == 0 {
			switch {
			case len(q.Connectors) == 0:
				base.Cause = fmt.Sprintf("no Intune Connector for Active Directory is installed for %s, so nobody created %s's computer account; the device waited 25 minutes", q.Domain, r.Serial)
			case len(q.Running) == 0:
				base.Cause = fmt.Sprintf("the connector(s) of %s (%s) were stopped, so nobody took %s's ODJ request; the device waited 25 minutes", q.Domain, strings.Join(q.Connectors, ", "), r.Serial)
			default:
				base.Cause = fmt.Sprintf("no connector of %s took %s's ODJ request within the 25 minutes the device waits", q.Domain, r.Serial)
			}
			base.Fix = "install a connector in the target domain and keep its Intune ODJConnector Service running (its status Active in the admin center)"
			return with(base, docConnector)
		}
		base.Cause = fmt.Sprintf("the connector created %s's computer account but the blob did not reach the device within its 25-minute wait", r.Serial)
		base.Fix = "check the connector's result upload (event 30140) and the cloud's faults in this run"
		return with(base, docConnector)
	}
	code := ce.Event.ErrorCode
	name := ce.Event.Computer
	acct := "a computer account"
	if name != "" {
		acct = "the computer account " + name
	}
	prefix := fmt.Sprintf("the connector %s could not create %s in %s", ce.Connector, acct, ouText(q))
	win32 := fmt.Sprintf("Win32 %s, event 30132", win32Name(code))
	switch uint32(code) {
	case connector.ErrorDSMachineAccountQuotaExced:
		base.Cause = fmt.Sprintf("%s: the machine-account quota of %d is used up (%s); its identity has no delegated right to create computers there", prefix, q.Quota, win32)
		base.Fix = fmt.Sprintf("delegate Create Computer objects on %s to the connector's identity rather than raising ms-DS-MachineAccountQuota", ouText(q))
		return with(base, docQuota)
	case connector.ErrorAccessDenied, connector.ErrorDSInsuffAccessRights:
		base.Cause = fmt.Sprintf("%s: access denied (%s): its identity has no Create Computer objects right on that OU", prefix, win32)
		base.Fix = fmt.Sprintf("delegate Create Computer objects on %s to the connector's identity (the MSA: list the OU in OrganizationalUnitsUsedForOfflineDomainJoin of ODJConnectorEnrollmentWizard.exe.config and run Configure Managed Service Account)", ouText(q))
		return with(base, docEnroll80070774)
	}
	c, known := Lookup(fmt.Sprint(code))
	base.Cause = fmt.Sprintf("%s (%s)", prefix, win32)
	if known {
		base.Cause = fmt.Sprintf("%s: %s (%s)", prefix, c.Meaning, win32)
		base.Fix = fixFor(code)
		return with(base, c.Doc)
	}
	base.Cause = fmt.Sprintf("%s: %s (%s)", prefix, connector.Win32Message(uint32(code)), win32)
	base.Fix = "read the connector's event 30132 DiagnosticText and fix what NetProvisionComputerAccount reports"
	return with(base, docEnroll80070774)
}

func fixFor(code int) string {
	switch uint32(code) {
	case 2224, connector.ErrorDSObjStringNameExists, connector.ErrorAlreadyExists, connector.ErrorUserExists:
		return "delete the stale computer object, or give the Domain Join profile more random characters"
	case connector.ErrorNoSuchDomain:
		return "let the connector's server reach a writable domain controller of the domain (DNS, RPC and LDAP ports)"
	case connector.ErrorInvalidComputerName:
		return "shorten the Domain Join profile's computer-name prefix (15 characters in all, at least 3 of them random)"
	default:
		return "give the Domain Join profile the OU's full distinguished name (with its DC= parts, no quotes), or leave it empty for the Computers container"
	}
}

func hasODJRequest(d Device) bool {
	return !has(d, "odjBlobWait", "event 111: starting wait for ODJ blob; no Domain Join profile")
}

// registrationCause says why Entra registration did not complete (F19).
func registrationCause(d Device) *results.Explanation {
	r := d.Result
	x := results.Explanation{Code: "0x801c03f2"}
	switch {
	case has(d, "deviceJoin", "event 201") && !has(d, "deviceJoin", "userCertificate written"):
		x.Code = ""
		x.Cause = fmt.Sprintf("the device-join task of %s found no domain controller, so it never wrote its certificate to the computer object %s", r.Serial, r.ComputerName)
		x.Fix = "give the device line of sight to a domain controller after sign-in (LAN or VPN)"
		return with(x, docHybridPrecheck)
	case d.Sync.Disabled:
		x.Cause = fmt.Sprintf("Entra Connect is not syncing, so the computer %s (%s) never reached Microsoft Entra ID and DRS answered 0x801c03f2 (device object not found) at every attempt", r.ComputerName, r.DistinguishedName)
		x.Fix = "run Entra Connect (Start-ADSyncSyncCycle -PolicyType Delta) with the device OU in its scope"
	case !d.Sync.InScope:
		x.Cause = fmt.Sprintf("the computer %s is in %s, outside Entra Connect's sync scope (%s), so it is never synced and DRS answers 0x801c03f2 (device object not found)",
			r.ComputerName, parentOf(r.DistinguishedName), strings.Join(d.Sync.Scope, "; "))
		x.Fix = "add the Domain Join profile's OU to Entra Connect's sync scope (or join computers to an OU in scope), then run Start-ADSyncSyncCycle -PolicyType Delta"
	default:
		x.Cause = fmt.Sprintf("Entra Connect had not synced the computer %s yet, so DRS answered 0x801c03f2 (device object not found)", r.ComputerName)
		x.Fix = "wait for the next sync cycle (30 minutes by default) or run Start-ADSyncSyncCycle -PolicyType Delta; a longer ESP timeout gives it time"
	}
	return with(x, docHybridJoinPhase)
}

// parentOf cuts the first RDN off dn (an escaped comma in the RDN is
// skipped).
func parentOf(dn string) string {
	for i := 0; i < len(dn); i++ {
		switch dn[i] {
		case '\\':
			i++
		case ',':
			return dn[i+1:]
		}
	}
	return dn
}

func explainUnregistered(d Device) *results.Explanation {
	x := registrationCause(d)
	x.Stage = "accountSetup"
	x.Cause = "the user ESP was skipped, so the desktop appeared while registration had not completed: " + x.Cause +
		"; until it completes there is no PRT, no SSO, and device-based Conditional Access sees no compliant device"
	return x
}
