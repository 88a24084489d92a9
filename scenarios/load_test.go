package scenarios_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// base is a small valid scenario; the malformed-input table edits it.
const base = `name: base
environment:
  domains:
    - name: corp.contoso.com
      ous: ["OU=Autopilot,DC=corp,DC=contoso,DC=com"]
      users:
        - sam: alice
          password: "Passw0rd!"
          upn: alice@contoso.com
  connectors:
    - name: ODJCONN01
      domain: corp.contoso.com
  networks:
    - name: hq-lan
      kind: corporate
    - name: home
      kind: internet
tenant:
  groups:
    - name: Autopilot devices
      membershipRule: (device.devicePhysicalIds -any _ -startsWith "[ZTDId]")
  deploymentProfiles:
    - name: Hybrid
      joinType: hybrid
      assignTo:
        include: [Autopilot devices]
  domainJoinProfiles:
    - name: Corp
      domain: corp.contoso.com
      prefix: AP-
      ou: OU=Autopilot,DC=corp,DC=contoso,DC=com
      assignTo:
        include: [allDevices]
devices:
  - serial: DEV0001
    location: hq-lan
    user: alice@contoso.com
expect:
  - devices: all
    outcome: hybridJoined
`

// edit replaces the first occurrence of old in base; it fails the spec
// when old is missing so a table entry cannot silently test nothing.
func edit(old, new string) string {
	GinkgoHelper()
	Expect(base).To(ContainSubstring(old))
	return strings.Replace(base, old, new, 1)
}

func errorLines(err error) []string {
	GinkgoHelper()
	Expect(err).To(HaveOccurred())
	var es scenarios.Errors
	Expect(errors.As(err, &es)).To(BeTrue(), "error is a scenarios.Errors")
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Error()
	}
	return out
}

var _ = Describe("the catalogue", func() {
	files, _ := filepath.Glob("catalogue/*.yaml")

	It("has the six founding scenarios (LAN, remote without VPN, device tunnel, user-certificate VPN, quota with and without delegation)", func() {
		Expect(files).To(ContainElements(
			"catalogue/onprem-lan-hybrid.yaml", "catalogue/remote-no-vpn.yaml",
			"catalogue/remote-device-tunnel-skip.yaml", "catalogue/remote-user-cert-vpn-skip.yaml",
			"catalogue/quota-no-delegation.yaml", "catalogue/quota-with-delegation.yaml"))
	})

	// showsWarning: catalogue scenarios whose point is a configuration the
	// loader warns about (seed 000's invalid OU forms, F6/F7); each must
	// warn with this text, and every other scenario must not warn.
	showsWarning := map[string]string{
		"catalogue/f06-ou-container.yaml":      "is a container",
		"catalogue/f07-ou-invalid-forms.yaml":  "has no DC= parts",
		"catalogue/f31-other-tenant-user.yaml": "is neither an AD user",
	}
	for _, f := range files {
		It("loads and validates "+f+" without warnings (but the one it shows)", func() {
			sc, err := scenarios.Load(f)
			Expect(err).NotTo(HaveOccurred())
			if want, ok := showsWarning[f]; ok {
				Expect(sc.Warnings).To(ContainElement(ContainSubstring(want)))
			} else {
				Expect(sc.Warnings).To(BeEmpty())
			}
			Expect(sc.File).To(Equal(f))
			Expect(sc.Expect).NotTo(BeEmpty())
			for _, e := range sc.Expect {
				Expect(e.Line).To(BeNumerically(">", 0))
			}
			data, err := os.ReadFile(f)
			Expect(err).NotTo(HaveOccurred())
			Expect(strings.HasPrefix(string(data), "#")).To(BeTrue(), "starts with a comment saying what it shows")
		})
	}

	It("loads as a folder, sorted, with unique names", func() {
		scs, err := scenarios.LoadPaths([]string{"catalogue"})
		Expect(err).NotTo(HaveOccurred())
		Expect(scs).To(HaveLen(len(files)))
		for i := 1; i < len(scs); i++ {
			Expect(scs[i-1].File < scs[i].File).To(BeTrue())
		}
	})

	DescribeTable("asserts the outcome the issue asks for",
		func(file string, check func(*scenarios.Scenario)) {
			sc, err := scenarios.Load("catalogue/" + file)
			Expect(err).NotTo(HaveOccurred())
			check(sc)
		},
		Entry("on the LAN, skip No: hybrid joined, 2 Entra objects, in the profile's OU", "onprem-lan-hybrid.yaml", func(sc *scenarios.Scenario) {
			Expect(sc.Tenant.DeploymentProfiles[0].SkipConnectivityCheck).To(BeFalse())
			Expect(sc.Expect).To(ContainElement(HaveField("Outcome", "hybridJoined")))
			Expect(sc.Expect).To(ContainElement(HaveField("EntraObjects", HaveValue(Equal(2)))))
			Expect(sc.Expect).To(ContainElement(HaveField("OU", sc.Tenant.DomainJoinProfiles[0].OU)))
		}),
		Entry("remote, no VPN, skip No: 80070774 at the DC check after 25m", "remote-no-vpn.yaml", func(sc *scenarios.Scenario) {
			Expect(sc.ExpandDevices()[0].VPN).To(Equal("none"))
			e := sc.Expect[0]
			Expect([]string{e.Outcome, e.FailedStage, e.ErrorCode}).To(Equal([]string{"failed", "dcConnectivityCheck", "80070774"}))
			Expect(e.After.D()).To(Equal(25 * time.Minute))
		}),
		Entry("remote, device tunnel, skip Yes: hybrid joined", "remote-device-tunnel-skip.yaml", func(sc *scenarios.Scenario) {
			Expect(sc.Tenant.DeploymentProfiles[0].SkipConnectivityCheck).To(BeTrue())
			Expect(sc.ExpandDevices()[0].VPN).To(Equal("deviceTunnel"))
			Expect(sc.Expect[0].Outcome).To(Equal("hybridJoined"))
		}),
		Entry("remote, user-certificate VPN, skip Yes: fails at first sign-in", "remote-user-cert-vpn-skip.yaml", func(sc *scenarios.Scenario) {
			Expect(sc.ExpandDevices()[0].VPN).To(Equal("userTunnel"))
			Expect(sc.Expect[0].FailedStage).To(Equal("firstSignIn"))
			Expect(sc.Expect[0].ErrorCode).To(Equal("8007051F"))
		}),
		Entry("12 devices, no delegation, quota 10: 10 join, 2 fail with 8557", "quota-no-delegation.yaml", func(sc *scenarios.Scenario) {
			Expect(sc.ExpandDevices()).To(HaveLen(12))
			Expect(sc.Environment.Domains[0].Delegations).To(BeEmpty())
			Expect(*sc.Environment.Domains[0].MachineAccountQuota).To(Equal(10))
			Expect(*sc.Expect[0].Count).To(Equal(10))
			Expect(*sc.Expect[1].Count).To(Equal(2))
			Expect(*sc.Expect[1].ConnectorError).To(Equal(8557))
			Expect(sc.Expect[1].FailedStage).To(Equal("odjBlobWait"))
		}),
		Entry("12 devices with delegation: 12 join", "quota-with-delegation.yaml", func(sc *scenarios.Scenario) {
			Expect(sc.ExpandDevices()).To(HaveLen(12))
			Expect(sc.Environment.Domains[0].Delegations).To(ConsistOf(HaveField("Right", "createComputer")))
			Expect(sc.Expect[0].Count).To(BeNil())
			Expect(sc.Expect[0].Outcome).To(Equal("hybridJoined"))
		}),
	)
})

