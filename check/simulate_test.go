package check_test

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/check"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

func byKey(rs []check.CohortResult) map[string]check.CohortResult {
	m := map[string]check.CohortResult{}
	for _, r := range rs {
		m[r.Key] = r
	}
	return m
}

var _ = Describe("cohorts", func() {
	It("derive every named tag, each device's tag and untagged, crossed with locations and internet VPN kinds", func() {
		cfg := goodConfig()
		cfg.Groups = append(cfg.Groups, tenantconfig.Group{ID: "g-po", Name: "PO", Dynamic: true,
			MembershipRule: `(device.devicePhysicalIds -any (_ -in ["[PurchaseOrderId]:PO-7", "[OrderID]:HR"]))`})
		var keys []string
		for _, c := range check.DeriveCohorts(cfg, goodEnv()) {
			keys = append(keys, c.Key())
		}
		Expect(keys).To(HaveLen(4 * 6)) // (HR, PO-7, SALES, untagged) × (office + 5 VPN kinds at home)
		Expect(keys).To(ContainElements(
			"tag=SALES @office vpn=none", "tag=SALES @home vpn=deviceTunnel", "untagged @home vpn=directAccess",
			"tag=HR @office vpn=none", "untagged,po=PO-7 @home vpn=userTunnel"))
		Expect(keys).To(BeEquivalentTo(sortedCopy(keys)))
	})
})

var _ = Describe("simulating cohorts", func() {
	run := func(cfg *tenantconfig.Config, par int) []check.CohortResult {
		rs, err := check.Simulate(cfg, goodEnv(), check.DeriveCohorts(cfg, goodEnv()), check.SimOptions{Seed: 7, Parallel: par, Translate: tenantconfig.Translate})
		Expect(err).NotTo(HaveOccurred())
		return rs
	}

	It("tells what each kind of device goes through, with the reason in words", func() {
		got := byKey(run(goodConfig(), 0))
		Expect(got["tag=SALES @office vpn=none"].Outcome).To(Equal("hybridJoined"))
		Expect(got["tag=SALES @office vpn=none"].OU).To(Equal(apOU))
		Expect(got["untagged @home vpn=deviceTunnel"].Outcome).To(Equal("hybridJoined"))
		userTunnel := got["untagged @home vpn=userTunnel"]
		Expect(userTunnel.Outcome).To(Equal("failed"))
		Expect(userTunnel.Reason).NotTo(BeEmpty())
	})

	It("makes office devices fail when the OU becomes the CN=Computers container", func() {
		cfg := goodConfig()
		cfg.DomainJoinProfiles[0].OU = "CN=Computers," + corpDN
		r := byKey(run(cfg, 0))["tag=SALES @office vpn=none"]
		Expect(r.Outcome).NotTo(Equal("hybridJoined"))
		Expect(r.Reason).NotTo(BeEmpty())
	})

	It("gives byte-identical results whatever the parallelism", func() {
		one, err := json.Marshal(run(goodConfig(), 1))
		Expect(err).NotTo(HaveOccurred())
		two, err := json.Marshal(run(goodConfig(), 3))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(two)).To(Equal(string(one)))
	})

	It("refuses an environment without an AD user as invalid input", func() {
		env := goodEnv()
		env.Domains[0].Users = nil
		_, err := check.Simulate(goodConfig(), env, nil, check.SimOptions{Translate: tenantconfig.Translate})
		Expect(check.IsInvalidInput(err)).To(BeTrue())
	})
})

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
