package devicesim_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/devicesim"
)

var _ = Describe("local administrators (F38, Windows Autopilot known issues)", func() {
	adminProfile := &devicesim.Profile{DisplayName: "Hybrid admin", DomainJoinMethod: 1, UserType: "administrator"}
	cloudWith := func(p *devicesim.Profile) *fakeCloud {
		return &fakeCloud{registered: true, profile: p, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 30 * time.Minute}
	}
	other := func(when string) func(*devicesim.Config) {
		return func(c *devicesim.Config) {
			c.OtherLocalAdmin = &devicesim.LocalAdmin{Name: "helpdesk", CreatedIn: when}
		}
	}

	DescribeTable("grants the profile's Administrator rights at the first sign-in unless another administrator is there",
		func(p *devicesim.Profile, mutate func(*devicesim.Config), userAdmin bool, members []string) {
			if mutate == nil {
				mutate = func(*devicesim.Config) {}
			}
			res := runWith(lan, devicesim.VPNNone, cloudWith(p), &fakeDC{}, mutate)
			Expect(res.Outcome).To(Equal(devicesim.OutcomeHybridJoined), res.Detail)
			Expect(res.UserAdministrator).To(Equal(userAdmin))
			Expect(res.LocalAdministrators).To(Equal(members))
		},
		Entry("administrator profile, nobody else: the user", adminProfile, nil, true, []string{`CORP\alice`}),
		Entry("an account made in the ESP device setup blocks the grant", adminProfile, other(devicesim.AdminCreatedInDeviceSetup), false, []string{"helpdesk"}),
		Entry("an account made after the deployment does not", adminProfile, other(devicesim.AdminCreatedAfterProvisioning), true, []string{"helpdesk", `CORP\alice`}),
		Entry("a standard-user profile grants nothing, and lists the other account", hybrid, other(devicesim.AdminCreatedInDeviceSetup), false, []string{"helpdesk"}),
		Entry("a standard-user profile without other accounts lists nothing", hybrid, nil, false, nil),
	)

	It("refuses an unknown time of creation", func() {
		_, err := devicesim.ParseLocalAdminCreatedIn("duringLunch")
		Expect(err).To(MatchError(ContainSubstring(`unknown time of creation "duringLunch"`)))
	})
})