var _ = Describe("malformed files in testdata/bad", func() {
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	It("exist", func() { Expect(len(files)).To(BeNumerically(">=", 10)) })
	for _, f := range files {
		It("reject "+f+" with exactly the errors in its .err file", func() {
			want, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".err")
			Expect(err).NotTo(HaveOccurred())
			_, err = scenarios.Load(f)
			Expect(err).To(HaveOccurred())
			Expect(err.Error() + "\n").To(Equal(string(want)))
		})
	}
	It("are all reported by LoadPaths in one error", func() {
		_, err := scenarios.LoadPaths([]string{"testdata/bad"})
		for _, f := range files {
			Expect(err.Error()).To(ContainSubstring(f + ":"))
		}
	})
})

var _ = Describe("malformed input", func() {
	DescribeTable("gives file:line:col: path: message",
		func(doc string, want ...string) {
			_, err := scenarios.LoadBytes("s.yaml", []byte(doc))
			Expect(errorLines(err)).To(Equal(want))
		},
		Entry("unknown key, close to a known one", edit("    location: hq-lan\n", "    location: hq-lan\n    vnp: none\n"),
			`s.yaml:37:5: devices[0].vnp: unknown key "vnp" (did you mean "vpn"?)`),
		Entry("unknown key, nothing close", edit("name: base\n", "name: base\ncolour: blue\n"),
			`s.yaml:2:1: colour: unknown key "colour" (known keys: description, devices, duration, environment, expect, graph, name, script, seed, tenant, timings)`),
		Entry("duplicate key", edit("name: base\n", "name: base\nname: again\n"),
			`s.yaml:2:1: name: duplicate key "name" (first at line 1)`),
		Entry("bad duration", edit("name: base\n", "name: base\nduration: eight hours\n"),
			`s.yaml:2:11: duration: bad duration "eight hours": want Go duration text such as 25m, 90s, 1h30m or -10m`),
		Entry("bare number duration", edit("name: base\n", "name: base\ntimings:\n  connectivityWait: 25\n"),
			`s.yaml:3:21: timings.connectivityWait: bare number 25 is not a duration: write 25m, not 25 (units: s, m, h)`),
		Entry("wrong type: text for a number", edit("      prefix: AP-\n", "      prefix: AP-\n      randomChars: lots\n"),
			`s.yaml:31:20: tenant.domainJoinProfiles[0].randomChars: want a whole number, got "lots"`),
		Entry("wrong type: text for a boolean", edit("      joinType: hybrid\n", "      joinType: hybrid\n      skipConnectivityCheck: \"yes\"\n"),
			`s.yaml:25:30: tenant.deploymentProfiles[0].skipConnectivityCheck: want true or false, got "yes"`),
		Entry("wrong type: text for userAdmin (F38)", edit("    outcome: hybridJoined\n", "    outcome: hybridJoined\n    userAdmin: \"maybe\"\n"),
			`s.yaml:41:16: expect[0].userAdmin: want true or false, got "maybe"`),
		Entry("previousDeployment as text (F26)", edit("    location: hq-lan\n", "    location: hq-lan\n    previousDeployment: AP-OLD\n"),
			`s.yaml:37:25: devices[0].previousDeployment: want a mapping (key: value lines), got "AP-OLD"`),
		Entry("wrong type: a list for a string", edit("name: base\n", "name: [a, b]\n"),
			`s.yaml:1:7: name: want a string, got a list`),
		Entry("assigned user that is no UPN (F24)", edit("    user: alice@contoso.com\n", "    user: alice@contoso.com\n    assignedUser: alice\n"),
			`s.yaml:38:19: devices[0].assignedUser: "alice" is not a user principal name (want name@domain)`),
		Entry("assigned user on a device not imported", edit("    user: alice@contoso.com\n", "    user: alice@contoso.com\n    registered: false\n    assignedUser: alice@contoso.com\n"),
			`s.yaml:39:19: devices[0].assignedUser: only a device imported into Autopilot has an assigned user`),
		Entry("deleteEntraObject on a device never imported (F25)", edit("    user: alice@contoso.com\n", "    user: alice@contoso.com\n    registered: false\nscript:\n  - at: 1m\n    do: deleteEntraObject\n    devices: all\n"),
			`s.yaml:42:14: script[0].devices: selects DEV0001, which has no Autopilot-created Entra object (not imported)`),
		Entry("a colliding computer of an unknown connector, without prefix (F23)", edit("      users:\n", "      computers:\n        - collidesWith: NOPE\n      users:\n"),
			`s.yaml:7:11: environment.domains[0].computers[0].prefix: collidesWith needs the Domain Join profile's prefix (1..12 NetBIOS characters), got ""`,
			`s.yaml:7:25: environment.domains[0].computers[0].collidesWith: "NOPE" is no connector of domain corp.contoso.com`),
		Entry("device limit outside 1..15 (F30)", edit("tenant:\n", "tenant:\n  enrollmentRestrictions:\n    deviceLimit: 16\n"),
			`s.yaml:20:18: tenant.enrollmentRestrictions.deviceLimit: device limit 16 is outside 1..15`),
		Entry("bad enum: VPN kind", edit("    location: hq-lan\n", "    location: hq-lan\n    vpn: anyconnect\n"),
			`s.yaml:37:10: devices[0].vpn: unknown VPN kind "anyconnect" (want one of none, deviceTunnel, userTunnel, uwpPlugin, directAccess, alwaysOn)`),
		Entry("bad enum: case slip gets a suggestion", edit("      joinType: hybrid\n", "      joinType: Hybrid\n"),
			`s.yaml:24:17: tenant.deploymentProfiles[0].joinType: unknown joinType "Hybrid" (did you mean "hybrid"? want one of hybrid, entra)`),
		Entry("bad enum: network kind", edit("      kind: internet\n", "      kind: wan\n"),
			`s.yaml:17:13: environment.networks[1].kind: unknown network kind "wan" (want one of corporate, internet)`),
		Entry("bad enum: outcome", edit("    outcome: hybridJoined\n", "    outcome: joined\n"),
			`s.yaml:40:14: expect[0].outcome: unknown outcome "joined" (want one of hybridJoined, entraJoined, domainJoinedNotRegistered, failed, notAutopilot, pending)`),
		Entry("bad selector: glob", edit("  - devices: all\n", "  - devices: \"DEV[\"\n"),
			`s.yaml:39:14: expect[0].devices: bad serial glob "DEV[": syntax error in pattern (syntax: * ? [a-z], as in Go's path.Match)`),
		Entry("bad selector: empty tag", edit("  - devices: all\n", "  - devices: \"tag:\"\n"),
			`s.yaml:39:14: expect[0].devices: selector "tag:" needs a group tag, e.g. "tag:Sales"`),
		Entry("selector matching nothing", edit("  - devices: all\n", "  - devices: LAB*\n"),
			`s.yaml:39:14: expect[0].devices: selector "LAB*" matches no device`),
		Entry("duplicate serial after expansion", edit("devices:\n", "devices:\n  - count: 2\n    serialPrefix: DEV\n    location: hq-lan\n    user: alice@contoso.com\n"),
			`s.yaml:39:13: devices[1].serial: duplicate serial "DEV0001" (also from devices[0])`),
		Entry("unknown network", edit("    location: hq-lan\n", "    location: branch\n"),
			`s.yaml:36:15: devices[0].location: unknown network "branch" (want one of hq-lan, home)`),
		Entry("missing required: device location", edit("    location: hq-lan\n", ""),
			`s.yaml:35:5: devices[0].location: missing location (a network name under environment.networks)`),
		Entry("missing required: scenario name", edit("name: base\n", "description: no name\n"),
			`s.yaml:1:1: name: missing scenario name`),
		Entry("missing required: joinType", edit("      joinType: hybrid\n", ""),
			`s.yaml:23:7: tenant.deploymentProfiles[0].joinType: missing joinType (want one of hybrid, entra)`),
		Entry("batch without serialPrefix", edit("  - serial: DEV0001\n", "  - count: 3\n"),
			`s.yaml:35:5: devices[0].serialPrefix: missing serialPrefix: a batch's serials are serialPrefix + 0001…`),
		Entry("serial and count together", edit("  - serial: DEV0001\n", "  - serial: DEV0001\n    count: 3\n"),
			`s.yaml:35:13: devices[0].serial: give serial (one device) or count + serialPrefix (a batch), not both`),
		Entry("connector in an unknown domain", edit("      domain: corp.contoso.com\n  networks", "      domain: fabrikam.com\n  networks"),
			`s.yaml:12:15: environment.connectors[0].domain: unknown domain "fabrikam.com" (want one of corp.contoso.com)`),
		Entry("delegation OU outside its domain", edit("      users:\n", "      delegations:\n        - trustee: ODJCONN01\n          ou: OU=Autopilot,DC=fabrikam,DC=com\n          right: createComputer\n      users:\n"),
			`s.yaml:8:15: environment.domains[0].delegations[0].ou: "OU=Autopilot,DC=fabrikam,DC=com": is in domain fabrikam.com, not corp.contoso.com`),
		Entry("delegation right unknown", edit("      users:\n", "      delegations:\n        - trustee: ODJCONN01\n          ou: OU=Autopilot,DC=corp,DC=contoso,DC=com\n          right: write\n      users:\n"),
			`s.yaml:9:18: environment.domains[0].delegations[0].right: unknown right "write" (want one of createComputer, deleteComputer, fullControl)`),
		Entry("assignment to an unknown group", edit("        include: [Autopilot devices]\n", "        include: [Autopilot]\n"),
			`s.yaml:26:19: tenant.deploymentProfiles[0].assignTo.include[0]: unknown group "Autopilot" (want one of allDevices, allUsers, Autopilot devices)`),
		Entry("deployment profile assigned to allUsers", edit("        include: [Autopilot devices]\n", "        include: [allUsers]\n"),
			`s.yaml:26:19: tenant.deploymentProfiles[0].assignTo.include[0]: allUsers cannot target a deployment profile, which is assigned to device groups (seed 000 "Create and assign a Windows Autopilot deployment profile"): use allDevices or a device group`),
		Entry("Domain Join profile in an unknown domain", edit("      domain: corp.contoso.com\n      prefix", "      domain: corp.fabrikam.com\n      prefix"),
			`s.yaml:29:15: tenant.domainJoinProfiles[0].domain: unknown domain "corp.fabrikam.com" (want one of corp.contoso.com)`),
		Entry("prefix + randomChars over 15", edit("      prefix: AP-\n", "      prefix: AP-\n      randomChars: 14\n"),
			`s.yaml:31:20: tenant.domainJoinProfiles[0].randomChars: prefix "AP-" (3) + randomChars 14 = 17 characters, more than the 15 a computer name may have`),
		Entry("randomChars below 3", edit("      prefix: AP-\n", "      prefix: AP-\n      randomChars: 2\n"),
			`s.yaml:31:20: tenant.domainJoinProfiles[0].randomChars: randomChars 2 is outside 3..14`),
		Entry("prefix with %SERIAL%", edit("      prefix: AP-\n", "      prefix: \"%SERIAL%\"\n"),
			`s.yaml:30:15: tenant.domainJoinProfiles[0].prefix: prefix "%SERIAL%" holds a variable; hybrid naming supports only a fixed prefix, not %SERIAL% or %RAND:x% (seed 000 "Create and assign a Domain Join profile")`),
		Entry("script action with a field it does not use", base+"script:\n  - at: 1h\n    do: syncNow\n    connector: ODJCONN01\n",
			`s.yaml:44:16: script[0].connector: connector is not used by do: syncNow (it uses no fields)`),
		Entry("script powerOn of a device that powers on by itself", base+"script:\n  - at: 1h\n    do: powerOn\n    devices: DEV0001\n",
			`s.yaml:44:14: script[0].devices: selects DEV0001, which powers on by itself at 0s; set manual: true (or powerOn: null) on devices[0]`),
		Entry("no expectations", strings.Split(base, "expect:")[0],
			`s.yaml:1:1: expect: no expectations: a scenario must assert at least one outcome`),
		Entry("several decode problems at once, in file order (validation waits until decoding succeeds)",
			edit("      kind: internet\n", "      kind: wan\n")+"bogus: 1\nduration: 5\n",
			`s.yaml:41:1: bogus: unknown key "bogus" (known keys: description, devices, duration, environment, expect, graph, name, script, seed, tenant, timings)`,
			`s.yaml:42:11: duration: bare number 5 is not a duration: write 5m, not 5 (units: s, m, h)`),
		Entry("enrolled device with an unknown ownership", edit("    user: alice@contoso.com\n", "    user: alice@contoso.com\n    enrolled:\n      ownership: corporate\n"),
			`s.yaml:39:18: devices[0].enrolled.ownership: unknown ownership "corporate" (want one of company, personal)`),
		Entry("enrolled device with an unknown join type", edit("    user: alice@contoso.com\n", "    user: alice@contoso.com\n    enrolled:\n      joinType: domainJoined\n"),
			`s.yaml:39:17: devices[0].enrolled.joinType: unknown join type "domainJoined" (want one of hybridAzureADJoined, azureADJoined, azureADRegistered)`),
		Entry("enrolled device that is also imported", edit("    user: alice@contoso.com\n", "    user: alice@contoso.com\n    registered: true\n    enrolled: {}\n"),
			`s.yaml:38:17: devices[0].registered: an enrolled device is one enrolled before Autopilot (the candidate of convertAllTargeted); it cannot also be imported: drop registered: true`),
		Entry("enrolled device name too long", edit("    user: alice@contoso.com\n", "    user: alice@contoso.com\n    enrolled:\n      name: CORP-WORKSTATION-01\n"),
			`s.yaml:39:13: devices[0].enrolled.name: device name "CORP-WORKSTATION-01": at most 15 characters, no spaces or glob characters (NetBIOS)`),
		Entry("enrolled after the run", edit("    user: alice@contoso.com\n", "    user: alice@contoso.com\n    enrolled:\n      at: 9h\n"),
			`s.yaml:39:11: devices[0].enrolled.at: 9h is after the end of the run (duration 8h)`),
		Entry("conversion bounds inverted", edit("devices:\n", "timings:\n  conversionMin: 2h\n  conversionMax: 1h\ndevices:\n"),
			`s.yaml:36:18: timings.conversionMax: 1h is shorter than conversionMin 2h`),
		Entry("unknown registration in an expectation", edit("    outcome: hybridJoined\n", "    registration: imported\n"),
			`s.yaml:40:19: expect[0].registration: unknown registration "imported" (did you mean "import"? want one of import, conversion, none)`),
		Entry("YAML syntax error", "name: [\n", `s.yaml:1:1: YAML syntax: did not find expected node content`),
		Entry("empty file", "", `s.yaml:1:1: empty file: want a scenario (name, environment, tenant, devices, expect)`),
		Entry("two documents", base+"---\nname: two\n", `s.yaml:41:1: more than one YAML document (---): put each scenario in its own file`),
		Entry("merge keys", "<<: {name: x}\n", `s.yaml:1:1: merge keys (<<) are not supported; repeat the keys or use an alias for the whole value`),
		Entry("a list at the top", "- name: x\n", `s.yaml:1:1: want a mapping of scenario keys (name, environment, …), got a list`),
	)

	It("collects every validation error of a file together, sorted by line", func() {
		doc := edit("      kind: internet\n", "      kind: wan\n")
		doc = strings.Replace(doc, "    location: hq-lan\n", "    location: branch\n", 1)
		lines := errorLines(func() error { _, err := scenarios.LoadBytes("s.yaml", []byte(doc)); return err }())
		Expect(lines).To(HaveLen(2))
		Expect(lines[0]).To(HavePrefix("s.yaml:17:13: environment.networks[1].kind"))
		Expect(lines[1]).To(HavePrefix("s.yaml:36:15: devices[0].location"))
	})

	It("stops an alias bomb instead of expanding it", func() {
		doc := "name: x\ntenant:\n  groups:\n    - &g {name: g, members: &m [a, a, a, a, a, a, a, a, a, a]}\n"
		var b strings.Builder
		b.WriteString("name: bomb\n_: &l0 [a,a,a,a,a,a,a,a,a,a]\n")
		_ = doc
		for i := 1; i < 7; i++ {
			b.WriteString("_" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [")
			for j := 0; j < 10; j++ {
				if j > 0 {
					b.WriteString(",")
				}
				b.WriteString("*l" + string(rune('0'+i-1)))
			}
			b.WriteString("]\n")
		}
		_, err := scenarios.LoadBytes("bomb.yaml", []byte(b.String()))
		Expect(err).To(HaveOccurred())
	})
})

var _ = Describe("warnings", func() {
	DescribeTable("Domain Join profile OU rules of seed 000 are warnings, not errors",
		func(ou, want string) {
			sc, err := scenarios.LoadBytes("s.yaml", []byte(edit("      ou: OU=Autopilot,DC=corp,DC=contoso,DC=com\n      assignTo", "      ou: "+ou+"\n      assignTo")))
			Expect(err).NotTo(HaveOccurred())
			Expect(sc.Warnings).To(ConsistOf(want))
		},
		Entry("a container", "CN=Computers,DC=corp,DC=contoso,DC=com",
			`s.yaml:31:11: tenant.domainJoinProfiles[0].ou: OU "CN=Computers,DC=corp,DC=contoso,DC=com" is a container, which cannot be specified; leave ou empty for the default Computers container (seed 000 "Create and assign a Domain Join profile")`),
		Entry("no DC= parts", "OU=Mine",
			`s.yaml:31:11: tenant.domainJoinProfiles[0].ou: OU "OU=Mine" has no DC= parts; the domain must be given with DC= attributes (seed 000 "Create and assign a Domain Join profile")`),
		Entry("quoted", `'"OU=Mine,DC=corp,DC=contoso,DC=com"'`,
			`s.yaml:31:11: tenant.domainJoinProfiles[0].ou: OU "OU=Mine,DC=corp,DC=contoso,DC=com" is quoted; the profile must not use quotation marks (seed 000 "Create and assign a Domain Join profile")`),
		Entry("not declared in the domain", "OU=Elsewhere,DC=corp,DC=contoso,DC=com",
			`s.yaml:31:11: tenant.domainJoinProfiles[0].ou: OU "OU=Elsewhere,DC=corp,DC=contoso,DC=com" is not listed under the domain's ous, so it will not exist in AD`),
	)

	It("accepts the seed's valid OU examples and an empty OU without warnings", func() {
		for _, ou := range []string{"OU=Autopilot,DC=corp,DC=contoso,DC=com", `""`} {
			sc, err := scenarios.LoadBytes("s.yaml", []byte(edit("      ou: OU=Autopilot,DC=corp,DC=contoso,DC=com\n      assignTo", "      ou: "+ou+"\n      assignTo")))
			Expect(err).NotTo(HaveOccurred())
			Expect(sc.Warnings).To(BeEmpty())
		}
	})

	It("warns when the device's user has no AD account for the first sign-in", func() {
		sc, err := scenarios.LoadBytes("s.yaml", []byte(edit("    user: alice@contoso.com\n", "    user: carol@contoso.com\n")))
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Warnings).To(ContainElement(ContainSubstring("devices[0].user: no AD user has UPN")))
	})
})

var _ = Describe("defaults", func() {
	var sc *scenarios.Scenario
	BeforeEach(func() {
		var err error
		sc, err = scenarios.LoadBytes("s.yaml", []byte(base))
		Expect(err).NotTo(HaveOccurred())
	})

	It("fills every unset value from Defaults", func() {
		Expect(sc.Duration.D()).To(Equal(8 * time.Hour))
		Expect(sc.Timings.SetupLead.D()).To(Equal(24 * time.Hour))
		Expect(sc.Timings.ConnectivityWait.D()).To(Equal(25 * time.Minute))
		Expect(sc.Timings.DeviceJoinTask.D()).To(Equal(4 * time.Minute))
		Expect(sc.Timings.AccountSetupRest.D()).To(Equal(2 * time.Minute))
		Expect(sc.Timings.ProfileAssignment.D()).To(Equal(15 * time.Minute))
		d := sc.Environment.Domains[0]
		Expect(d.NetBIOS).To(Equal("CORP"))
		Expect(*d.MachineAccountQuota).To(Equal(10))
		c := sc.Environment.Connectors[0]
		Expect([]string{c.Kind, c.Identity, c.Version}).To(Equal([]string{"msa", "msaODJ00001", "6.2501.2000.5"}))
		Expect(c.PickupLatency.D()).To(Equal(30 * time.Second))
		Expect(c.Heartbeat.D()).To(Equal(5 * time.Minute))
		Expect(sc.Environment.EntraConnect.Interval.D()).To(Equal(30 * time.Minute))
		Expect(sc.Environment.EntraConnect.Offset.D()).To(Equal(30 * time.Minute))
		Expect(sc.Tenant.Domain).To(Equal("contoso.onmicrosoft.com"))
		Expect(sc.Tenant.DomainJoinProfiles[0].RandomCharCount).To(Equal(12))
		Expect(*sc.Tenant.DeploymentProfiles[0].HideEULA).To(BeTrue())
		Expect(sc.Devices[0].ADUser).To(Equal("alice"))
		Expect(sc.Lines["devices[0].location"]).To(Equal(36))
	})

	It("keeps an explicit zero (offset 0s: a sync cycle at T0)", func() {
		sc, err := scenarios.LoadBytes("s.yaml", []byte(edit("  networks:\n", "  entraConnect:\n    offset: 0s\n  networks:\n")))
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Environment.EntraConnect.Offset.D()).To(BeZero())
	})

	It("is idempotent and leaves Validate passing on a defaulted scenario", func() {
		before := *sc.Environment.Domains[0].MachineAccountQuota
		sc.WithDefaults()
		Expect(*sc.Environment.Domains[0].MachineAccountQuota).To(Equal(before))
		Expect(sc.Validate()).To(Succeed())
	})

	It("validates a scenario built in code, without positions", func() {
		code := &scenarios.Scenario{Name: "code"}
		code.WithDefaults()
		err := code.Validate()
		Expect(err).To(MatchError(ContainSubstring("devices: no devices")))
		Expect(err.Error()).NotTo(HavePrefix(":"))
	})
})

