package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// Rule is one static rule: pure logic over the configuration and the
// environment, with the metadata SARIF and RULES.md show.
type Rule struct {
	ID       string
	Severity Severity // the default; a rule may report a finding at another level when it says so
	Title    string   // what it catches, one line
	Fix      string   // what to do
	HelpURI  string   // public documentation (Microsoft Learn)
	Heading  string   // the heading of HelpURI the rule rests on
	// Failure names the failure mode the rule prevents, in words.
	Failure string
	check   func(*lintCtx) []Finding
}

// Rules returns every rule, sorted by ID.
func Rules() []Rule {
	out := append([]Rule(nil), ruleSet...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ruleByID finds a rule's metadata.
func ruleByID(id string) Rule {
	for _, r := range ruleSet {
		if r.ID == id {
			return r
		}
	}
	return Rule{ID: id}
}

// Lint runs every static rule over cfg and env. envFile names the
// environment file in findings about it. explicit are the cohorts of a
// cohort file (nil when cohorts are derived): rules about VPN kinds read
// them. Findings come sorted by file, line, column, rule and message.
func Lint(cfg *tenantconfig.Config, env scenarios.Environment, envFile string, explicit []Cohort) []Finding {
	c := newLintCtx(cfg, env, envFile, explicit)
	var out []Finding
	for _, r := range Rules() {
		for _, f := range r.check(c) {
			if f.Severity == "" {
				f.Severity = r.Severity
			}
			f.RuleID, f.HelpURI = r.ID, r.HelpURI
			out = append(out, f)
		}
	}
	sortFindings(out)
	return out
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.External != b.External {
			return !a.External
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Message < b.Message
	})
}

// probe is a device the reach questions are asked about: a registered
// Autopilot device, or a cohort's identity (group tag and purchase order)
// when no registered device carries it.
type probe struct {
	idx        int // position in lintCtx.probes
	serial     string
	tag, po    string
	deviceID   string // Entra deviceId of the Autopilot object, for assigned groups
	registered bool
	props      rules.Properties
}

func newProbe(serial, tag, po, deviceID string, registered bool) *probe {
	ids := []string{"[ZTDId]:" + serial}
	if tag != "" {
		ids = append(ids, "[OrderId]:"+tag)
	}
	if po != "" {
		ids = append(ids, "[PurchaseOrderId]:"+po)
	}
	// The properties an Autopilot device's Entra object has before
	// enrollment (mockgraph deviceProps).
	return &probe{serial: serial, tag: tag, po: po, deviceID: deviceID, registered: registered, props: rules.Properties{
		"devicePhysicalIds": ids, "displayName": serial, "deviceId": deviceID, "objectId": deviceID,
		"deviceOSType": "Windows", "deviceOwnership": "Company", "accountEnabled": true,
		"deviceTrustType": "AzureAD", "managementType": "", "isRooted": false, "enrollmentProfileName": "",
		"deviceManufacturer": "", "deviceModel": "", "deviceOSVersion": "",
	}}
}

// lintCtx is what the rules read, with the parsed rules and group
// memberships computed once. Its caches make it unsafe for concurrent use.
type lintCtx struct {
	cfg      *tenantconfig.Config
	env      scenarios.Environment // defaults filled
	envFile  string
	explicit []Cohort

	groups   map[string]*tenantconfig.Group
	parsed   map[string]*rules.Rule
	parseErr map[string]*rules.SyntaxError
	probes   []*probe // registered devices first (config order), then identities no device has
	// member[g][p] caches group g's membership of probe p: 0 unknown, 1
	// no, 2 yes (g is groupIdx's, p the probe's idx).
	member   [][]uint8
	groupIdx map[string]int
	won      []*string // winner's cache, by probe idx
}

func newLintCtx(cfg *tenantconfig.Config, env scenarios.Environment, envFile string, explicit []Cohort) *lintCtx {
	c := &lintCtx{cfg: cfg, env: withEnvDefaults(env), envFile: envFile, explicit: explicit,
		groups: map[string]*tenantconfig.Group{}, parsed: map[string]*rules.Rule{},
		parseErr: map[string]*rules.SyntaxError{}, groupIdx: map[string]int{}}
	for i := range cfg.Groups {
		g := &cfg.Groups[i]
		c.groups[g.ID] = g
		c.groupIdx[g.ID] = i
		if !g.Dynamic {
			continue
		}
		r, err := rules.Parse(g.MembershipRule)
		if err != nil {
			if se, ok := err.(*rules.SyntaxError); ok {
				c.parseErr[g.ID] = se
			} else {
				c.parseErr[g.ID] = &rules.SyntaxError{Line: 1, Col: 1, Msg: err.Error()}
			}
			continue
		}
		c.parsed[g.ID] = r
	}
	seen := map[[2]string]bool{}
	for _, d := range cfg.AutopilotDevices {
		c.probes = append(c.probes, newProbe(d.Serial, d.GroupTag, d.PurchaseOrder, d.AzureADDeviceID, true))
		seen[[2]string{strings.ToLower(d.GroupTag), strings.ToLower(d.PurchaseOrder)}] = true
	}
	for _, id := range identities(cfg) {
		k := [2]string{strings.ToLower(id.Tag), strings.ToLower(id.PurchaseOrder)}
		if !seen[k] {
			seen[k] = true
			c.probes = append(c.probes, newProbe("PROBE-"+id.key(), id.Tag, id.PurchaseOrder, "", false))
		}
	}
	for i, p := range c.probes {
		p.idx = i
	}
	c.member = make([][]uint8, len(cfg.Groups))
	for i := range c.member {
		c.member[i] = make([]uint8, len(c.probes))
	}
	return c
}

// withEnvDefaults fills the environment's defaults (quota, connector
// identities and versions) the way the scenario loader does, on a copy.
func withEnvDefaults(env scenarios.Environment) scenarios.Environment {
	sc := scenarios.Scenario{Environment: cloneEnv(env)}
	sc.WithDefaults()
	return sc.Environment
}

// inGroup reports whether p is a member of group id: a dynamic group whose
// rule matches it (not while processing is paused: membership then does
// not change, and a new device never joins), or an assigned group listing
// its Entra device, directly or through a nested group.
func (c *lintCtx) inGroup(id string, p *probe) bool {
	return c.inGroupDepth(id, p, 0)
}

func (c *lintCtx) inGroupDepth(id string, p *probe, depth int) bool {
	gi, known := c.groupIdx[id]
	if known && p.idx < len(c.member[gi]) && c.member[gi][p.idx] != 0 {
		return c.member[gi][p.idx] == 2
	}
	g := c.groups[id]
	v := false
	switch {
	case g == nil || depth > 8:
	case g.Dynamic:
		v = !g.Paused && c.parsed[id].Match(p.props)
	default:
		for _, m := range g.Members {
			if strings.EqualFold(m.Type, "group") && c.inGroupDepth(m.ID, p, depth+1) {
				v = true
				break
			}
			if p.deviceID != "" && strings.EqualFold(m.DeviceID, p.deviceID) {
				v = true
				break
			}
		}
	}
	if known && p.idx < len(c.member[gi]) {
		c.member[gi][p.idx] = 1
		if v {
			c.member[gi][p.idx] = 2
		}
	}
	return v
}

// reaches reports whether assignments target p: an included target holds
// it and no exclusion does (Intune: exclusion wins).
func (c *lintCtx) reaches(as []tenantconfig.Assignment, p *probe) bool {
	in := false
	for _, a := range as {
		switch a.Kind {
		case tenantconfig.TargetAllDevices:
			in = true
		case tenantconfig.TargetGroup:
			if c.inGroup(a.GroupID, p) {
				in = true
			}
		case tenantconfig.TargetExclusion:
			if c.inGroup(a.GroupID, p) {
				return false
			}
		}
	}
	return in
}

// cfgFinding locates a finding at the JSON pointer ptr of an object.
func cfgFinding(src tenantconfig.Source, ptr, object, format string, args ...any) Finding {
	pos := src.At(ptr)
	return Finding{Message: fmt.Sprintf(format, args...), Object: object, File: src.File, Pointer: ptr, Line: pos.Line, Col: pos.Col}
}

// envFinding is about the environment file (which has no positions).
func (c *lintCtx) envFinding(object, format string, args ...any) Finding {
	return Finding{Message: fmt.Sprintf(format, args...), Object: object, File: c.envFile, External: true}
}

func djName(p tenantconfig.DomainJoinProfile) string {
	return fmt.Sprintf("Domain Join profile %q", p.Name)
}
func dpName(p tenantconfig.DeploymentProfile) string {
	return fmt.Sprintf("deployment profile %q", p.Name)
}
func groupName(g tenantconfig.Group) string { return fmt.Sprintf("group %q", g.Name) }
func connName(n string) string              { return "connector " + n }
func espName(e tenantconfig.ESP) string     { return fmt.Sprintf("ESP %q", e.Name) }
func domainObj(d string) string             { return "domain " + d }
func assignPtr(a tenantconfig.Assignment, i int) string {
	return ptrOr(a.Pointer, fmt.Sprintf("/assignments/%d", i))
}

func ptrOr(p, alt string) string {
	if p != "" {
		return p
	}
	return alt
}

// domainDN is the naming context of a DNS domain name.
func domainDN(dns string) string {
	parts := strings.Split(strings.Trim(dns, "."), ".")
	for i, p := range parts {
		parts[i] = "DC=" + p
	}
	return strings.Join(parts, ",")
}

// dnDomain is the DNS name a DN's DC= parts spell, or "".
func dnDomain(dn mockad.DN) string {
	var labels []string
	for _, r := range dn {
		if strings.EqualFold(r.Type, "DC") {
			labels = append(labels, r.Value)
		}
	}
	return strings.Join(labels, ".")
}

// targetOU is where a Domain Join profile puts computers: its OU, or the
// domain's Computers container when the OU is empty.
func targetOU(p tenantconfig.DomainJoinProfile) string {
	if strings.TrimSpace(p.OU) == "" {
		return "CN=Computers," + domainDN(p.Domain)
	}
	return p.OU
}

func (c *lintCtx) domain(name string) *scenarios.Domain {
	for i := range c.env.Domains {
		if strings.EqualFold(c.env.Domains[i].Name, name) {
			return &c.env.Domains[i]
		}
	}
	return nil
}

// within reports whether dn equals anc or lies below it.
func within(dn, anc string) bool {
	d, err1 := mockad.ParseDN(dn)
	a, err2 := mockad.ParseDN(anc)
	if err1 != nil || err2 != nil {
		return false
	}
	return d.Norm() == a.Norm() || d.IsDescendantOf(a)
}
