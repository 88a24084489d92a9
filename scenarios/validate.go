package scenarios

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
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

func (v *validator) environment() {
	env := v.s.Environment
	seenDomain := map[string]string{}
	seenUPN := map[string]string{}
	for i, d := range env.Domains {
		p := fmt.Sprintf("environment.domains[%d]", i)
		if v.required(p+".name", "domain name (DNS name, e.g. corp.contoso.com)", d.Name) && !dnsName.MatchString(d.Name) {
			v.errf(p+".name", "%q is not a DNS domain name (e.g. corp.contoso.com)", d.Name)
			continue
		}
		v.unique(seenDomain, p+".name", "domain", d.Name)
		if len(d.NetBIOS) > 15 || strings.ContainsAny(d.NetBIOS, `.\/:*?"<>| `) {
			v.errf(p+".netbios", "NetBIOS name %q must be at most 15 characters without dots, spaces or \\/:*?\"<>|", d.NetBIOS)
		}
		if d.MachineAccountQuota != nil && *d.MachineAccountQuota < 0 {
			v.errf(p+".machineAccountQuota", "must not be negative, got %d", *d.MachineAccountQuota)
		}
		seenOU := map[string]string{}
		for j, ou := range d.OUs {
			op := fmt.Sprintf("%s.ous[%d]", p, j)
			if err := dnInDomain(ou, d.Name); err != nil {
				v.errf(op, "OU %q: %v", ou, err)
				continue
			}
			rdns, _ := parseDN(ou)
			v.unique(seenOU, op, "OU", canonicalDN(rdns))
		}
		seenSAM := map[string]string{}
		for j, u := range d.Users {
			up := fmt.Sprintf("%s.users[%d]", p, j)
			if v.required(up+".sam", "sAMAccountName", u.SAMAccountName) && (len(u.SAMAccountName) > 20 || strings.ContainsAny(u.SAMAccountName, `"/\[]:;|=,+*?<>@ `)) {
				v.errf(up+".sam", "sAMAccountName %q must be at most 20 characters without \"/\\[]:;|=,+*?<>@ or spaces", u.SAMAccountName)
			}
			v.unique(seenSAM, up+".sam", "user", u.SAMAccountName)
			v.required(up+".password", "password", u.Password)
			if u.UPN != "" && !validUPN(u.UPN) {
				v.errf(up+".upn", "%q is not a user principal name (want name@domain)", u.UPN)
			}
			v.unique(seenUPN, up+".upn", "UPN", u.UPN)
			for k, g := range u.MemberOf {
				v.required(fmt.Sprintf("%s.memberOf[%d]", up, k), "group name or DN", g)
			}
		}
		for j, del := range d.Delegations {
			v.delegation(fmt.Sprintf("%s.delegations[%d]", p, j), del, d.Name)
		}
		seenComputer := map[string]string{}
		for j, c := range d.Computers {
			cp := fmt.Sprintf("%s.computers[%d]", p, j)
			if c.CollidesWith != "" {
				if c.Name != "" {
					v.errf(cp+".name", "give name or collidesWith, not both")
				}
				var conn *Connector
				for k := range v.s.Environment.Connectors {
					if strings.EqualFold(v.s.Environment.Connectors[k].Name, c.CollidesWith) {
						conn = &v.s.Environment.Connectors[k]
					}
				}
				if conn == nil || !strings.EqualFold(conn.Domain, d.Name) {
					v.errf(cp+".collidesWith", "%q is no connector of domain %s", c.CollidesWith, d.Name)
				}
				if c.Prefix == "" || len(c.Prefix) > 12 || strings.ContainsAny(c.Prefix, badNameChars) {
					v.errf(cp+".prefix", "collidesWith needs the Domain Join profile's prefix (1..12 NetBIOS characters), got %q", c.Prefix)
				}
				continue
			}
			if c.Prefix != "" {
				v.errf(cp+".prefix", "prefix is only used with collidesWith")
			}
			if v.required(cp+".name", "computer name", c.Name) {
				v.computerName(cp+".name", c.Name)
			}
			v.unique(seenComputer, cp+".name", "computer", c.Name)
			if c.OU != "" {
				if err := dnInDomain(c.OU, d.Name); err != nil {
					v.errf(cp+".ou", "%q: %v", c.OU, err)
				}
			}
		}
	}

	seenConn := map[string]string{}
	for i, c := range env.Connectors {
		p := fmt.Sprintf("environment.connectors[%d]", i)
		v.required(p+".name", "connector name", c.Name)
		v.unique(seenConn, p+".name", "connector", c.Name)
		v.domainRef(p+".domain", c.Domain)
		v.enum(p+".kind", "connector kind", c.Kind, connectorKinds, false)
		if c.Version != "" && !version.MatchString(c.Version) {
			v.errf(p+".version", "version %q is not dotted numbers such as %s", c.Version, Defaults.ConnectorVersion)
		}
		v.nonNegative(p+".pickupLatency", c.PickupLatency)
		if c.ClaimBatch < 0 || c.ClaimBatch > 1000 {
			v.errf(p+".claimBatch", "claimBatch %d: want 1 to 1000 requests per poll", c.ClaimBatch)
		}
		v.positive(p+".heartbeat", c.Heartbeat)
	}

	ec := env.EntraConnect
	if !ec.Disabled {
		v.positive("environment.entraConnect.interval", ec.Interval)
		if ec.Interval > 0 && ec.Interval.D() < 30*time.Minute {
			// S23: the scheduler cannot go below AllowedSyncCycleInterval (30m).
			v.warnf("environment.entraConnect.interval", "%s is below the 30m minimum the real scheduler allows", ec.Interval)
		}
		v.nonNegative("environment.entraConnect.offset", ec.Offset)
	}
	for i, dn := range ec.Scope {
		p := fmt.Sprintf("environment.entraConnect.scope[%d]", i)
		rdns, err := parseDN(dn)
		if err != nil {
			v.errf(p, "%q: %v", dn, err)
			continue
		}
		dom := v.s.domainByName(dcSuffix(rdns))
		if dom == nil {
			v.errf(p, "%q is not inside a domain under environment.domains", dn)
			continue
		}
		if canonicalDN(rdns) != canonicalDN(mustDN(domainDN(dom.Name))) {
			if err := dnInDomain(dn, dom.Name); err != nil {
				v.errf(p, "%q: %v", dn, err)
			}
		}
	}

	seenNet := map[string]string{}
	for i, n := range env.Networks {
		p := fmt.Sprintf("environment.networks[%d]", i)
		v.required(p+".name", "network name", n.Name)
		v.unique(seenNet, p+".name", "network", n.Name)
		v.enum(p+".kind", "network kind", n.Kind, networkKinds, true)
		v.enum(p+".proxy", "proxy kind", n.Proxy, proxyKinds, false)
		if n.Kind == "internet" && len(n.Domains) > 0 {
			v.errf(p+".domains", "an internet network has no line of sight to any DC; domains apply to corporate networks only")
		}
		for j, d := range n.Domains {
			v.domainRef(fmt.Sprintf("%s.domains[%d]", p, j), d)
		}
	}
}