var _ = Describe("devices", func() {
	load := func(devices string) *scenarios.Scenario {
		GinkgoHelper()
		doc := strings.Replace(base, "devices:\n  - serial: DEV0001\n    location: hq-lan\n    user: alice@contoso.com\n", "devices:\n"+devices, 1)
		sc, err := scenarios.LoadBytes("s.yaml", []byte(doc))
		Expect(err).NotTo(HaveOccurred())
		return sc
	}

	It("expands batches with 4-digit serials from 1 and staggered power-on", func() {
		sc := load("  - count: 3\n    serialPrefix: LAB\n    location: hq-lan\n    user: alice@contoso.com\n    powerOn: 10m\n    stagger: 30s\n    groupTag: Sales\n" +
			"  - serial: ONE\n    location: home\n    vpn: deviceTunnel\n    user: alice@contoso.com\n    registered: false\n")
		devs := sc.ExpandDevices()
		Expect(devs).To(HaveLen(4))
		var serials []string
		for _, d := range devs {
			serials = append(serials, d.Serial)
		}
		Expect(serials).To(Equal([]string{"LAB0001", "LAB0002", "LAB0003", "ONE"}))
		Expect(*devs[0].PowerOn).To(Equal(10 * time.Minute))
		Expect(*devs[2].PowerOn).To(Equal(11 * time.Minute))
		Expect(*devs[3].PowerOn).To(BeZero())
		Expect(devs[2].Index).To(Equal(2))
		Expect(devs[2].GroupTag).To(Equal("Sales"))
		Expect(devs[0].Registered).To(BeTrue())
		Expect(devs[3].Registered).To(BeFalse())
		Expect(devs[3].VPN).To(Equal("deviceTunnel"))
		Expect(devs[0].VPN).To(Equal("none"))
		Expect(devs[0].ADUser).To(Equal("alice"))
	})

	It("leaves manual devices (manual: true or powerOn: null) to the script", func() {
		sc := load("  - serial: M1\n    location: hq-lan\n    user: alice@contoso.com\n    manual: true\n" +
			"  - serial: M2\n    location: hq-lan\n    user: alice@contoso.com\n    powerOn: null\n")
		for _, d := range sc.ExpandDevices() {
			Expect(d.PowerOn).To(BeNil())
		}
	})

	DescribeTable("Select",
		func(selector string, want []string) {
			sc := load("  - count: 3\n    serialPrefix: LAB\n    location: hq-lan\n    user: alice@contoso.com\n    groupTag: Sales\n" +
				"  - count: 2\n    serialPrefix: HQ\n    location: hq-lan\n    user: alice@contoso.com\n")
			got, err := sc.Select(selector, sc.ExpandDevices())
			Expect(err).NotTo(HaveOccurred())
			serials := []string{}
			for _, d := range got {
				serials = append(serials, d.Serial)
			}
			Expect(serials).To(Equal(want))
		},
		Entry("all", "all", []string{"LAB0001", "LAB0002", "LAB0003", "HQ0001", "HQ0002"}),
		Entry("glob", "LAB*", []string{"LAB0001", "LAB0002", "LAB0003"}),
		Entry("character class", "LAB000[23]", []string{"LAB0002", "LAB0003"}),
		Entry("exact serial", "HQ0002", []string{"HQ0002"}),
		Entry("group tag, any case", "tag:sales", []string{"LAB0001", "LAB0002", "LAB0003"}),
		Entry("nothing", "XYZ*", []string{}),
	)

	It("rejects a malformed selector", func() {
		sc := load("  - serial: A\n    location: hq-lan\n    user: alice@contoso.com\n")
		_, err := sc.Select("[", sc.ExpandDevices())
		Expect(err).To(MatchError(ContainSubstring("bad serial glob")))
		_, err = sc.Select("", sc.ExpandDevices())
		Expect(err).To(MatchError(ContainSubstring("empty device selector")))
	})
})

