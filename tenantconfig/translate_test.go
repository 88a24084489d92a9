package tenantconfig_test

import (
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

func dur(d time.Duration) *scenarios.Duration { v := scenarios.Duration(d); return &v }

func noteMsgs(ns []tenantconfig.Note) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.File+": "+n.Msg)
	}
	return out
}

var _ = Describe("Translate", func() {
	It("maps the export fixture to the scenario language's tenant", func() {
		tn, notes := tenantconfig.Translate(mustLoad(layout("export")))
		Expect(tn.Groups).To(Equal([]scenarios.Group{
			{Name: "Autopilot hybrid devices", MembershipRule: `(device.devicePhysicalIds -any (_ -eq "[OrderID]:HYB"))`, CreatedAt: dur(-24 * time.Hour)},
			{Name: "Pilot devices", Members: []string{"LAB-0002"}, CreatedAt: dur(-24*time.Hour + time.Minute)},
		}))
		Expect(tn.DeploymentProfiles).To(HaveLen(2))
		hy, en := tn.DeploymentProfiles[0], tn.DeploymentProfiles[1]
		Expect(hy.Name).To(Equal("Hybrid user-driven"))
		Expect(hy.JoinType).To(Equal("hybrid"))
		Expect(hy.AssignTo).To(Equal(scenarios.Target{Include: []string{"Autopilot hybrid devices", "Pilot devices"}}))
		Expect(en.Name).To(Equal("Entra fallback"))
		Expect(en.DeviceNameTemplate).To(Equal("AP-%SERIAL%"))
		Expect(en.AssignTo.Include).To(Equal([]string{"allDevices"}))
		// Domain join 2025-01-20 < hybrid 2025-02-01 < entra 2025-03-01.
		Expect(*tn.DomainJoinProfiles[0].CreatedAt).To(Equal(scenarios.Duration(-24*time.Hour + 2*time.Minute)))
		Expect(*hy.CreatedAt).To(Equal(scenarios.Duration(-24*time.Hour + 3*time.Minute)))
		Expect(*en.CreatedAt).To(Equal(scenarios.Duration(-24*time.Hour + 4*time.Minute)))
		dj := tn.DomainJoinProfiles[0]
		Expect([]any{dj.Name, dj.Domain, dj.Prefix, dj.RandomCharCount, dj.OU}).To(Equal([]any{"Domain join corp", "corp.contoso.com", "AP-", 12, "OU=Autopilot,DC=corp,DC=contoso,DC=com"}))
		// The custom configuration targets Pilot devices, which no ESP does.
		Expect(tn.ESP).To(Equal([]scenarios.ESPProfile{
			{Name: "Hybrid ESP", Priority: 1, Timeout: scenarios.Duration(90 * time.Minute), AssignTo: scenarios.Target{Include: []string{"Autopilot hybrid devices"}}},
			{Name: "Skip user ESP (SkipUserStatusPage)", Priority: 2, Timeout: scenarios.Duration(60 * time.Minute), SkipUserStatusPage: true,
				AssignTo: scenarios.Target{Include: []string{"Pilot devices"}}},
		}))
		Expect(noteMsgs(notes)).To(ConsistOf(
			ContainSubstring("connector \"ODJCONN01\" (6.2501.2000.5, active) belongs to the environment"),
			ContainSubstring("default ESP is created by mockgraph itself"),
			ContainSubstring(`custom configuration "Skip user ESP" (SkipUserStatusPage) shares no target with an ESP`),
		))
	})

	It("sets skipUserStatusPage on an ESP that shares a target, and notes the approximation", func() {
		c := mustLoad(layout("export"))
		c.CustomConfigs[0].Assignments[0].GroupID = c.Groups[0].ID // Autopilot hybrid devices
		tn, notes := tenantconfig.Translate(c)
		Expect(tn.ESP).To(HaveLen(1))
		Expect(tn.ESP[0].SkipUserStatusPage).To(BeTrue())
		Expect(noteMsgs(notes)).To(ContainElement(ContainSubstring("translated as skipUserStatusPage on ESP Hybrid ESP")))
	})

	It("disambiguates duplicate and reserved names deterministically and notes what it leaves out", func() {
		c := mustLoad(layout("export"))
		c.Groups[1].Name = c.Groups[0].Name
		c.Groups = append(c.Groups, tenantconfig.Group{ID: "g-all", Name: "allDevices"})
		c.DeploymentProfiles[1].Assignments = append(c.DeploymentProfiles[1].Assignments,
			tenantconfig.Assignment{Kind: tenantconfig.TargetAllUsers},
			tenantconfig.Assignment{Kind: tenantconfig.TargetGroup, GroupName: "Gone"})
		c.ESPs[0].TimeoutMinutes = 120
		tn, notes := tenantconfig.Translate(c)
		Expect([]string{tn.Groups[0].Name, tn.Groups[1].Name, tn.Groups[2].Name}).To(Equal([]string{
			"Autopilot hybrid devices (a1000000-0000-4000-8000-000000000001)",
			"Autopilot hybrid devices (a1000000-0000-4000-8000-000000000002)",
			"allDevices (g-all)"}))
		Expect(noteMsgs(notes)).To(ContainElements(
			ContainSubstring("an All users assignment does not reach devices"),
			ContainSubstring("assignment to group Gone is left out"),
			ContainSubstring("times out after 120 minutes"),
		))
		again, _ := tenantconfig.Translate(c)
		Expect(again).To(Equal(tn))
	})

	It("orders undated profiles after dated ones, by id", func() {
		c := mustLoad(layout("intunecd"))
		tn, notes := tenantconfig.Translate(c)
		Expect(tn.DeploymentProfiles).To(HaveLen(2))
		Expect(*tn.DeploymentProfiles[0].CreatedAt).To(BeNumerically("<", *tn.DeploymentProfiles[1].CreatedAt))
		Expect(noteMsgs(notes)).To(ContainElement(ContainSubstring("have no createdDateTime")))
	})

	It("gives a tenant that runs: the translated export hybrid-joins its device through harness.Run", func() {
		sc, err := scenarios.Load(filepath.Join("testdata", "translate", "base.yaml"))
		Expect(err).NotTo(HaveOccurred())
		tn, _ := tenantconfig.Translate(mustLoad(layout("export")))
		sc.Tenant = tn
		sc.WithDefaults()
		Expect(sc.Validate()).To(Succeed())
		res := harness.Run(sc, harness.Options{})
		Expect(res.Error).To(BeEmpty())
		var got []string
		for _, d := range res.Devices {
			got = append(got, d.Serial+"="+d.Outcome+" "+d.Profile)
		}
		Expect(got).To(ContainElement("LAB-0001=hybridJoined Hybrid user-driven"))
		for _, e := range res.Expectations {
			Expect(e.Passed).To(BeTrue(), e.Description+": "+e.Detail)
		}
	})
})
