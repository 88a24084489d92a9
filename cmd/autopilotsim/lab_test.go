package main

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/lab"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

var _ = Describe("autopilotsim lab", func() {
	It("drives a running lab through its control API, with the URL and key from the environment", func() {
		sc, err := scenarios.Load("../../harness/testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		l, err := lab.Start(sc, lab.Options{ServeOptions: harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0"}})
		Expect(err).NotTo(HaveOccurred())
		defer l.Close()
		vars := map[string]string{"AUTOPILOTSIM_LAB_URL": l.URL(), "AUTOPILOTSIM_LAB_KEY": l.Key()}

		code, out, errOut := cliEnv(vars, "lab", "pause")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(Equal("ok\n"))
		code, _, errOut = cliEnv(vars, "lab", "power-on", "LAB0001")
		Expect(code).To(Equal(0), errOut)
		code, _, errOut = cliEnv(vars, "lab", "power-on", "LAB0001")
		Expect(code).To(Equal(2))
		Expect(errOut).To(ContainSubstring("autopilotsim lab power-on: 409 Conflict: lab: power on: device LAB0001 is already on"))
		code, _, errOut = cliEnv(vars, "lab", "advance", "2h")
		Expect(code).To(Equal(0), errOut)
		code, out, _ = cliEnv(vars, "lab", "state")
		Expect(code).To(Equal(0))
		Expect(out).To(ContainSubstring(`"outcome": "hybridJoined"`))

		code, _, errOut = cliEnv(vars, "lab", "speed", "fast")
		Expect(code).To(Equal(2))
		Expect(errOut).To(ContainSubstring(`speed "fast" is not a number`))
		code, _, errOut = cliEnv(map[string]string{"AUTOPILOTSIM_LAB_URL": l.URL()}, "lab", "pause")
		Expect(code).To(Equal(1))
		Expect(errOut).To(ContainSubstring("401 Unauthorized"))
	})
})