var _ = Describe("LoadPaths", func() {
	It("reports a missing path and keeps going", func() {
		scs, err := scenarios.LoadPaths([]string{"catalogue/onprem-lan-hybrid.yaml", "no/such/file.yaml"})
		Expect(err).To(MatchError(ContainSubstring("no/such/file.yaml: cannot read")))
		Expect(scs).To(HaveLen(1))
	})

	It("refuses two scenarios with one name", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(base), 0o600)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "b.yml"), []byte(base), 0o600)).To(Succeed())
		_, err := scenarios.LoadPaths([]string{dir})
		Expect(err).To(MatchError(ContainSubstring(`b.yml:1:7: name: scenario name "base" is already used by`)))
	})

	It("needs at least one path", func() {
		_, err := scenarios.LoadPaths(nil)
		Expect(err).To(MatchError("no scenario files given"))
	})
})

var _ = Describe("README", func() {
	It("has an annotated example that loads without errors or warnings", func() {
		data, err := os.ReadFile("README.md")
		Expect(err).NotTo(HaveOccurred())
		_, rest, found := strings.Cut(string(data), "```yaml\n")
		Expect(found).To(BeTrue())
		example, _, found := strings.Cut(rest, "```")
		Expect(found).To(BeTrue())
		sc, err := scenarios.LoadBytes("README.md", []byte(example))
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Warnings).To(BeEmpty())
		Expect(sc.ExpandDevices()).To(HaveLen(13))
	})

	It("documents every key of the schema", func() {
		data, err := os.ReadFile("README.md")
		Expect(err).NotTo(HaveOccurred())
		readme := string(data)
		var missing []string
		for _, key := range yamlKeys(reflect.TypeFor[scenarios.Scenario](), map[reflect.Type]bool{}) {
			// A key appears as `key`, `key[]` or as the last part of `a[].key`.
			found := false
			for _, form := range []string{"`" + key + "`", "." + key + "`", "`" + key + "[]`", "." + key + "[]`"} {
				found = found || strings.Contains(readme, form)
			}
			if !found {
				missing = append(missing, key)
			}
		}
		Expect(missing).To(BeEmpty())
	})
})

