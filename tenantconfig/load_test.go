package tenantconfig_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// summary is a Config without ids, files and positions: what two layouts
// of the same tenant must agree on.
func summary(c *tenantconfig.Config) []string {
	groupName := map[string]string{}
	for _, g := range c.Groups {
		groupName[g.ID] = g.Name
	}
	targets := func(as []tenantconfig.Assignment) string {
		var out []string
		for _, a := range as {
			out = append(out, string(a.Kind)+":"+groupName[a.GroupID])
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	var s []string
	for _, p := range c.DeploymentProfiles {
		s = append(s, fmt.Sprintf("profile %s join=%s skip=%v tmpl=%q privacy=%v eula=%v kbd=%v user=%s lang=%s -> %s",
			p.Name, p.JoinType, p.SkipConnectivityCheck, p.DeviceNameTemplate, p.HidePrivacySettings, p.HideEULA, p.SkipKeyboard, p.UserType, p.Language, targets(p.Assignments)))
	}
	for _, p := range c.DomainJoinProfiles {
		s = append(s, fmt.Sprintf("domainJoin %s %s %s+%d ou=%s -> %s", p.Name, p.Domain, p.Prefix, p.RandomChars, p.OU, targets(p.Assignments)))
	}
	for _, e := range c.ESPs {
		s = append(s, fmt.Sprintf("esp %s prio=%d timeout=%d show=%v default=%v -> %s", e.Name, e.Priority, e.TimeoutMinutes, e.ShowInstallationProgress, e.IsDefault, targets(e.Assignments)))
	}
	for _, cc := range c.CustomConfigs {
		s = append(s, fmt.Sprintf("custom %s skipUser=%v -> %s", cc.Name, cc.SkipUserStatusPage, targets(cc.Assignments)))
	}
	for _, g := range c.Groups {
		var ms []string
		for _, m := range g.Members {
			ms = append(ms, m.Type+":"+m.DeviceID)
		}
		s = append(s, fmt.Sprintf("group %s dynamic=%v rule=%q members=%v", g.Name, g.Dynamic, g.MembershipRule, ms))
	}
	for _, d := range c.AutopilotDevices {
		s = append(s, fmt.Sprintf("device %s tag=%q po=%q aad=%s", d.Serial, d.GroupTag, d.PurchaseOrder, d.AzureADDeviceID))
	}
	for _, cn := range c.Connectors {
		s = append(s, fmt.Sprintf("connector %s %s %s", cn.Name, cn.Version, cn.State))
	}
	sort.Strings(s)
	return s
}

func layout(name string) string { return filepath.Join("testdata", "layouts", name) }

func mustLoad(dir string) *tenantconfig.Config {
	GinkgoHelper()
	c, err := tenantconfig.Load(dir)
	Expect(err).NotTo(HaveOccurred())
	return c
}

func without(s []string, drop func(string) bool) []string {
	var out []string
	for _, x := range s {
		if !drop(x) {
			out = append(out, x)
		}
	}
	return out
}

var _ = Describe("Load", func() {
	It("reads our export layout with every object, assignment and member", func() {
		c := mustLoad(layout("export"))
		Expect(summary(c)).To(Equal([]string{
			`connector ODJCONN01 6.2501.2000.5 active`,
			`custom Skip user ESP skipUser=true -> group:Pilot devices`,
			`device LAB-0001 tag="HYB" po="" aad=f1000000-0000-4000-8000-000000000001`,
			`device LAB-0002 tag="" po="PO-7" aad=f1000000-0000-4000-8000-000000000002`,
			`domainJoin Domain join corp corp.contoso.com AP-+12 ou=OU=Autopilot,DC=corp,DC=contoso,DC=com -> allDevices:`,
			`esp All users and all devices prio=0 timeout=60 show=false default=true -> allDevices:`,
			`esp Hybrid ESP prio=1 timeout=90 show=true default=false -> group:Autopilot hybrid devices`,
			`group Autopilot hybrid devices dynamic=true rule="(device.devicePhysicalIds -any (_ -eq \"[OrderID]:HYB\"))" members=[]`,
			`group Pilot devices dynamic=false rule="" members=[device:f1000000-0000-4000-8000-000000000002]`,
			`profile Entra fallback join=entra skip=false tmpl="AP-%SERIAL%" privacy=true eula=true kbd=true user=standard lang=os-default -> allDevices:`,
			`profile Hybrid user-driven join=hybrid skip=false tmpl="" privacy=true eula=true kbd=false user=standard lang=os-default -> group:Autopilot hybrid devices,group:Pilot devices`,
		}))
		Expect(c.Notes).To(BeEmpty())
		p := c.DeploymentProfiles[0]
		Expect(p.Name).To(Equal("Hybrid user-driven"))
		Expect(p.CreatedAt.Format("2006-01-02")).To(Equal("2025-02-01"))
		Expect(p.Source.File).To(Equal("deviceManagement/windowsAutopilotDeploymentProfiles/hybrid-user-driven__b1000000-0000-4000-8000-000000000001.json"))
		Expect(p.Source.Line).To(Equal(1))
		Expect(p.Assignments[0].Pointer).To(Equal("/assignments/0"))
		Expect(p.Source.At("/assignments/0/target/groupId").Line).To(BeNumerically(">", 1))
		Expect(p.Source.Fields).To(HaveKey("/outOfBoxExperienceSettings/hideEULA"))
	})

	It("reads an IntuneBackupAndRestore backup (UTF-16 assignment files named after the profile) to the same tenant", func() {
		c := mustLoad(layout("intunebackupandrestore"))
		// The tool backs up deviceEnrollmentConfigurations without their
		// assignments (Invoke-IntuneBackupDeviceEnrollmentConfiguration).
		want := without(summary(mustLoad(layout("export"))), func(s string) bool { return strings.HasPrefix(s, "esp ") })
		got := without(summary(c), func(s string) bool { return strings.HasPrefix(s, "esp ") })
		Expect(got).To(Equal(want))
		for _, e := range c.ESPs {
			Expect(e.Assignments).To(BeEmpty())
		}
		Expect(c.ESPs).To(HaveLen(2))
		hy := c.DeploymentProfiles[0]
		Expect(hy.Assignments).To(HaveLen(2))
		Expect(hy.Assignments[0].Pointer).To(Equal(""))
		Expect(hy.Assignments[0].Source.File).To(Equal("Autopilot Deployment Profiles/Assignments/Hybrid user-driven.json"))
		Expect(hy.Assignments[0].Source.Line).To(Equal(2))
		Expect(hy.CreatedAt.IsZero()).To(BeFalse())
	})

	It("reads an IntuneCD backup (no ids, group names instead of ids) to the same tenant", func() {
		c := mustLoad(layout("intunecd"))
		want := summary(mustLoad(layout("export")))
		// IntuneCD keeps neither connectors nor groups; the dynamic group
		// comes back from the rule it writes next to the group name, the
		// assigned group without its members.
		want = without(want, func(s string) bool { return strings.HasPrefix(s, "connector ") })
		for i, s := range want {
			want[i] = strings.Replace(s, "members=[device:f1000000-0000-4000-8000-000000000002]", "members=[]", 1)
		}
		Expect(summary(c)).To(Equal(want))
		Expect(c.AutopilotDevices[0].ID).To(Equal("e1000000-0000-4000-8000-000000000001"))
		Expect(c.DeploymentProfiles[0].CreatedAt.IsZero()).To(BeTrue())
		Expect(notesText(c)).To(ContainSubstring(`group "Pilot devices" is not in the loaded groups`))
	})

	It("notes what it skips and never fails on it", func() {
		dir := GinkgoT().TempDir()
		write(dir, "README.md", "# backup\n")
		write(dir, "x/compliance.json", `{"@odata.type":"#microsoft.graph.windows10CompliancePolicy","id":"1","displayName":"c"}`)
		write(dir, "x/plain.json", `{"hello":"world"}`)
		write(dir, "x/limits.json", `{"value":[{"@odata.type":"#microsoft.graph.deviceEnrollmentLimitConfiguration","id":"2"}]}`)
		write(dir, "x/custom.json", `{"@odata.type":"#microsoft.graph.windows10CustomConfiguration","id":"3","displayName":"Wi-Fi","omaSettings":[]}`)
		write(dir, "profiles/p.json", `{"@odata.type":"#microsoft.graph.azureADWindowsAutopilotDeploymentProfile","id":"4","displayName":"P",
		  "assignments":[{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupName":"Nobody"}},
		                 {"target":{"@odata.type":"#microsoft.graph.configurationManagerCollectionAssignmentTarget"}}]}`)
		write(dir, "x/Assignments/Wi-Fi.json", `{"id":"3_g","target":{"@odata.type":"#microsoft.graph.allDevicesAssignmentTarget"}}`)
		write(dir, "x/Assignments/Compliance.json", `[{"id":"x_g","target":{"@odata.type":"#microsoft.graph.allDevicesAssignmentTarget"}}]`)
		c := mustLoad(dir)
		Expect(notesText(c)).NotTo(ContainSubstring("x/Assignments/Wi-Fi.json"))
		Expect(notesText(c)).To(And(
			ContainSubstring("x/Assignments/Compliance.json: assignment skipped: its object is not among the loaded ones"),
			ContainSubstring("README.md: skipped: not a JSON file"),
			ContainSubstring("windows10CompliancePolicy is not part of the hybrid join flow"),
			ContainSubstring("x/plain.json: skipped: no @odata.type"),
			ContainSubstring("deviceEnrollmentLimitConfiguration is not part"),
			ContainSubstring(`custom configuration "Wi-Fi" sets nothing`),
			ContainSubstring(`no loaded group is named "Nobody"`),
			ContainSubstring(`configurationManagerCollectionAssignmentTarget" is not simulated`),
		))
		Expect(c.DeploymentProfiles).To(HaveLen(1))
		Expect(c.DeploymentProfiles[0].Assignments).To(HaveLen(1))
		Expect(c.DeploymentProfiles[0].Assignments[0].GroupID).To(BeEmpty())
		Expect(c.DeploymentProfiles[0].Assignments[0].GroupName).To(Equal("Nobody"))
	})

	It("recognises objects without @odata.type by their collection's context or folder", func() {
		dir := GinkgoT().TempDir()
		write(dir, "page.json", `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#groups","value":[{"id":"g1","displayName":"A","groupTypes":[]}]}`)
		write(dir, "windowsAutopilotDeviceIdentities/one.json", `{"id":"d1","serialNumber":"S1"}`)
		write(dir, "one-group.json", `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#groups/$entity","id":"g2","displayName":"B"}`)
		c := mustLoad(dir)
		Expect(c.Groups).To(HaveLen(2))
		Expect(c.AutopilotDevices).To(HaveLen(1))
		Expect(c.AutopilotDevices[0].Serial).To(Equal("S1"))
	})

	DescribeTable("rejects malformed JSON with path and line:col",
		func(text, want string) {
			dir := GinkgoT().TempDir()
			write(dir, "a/bad.json", text)
			_, err := tenantconfig.Load(dir)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(Equal(filepath.Join(dir, "a", "bad.json") + ":" + want))
		},
		Entry("missing comma", "{\n  \"id\": \"1\"\n  \"x\": 2\n}", `3:3: invalid JSON: unexpected '"', want ',' or '}'`),
		Entry("truncated", "{\"id\":", `1:7: invalid JSON: unexpected end of file, want a value`),
		Entry("trailing garbage", "{}\n]", `2:1: invalid JSON: unexpected ']' after the JSON value`),
		Entry("duplicate key", "{\"id\":\"1\",\n \"id\":\"2\"}", `2:2: invalid JSON: duplicate property "id"`),
		Entry("bad escape", `{"a":"\q"}`, `1:6: invalid JSON: invalid string: invalid character 'q' in string escape code`),
		Entry("not text", "\xff\xfe\x00", ` UTF-16 text with an odd number of bytes`),
	)

	It("rejects an id found in two files, naming both", func() {
		dir := GinkgoT().TempDir()
		obj := `{"@odata.type":"#microsoft.graph.group","id":"g1","displayName":"A"}`
		write(dir, "a.json", obj)
		write(dir, "b/c.json", obj)
		_, err := tenantconfig.Load(dir)
		Expect(err).To(MatchError(filepath.Join(dir, "b", "c.json") + ":1:1: group id g1 is also in " + filepath.Join(dir, "a.json")))
	})

	It("gives the same Config for two loads", func() {
		Expect(mustLoad(layout("intunebackupandrestore"))).To(Equal(mustLoad(layout("intunebackupandrestore"))))
	})
})

func notesText(c *tenantconfig.Config) string {
	var b strings.Builder
	for _, n := range c.Notes {
		fmt.Fprintf(&b, "%s: %s\n", n.File, n.Msg)
	}
	return b.String()
}

func write(dir, rel, text string) {
	GinkgoHelper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
	Expect(os.WriteFile(p, []byte(text), 0o644)).To(Succeed())
}