func mustDN(dn string) []rdn {
	r, _ := parseDN(dn)
	return r
}

func validUPN(upn string) bool {
	name, dom, ok := strings.Cut(upn, "@")
	return ok && name != "" && dom != "" && !strings.ContainsAny(upn, " ") && !strings.Contains(dom, "@")
}

// computerName checks the NetBIOS rules for a computer name.
func (v *validator) computerName(path, name string) {
	if len(name) > Defaults.ComputerNameLength {
		v.errf(path, "computer name %q is longer than %d characters (NetBIOS limit)", name, Defaults.ComputerNameLength)
	}
	if strings.ContainsAny(name, badNameChars) {
		v.errf(path, "computer name %q holds a character not allowed in NetBIOS names", name)
	}
}

// delegation checks a delegated right (S2, S3): the OU must be a DN inside
// its domain.
func (v *validator) delegation(p string, d Delegation, domain string) {
	if v.required(p+".trustee", "trustee (a connector name or an account's sAMAccountName)", d.Trustee) {
		if !v.s.knownTrustee(d.Trustee) {
			v.warnf(p+".trustee", "trustee %q is no connector and no connector identity: no connector gains this right", d.Trustee)
		}
	}
	if v.required(p+".ou", "ou (the DN of the OU the right is on)", d.OU) && domain != "" {
		if err := dnInDomain(d.OU, domain); err != nil {
			v.errf(p+".ou", "%q: %v", d.OU, err)
		}
	}
	v.enum(p+".right", "right", d.Right, delegationRights, true)
	v.enum(p+".appliesTo", "appliesTo", d.AppliesTo, appliesToValues, false)
}

