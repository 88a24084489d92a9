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
	"strings"
)

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
