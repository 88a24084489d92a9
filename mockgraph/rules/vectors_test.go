package rules_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
)

// Fixtures D1, D2, D3 of rules-and-ad.md A.9.
func fixtureD1() rules.Properties {
	return rules.Properties{
		"displayName":         "CONTOSO-PC01",
		"deviceOSType":        "Windows",
		"deviceOSVersion":     "10.0.22631.4460",
		"deviceOwnership":     "Company",
		"deviceTrustType":     "ServerAD",
		"managementType":      "MDM",
		"deviceModel":         "Latitude 7440",
		"accountEnabled":      true,
		"isRooted":            false,
		"extensionAttribute1": "Finance",
		"deviceCategory":      nil,
		"objectId":            "aaaaaaaa-0000-0000-0000-000000000001",
		"devicePhysicalIds": []string{
			"[ZTDId]:6349bbfe-c07a-444c-a7e0-eee62553f000",
			"[HWID]:h:6825816683144846",
			"[OrderID]:Kiosk-Lobby",
			"[PurchaseOrderId]:76222342342",
		},
	}
}

func fixtureD2() rules.Properties {
	return rules.Properties{
		"displayName":       "Rob iPhone",
		"deviceOSType":      "iPhone",
		"deviceOSVersion":   "17.5.1",
		"deviceOwnership":   "Personal",
		"deviceTrustType":   "Workplace",
		"deviceCategory":    "BYOD",
		"accountEnabled":    true,
		"isRooted":          false,
		"objectId":          "aaaaaaaa-0000-0000-0000-000000000002",
		"devicePhysicalIds": []string{},
	}
}

func fixtureD3() rules.Properties {
	p := fixtureD1()
	p["displayName"] = `Rob "Big" PC`
	return p
}

func mustParse(src string) *rules.Rule {
	GinkgoHelper()
	r, err := rules.Parse(src)
	Expect(err).NotTo(HaveOccurred(), "rule %q", src)
	return r
}