func (s *Scenario) knownTrustee(t string) bool {
	for _, c := range s.Environment.Connectors {
		if strings.EqualFold(t, c.Name) || strings.EqualFold(strings.TrimSuffix(t, "$"), c.Identity) {
			return true
		}
	}
	return false
}

func (v *validator) tenant() {
	v.conditionalAccess() // conditional_access.go
	tn := v.s.Tenant
	if !dnsName.MatchString(tn.Domain) {
		v.errf("tenant.domain", "%q is not a DNS domain name (e.g. %s)", tn.Domain, Defaults.TenantDomain)
	}
	seenUser := map[string]string{}
	for i, u := range tn.Users {
		p := fmt.Sprintf("tenant.users[%d]", i)
		if v.required(p+".upn", "upn", u.UPN) && !validUPN(u.UPN) {
			v.errf(p+".upn", "%q is not a user principal name (want name@domain)", u.UPN)
		}
		v.unique(seenUser, p+".upn", "user", u.UPN)
		v.required(p+".password", "password", u.Password)
	}
	if l := tn.EnrollmentRestrictions.DeviceLimit; l != nil && (*l < 1 || *l > 15) {
		// Intune's device limit restriction takes 1..15 ("Create a device
		// limit restriction", https://learn.microsoft.com/en-us/mem/intune/enrollment/create-device-limit-restrictions).
		v.errf("tenant.enrollmentRestrictions.deviceLimit", "device limit %d is outside 1..15", *l)
	}
	seenGroup := map[string]string{}
	for i, g := range tn.Groups {
		p := fmt.Sprintf("tenant.groups[%d]", i)
		v.required(p+".name", "group name", g.Name)
		if strings.EqualFold(g.Name, AllDevices) || strings.EqualFold(g.Name, AllUsers) {
			v.errf(p+".name", "%q is reserved for the built-in pseudo-group", g.Name)
		}
		v.unique(seenGroup, p+".name", "group", g.Name)
		if g.MembershipRule != "" && len(g.Members) > 0 {
			v.errf(p+".members", "a group is dynamic (membershipRule) or assigned (members), not both")
		}
		if g.CreatedAt != nil {
			v.offset(p+".createdAt", *g.CreatedAt)
		}
	}
	seenProfile := map[string]string{}
	for i, dp := range tn.DeploymentProfiles {
		p := fmt.Sprintf("tenant.deploymentProfiles[%d]", i)
		v.required(p+".name", "profile name", dp.Name)
		v.unique(seenProfile, p+".name", "deployment profile", dp.Name)
		v.enum(p+".joinType", "joinType", dp.JoinType, joinTypes, true)
		if dp.JoinType == "hybrid" && dp.DeviceNameTemplate != "" {
			// S5: "Apply device name template" is greyed out for hybrid; the
			// Domain Join profile's prefix names the computer.
			v.errf(p+".deviceNameTemplate", "a hybrid profile cannot set a device name template; the Domain Join profile's prefix names the computer")
		}
		v.enum(p+".userType", "userType", dp.UserType, userTypes, false)
		if dp.CreatedAt != nil {
			v.offset(p+".createdAt", *dp.CreatedAt)
		}
		if dp.AssignedAt != nil {
			v.offset(p+".assignedAt", *dp.AssignedAt)
			if dp.CreatedAt != nil && *dp.AssignedAt < *dp.CreatedAt {
				v.errf(p+".assignedAt", "assignedAt %s is before createdAt %s", dp.AssignedAt, dp.CreatedAt)
			}
		}
		v.target(p+".assignTo", dp.AssignTo, `a deployment profile, which is assigned to device groups (seed 000 "Create and assign a Windows Autopilot deployment profile")`)
	}
	seenDJ := map[string]string{}
	for i, dj := range tn.DomainJoinProfiles {
		p := fmt.Sprintf("tenant.domainJoinProfiles[%d]", i)
		v.required(p+".name", "profile name", dj.Name)
		v.unique(seenDJ, p+".name", "Domain Join profile", dj.Name)
		dom := v.domainRef(p+".domain", dj.Domain)
		v.domainJoin(p, dj, dom)
		if dj.CreatedAt != nil {
			v.offset(p+".createdAt", *dj.CreatedAt)
		}
		v.target(p+".assignTo", dj.AssignTo, `a Domain Join profile, which goes to the device group (seed 000 "Create and assign a Domain Join profile")`)
	}
	seenESP := map[string]string{}
	for i, e := range tn.ESP {
		p := fmt.Sprintf("tenant.esp[%d]", i)
		v.required(p+".name", "ESP profile name", e.Name)
		v.unique(seenESP, p+".name", "ESP profile", e.Name)
		if e.Priority < 0 {
			v.errf(p+".priority", "must not be negative, got %d", e.Priority)
		}
		v.positive(p+".timeout", e.Timeout)
		v.target(p+".assignTo", e.AssignTo, "")
	}
	seenApp := map[string]string{}
	for i, a := range tn.Apps {
		p := fmt.Sprintf("tenant.apps[%d]", i)
		v.required(p+".name", "app name", a.Name)
		v.required(p+".clientId", "clientId", a.ClientID)
		v.unique(seenApp, p+".clientId", "clientId", a.ClientID)
		if a.Certificate == "" {
			// Certificates set in code (no file) are the app's
			// certificates as they stand; only a file path replaces them.
			if strings.TrimSpace(a.ClientSecret) == "" && len(a.Certificates) == 0 {
				v.errf(p+".clientSecret", "missing clientSecret or certificate (an app signs in with a secret, a certificate, or either)")
			}
			continue
		}
		v.s.Tenant.Apps[i].Certificates = v.certificates(p+".certificate", a.Certificate)
	}
}

