package scenarios

import (
	"fmt"
	"regexp"
	"strings"
)

// The enumerations of the format. Each list is the exact spelling a file
// must use; messages quote it.
var (
	// vPNKinds: seed 000 "VPNs" lists Win32 clients and the in-box client as
	// tested (deviceTunnel: connects before logon) and, under "Unsupported
	// VPN clients", UWP plug-ins, anything needing a user certificate and
	// DirectAccess (userTunnel, uwpPlugin, directAccess); and Always-On VPNs
	// that "connect automatically" (alwaysOn: no skip needed).
	vPNKinds     = []string{"none", "deviceTunnel", "userTunnel", "uwpPlugin", "directAccess", "alwaysOn"}
	joinTypes    = []string{"hybrid", "entra"}
	networkKinds = []string{"corporate", "internet"}
	// proxyKinds: F21 (seed 000 "Prerequisites": "If using Proxy, Web
	// Proxy Auto-Discovery Protocol (WPAD) Proxy settings option must be
	// enabled and configured").
	proxyKinds = []string{"direct", "wpad", "noWPAD", "authenticating"}
	outcomes   = []string{"hybridJoined", "entraJoined", "domainJoinedNotRegistered", "failed", "notAutopilot", "pending"}
	// failedStages follow the device states of hybrid-join-behaviour.md §1.
	failedStages = []string{"profileDownload", "oobe", "entraSignIn", "mdmEnrollment", "odjBlobWait",
		"dcConnectivityCheck", "deviceSetup", "firstSignIn", "accountSetup", "tpmAttestation"}
	// tpmOutcomes: the attestation outcomes of Windows Autopilot known
	// issues (F33), a parameter because no real TPM is simulated.
	tpmOutcomes      = []string{"ok", "noTPM", "timeout", "attestationFailed", "maxRetries", "vulnerableFirmware"}
	actions          = []string{"powerOn", "connectorDown", "connectorUp", "grantDelegation", "revokeDelegation", "syncNow", "moveDevices", "assignProfile", "deleteEntraObject"}
	delegationRights = []string{"createComputer", "deleteComputer", "fullControl"}
	appliesToValues  = []string{"thisObjectOnly", "descendants"}
	connectorKinds   = []string{"msa", "legacy"}
	userTypes        = []string{"standard", "administrator"}
	profileSources   = []string{"assigned", "default", "none"}
)

// Pseudo-groups accepted in assignment targets (Intune's "All devices" and
// "All users"; S4 recommends All devices for the Domain Join profile).
const (
	AllDevices = "allDevices"
	AllUsers   = "allUsers"
)

// MaxDevices bounds a scenario's fleet so a typo ("count: 1000000000")
// is an error, not an out-of-memory run. validate refuses more, and so does
// a run of a scenario built in code (harness). 100,000 devices run through
// the whole flow on one machine (harness BenchmarkFleetScale, make
// bench-scale; docs/SCALE.md gives time and memory).
const MaxDevices = 100_000

// MaxFileBytes bounds a scenario file, checked before it is parsed: a YAML
// parser holds many times the file's size, and a real scenario (devices in
// batches) is a few kilobytes.
const MaxFileBytes = 1 << 20

var (
	dnsName   = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)
	errorCode = regexp.MustCompile(`^(0x)?[0-9A-Fa-f]{8}$`)
	version   = regexp.MustCompile(`^\d+(\.\d+){1,3}$`)
	// Characters a NetBIOS computer name cannot hold (S1 naming; Microsoft
	// "Naming conventions in Active Directory").
	badNameChars = `\/:*?"<>|., ` + "`~!@#$%^&'(){}_"
)

// validator collects problems; positions come from the scenario's pos map.
type validator struct {
	s     *Scenario
	errs  Errors
	warns Errors
}

