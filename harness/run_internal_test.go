package harness

import (
	"net"

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

var _ = Describe("dialable", func() {
	DescribeTable("reaches a wildcard listen on loopback and keeps the rest",
		func(addr, want string) {
			tcp, err := net.ResolveTCPAddr("tcp", addr)
			Expect(err).NotTo(HaveOccurred())
			Expect(dialable(tcp)).To(Equal(want))
		},
		Entry("IPv4 wildcard", "0.0.0.0:8080", "127.0.0.1:8080"),
		Entry("IPv6 wildcard", "[::]:3389", "127.0.0.1:3389"),
		Entry("loopback", "127.0.0.1:9000", "127.0.0.1:9000"),
		Entry("IPv6 loopback", "[::1]:9000", "[::1]:9000"),
	)
})