// maxCertFile bounds a certificate file: a PEM bundle is kilobytes, and a
// path to something huge (or endless) must be an error, not a hang.
const maxCertFile = 1 << 20

// certificates reads the PEM file at path (relative to the scenario file's
// directory) and returns its certificates. Blocks other than CERTIFICATE,
// such as the private key a client also reads, are skipped. Client
// assertions are RS256/PS256 (mockgraph auth.go), so keys must be RSA.
func (v *validator) certificates(at, path string) []*x509.Certificate {
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(filepath.Dir(v.s.File), path)
	}
	info, err := os.Stat(full)
	if err != nil {
		v.errf(at, "certificate file %q: %v", path, err)
		return nil
	}
	if !info.Mode().IsRegular() {
		v.errf(at, "certificate file %q (%s) is not a regular file", path, full)
		return nil
	}
	f, err := os.Open(full)
	if err != nil {
		v.errf(at, "certificate file %q: %v", path, err)
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertFile+1))
	if err != nil {
		v.errf(at, "certificate file %q: %v", path, err)
		return nil
	}
	if len(data) > maxCertFile {
		v.errf(at, "certificate file %q (%s) is larger than %d bytes; want a PEM file of CERTIFICATE blocks", path, full, maxCertFile)
		return nil
	}
	blocks, bad := pemBlocks(data)
	if bad > 0 {
		v.errf(at, "certificate file %q line %d: a PEM block that does not decode (damaged base64, or no -----END line)", path, bad)
		return nil
	}
	var certs []*x509.Certificate
	var others []string
	n := 0
	for _, b := range blocks {
		if b.Type != "CERTIFICATE" {
			others = append(others, b.Type)
			continue
		}
		n++
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			v.errf(at, "certificate file %q: CERTIFICATE block %d: %v", path, n, err)
			return nil
		}
		if _, ok := c.PublicKey.(*rsa.PublicKey); !ok {
			v.errf(at, "certificate file %q: certificate %d (%s): the key is %s; client assertions are RS256/PS256, which need an RSA key", path, n, c.Subject, c.PublicKeyAlgorithm)
			return nil
		}
		certs = append(certs, c)
	}
	switch {
	case len(certs) > 0:
	case len(others) > 0:
		v.errf(at, "certificate file %q holds no CERTIFICATE block (found %s)", path, strings.Join(others, ", "))
	default:
		v.errf(at, "certificate file %q is not PEM: want one or more -----BEGIN CERTIFICATE----- blocks", path)
	}
	return certs
}

