package harness

import (
	"fmt"

	"github.com/autopilotsim/autopilotsim/devicesim"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// Conditional Access (F36): the admin creates the tenant's policies over
// Graph (Create conditionalAccessPolicy,
// https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0),
// for all users and cloud apps; hybrid joined devices then ask for access
// (devicesim access.go).

// caStates maps the scenario's policy states to Graph's.
var caStates = map[string]string{"": "enabled", "enabled": "enabled", "disabled": "disabled",
	"reportOnly": "enabledForReportingButNotEnforced"}

func (w *world) createConditionalAccess() error {
	for i, p := range w.sc.Tenant.ConditionalAccess {
		op := p.Operator
		if op == "" {
			op = "OR"
		}
		body := map[string]any{
			"displayName": p.Name, "state": caStates[p.State],
			"conditions": map[string]any{
				"users":          map[string]any{"includeUsers": []string{"All"}},
				"applications":   map[string]any{"includeApplications": []string{"All"}},
				"clientAppTypes": []string{"all"},
			},
			"grantControls": map[string]any{"operator": op, "builtInControls": p.Grant},
		}
		if err := w.admin.call("POST", "/v1.0/identity/conditionalAccess/policies", body, nil); err != nil {
			return w.located(fmt.Sprintf("tenant.conditionalAccess[%d]", i), fmt.Errorf("Conditional Access policy %q: %w", p.Name, err), nil, false)
		}
	}
	return nil
}

// conditionalAccessResult is a device's access decisions as results show
// them; nil when none were asked.
func conditionalAccessResult(r *devicesim.AccessResult) *results.ConditionalAccess {
	if r == nil {
		return nil
	}
	conv := func(a devicesim.AccessAnswer) *results.AccessDecision {
		return &results.AccessDecision{Result: a.Result, Compliance: a.Compliance, Policy: a.Policy, Reason: a.Reason}
	}
	return &results.ConditionalAccess{AtProvisioningEnd: conv(r.AtProvisioningEnd), AfterSignIn: conv(r.AfterSignIn)}
}

// accessMismatch says how d's access decisions differ from e's.
func accessMismatch(e scenarios.Expectation, d results.DeviceResult) []string {
	var why []string
	for _, c := range []struct {
		want, what string
		got        func(*results.ConditionalAccess) *results.AccessDecision
	}{
		{e.AccessAtProvisioningEnd, "access at the end of provisioning", func(c *results.ConditionalAccess) *results.AccessDecision { return c.AtProvisioningEnd }},
		{e.AccessAfterSignIn, "access after the user's sign-in", func(c *results.ConditionalAccess) *results.AccessDecision { return c.AfterSignIn }},
	} {
		if c.want == "" {
			continue
		}
		got := "not decided (the device did not end hybrid joined)"
		if d.ConditionalAccess != nil {
			if a := c.got(d.ConditionalAccess); a != nil {
				got = a.Result
			}
		}
		if got != c.want {
			why = append(why, fmt.Sprintf("%s %s, want %s", c.what, got, c.want))
		}
	}
	return why
}
