package mockad_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
)

var _ = Describe("ParseDN", func() {
	DescribeTable("normalises like AD/Samba (B.6)",
		func(in, canon, norm string) {
			dn, err := mockad.ParseDN(in)
			Expect(err).NotTo(HaveOccurred())
			Expect(dn.String()).To(Equal(canon))
			Expect(dn.Norm()).To(Equal(norm))
		},
		Entry("types upper-cased, spaces after commas dropped", "cn=PC030, ou=autopilot, dc=CONTOSO, dc=test",
			"CN=PC030,OU=autopilot,DC=CONTOSO,DC=test", "cn=pc030,ou=autopilot,dc=contoso,dc=test"),
		Entry("hex escape of a comma prints as \\,", `CN=PC\2C031,DC=x`, `CN=PC\,031,DC=x`, `cn=pc\,031,dc=x`),
		Entry("escaped specials", `CN=a\+b\;c\<d\>e\"f\\g,DC=x`, `CN=a\+b\;c\<d\>e\"f\\g,DC=x`, `cn=a\+b\;c\<d\>e\"f\\g,dc=x`),
		Entry("leading # and leading/trailing spaces stay escaped", `CN=\#x\ ,DC=x`, `CN=\#x\ ,DC=x`, `cn=\#x\ ,dc=x`),
		Entry("spaces around = and unescaped trailing space trimmed", `CN = Bob  ,DC=x`, `CN=Bob,DC=x`, `cn=bob,dc=x`),
		Entry("semicolon separator", `CN=a;DC=x`, `CN=a,DC=x`, `cn=a,dc=x`),
		Entry("#hex value", `CN=#414243,DC=x`, `CN=ABC,DC=x`, `cn=abc,dc=x`),
		Entry("OID type", `2.5.4.3=a,DC=x`, `2.5.4.3=a,DC=x`, `2.5.4.3=a,dc=x`),
		Entry("UTF-8 via hex escapes", `CN=J\C3\BCrgen,DC=x`, `CN=Jürgen,DC=x`, `cn=jürgen,dc=x`),
		Entry("empty DN is the rootDSE", ``, ``, ``),
	)

	DescribeTable("refuses malformed input with ErrInvalidDN",
		func(in string) {
			_, err := mockad.ParseDN(in)
			Expect(err).To(HaveOccurred())
			Expect(errors.Is(err, mockad.ErrInvalidDN)).To(BeTrue())
		},
		Entry("no type", "=a"),
		Entry("no equals", "CN"),
		Entry("empty value", "CN=,DC=x"),
		Entry("trailing comma", "CN=a,"),
		Entry("double comma", "CN=a,,DC=x"),
		Entry("multi-valued RDN", "CN=a+SN=b,DC=x"),
		Entry("dangling escape", `CN=a\`),
		Entry("bad hex escape", `CN=a\4`),
		Entry("bad escape character", `CN=a\q`),
		Entry("unescaped quote", `CN=a"b`),
		Entry("quoted value", `CN="a"`),
		Entry("unescaped <", `CN=a<b`),
		Entry("odd #hex", `CN=#414`),
		Entry("type starting with a digit but not an OID", `2x=a`),
		Entry("type with a bad character", `C_N=a`),
		Entry("invalid UTF-8", "CN=\xff"),
		Entry("escaped invalid UTF-8", `CN=\ff`),
		Entry("NUL", "CN=a\x00b"),
	)

	It("round-trips its own output", func() {
		dn, err := mockad.ParseDN(`CN=\ a\,b\+c\#\ ,OU=x\\y,DC=corp`)
		Expect(err).NotTo(HaveOccurred())
		again, err := mockad.ParseDN(dn.String())
		Expect(err).NotTo(HaveOccurred())
		Expect(again).To(Equal(dn))
	})

	It("knows ancestry", func() {
		a, _ := mockad.ParseDN("CN=PC,OU=A,DC=x")
		b, _ := mockad.ParseDN("ou=a,dc=X")
		Expect(a.IsDescendantOf(b)).To(BeTrue())
		Expect(b.IsDescendantOf(a)).To(BeFalse())
		Expect(a.Parent().Norm()).To(Equal(b.Norm()))
	})
})

var _ = Describe("SIDs and GUIDs", func() {
	It("uses the MS-DTYP layouts of the worked examples (B.8)", func() {
		sid := []byte{0x01, 0x05, 0, 0, 0, 0, 0, 0x05, 0x15, 0, 0, 0, 0xa5, 0xeb, 0x54, 0x87, 0x66, 0x78, 0xc8, 0x21, 0x0b, 0x7a, 0xfe, 0xdd, 0x50, 0x04, 0, 0}
		s, err := mockad.SIDString(sid)
		Expect(err).NotTo(HaveOccurred())
		Expect(s).To(Equal("S-1-5-21-2270489509-566786150-3724442123-1104"))
		back, err := mockad.ParseSIDString(s)
		Expect(err).NotTo(HaveOccurred())
		Expect(back).To(Equal(sid))

		g, err := mockad.GUIDString([]byte{0x36, 0x70, 0xec, 0x93, 0x39, 0x91, 0x83, 0x4a, 0x97, 0x2e, 0xa1, 0x99, 0x8c, 0xc9, 0x18, 0x65})
		Expect(err).NotTo(HaveOccurred())
		Expect(g).To(Equal("93ec7036-9139-4a83-972e-a1998cc91865"))
	})

	DescribeTable("refuses malformed SIDs",
		func(in string) {
			_, err := mockad.ParseSIDString(in)
			Expect(err).To(HaveOccurred())
		},
		Entry("not a SID", "hello"),
		Entry("revision 2", "S-2-5-21"),
		Entry("bad sub-authority", "S-1-5-x"),
		Entry("sub-authority too big", "S-1-5-4294967296"),
	)

	It("refuses malformed binary SIDs and GUIDs", func() {
		_, err := mockad.SIDString([]byte{1, 2, 0, 0, 0, 0, 0, 5})
		Expect(err).To(HaveOccurred())
		_, err = mockad.GUIDString([]byte{1})
		Expect(err).To(HaveOccurred())
	})
})