// pemBlocks splits data into its PEM blocks. pem.Decode skips a block it
// cannot decode (damaged base64, no END line) and goes on to the next, so
// a rollover bundle with one broken certificate would lose it without a
// word: each "-----BEGIN " line (at a line start, as pem.Decode wants it)
// is decoded on its own, and the first that does not decode is reported by
// its line (1-based; 0 when all decode).
func pemBlocks(data []byte) (blocks []*pem.Block, badLine int) {
	begin := []byte("-----BEGIN ")
	var starts []int
	for i := 0; ; {
		j := bytes.Index(data[i:], begin)
		if j < 0 {
			break
		}
		if k := i + j; k == 0 || data[k-1] == '\n' {
			starts = append(starts, k)
		}
		i += j + len(begin)
	}
	for n, at := range starts {
		end := len(data)
		if n+1 < len(starts) {
			end = starts[n+1]
		}
		b, _ := pem.Decode(data[at:end])
		if b == nil {
			return nil, 1 + bytes.Count(data[:at], []byte("\n"))
		}
		blocks = append(blocks, b)
	}
	return blocks, 0
}

// domainJoin checks a Domain Join profile. Naming rules are errors (S1,
// S29: prefix + random characters = 15, random part 3..14, no variables).
// OU rules from seed 000 "Create and assign a Domain Join profile" are
// warnings: a scenario may use a bad OU on purpose to show the failure.
func (v *validator) domainJoin(p string, dj DomainJoinProfile, dom *Domain) {
	name := Defaults.ComputerNameLength
	if strings.Contains(dj.Prefix, "%") {
		v.errf(p+".prefix", "prefix %q holds a variable; hybrid naming supports only a fixed prefix, not %%SERIAL%% or %%RAND:x%% (seed 000 \"Create and assign a Domain Join profile\")", dj.Prefix)
	} else if strings.ContainsAny(dj.Prefix, badNameChars) {
		v.errf(p+".prefix", "prefix %q holds a character not allowed in NetBIOS computer names", dj.Prefix)
	}
	switch {
	case dj.RandomCharCount < 3 || dj.RandomCharCount > 14:
		why := ""
		if !v.s.explicit(p + ".randomChars") {
			why = fmt.Sprintf(" (the default is %d minus the prefix length %d)", name, len(dj.Prefix))
		}
		v.errf(p+".randomChars", "randomChars %d is outside 3..14%s", dj.RandomCharCount, why)
	case len(dj.Prefix)+dj.RandomCharCount > name:
		v.errf(p+".randomChars", "prefix %q (%d) + randomChars %d = %d characters, more than the %d a computer name may have",
			dj.Prefix, len(dj.Prefix), dj.RandomCharCount, len(dj.Prefix)+dj.RandomCharCount, name)
	}
	ou := dj.OU
	if ou == "" {
		return // the domain's Computers container (S4)
	}
	op := p + ".ou"
	const rule = `seed 000 "Create and assign a Domain Join profile"`
	if strings.HasPrefix(ou, `"`) || strings.HasPrefix(ou, `'`) || strings.HasSuffix(ou, `"`) || strings.HasSuffix(ou, `'`) {
		v.warnf(op, "OU %s is quoted; the profile must not use quotation marks (%s)", ou, rule)
		return
	}
	rdns, err := parseDN(ou)
	if err != nil {
		v.warnf(op, "OU %q is not a distinguished name: %v (%s)", ou, err, rule)
		return
	}
	if dcSuffix(rdns) == "" {
		v.warnf(op, "OU %q has no DC= parts; the domain must be given with DC= attributes (%s)", ou, rule)
		return
	}
	if len(rdns) > 0 && rdns[0].attr == "CN" && strings.EqualFold(rdns[0].value, "Computers") {
		v.warnf(op, "OU %q is a container, which cannot be specified; leave ou empty for the default Computers container (%s)", ou, rule)
		return
	}
	if dom == nil {
		return
	}
	if err := dnInDomain(ou, dom.Name); err != nil {
		v.warnf(op, "OU %q: %v", ou, err)
		return
	}
	for _, declared := range dom.OUs {
		if r, err := parseDN(declared); err == nil && canonicalDN(r) == canonicalDN(rdns) {
			return
		}
	}
	v.warnf(op, "OU %q is not listed under the domain's ous, so it will not exist in AD", ou)
}

