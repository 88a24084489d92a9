package scenarios

import (
	"fmt"
	"strings"
	"time"
)

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
