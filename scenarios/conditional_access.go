package scenarios

import "fmt"

// ConditionalAccessPolicy is a Conditional Access policy of the tenant
// (Graph conditionalAccessPolicy), applying to all users and cloud apps
// (F36). Its grant controls decide a sign-in from a hybrid joined device:
// compliantDevice ("Require device to be marked as compliant"),
// domainJoinedDevice ("Require Microsoft Entra hybrid joined device") or
// block (Conditional Access: Grant,
// https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-conditional-access-grant;
// the policy the known issue points to is "Require a compliant device,
// Microsoft Entra hybrid joined device, or MFA",
// https://learn.microsoft.com/en-us/entra/identity/conditional-access/howto-conditional-access-policy-compliant-device).
type ConditionalAccessPolicy struct {
	Name string `yaml:"name"`
	// Grant are the builtInControls: compliantDevice, domainJoinedDevice
	// or block (alone).
	Grant []string `yaml:"grant"`
	// Operator combines them: OR (require one, the default) or AND.
	Operator string `yaml:"operator"`
	// State is enabled (the default), disabled or reportOnly
	// (enabledForReportingButNotEnforced).
	State string `yaml:"state"`
}

var (
	caGrants    = []string{"compliantDevice", "domainJoinedDevice", "block"}
	caOperators = []string{"OR", "AND"}
	caStates    = []string{"enabled", "disabled", "reportOnly"}
	accessValue = []string{"granted", "blocked"}
)

// conditionalAccess checks tenant.conditionalAccess.
func (v *validator) conditionalAccess() {
	seen := map[string]string{}
	for i, p := range v.s.Tenant.ConditionalAccess {
		path := fmt.Sprintf("tenant.conditionalAccess[%d]", i)
		if v.required(path+".name", "policy name", p.Name) {
			v.unique(seen, path+".name", "Conditional Access policy", p.Name)
		}
		if len(p.Grant) == 0 {
			v.errf(path+".grant", "missing grant (%s; several are combined by operator)", oneOf(caGrants))
		}
		for j, g := range p.Grant {
			v.enum(fmt.Sprintf("%s.grant[%d]", path, j), "grant control", g, caGrants, true)
			if g == "block" && len(p.Grant) > 1 {
				v.errf(fmt.Sprintf("%s.grant[%d]", path, j), "block cannot be combined with other grant controls")
			}
		}
		v.enum(path+".operator", "operator", p.Operator, caOperators, false)
		v.enum(path+".state", "policy state", p.State, caStates, false)
	}
}

// accessChecks validates the Conditional Access expectation keys.
func (v *validator) accessChecks(p string, e Expectation) {
	for _, kv := range [][2]string{{"accessAtProvisioningEnd", e.AccessAtProvisioningEnd}, {"accessAfterSignIn", e.AccessAfterSignIn}} {
		if kv[1] == "" {
			continue
		}
		if v.enum(p+"."+kv[0], kv[0], kv[1], accessValue, false) && len(v.s.Tenant.ConditionalAccess) == 0 {
			v.errf(p+"."+kv[0], "%s needs tenant.conditionalAccess policies: without them no access is decided", kv[0])
		}
	}
}
