// Package qasuite is an example QA suite a team can copy: Ginkgo specs
// that run the team's tenant model (testdata/corp.yaml) through
// autopilotsim's Go API (package apstest) and assert with its Gomega
// matchers. Run it with `go test ./examples/qa-suite/`.
package qasuite

import (
	"os"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/apstest"
)

func TestQASuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "example QA suite")
}

const autopilotOU = "OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com"

var _ = Describe("our hybrid join", func() {
	var base string
	BeforeEach(func() {
		b, err := os.ReadFile("testdata/corp.yaml")
		Expect(err).NotTo(HaveOccurred())
		base = string(b)
	})

	It("joins both devices into the Autopilot OU with two Entra objects each", func() {
		res := apstest.Run(apstest.MustLoad("testdata/corp.yaml"))
		Expect(res).To(apstest.Pass())
		for _, serial := range res.Serials() {
			dev := res.Device(serial)
			Expect(dev).To(apstest.HaveHybridJoined())
			Expect(dev).To(apstest.HaveComputerIn(autopilotOU))
			Expect(dev).To(apstest.HaveEntraObjects(2))
			Expect(dev).To(apstest.HaveProfile("Hybrid user-driven"))
		}
	})

	// A change the team wants to catch before it ships: someone removes
	// the connector's delegation on the OU (quota 0, so nothing else lets
	// it create computers). The device waits for its blob and fails.
	It("fails with 80070774 while waiting for the blob when the delegation is removed", func() {
		variant := strings.Replace(base, "      delegations:\n        - trustee: ODJCONN01\n          ou: "+autopilotOU+"\n          right: createComputer\n", "", 1)
		Expect(variant).NotTo(Equal(base), "the fixture changed: update the replacement")
		variant = strings.Replace(variant, "outcome: hybridJoined", "outcome: failed", 1)
		res := apstest.Run(apstest.MustLoadYAML("corp-no-delegation.yaml", variant))
		Expect(res).To(apstest.Pass())
		Expect(res.Device("QA0001")).To(apstest.FailAt("odjBlobWait", "80070774"))
		Expect(res.Device("QA0001").Explanation.Fix).NotTo(BeEmpty())
	})
})
