package harness

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = DescribeTable("an expectation's OU matches the computer's parent as AD compares DNs (B.6)",
	func(dn, ou string, want bool) {
		_, same := sameParent(dn, ou)
		Expect(same).To(Equal(want))
	},
	Entry("same OU, other case", "CN=AP-1,OU=Autopilot,DC=corp,DC=com", "ou=autopilot,dc=CORP,dc=com", true),
	Entry("escaped comma in the OU name", `CN=AP-1,OU=Sales\, EMEA,DC=corp,DC=com`, `OU=Sales\, EMEA,DC=corp,DC=com`, true),
	Entry("a deeper OU is not the parent", "CN=AP-1,OU=A,OU=B,DC=corp,DC=com", "OU=B,DC=corp,DC=com", false),
	Entry("no computer DN (never joined)", "", "OU=B,DC=corp,DC=com", false),
	Entry("malformed expectation OU", "CN=AP-1,OU=B,DC=corp,DC=com", "OU=B,,", false),
)
