package main

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("what a scenario sets up that the mocks refuse", func() {
	DescribeTable("is invalid input (exit 2) with the field's file:line and the cloud's words, for run and validate alike",
		func(file, want string) {
			code, out, errOut := cli("run", "--out", GinkgoT().TempDir(), file)
			Expect(code).To(Equal(2), out+errOut)
			Expect(strings.Split(errOut, "\n")).To(ContainElement(HavePrefix(want)))
			Expect(errOut).NotTo(ContainSubstring(`\"`))
			Expect(errOut).NotTo(ContainSubstring(`{"error"`))

			code, out, errOut = cli("validate", file)
			Expect(code).To(Equal(2))
			Expect(out).NotTo(ContainSubstring("ok  " + file))
			Expect(errOut).To(HavePrefix(want))
		},
		Entry("a membership rule that does not parse", "testdata/bad-rule.yaml",
			`testdata/bad-rule.yaml:19: tenant.groups[0].membershipRule: group "Autopilot devices": Dynamic membership rule validation error: `+
				`Query compilation error.; rules: 1:34: Query compilation error. (expected an operator, found '-startswit')`),
	)

	// Intune stores a Domain Join OU as typed: the forms the hybrid-join
	// article calls invalid fail at the connector, not when the profile is
	// saved (https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#create-and-assign-a-domain-join-profile).
	It("is not an OU without DC= parts: the loader warns, the run fails (exit 1) with the connector's explanation", func() {
		code, out, errOut := cli("run", "--out", GinkgoT().TempDir(), "testdata/bad-ou.yaml")
		Expect(code).To(Equal(1), out+errOut)
		Expect(errOut).To(ContainSubstring(`testdata/bad-ou.yaml:23:61: tenant.domainJoinProfiles[0].ou: OU "OU=Autopilot" has no DC= parts`))
		Expect(out).To(ContainSubstring("CLI0001 failed at odjBlobWait: 80070774"))
		Expect(out).To(ContainSubstring("8333 ERROR_DS_OBJ_NOT_FOUND, event 30132"))

		code, out, _ = cli("validate", "testdata/bad-ou.yaml")
		Expect(code).To(Equal(0))
		Expect(out).To(ContainSubstring("warning: testdata/bad-ou.yaml:23:61"))
	})

	It("serve refuses such a lab with exit 2, at the same place", func() {
		code, out, errOut := cli("serve", "--scenario", "testdata/bad-rule.yaml", "--graph", "127.0.0.1:0", "--ldap", "127.0.0.1:0", "--start", "epoch")
		Expect(code).To(Equal(2), out+errOut)
		Expect(errOut).To(ContainSubstring("testdata/bad-rule.yaml:19: tenant.groups[0].membershipRule: "))
		Expect(out).To(BeEmpty())
	})

	It("validate checks every file and says ok for the good ones", func() {
		code, out, errOut := cli("validate", "testdata/pass.yaml", "testdata/bad-rule.yaml", "testdata/fail.yaml")
		Expect(code).To(Equal(2))
		Expect(out).To(Equal("ok  testdata/pass.yaml (cli-pass)\nok  testdata/fail.yaml (cli-fail)\n"))
		Expect(errOut).To(HavePrefix("testdata/bad-rule.yaml:19: "))
	})
})