// at finds the position for path, walking up to the nearest recorded
// ancestor (a missing key is reported at the mapping that lacks it).
func (s *Scenario) at(path string) position {
	for p := path; ; {
		if at, ok := s.pos[p]; ok {
			return at
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	if s.pos != nil {
		return position{1, 1}
	}
	return position{}
}

func (v *validator) errf(path, format string, args ...any) {
	at := v.s.at(path)
	v.errs = append(v.errs, &Error{File: v.s.File, Line: at.line, Col: at.col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) warnf(path, format string, args ...any) {
	at := v.s.at(path)
	v.warns = append(v.warns, &Error{File: v.s.File, Line: at.line, Col: at.col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// enum checks value against allowed; empty passes when optional.
func (v *validator) enum(path, what, value string, allowed []string, required bool) bool {
	if value == "" {
		if required {
			v.errf(path, "missing %s (%s)", what, oneOf(allowed))
			return false
		}
		return true
	}
	for _, a := range allowed {
		if value == a {
			return true
		}
	}
	hint := ""
	if s := suggest(value, allowed); s != "" {
		hint = fmt.Sprintf("did you mean %q? ", s)
	}
	v.errf(path, "unknown %s %q (%s%s)", what, value, hint, oneOf(allowed))
	return false
}

func (v *validator) required(path, what, value string) bool {
	if strings.TrimSpace(value) == "" {
		v.errf(path, "missing %s", what)
		return false
	}
	return true
}

// unique records name under kind and reports a repeat.
func (v *validator) unique(seen map[string]string, path, what, name string) {
	if name == "" {
		return
	}
	key := strings.ToLower(name)
	if first, dup := seen[key]; dup {
		v.errf(path, "duplicate %s %q (first at %s)", what, name, first)
		return
	}
	seen[key] = path
}

func (v *validator) nonNegative(path string, d Duration) {
	if d < 0 {
		v.errf(path, "must not be negative, got %s", d)
	}
}

func (v *validator) positive(path string, d Duration) {
	if d <= 0 {
		v.errf(path, "must be greater than 0, got %s", d)
	}
}

// offset checks a time written as an offset from T0: admin actions may
// come before T0 but not before the tenant exists (-setupLead).
func (v *validator) offset(path string, d Duration) {
	lead := v.s.Timings.SetupLead
	if d < -lead {
		v.errf(path, "%s is before the tenant is set up (timings.setupLead is %s, so the earliest is %s)", d, lead, -lead)
	}
	if end := v.s.Duration; d > end {
		v.errf(path, "%s is after the end of the run (duration %s)", d, end)
	}
}

// Validate checks value rules and cross-references. Load calls it after
// WithDefaults; on a Scenario built in code call WithDefaults first.
// Problems that a scenario may deliberately contain to show a failure are
// warnings (Scenario.Warnings), not errors.
func (s *Scenario) Validate() error {
	v := &validator{s: s}
	v.scenario()
	sortErrors(v.warns)
	s.Warnings = nil
	for _, w := range v.warns {
		s.Warnings = append(s.Warnings, w.Error())
	}
	if len(v.errs) > 0 {
		sortErrors(v.errs)
		return v.errs
	}
	return nil
}

func (v *validator) scenario() {
	s := v.s
	v.required("name", "scenario name", s.Name)
	v.positive("duration", s.Duration)
	v.timings()
	v.environment()
	v.tenant()
	v.graph()
	devs := v.devices()
	v.script(devs)
	v.expectations(devs)
}

func (v *validator) timings() {
	t := v.s.Timings
	v.positive("timings.setupLead", t.SetupLead)
	for path, d := range map[string]Duration{
		"timings.networkUp": t.NetworkUp, "timings.profileDownload": t.ProfileDownload,
		"timings.oobePages": t.OOBEPages, "timings.entraSignIn": t.EntraSignIn,
		"timings.mdmEnrollment": t.MDMEnrollment, "timings.connectivityWait": t.ConnectivityWait,
		"timings.reboot": t.Reboot, "timings.deviceSetup": t.DeviceSetup, "timings.firstSignIn": t.FirstSignIn,
		"timings.importProcessing": t.ImportProcessing, "timings.groupEvaluation": t.GroupEvaluation,
		"timings.profileAssignment": t.ProfileAssignment, "timings.conversionMin": t.ConversionMin,
		"timings.conversionMax": t.ConversionMax,
	} {
		v.nonNegative(path, d) // map order does not matter: errors are sorted
	}
	// Intervals drive repeating timers: 0 would loop forever at one instant.
	v.positive("timings.odjPollInterval", t.ODJPollInterval)
	v.positive("timings.dcRetryInterval", t.DCRetryInterval)
	v.positive("timings.deviceJoinTask", t.DeviceJoinTask)
	v.positive("timings.accountSetupRest", t.AccountSetupRest)
	if t.ConversionMax < t.ConversionMin {
		v.errf("timings.conversionMax", "%s is shorter than conversionMin %s", t.ConversionMax, t.ConversionMin)
	}
}

// domainByName finds a declared domain (DNS names compare without case).
func (s *Scenario) domainByName(name string) *Domain {
	for i := range s.Environment.Domains {
		if strings.EqualFold(s.Environment.Domains[i].Name, name) {
			return &s.Environment.Domains[i]
		}
	}
	return nil
}

func (v *validator) domainRef(path, name string) *Domain {
	if !v.required(path, "domain (the DNS name of a domain under environment.domains)", name) {
		return nil
	}
	d := v.s.domainByName(name)
	if d == nil {
		var names []string
		for _, d := range v.s.Environment.Domains {
			names = append(names, d.Name)
		}
		if len(names) == 0 {
			v.errf(path, "unknown domain %q: environment.domains declares none", name)
		} else {
			v.errf(path, "unknown domain %q (%s)", name, oneOf(names))
		}
	}
	return d
}
