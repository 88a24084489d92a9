package check_test

import (
	"fmt"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/check"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// ruleCase breaks the good fixture so that one rule fires.
type ruleCase struct {
	cfg      func(*tenantconfig.Config)
	env      func(*scenarios.Environment)
	cohorts  []check.Cohort
	severity check.Severity
	file     string // where the finding points in the configuration ("" = outside it)
	extFile  string // the outside file ("" = the environment file)
	pointer  string
	contains string
}

func findingsOf(fs []check.Finding, id string) []check.Finding {
	var out []check.Finding
	for _, f := range fs {
		if f.RuleID == id {
			out = append(out, f)
		}
	}
	return out
}

func lint(c ruleCase) []check.Finding {
	cfg, env := goodConfig(), goodEnv()
	if c.cfg != nil {
		c.cfg(cfg)
	}
	if c.env != nil {
		c.env(&env)
	}
	return check.Lint(cfg, env, "env.yaml", c.cohorts)
}

func dj(f func(*tenantconfig.DomainJoinProfile)) func(*tenantconfig.Config) {
	return func(c *tenantconfig.Config) { f(&c.DomainJoinProfiles[0]) }
}

func manyDevices(n int) func(*tenantconfig.Config) {
	return func(c *tenantconfig.Config) {
		for i := 0; i < n; i++ {
			s := fmt.Sprintf("BULK%04d", i)
			c.AutopilotDevices = append(c.AutopilotDevices, tenantconfig.AutopilotDevice{ID: s, Serial: s, AzureADDeviceID: "d" + s})
		}
	}
}

var _ = Describe("static rules", func() {
	It("find nothing above a note in the good fixture", func() {
		for _, f := range lint(ruleCase{}) {
			Expect(f.Severity).To(Equal(check.SeverityNote), "%+v", f)
		}
	})

	DescribeTable("each rule fires on its failing fixture, at the offending value, and not on the passing one",
		func(id string, c ruleCase) {
			Expect(findingsOf(lint(ruleCase{cohorts: passingCohorts(c.cohorts)}), id)).To(BeEmpty(), "passing fixture")
			got := findingsOf(lint(c), id)
			Expect(got).NotTo(BeEmpty(), "failing fixture")
			f := got[0]
			Expect(f.Severity).To(Equal(c.severity))
			Expect(f.Message).To(ContainSubstring(c.contains))
			Expect(f.HelpURI).To(HavePrefix("https://learn.microsoft.com/"))
			if c.file == "" {
				Expect(f.External).To(BeTrue())
				want := c.extFile
				if want == "" {
					want = "env.yaml"
				}
				Expect(f.File).To(Equal(want))
			} else {
				Expect(f.File).To(Equal(c.file))
				Expect(f.Pointer).To(Equal(c.pointer))
				Expect(f.Line).To(BeNumerically(">", 0))
			}
		},
		Entry("APS001 OU is the CN=Computers container", "APS001", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.OU = "CN=Computers," + corpDN }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/organizationalUnit", contains: "is a container"}),
		Entry("APS002 OU without DC= parts", "APS002", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.OU = "OU=Autopilot" }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/organizationalUnit", contains: "no DC= parts"}),
		Entry("APS003 quoted OU", "APS003", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.OU = `"` + apOU + `"` }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/organizationalUnit", contains: "quotation marks"}),
		Entry("APS004 OU that is no DN", "APS004", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.OU = "Autopilot devices" }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/organizationalUnit", contains: "not a distinguished name"}),
		Entry("APS005 OU in another domain", "APS005", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.OU = "OU=Autopilot,DC=emea,DC=contoso,DC=com" }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/organizationalUnit", contains: "is in domain emea.contoso.com"}),
		Entry("APS006 OU the domain does not have", "APS006", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.OU = "OU=Laptops,OU=Devices," + corpDN }), severity: check.SeverityWarning,
			file: "domainJoin/corp.json", pointer: "/organizationalUnit", contains: "not among domain"}),
		Entry("APS007 %SERIAL% in the prefix", "APS007", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.Prefix = "AP-%SERIAL%"; p.RandomChars = 3 }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/computerNameStaticPrefix", contains: "%SERIAL%"}),
		Entry("APS008 two random characters", "APS008", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.RandomChars = 2 }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/computerNameSuffixRandomCharCount", contains: "outside 3–14"}),
		Entry("APS009 prefix + random over 15", "APS009", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.Prefix = "CONTOSO-" }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/computerNameStaticPrefix", contains: "= 20"}),
		Entry("APS010 underscore in the prefix", "APS010", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.Prefix = "AP_" }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/computerNameStaticPrefix", contains: `"_"`}),
		Entry("APS011 Domain Join profile only for SALES", "APS011", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.Assignments = []tenantconfig.Assignment{group("g-sales")} }), severity: check.SeverityError,
			file: "deploymentProfiles/hybrid.json", pointer: "/assignments", contains: "device SN0002"}),
		Entry("APS012 OU outside Entra Connect scope", "APS012", ruleCase{
			env: func(e *scenarios.Environment) { e.EntraConnect.Scope = []string{"OU=Servers," + corpDN} }, severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/organizationalUnit", contains: "outside Entra Connect's sync scope"}),
		Entry("APS013 no delegation and more devices than the quota", "APS013", ruleCase{
			cfg: manyDevices(10), env: func(e *scenarios.Environment) { e.Domains[0].Delegations = nil }, severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/organizationalUnit", contains: "12 registered devices would join"}),
		Entry("APS014 skip check off with internet locations", "APS014", ruleCase{
			cfg: func(c *tenantconfig.Config) { c.DeploymentProfiles[0].SkipConnectivityCheck = false }, severity: check.SeverityWarning,
			file: "deploymentProfiles/hybrid.json", pointer: "/hybridAzureADJoinSkipConnectivityCheck", contains: "internet locations (home)"}),
		Entry("APS015 user-tunnel VPN at home", "APS015", ruleCase{
			cohorts: []check.Cohort{{Location: "home", VPN: "userTunnel", File: "cohorts.yaml", Line: 3}}, severity: check.SeverityError, extFile: "cohorts.yaml", contains: "userTunnel cannot connect"}),
		Entry("APS016 an older Entra profile also reaches SALES", "APS016", ruleCase{
			cfg: func(c *tenantconfig.Config) {
				c.DeploymentProfiles = append(c.DeploymentProfiles, tenantconfig.DeploymentProfile{ID: "dp-entra", Name: "Entra", JoinType: "entra",
					CreatedAt: day.AddDate(-1, 0, 0), Assignments: []tenantconfig.Assignment{group("g-sales")}, Source: src("deploymentProfiles/entra.json", "/assignments")})
			}, severity: check.SeverityError,
			file: "deploymentProfiles/hybrid.json", pointer: "/assignments", contains: `"Entra" (created 2024-01-01, earlier) also reaches device SN0001`}),
		Entry("APS017 rule with a missing parenthesis", "APS017", ruleCase{
			cfg: func(c *tenantconfig.Config) {
				c.Groups[1].MembershipRule = `(device.devicePhysicalIds -any (_ -eq "[OrderID]:SALES")`
			},
			severity: check.SeverityError, file: "groups/sales.json", pointer: "/membershipRule", contains: "does not parse at line 1"}),
		Entry("APS018 group tag typo", "APS018", ruleCase{
			cfg: func(c *tenantconfig.Config) {
				c.Groups[1].MembershipRule = strings.Replace(ruleTag, "SALES", "SALSE", 1)
			},
			severity: check.SeverityWarning, file: "groups/sales.json", pointer: "/membershipRule", contains: `did you mean "SALES"?`}),
		Entry("APS019 20-minute ESP", "APS019", ruleCase{
			cfg: func(c *tenantconfig.Config) { c.ESPs[0].TimeoutMinutes = 20 }, severity: check.SeverityWarning,
			file: "esp/default.json", pointer: "/installProgressTimeoutInMinutes", contains: "below the 60-minute default"}),
		Entry("APS020 connector in error", "APS020", ruleCase{
			cfg: func(c *tenantconfig.Config) { c.Connectors[0].State = "error" }, severity: check.SeverityError,
			file: "connectors/ODJCONN01.json", pointer: "/state", contains: "is error"}),
		Entry("APS021 connector below 6.2501.2000.5", "APS021", ruleCase{
			cfg: func(c *tenantconfig.Config) { c.Connectors[0].Version = "6.2410.0.1" }, severity: check.SeverityError,
			file: "connectors/ODJCONN01.json", pointer: "/version", contains: "below the supported 6.2501.2000.5"}),
		Entry("APS022 the domain's only connector is down", "APS022", ruleCase{
			env: func(e *scenarios.Environment) { e.Connectors[0].Down = true }, severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/activeDirectoryDomainName", contains: "none of its connectors"}),
		Entry("APS023 a domain the environment lacks", "APS023", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.Domain = "emea.contoso.com" }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/activeDirectoryDomainName", contains: "not in the environment"}),
		Entry("APS024 unassigned deployment profile", "APS024", ruleCase{
			cfg: func(c *tenantconfig.Config) { c.DeploymentProfiles[0].Assignments = nil }, severity: check.SeverityWarning,
			file: "deploymentProfiles/hybrid.json", pointer: "", contains: "assigned to no group"}),
		Entry("APS025 assignment to a deleted group", "APS025", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) { p.Assignments = []tenantconfig.Assignment{group("g-gone")} }), severity: check.SeverityError,
			file: "domainJoin/corp.json", pointer: "/assignments/0/target/groupId", contains: "g-gone"}),
		Entry("APS026 Domain Join profile for All users", "APS026", ruleCase{
			cfg: dj(func(p *tenantconfig.DomainJoinProfile) {
				p.Assignments = []tenantconfig.Assignment{{Kind: tenantconfig.TargetAllUsers, Pointer: "/assignments/0"}}
			}), severity: check.SeverityError, file: "domainJoin/corp.json", pointer: "/assignments/0", contains: "All users"}),
		Entry("APS027 paused targeted group", "APS027", ruleCase{
			cfg: func(c *tenantconfig.Config) { c.Groups[0].Paused = true }, severity: check.SeverityWarning,
			file: "groups/autopilot-devices.json", pointer: "/membershipRuleProcessingState", contains: "paused"}),
		Entry("APS028 a second Domain Join profile for SALES", "APS028", ruleCase{
			cfg: func(c *tenantconfig.Config) {
				c.DomainJoinProfiles = append(c.DomainJoinProfiles, tenantconfig.DomainJoinProfile{ID: "dj-sales", Name: "Sales join", Domain: "corp.contoso.com",
					Prefix: "SA-", RandomChars: 12, OU: apOU, Assignments: []tenantconfig.Assignment{group("g-sales")}, Source: src("domainJoin/sales.json", "/assignments")})
			}, severity: check.SeverityWarning, file: "domainJoin/sales.json", pointer: "/assignments", contains: "both reach"}),
		Entry("APS029 Entra Connect disabled", "APS029", ruleCase{
			env: func(e *scenarios.Environment) { e.EntraConnect.Disabled = true }, severity: check.SeverityError, contains: "disabled"}),
		Entry("APS030 office without line of sight", "APS030", ruleCase{
			env: func(e *scenarios.Environment) { e.Networks[0].Domains = []string{"other.contoso.com"} }, severity: check.SeverityWarning,
			contains: "no line of sight"}),
		Entry("APS031 convert all targeted devices", "APS031", ruleCase{
			cfg: func(c *tenantconfig.Config) { c.DeploymentProfiles[0].ConvertAllTargeted = true }, severity: check.SeverityNote,
			file: "deploymentProfiles/hybrid.json", pointer: "/hardwareHashExtractionEnabled", contains: "48 hours"}),
		Entry("APS032 a connector the tenant does not list", "APS032", ruleCase{
			env: func(e *scenarios.Environment) {
				e.Connectors = append(e.Connectors, scenarios.Connector{Name: "ODJCONN02", Domain: "corp.contoso.com"})
			}, severity: check.SeverityWarning, contains: "ODJCONN02"}),
		Entry("APS033 user status page skipped", "APS033", ruleCase{
			cfg: func(c *tenantconfig.Config) {
				c.CustomConfigs = []tenantconfig.CustomConfig{{ID: "cc", Name: "Skip user ESP", SkipUserStatusPage: true, Source: src("custom/skip.json", "/omaSettings")}}
			}, severity: check.SeverityNote, file: "custom/skip.json", pointer: "/omaSettings", contains: "SkipUserStatusPage"}),
	)

	It("warns (not errors) about the quota while the devices fit in it", func() {
		fs := findingsOf(lint(ruleCase{env: func(e *scenarios.Environment) { e.Domains[0].Delegations = nil }}), "APS013")
		Expect(fs).To(HaveLen(1))
		Expect(fs[0].Severity).To(Equal(check.SeverityWarning))
	})

	It("points a rule's syntax error at its column inside the JSON string", func() {
		fs := findingsOf(lint(ruleCase{cfg: func(c *tenantconfig.Config) { c.Groups[1].MembershipRule = `device.deviceOSType -eq` }}), "APS017")
		Expect(fs).To(HaveLen(1))
		Expect(fs[0].Line).To(Equal(2))
		Expect(fs[0].Col).To(BeNumerically(">", 5))
	})

	It("has a test entry, metadata and a RULES.md section for every rule", func() {
		doc, err := os.ReadFile("RULES.md")
		Expect(err).NotTo(HaveOccurred())
		seen := map[string]bool{}
		for _, r := range check.Rules() {
			Expect(seen[r.ID]).To(BeFalse(), r.ID)
			seen[r.ID] = true
			Expect(r.Title).NotTo(BeEmpty(), r.ID)
			Expect(r.Fix).NotTo(BeEmpty(), r.ID)
			Expect(r.Heading).NotTo(BeEmpty(), r.ID)
			Expect(r.HelpURI).To(HavePrefix("https://learn.microsoft.com/"), r.ID)
			Expect(string(doc)).To(ContainSubstring("## "+r.ID), r.ID)
			Expect(string(doc)).To(ContainSubstring(r.HelpURI), r.ID)
		}
		Expect(len(seen)).To(BeNumerically(">=", 20))
	})
})

// passingCohorts is the explicit cohort list of a passing fixture: the
// same cohorts with a VPN that connects before sign-in.
func passingCohorts(cs []check.Cohort) []check.Cohort {
	out := append([]check.Cohort(nil), cs...)
	for i := range out {
		out[i].VPN = "deviceTunnel"
	}
	return out
}