// yamlKeys lists every YAML key reachable from t.
func yamlKeys(t reflect.Type, seen map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return nil
	}
	seen[t] = true
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		keys = append(keys, tag)
		keys = append(keys, yamlKeys(f.Type, seen)...)
	}
	return keys
}

var _ = Describe("Error", func() {
	It("drops the parts it does not know", func() {
		Expect((&scenarios.Error{Msg: "m"}).Error()).To(Equal("m"))
		Expect((&scenarios.Error{File: "f", Msg: "m"}).Error()).To(Equal("f: m"))
		Expect((&scenarios.Error{File: "f", Line: 3, Path: "p", Msg: "m"}).Error()).To(Equal("f:3: p: m"))
		Expect((&scenarios.Error{File: "f", Line: 3, Col: 4, Path: "p", Msg: "m"}).Error()).To(Equal("f:3:4: p: m"))
		Expect(scenarios.Errors{{Msg: "a"}, {Msg: "b"}}.Error()).To(Equal("a\nb"))
	})
})

var _ = Describe("enrolled devices (devices[].enrolled)", func() {
	DescribeTable("refuse what would be lost or ambiguous, with file:line:col",
		func(devices string, want ...string) {
			doc := strings.Replace(base, "devices:\n  - serial: DEV0001\n    location: hq-lan\n    user: alice@contoso.com\n", "devices:\n"+devices, 1)
			Expect(doc).NotTo(Equal(base))
			_, err := scenarios.LoadBytes("s.yaml", []byte(doc))
			Expect(errorLines(err)).To(Equal(want))
		},
		Entry("a group tag it would never get", "  - serial: DEV0001\n    groupTag: Sales\n    location: hq-lan\n    user: alice@contoso.com\n    enrolled: {}\n",
			`s.yaml:36:15: devices[0].groupTag: groupTag applies to imported devices; an enrolled device registered by conversion gets none`),
		Entry("enrolled after its reset", "  - serial: DEV0001\n    location: hq-lan\n    user: alice@contoso.com\n    powerOn: 1h\n    enrolled:\n      at: 2h\n",
			`s.yaml:40:11: devices[0].enrolled.at: 2h is after the device's powerOn 1h, which is its reset: it must be enrolled before`),
		Entry("a name that is another device's serial", "  - serial: DEV0001\n    location: hq-lan\n    user: alice@contoso.com\n  - serial: DEV0002\n    location: hq-lan\n    user: alice@contoso.com\n    enrolled:\n      name: dev0001\n",
			`s.yaml:42:13: devices[1].enrolled.name: device name "dev0001" is also the Entra name of DEV0001; names must be unique`),
		Entry("a character NetBIOS refuses", "  - serial: DEV0001\n    location: hq-lan\n    user: alice@contoso.com\n    enrolled:\n      name: PC_01\n",
			`s.yaml:39:13: devices[0].enrolled.name: device name "PC_01" holds a character not allowed in NetBIOS names`),
	)
})