// target checks an assignment's group names. deviceOnly, when set, says
// why allUsers is refused: the profile targets devices, and a user target
// would silently reach none of them.
func (v *validator) target(p string, t Target, deviceOnly string) {
	check := func(list string, names []string) {
		for i, n := range names {
			ip := fmt.Sprintf("%s.%s[%d]", p, list, i)
			if n == AllUsers && deviceOnly != "" {
				v.errf(ip, "allUsers cannot target %s: use allDevices or a device group", deviceOnly)
				continue
			}
			if n == AllDevices || n == AllUsers {
				continue
			}
			if !v.required(ip, "group name", n) {
				continue
			}
			if v.s.group(n) == nil {
				v.errf(ip, "unknown group %q (%s)", n, oneOf(v.s.groupNames()))
			}
		}
	}
	check("include", t.Include)
	check("exclude", t.Exclude)
}

func (s *Scenario) group(name string) *Group {
	for i := range s.Tenant.Groups {
		if s.Tenant.Groups[i].Name == name {
			return &s.Tenant.Groups[i]
		}
	}
	return nil
}

func (s *Scenario) groupNames() []string {
	names := []string{AllDevices, AllUsers}
	for _, g := range s.Tenant.Groups {
		names = append(names, g.Name)
	}
	return names
}

func (s *Scenario) network(name string) *Network {
	for i := range s.Environment.Networks {
		if s.Environment.Networks[i].Name == name {
			return &s.Environment.Networks[i]
		}
	}
	return nil
}

func (v *validator) networkRef(path, name string) {
	if !v.required(path, "location (a network name under environment.networks)", name) {
		return
	}
	if v.s.network(name) == nil {
		var names []string
		for _, n := range v.s.Environment.Networks {
			names = append(names, n.Name)
		}
		if len(names) == 0 {
			v.errf(path, "unknown network %q: environment.networks declares none", name)
		} else {
			v.errf(path, "unknown network %q (%s)", name, oneOf(names))
		}
	}
}

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
