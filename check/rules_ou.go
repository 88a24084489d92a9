package check

import (
	"strings"

	"github.com/autopilotsim/autopilotsim/mockad"
)

// Public sources the rules rest on (Microsoft Learn).
const (
	docHybrid          = "https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid"
	docDomainJoin      = docHybrid + "#create-and-assign-a-domain-join-profile"
	docConnector       = docHybrid + "#install-the-intune-connector-for-active-directory"
	docQuota           = docHybrid + "#increase-the-computer-account-limit-in-the-organizational-unit"
	docVPN             = docHybrid + "#vpns"
	docDeviceGroup     = docHybrid + "#create-a-device-group"
	docRequirements    = docHybrid + "#requirements"
	docProfileHybrid   = docHybrid + "#create-and-assign-a-windows-autopilot-deployment-profile"
	docOffPremises     = "https://learn.microsoft.com/en-us/autopilot/tutorial/user-driven/hybrid-azure-ad-join-autopilot-profile#off-premisesinternet-scenarios-and-vpn-connectivity"
	docProfiles        = "https://learn.microsoft.com/en-us/autopilot/profiles#profile-conflicts"
	docESP             = "https://learn.microsoft.com/en-us/mem/intune/enrollment/windows-enrollment-status#create-new-profile"
	docRules           = "https://learn.microsoft.com/en-us/entra/identity/users/groups-dynamic-membership#rule-syntax-for-a-single-expression"
	docDomainJoinAPI   = "https://learn.microsoft.com/en-us/graph/api/resources/intune-shared-windowsdomainjoinconfiguration?view=graph-rest-beta#properties"
	docConnectorAPI    = "https://learn.microsoft.com/en-us/graph/api/resources/intune-odj-devicemanagementdomainjoinconnectorstate?view=graph-rest-beta#members"
	docSyncScope       = "https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-sync-configure-filtering#organizational-unitbased-filtering"
	docSyncScheduler   = "https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler#scheduler-configuration"
	docAddWorkstations = "https://learn.microsoft.com/en-us/windows/security/threat-protection/security-policy-settings/add-workstations-to-domain#default-values"
)

// ouProblem classifies a Domain Join profile's OU the way the hybrid-join
// article's "Create and assign a Domain Join profile" does: no quotation
// marks, a full DN with DC= parts, not a container such as CN=Computers.
// It returns the rule ID and message, or "" for a usable OU.
func ouProblem(ou string) (id, msg string) {
	t := strings.TrimSpace(ou)
	if t == "" {
		return "", ""
	}
	if strings.ContainsAny(t, `"'`) {
		return "APS003", "OU " + t + " holds quotation marks; enter the distinguished name without quotes"
	}
	dn, err := mockad.ParseDN(t)
	if err != nil {
		return "APS004", "OU " + quote(t) + " is not a distinguished name (" + err.Error() + "); enter a full DN such as OU=Autopilot,DC=corp,DC=contoso,DC=com"
	}
	if dnDomain(dn) == "" {
		return "APS002", "OU " + quote(t) + " has no DC= parts; the domain must be given with DC= attributes, e.g. " + t + ",DC=corp,DC=contoso,DC=com"
	}
	if len(dn) > 0 && strings.EqualFold(dn[0].Type, "CN") {
		return "APS001", "OU " + quote(t) + " is a container (CN=), which cannot be specified; use an organizational unit (OU=…) or leave the OU empty for the domain's default Computers container"
	}
	return "", ""
}

func quote(s string) string { return `"` + s + `"` }

func ruleOUForm(id string) func(*lintCtx) []Finding {
	return func(c *lintCtx) []Finding {
		var out []Finding
		for _, p := range c.cfg.DomainJoinProfiles {
			if got, msg := ouProblem(p.OU); got == id {
				out = append(out, cfgFinding(p.Source, "/organizationalUnit", djName(p), "%s", msg))
			}
		}
		return out
	}
}

// ouOtherDomain: the OU's DC= parts name another domain than the profile.
func ouOtherDomain(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DomainJoinProfiles {
		if id, _ := ouProblem(p.OU); id != "" || strings.TrimSpace(p.OU) == "" {
			continue
		}
		dn, _ := mockad.ParseDN(strings.TrimSpace(p.OU))
		if d := dnDomain(dn); !strings.EqualFold(d, p.Domain) {
			out = append(out, cfgFinding(p.Source, "/organizationalUnit", djName(p),
				"OU %q is in domain %s, but the profile joins %s; the connector of %s cannot create computers there. Put the OU and the domain name in the same domain",
				p.OU, d, p.Domain, p.Domain))
		}
	}
	return out
}

// ouMissing: the OU is well formed but the environment's domain does not
// declare it (it would not exist in AD).
func ouMissing(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DomainJoinProfiles {
		if id, _ := ouProblem(p.OU); id != "" || strings.TrimSpace(p.OU) == "" {
			continue
		}
		dom := c.domain(p.Domain)
		if dom == nil {
			continue
		}
		found := false
		for _, ou := range dom.OUs {
			if within(ou, p.OU) && within(p.OU, ou) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, cfgFinding(p.Source, "/organizationalUnit", djName(p),
				"OU %q is not among domain %s's OUs in the environment; create it in AD (and list it in the environment) or fix the DN", p.OU, p.Domain))
		}
	}
	return out
}

// unknownDomain: the profile names a domain the environment does not have.
func unknownDomain(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DomainJoinProfiles {
		if c.domain(p.Domain) == nil {
			out = append(out, cfgFinding(p.Source, "/activeDirectoryDomainName", djName(p),
				"domain %q is not in the environment; fix the domain name or describe the domain in the environment file", p.Domain))
		}
	}
	return out
}

// outsideSyncScope: computers land where Entra Connect does not sync them,
// so they never get their hybrid Entra object (F19).
func outsideSyncScope(c *lintCtx) []Finding {
	if c.env.EntraConnect.Disabled || len(c.env.EntraConnect.Scope) == 0 {
		return nil
	}
	var out []Finding
	for _, p := range c.cfg.DomainJoinProfiles {
		if id, _ := ouProblem(p.OU); id != "" {
			continue
		}
		ou := targetOU(p)
		in := false
		for _, s := range c.env.EntraConnect.Scope {
			if within(ou, s) {
				in = true
				break
			}
		}
		if !in {
			out = append(out, cfgFinding(p.Source, "/organizationalUnit", djName(p),
				"computers land in %q, outside Entra Connect's sync scope (%s): they domain-join but never become hybrid joined, and the user ESP times out waiting for registration. Add the OU to the sync scope",
				ou, strings.Join(c.env.EntraConnect.Scope, "; ")))
		}
	}
	return out
}

// syncDisabled: hybrid profiles exist but Entra Connect does not run.
func syncDisabled(c *lintCtx) []Finding {
	if !c.env.EntraConnect.Disabled {
		return nil
	}
	for _, p := range c.cfg.DeploymentProfiles {
		if p.JoinType == "hybrid" {
			return []Finding{c.envFinding("Entra Connect",
				"Entra Connect is disabled while hybrid deployment profiles exist (first: %q): no device can complete its hybrid registration. Enable device sync", p.Name)}
		}
	}
	return nil
}
