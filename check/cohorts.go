package check

import (
	"sort"
	"strings"

	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// Identity is what Autopilot knows of a device that a rule can select on:
// its group tag (which Entra shows as the [OrderId] physical id) and its
// purchase order ([PurchaseOrderId]).
type Identity struct {
	Tag           string `json:"groupTag" yaml:"groupTag"`
	PurchaseOrder string `json:"purchaseOrderId,omitempty" yaml:"purchaseOrderId"`
}

func (id Identity) key() string {
	k := "tag=" + id.Tag
	if id.Tag == "" {
		k = "untagged"
	}
	if id.PurchaseOrder != "" {
		k += ",po=" + id.PurchaseOrder
	}
	return k
}

// Cohort is one kind of device: an identity at a network location with a
// VPN kind. Each cohort is simulated through the whole flow.
type Cohort struct {
	Identity
	Location string `json:"location" yaml:"location"` // network name; "" when the environment has none
	VPN      string `json:"vpn" yaml:"vpn"`           // scenarios' devices[].vpn
	// Serial is the registered device the cohort stands for (the first
	// one, by serial, with the identity), so static group memberships
	// carry over; empty when no registered device has the identity.
	Serial string `json:"serial,omitempty" yaml:"serial"`
	// Devices is how many registered devices have the identity.
	Devices int `json:"devices" yaml:"-"`
	// File and Line locate the cohort in its cohort file (empty when derived).
	File string `json:"-" yaml:"-"`
	Line int    `json:"-" yaml:"-"`
}

// Key names the cohort uniquely and stably: it is the sort key, the seed's
// input and the name in every output.
func (c Cohort) Key() string {
	loc := c.Location
	if loc == "" {
		loc = "-"
	}
	return c.Identity.key() + " @" + loc + " vpn=" + c.VPN
}

// vpnKinds are scenarios' devices[].vpn values, in the order the docs
// discuss them (seed 000 "VPNs").
var vpnKinds = []string{"none", "deviceTunnel", "userTunnel", "uwpPlugin", "directAccess"}

// identities returns every identity the configuration names: the group
// tags and purchase orders its membership rules compare with
// devicePhysicalIds ("[OrderID]:X", "[PurchaseOrderId]:X"), each registered
// device's own, and "untagged". Sorted, case-insensitively unique.
func identities(cfg *tenantconfig.Config) []Identity {
	seen := map[Identity]bool{}
	var out []Identity
	add := func(id Identity) {
		k := Identity{strings.ToLower(id.Tag), strings.ToLower(id.PurchaseOrder)}
		if !seen[k] {
			seen[k] = true
			out = append(out, id)
		}
	}
	add(Identity{})
	for _, g := range cfg.Groups {
		if !g.Dynamic {
			continue
		}
		r, err := rules.Parse(g.MembershipRule)
		if err != nil {
			continue
		}
		for _, cmp := range r.Comparisons() {
			for _, id := range ruleIdentities(cmp) {
				add(id)
			}
		}
	}
	for _, d := range cfg.AutopilotDevices {
		add(Identity{Tag: d.GroupTag, PurchaseOrder: d.PurchaseOrder})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// ruleIdentities reads the identities one comparison names. A negated
// comparison still names its value: the devices that carry it are the
// interesting ones either way.
func ruleIdentities(cmp rules.Comparison) []Identity {
	var out []Identity
	for _, v := range cmp.Values {
		switch strings.ToLower(cmp.Property) {
		case "devicephysicalids":
			name, val, ok := strings.Cut(v, ":")
			if !ok || val == "" {
				continue
			}
			switch strings.ToLower(name) {
			case "[orderid]":
				out = append(out, Identity{Tag: val})
			case "[purchaseorderid]":
				out = append(out, Identity{PurchaseOrder: val})
			}
		case "deviceorderid":
			out = append(out, Identity{Tag: v})
		}
	}
	return out
}

// DeriveCohorts crosses every identity of cfg with every network location
// of env and, on internet locations, every VPN kind (on corporate ones the
// VPN is "none"). Sorted by key.
func DeriveCohorts(cfg *tenantconfig.Config, env scenarios.Environment) []Cohort {
	ids := identities(cfg)
	type rep struct {
		serial string
		n      int
	}
	reps := map[Identity]*rep{}
	for _, d := range cfg.AutopilotDevices {
		k := Identity{strings.ToLower(d.GroupTag), strings.ToLower(d.PurchaseOrder)}
		r := reps[k]
		if r == nil {
			r = &rep{serial: d.Serial}
			reps[k] = r
		}
		r.n++
		if d.Serial < r.serial {
			r.serial = d.Serial
		}
	}
	var out []Cohort
	for _, id := range ids {
		base := Cohort{Identity: id}
		if r := reps[Identity{strings.ToLower(id.Tag), strings.ToLower(id.PurchaseOrder)}]; r != nil {
			base.Serial, base.Devices = r.serial, r.n
		}
		if len(env.Networks) == 0 {
			c := base
			c.VPN = "none"
			out = append(out, c)
			continue
		}
		for _, n := range env.Networks {
			kinds := []string{"none"}
			if n.Kind == "internet" {
				kinds = vpnKinds
			}
			for _, v := range kinds {
				c := base
				c.Location, c.VPN = n.Name, v
				out = append(out, c)
			}
		}
	}
	sortCohorts(out)
	return out
}

func sortCohorts(cs []Cohort) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Key() < cs[j].Key() })
}

// cloneEnv deep-copies an environment (WithDefaults writes into it).
func cloneEnv(env scenarios.Environment) scenarios.Environment {
	out := env
	out.Domains = make([]scenarios.Domain, len(env.Domains))
	for i, d := range env.Domains {
		if d.MachineAccountQuota != nil {
			q := *d.MachineAccountQuota
			d.MachineAccountQuota = &q
		}
		d.OUs = append([]string(nil), d.OUs...)
		d.Users = append([]scenarios.User(nil), d.Users...)
		for j := range d.Users {
			d.Users[j].MemberOf = append([]string(nil), d.Users[j].MemberOf...)
		}
		d.Delegations = append([]scenarios.Delegation(nil), d.Delegations...)
		d.Computers = append([]scenarios.Computer(nil), d.Computers...)
		out.Domains[i] = d
	}
	out.Connectors = append([]scenarios.Connector(nil), env.Connectors...)
	out.EntraConnect.Scope = append([]string(nil), env.EntraConnect.Scope...)
	out.Networks = make([]scenarios.Network, len(env.Networks))
	for i, n := range env.Networks {
		n.Domains = append([]string(nil), n.Domains...)
		out.Networks[i] = n
	}
	return out
}
