package devicesim_test

import (
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/devicesim"
)

// accessCloud is a fake cloud that also answers Conditional Access.
type accessCloud struct {
	*fakeCloud
	answers map[bool]devicesim.AccessAnswer // by userSignIn
	err     error
	asked   []bool
	devices []string
}

func (c *accessCloud) Access(deviceID, upn string, userSignIn bool) (devicesim.AccessAnswer, error) {
	c.asked = append(c.asked, userSignIn)
	c.devices = append(c.devices, deviceID)
	return c.answers[userSignIn], c.err
}

var _ = Describe("Conditional Access after provisioning (F36)", func() {
	blocked := devicesim.AccessAnswer{Result: "blocked", Compliance: "N/A", Policy: "Require compliant device", Reason: "compliance N/A"}
	granted := devicesim.AccessAnswer{Result: "granted", Compliance: "compliant"}

	runAccess := func(ac *accessCloud, check bool) devicesim.Result {
		ac.fakeCloud = &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 30 * time.Minute}
		return runWith(lan, devicesim.VPNNone, ac.fakeCloud, &fakeDC{}, func(c *devicesim.Config) {
			c.Cloud, c.CheckAccess = ac, check
		})
	}

	It("asks at the end of provisioning, then after the user's sign-in, with the hybrid device ID", func() {
		ac := &accessCloud{answers: map[bool]devicesim.AccessAnswer{false: blocked, true: granted}}
		res := runAccess(ac, true)
		Expect(res.Outcome).To(Equal(devicesim.OutcomeHybridJoined))
		Expect(ac.asked).To(Equal([]bool{false, true}))
		Expect(ac.devices).To(HaveEach(res.HybridDeviceID))
		Expect(res.Access).To(Equal(&devicesim.AccessResult{AtProvisioningEnd: blocked, AfterSignIn: granted}))
	})

	It("asks nothing in a tenant without policies", func() {
		ac := &accessCloud{}
		res := runAccess(ac, false)
		Expect(res.Outcome).To(Equal(devicesim.OutcomeHybridJoined))
		Expect(ac.asked).To(BeEmpty())
		Expect(res.Access).To(BeNil())
	})

	It("records an unanswered request as an error, and still joins", func() {
		ac := &accessCloud{err: errors.New("503")}
		res := runAccess(ac, true)
		Expect(res.Outcome).To(Equal(devicesim.OutcomeHybridJoined))
		Expect(res.Access.AtProvisioningEnd.Result).To(Equal("error"))
		Expect(res.Access.AtProvisioningEnd.Reason).To(Equal("503"))
	})
})
