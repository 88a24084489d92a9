package mockgraph

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Conditional Access policies (F36): the Graph resource
// conditionalAccessPolicy (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccesspolicy?view=graph-rest-1.0)
// under /identity/conditionalAccess/policies, and their evaluation when a
// hybrid joined device's user signs in (h_signin.go). Modelled: state and
// grantControls (operator, builtInControls); every enabled policy applies
// to every user and cloud app (conditions are stored, not evaluated), and
// the controls other than block, compliantDevice and domainJoinedDevice
// (mfa, approvedApplication, …) count as satisfied: the simulated user has
// no MFA method or app to check.

// caPolicy is a conditionalAccessPolicy.
type caPolicy struct {
	ID, DisplayName, State string
	Operator               string   // grantControls.operator: OR | AND
	BuiltIn                []string // grantControls.builtInControls
	Conditions             map[string]any
	Created                time.Time
}

// The values Graph documents (conditionalAccessGrantControls,
// conditionalAccessPolicyState).
var (
	caStates   = []string{"enabled", "disabled", "enabledForReportingButNotEnforced"}
	caControls = []string{"block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication", "passwordChange", "unknownFutureValue"}
)

// Policy permissions: reading needs Policy.Read.All, writing also
// Policy.ReadWrite.ConditionalAccess (Create conditionalAccessPolicy,
// "Permissions").
var (
	caRead  = []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"}
	pCARead = perm{allOf: [][]string{caRead}}
	pCAWrit = perm{allOf: [][]string{{"Policy.ReadWrite.ConditionalAccess"}, {"Policy.Read.All"}}}
)

func (p *caPolicy) toJSON() map[string]any {
	return map[string]any{
		"@odata.type": "#microsoft.graph.conditionalAccessPolicy", "id": p.ID, "displayName": p.DisplayName,
		"state": p.State, "createdDateTime": ts(p.Created), "modifiedDateTime": nil, "conditions": p.Conditions,
		"grantControls": map[string]any{"operator": p.Operator, "builtInControls": append([]string{}, p.BuiltIn...),
			"customAuthenticationFactors": []string{}, "termsOfUse": []string{}},
	}
}

func caMissing(id string) *apiError {
	return dirErr(404, "ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
}

// postCAPolicy: POST /identity/conditionalAccess/policies → 201.
func (s *Server) postCAPolicy(w http.ResponseWriter, r *http.Request) *apiError {
	var b struct {
		DisplayName   string         `json:"displayName"`
		State         string         `json:"state"`
		Conditions    map[string]any `json:"conditions"`
		GrantControls *struct {
			Operator        string   `json:"operator"`
			BuiltInControls []string `json:"builtInControls"`
		} `json:"grantControls"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	bad := func(msg string) *apiError { return dirErr(400, "BadRequest", msg) }
	if strings.TrimSpace(b.DisplayName) == "" {
		return bad("displayName is required.")
	}
	if !slices.Contains(caStates, b.State) {
		return bad(fmt.Sprintf("Invalid state '%s': want one of %s.", b.State, strings.Join(caStates, ", ")))
	}
	if b.Conditions == nil {
		return bad("conditions is required.")
	}
	if b.GrantControls == nil || len(b.GrantControls.BuiltInControls) == 0 {
		return bad("grantControls with at least one builtInControls value is required (session controls are not modelled).")
	}
	op := b.GrantControls.Operator
	if op != "OR" && op != "AND" {
		return bad(fmt.Sprintf("Invalid grantControls.operator '%s': want OR or AND.", op))
	}
	for _, c := range b.GrantControls.BuiltInControls {
		if !slices.Contains(caControls, c) {
			return bad(fmt.Sprintf("Invalid builtInControls value '%s'.", c))
		}
	}
	if slices.Contains(b.GrantControls.BuiltInControls, "block") && len(b.GrantControls.BuiltInControls) > 1 {
		return bad("block cannot be combined with other grant controls.")
	}
	p := &caPolicy{ID: s.newID(), DisplayName: b.DisplayName, State: b.State, Operator: op,
		BuiltIn: append([]string{}, b.GrantControls.BuiltInControls...), Conditions: b.Conditions, Created: s.now()}
	s.st.caPolicies.put(p.ID, p)
	s.record("ca.policy", fmt.Sprintf("%s state=%s %s(%s)", p.DisplayName, p.State, p.Operator, strings.Join(p.BuiltIn, ",")))
	writeJSON(w, 201, p.toJSON())
	return nil
}

func (s *Server) listCAPolicies(w http.ResponseWriter, r *http.Request) *apiError {
	items := []map[string]any{}
	for _, p := range s.st.caPolicies.list() {
		items = append(items, p.toJSON())
	}
	s.writeList(w, r, listOpts{ctxFrag: "identity/conditionalAccess/policies", directory: true, pageSize: 1000}, items)
	return nil
}

func (s *Server) getCAPolicy(w http.ResponseWriter, r *http.Request) *apiError {
	p, e := s.st.caPolicies.fromPath(r, caMissing)
	if e != nil {
		return e
	}
	writeOne(w, r, "identity/conditionalAccess/policies", p.toJSON(), true)
	return nil
}

func (s *Server) deleteCAPolicy(w http.ResponseWriter, r *http.Request) *apiError {
	p, e := s.st.caPolicies.fromPath(r, caMissing)
	if e != nil {
		return e
	}
	s.st.caPolicies.del(p.ID)
	noContent(w)
	return nil
}

// accessDecision is the outcome of the enabled policies for a sign-in from
// the hybrid device object d.
type accessDecision struct {
	Granted bool
	Policy  string // the policy that blocked
	Reason  string
}

// compliance is how the portal shows d's compliance: "compliant", or "N/A"
// while Intune has not synced with this device ID.
func compliance(d *entraDevice) string {
	if d.IsCompliant != nil && *d.IsCompliant {
		return "compliant"
	}
	return "N/A"
}

// evaluateAccess applies the enabled policies in creation order; the first
// one whose grant controls the device does not meet blocks.
func (s *Server) evaluateAccess(d *entraDevice) accessDecision {
	hybrid := d.TrustType == "ServerAd" && d.RegistrationDateTime != nil
	met := func(c string) (bool, string) {
		switch c {
		case "block":
			return false, "the policy blocks access"
		case "compliantDevice":
			if d.IsCompliant != nil && *d.IsCompliant {
				return true, ""
			}
			return false, "the device's compliance is " + compliance(d) + " (Require device to be marked as compliant)"
		case "domainJoinedDevice":
			if hybrid {
				return true, ""
			}
			return false, "the device is not Microsoft Entra hybrid joined (Require Microsoft Entra hybrid joined device)"
		}
		return true, "" // not modelled: satisfied
	}
	for _, p := range s.st.caPolicies.list() {
		if p.State != "enabled" {
			continue
		}
		var why []string
		ok := p.Operator == "AND"
		for _, c := range p.BuiltIn {
			m, reason := met(c)
			if reason != "" {
				why = append(why, reason)
			}
			if p.Operator == "OR" {
				ok = ok || m
			} else {
				ok = ok && m
			}
		}
		if !ok {
			return accessDecision{Policy: p.DisplayName, Reason: strings.Join(why, "; ")}
		}
	}
	return accessDecision{Granted: true}
}