var _ = Describe("A.9 test vectors", func() {
	DescribeTable("rules evaluated on D1 and D2",
		func(src string, d1, d2 bool) {
			r := mustParse(src)
			Expect(r.Match(fixtureD1())).To(Equal(d1), "D1: %s", src)
			Expect(r.Match(fixtureD2())).To(Equal(d2), "D2: %s", src)
			// Every vector survives a print/parse round trip unchanged.
			again := mustParse(r.String())
			Expect(again.String()).To(Equal(r.String()))
			Expect(again.Match(fixtureD1())).To(Equal(d1))
			Expect(again.Match(fixtureD2())).To(Equal(d2))
		},
		Entry("1", `(device.devicePhysicalIDs -any (_ -startsWith "[ZTDId]"))`, true, false),
		Entry("2", `device.devicePhysicalIDs -any _ -startsWith "[ZTDId]"`, true, false),
		Entry("3", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk-Lobby"))`, true, false),
		Entry("4", `(device.devicePhysicalIds -any (_ -eq "[orderid]:KIOSK-LOBBY"))`, true, false),
		Entry("5", `(device.devicePhysicalIds -any (_ -eq "[PurchaseOrderId]:76222342342"))`, true, false),
		Entry("6", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))`, false, false),
		Entry("7", `(device.devicePhysicalIds -any (_ -startsWith "[OrderID]:Kiosk"))`, true, false),
		Entry("8", `(device.devicePhysicalIds -all (_ -startsWith "["))`, true, true),
		Entry("9", `device.deviceOSType -eq "Windows" -and device.deviceOwnership -eq "Company"`, true, false),
		Entry("10", `(device.deviceOSType -eq "iPad") -or (device.deviceOSType -eq "iPhone")`, false, true),
		Entry("11", `(device.deviceOSType -eq "Windows") and (device.deviceTrustType -eq "ServerAD")`, true, false),
		Entry("12", `device.deviceOSType -eq "Windows" -or device.deviceOSType -eq "iPhone" -and device.deviceOwnership -eq "Company"`, true, false),
		Entry("13", `(device.deviceOSType -eq "Windows") -and -not (device.displayName -startsWith "contoso")`, false, false),
		Entry("14", `device.deviceOSVersion -startsWith "10.0.2"`, true, false),
		Entry("15", `device.displayName -match "pc0"`, true, false),
		Entry("16", `device.deviceModel -match "^Latitude \d{4}$"`, true, false),
		Entry("17", `device.deviceCategory -eq null`, true, false),
		Entry("18", `device.deviceCategory -eq "null"`, false, false),
		Entry("19", `device.deviceCategory -ne "BYOD"`, true, false),
		Entry("20", `device.deviceOSType -in ["windows","MacMDM"]`, true, false),
		Entry("21", `device.deviceOSType -notIn ["Windows","MacMDM"]`, false, true),
		Entry("22", `device.accountEnabled -eq true -and device.isRooted -eq false`, true, true),
		Entry("23", `device.extensionAttribute1 -eq "finance"`, true, false),
		Entry("24", `device.objectId -ne null`, true, true),
	)

	It("25: backtick-escaped quotes match D3", func() {
		r := mustParse("device.displayName -eq \"Rob `\"Big`\" PC\"")
		Expect(r.Match(fixtureD3())).To(BeTrue())
		Expect(r.Match(fixtureD1())).To(BeFalse())
		Expect(r.String()).To(Equal("device.displayName -eq \"Rob `\"Big`\" PC\""))
	})

	DescribeTable("rules that must fail validation",
		func(src string, code, msg string) {
			_, err := rules.Parse(src)
			Expect(err).To(HaveOccurred(), "rule %q", src)
			var se *rules.SyntaxError
			Expect(err).To(BeAssignableToTypeOf(se))
			se = err.(*rules.SyntaxError)
			Expect(se.Code).To(Equal(code), "%v", se)
			Expect(se.Msg).To(Equal(msg), "%v", se)
			Expect(se.GraphMessage()).To(Equal(rules.GraphMessagePrefix + msg))
		},
		Entry("E1 missing -and/-or", `(device.deviceOSType -eq "Windows") (device.deviceOwnership -eq "Company")`,
			rules.CodeQueryCompilation, "Query compilation error."),
		Entry("E2 bad regex", `device.displayName -match "*PC"`,
			rules.CodeQueryCompilation, "Query compilation error."),
		Entry("E3 unknown property", `device.invalidProperty -eq "x"`,
			rules.CodeAttributeNotSupported, "Attribute not supported."),
		Entry("E4 -contains on boolean", `device.accountEnabled -contains true`,
			rules.CodeOperatorNotSupported, "Operator isn't supported on attribute."),
		Entry("E5 organizationalUnit", `device.organizationalUnit -eq "x"`,
			rules.CodeAttributeNotSupported, "Attribute not supported."),
		Entry("E6 no object prefix", `deviceOSType -eq "Windows"`,
			rules.CodeNoObjectType, "No object type"),
		Entry("E7 user. in a device rule", `device.deviceOSType -eq "Windows" -and user.department -eq "Sales"`,
			rules.CodeInvalidObjectType, "Invalid object type."),
		Entry("E8 -not as comparison", `device.deviceCategory -not null`,
			rules.CodeQueryCompilation, "Query compilation error."),
		Entry("E9 unbalanced parenthesis", `device.devicePhysicalIds -any (_ -eq "x"`,
			rules.CodeQueryCompilation, "Query compilation error."),
		Entry("E10 3,073 characters", longRule(3073),
			rules.CodeRuleTooLong, "The rule exceeds the maximum length of 3072 characters."),
		Entry("E11 -ge on a string", `device.deviceOSVersion -ge "10.0"`,
			rules.CodeOperatorNotSupported, "Operator isn't supported on attribute."),
		Entry("E12 null with -startsWith", `device.deviceOSType -startsWith null`,
			rules.CodeInvalidOperands, "Invalid operands found for operator."),
	)
})

// longRule builds a valid-looking rule of exactly n characters by padding a
// string literal.
func longRule(n int) string {
	head := `device.displayName -eq "`
	return head + strings.Repeat("x", n-len(head)-1) + `"`
}
