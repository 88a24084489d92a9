package rules_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
)

// dev is a small device used by the operator tables.
func dev() rules.Properties {
	return rules.Properties{
		"displayName":           "CONTOSO-PC01",
		"deviceOSType":          "Windows",
		"deviceOSVersion":       "10.0.22631.4460",
		"accountEnabled":        true,
		"isRooted":              false,
		"deviceCategory":        nil,
		"enrollmentProfileName": "OfflineAutopilotprofile-1234",
		"systemLabels":          []string{"M365Managed"},
		"devicePhysicalIds":     []string{"[ZTDId]:abc", "[OrderID]:Kiosk-Lobby"},
	}
}

func syntaxErr(src string, opts rules.Options) *rules.SyntaxError {
	GinkgoHelper()
	_, err := rules.ParseWith(src, opts)
	Expect(err).To(HaveOccurred(), "rule %q should fail", src)
	se, ok := err.(*rules.SyntaxError)
	Expect(ok).To(BeTrue(), "error %T is not *SyntaxError", err)
	return se
}

var _ = Describe("operators", func() {
	DescribeTable("every operator on a string property",
		func(src string, want bool) {
			Expect(mustParse(src).Match(dev())).To(Equal(want), src)
		},
		Entry("-eq", `device.deviceOSType -eq "windows"`, true),
		Entry("-ne", `device.deviceOSType -ne "windows"`, false),
		Entry("-ne other", `device.deviceOSType -ne "iOS"`, true),
		Entry("-startsWith", `device.displayName -startsWith "contoso-"`, true),
		Entry("-notStartsWith", `device.displayName -notStartsWith "contoso-"`, false),
		Entry("-endsWith", `device.displayName -endsWith "pc01"`, true),
		Entry("-notEndsWith", `device.displayName -notEndsWith "pc01"`, false),
		Entry("-contains", `device.displayName -contains "so-p"`, true),
		Entry("-notContains", `device.displayName -notContains "so-p"`, false),
		Entry("-match", `device.displayName -match "PC\d+$"`, true),
		Entry("-notMatch", `device.displayName -notMatch "PC\d+$"`, false),
		Entry("-match anchored miss", `device.displayName -match "^PC"`, false),
		Entry("-in", `device.deviceOSType -in ["iOS", "WINDOWS"]`, true),
		Entry("-in single quotes", `device.deviceOSType -in ['iOS', 'Windows']`, true),
		Entry("-in empty", `device.deviceOSType -in []`, false),
		Entry("-notIn", `device.deviceOSType -notIn ["iOS", "Android"]`, true),
		Entry("-notIn hit", `device.deviceOSType -notIn ["iOS", "windows"]`, false),
		Entry("number compared as text", `device.deviceOSVersion -startsWith 10`, true),
		Entry("boolean -eq", `device.accountEnabled -eq true`, true),
		Entry("boolean -ne", `device.isRooted -ne false`, false),
		Entry("quoted boolean (A10)", `device.accountEnabled -eq "TRUE"`, true),
		Entry("enrollmentProfileName", `device.enrollmentProfileName -startsWith "OfflineAutopilotprofile-"`, true),
	)

	DescribeTable("operator spelling: hyphen optional, any case",
		func(src string) {
			Expect(mustParse(src).Match(dev())).To(BeTrue(), src)
		},
		Entry("no hyphen", `device.deviceOSType eq "Windows"`),
		Entry("upper case", `device.deviceOSType -EQ "Windows"`),
		Entry("lower startswith", `device.displayName -startswith "CONTOSO"`),
		Entry("mixed EndsWith", `device.displayName -EndsWith "01"`),
		Entry("notin lower", `device.deviceOSType -notin ["iOS"]`),
		Entry("NOTIN no hyphen", `device.deviceOSType NOTIN ["iOS"]`),
		Entry("AND/OR/NOT no hyphen", `device.deviceOSType eq "x" or not (device.isRooted eq true) and device.accountEnabled eq true`),
		Entry("-Any upper", `device.devicePhysicalIds -ANY (_ -STARTSWITH "[ztdid]")`),
		Entry("any no hyphen", `device.devicePhysicalIds any (_ startsWith "[ZTDId]")`),
		Entry("property case", `DEVICE.DEVICEOSTYPE -eq "Windows"`),
		Entry("no spaces round quotes", `device.deviceOSType -eq"Windows"`),
		Entry("newlines and tabs", "device.deviceOSType\n\t-eq \"Windows\"\r\n-and\tdevice.accountEnabled -eq true"),
		Entry("TRUE upper", `device.accountEnabled -eq TRUE`),
		Entry("NULL upper", `device.deviceCategory -eq NULL`),
	)

	It("prints operators in canonical spelling", func() {
		r := mustParse(`DEVICE.DEVICEPHYSICALIDS ANY _ STARTSWITH "[ZTDId]" AND device.deviceostype NOTIN ['a''b']`)
		Expect(r.String()).To(Equal(`device.devicePhysicalIds -any (_ -startsWith "[ZTDId]") -and device.deviceOSType -notIn ["a'b"]`))
	})
})

var _ = Describe("precedence and parentheses", func() {
	props := rules.Properties{"displayName": "a", "deviceOSType": "b", "deviceModel": "c"}
	DescribeTable("evaluation and canonical printing",
		func(src, printed string, want bool) {
			r := mustParse(src)
			Expect(r.String()).To(Equal(printed))
			Expect(r.Match(props)).To(Equal(want))
		},
		Entry("-and binds tighter than -or",
			`device.displayName -eq "a" -or device.deviceOSType -eq "x" -and device.deviceModel -eq "x"`,
			`device.displayName -eq "a" -or device.deviceOSType -eq "x" -and device.deviceModel -eq "x"`, true),
		Entry("parentheses override",
			`(device.displayName -eq "a" -or device.deviceOSType -eq "x") -and device.deviceModel -eq "x"`,
			`(device.displayName -eq "a" -or device.deviceOSType -eq "x") -and device.deviceModel -eq "x"`, false),
		Entry("-not binds tighter than -and",
			`-not device.displayName -eq "x" -and device.deviceModel -eq "c"`,
			`-not (device.displayName -eq "x") -and device.deviceModel -eq "c"`, true),
		Entry("-not over a parenthesised -or",
			`-not (device.displayName -eq "a" -or device.deviceModel -eq "x")`,
			`-not (device.displayName -eq "a" -or device.deviceModel -eq "x")`, false),
		Entry("right-nested -or keeps its brackets",
			`device.displayName -eq "x" -or (device.deviceOSType -eq "x" -or device.deviceModel -eq "c")`,
			`device.displayName -eq "x" -or (device.deviceOSType -eq "x" -or device.deviceModel -eq "c")`, true),
		Entry("left-nested -or loses redundant brackets",
			`((device.displayName -eq "x" -or device.deviceOSType -eq "x")) -or device.deviceModel -eq "c"`,
			`device.displayName -eq "x" -or device.deviceOSType -eq "x" -or device.deviceModel -eq "c"`, true),
		Entry("paren-less quantifier body is one predicate",
			`device.devicePhysicalIds -any _ -eq "x" -or device.deviceModel -eq "c"`,
			`device.devicePhysicalIds -any (_ -eq "x") -or device.deviceModel -eq "c"`, true),
	)
})

var _ = Describe("values", func() {
	DescribeTable("strings, escapes, null, numbers",
		func(src string, p rules.Properties, want bool) {
			r := mustParse(src)
			Expect(r.Match(p)).To(Equal(want))
			Expect(mustParse(r.String()).String()).To(Equal(r.String()))
		},
		Entry("backtick-escaped quote", "device.displayName -eq \"a`\"b\"", rules.Properties{"displayName": `a"b`}, true),
		Entry("lone backtick is literal", "device.displayName -eq \"a`b\"", rules.Properties{"displayName": "a`b"}, true),
		Entry("single quotes with ''", `device.displayName -eq 'it''s'`, rules.Properties{"displayName": "it's"}, true),
		Entry("double quote inside single quotes", `device.displayName -eq 'say "hi"'`, rules.Properties{"displayName": `say "hi"`}, true),
		Entry("backslash is literal by default", `device.displayName -eq "a\b"`, rules.Properties{"displayName": `a\b`}, true),
		Entry("null absent", `device.deviceModel -eq null`, rules.Properties{}, true),
		Entry("null empty string", `device.deviceModel -eq null`, rules.Properties{"deviceModel": ""}, true),
		Entry("-ne null present", `device.deviceModel -ne null`, rules.Properties{"deviceModel": "x"}, true),
		Entry("positive op on null", `device.deviceModel -startsWith "x"`, rules.Properties{}, false),
		Entry("negative op on null", `device.deviceModel -notContains "x"`, rules.Properties{}, true),
		Entry("-notIn on null", `device.deviceModel -notIn ["x"]`, rules.Properties{}, true),
		Entry("-in on null", `device.deviceModel -in ["x"]`, rules.Properties{}, false),
		Entry("boolean null", `device.accountEnabled -eq null`, rules.Properties{}, true),
		Entry("boolean absent -eq true", `device.accountEnabled -eq true`, rules.Properties{}, false),
		Entry("negative number", `device.extensionAttribute3 -eq -12`, rules.Properties{"extensionAttribute3": "-12"}, true),
		Entry("int property value", `device.extensionAttribute3 -eq 7`, rules.Properties{"extensionAttribute3": 7}, true),
		Entry("int64 property value", `device.extensionAttribute3 -eq 7`, rules.Properties{"extensionAttribute3": int64(7)}, true),
		Entry("case-insensitive key lookup", `device.deviceModel -eq "x"`, rules.Properties{"DEVICEMODEL": "x"}, true),
		Entry("non-ASCII case folding", `device.displayName -startsWith "ÄB"`, rules.Properties{"displayName": "äbc"}, true),
		Entry("non-ASCII contains miss", `device.displayName -contains "ÖX"`, rules.Properties{"displayName": "Bösendorf"}, false),
		Entry("non-ASCII contains hit", `device.displayName -contains "ÖS"`, rules.Properties{"displayName": "Bösendorf"}, true),
	)
})

var _ = Describe("-any / -all and collections", func() {
	DescribeTable("quantifiers",
		func(src string, ids []string, want bool) {
			p := rules.Properties{"devicePhysicalIds": ids}
			Expect(mustParse(src).Match(p)).To(Equal(want), src)
		},
		Entry("-any hit", `device.devicePhysicalIds -any (_ -eq "[OrderID]:A")`, []string{"[ZTDId]:x", "[OrderID]:a"}, true),
		Entry("-any miss", `device.devicePhysicalIds -any (_ -eq "[OrderID]:B")`, []string{"[OrderID]:a"}, false),
		Entry("-any empty", `device.devicePhysicalIds -any (_ -eq "x")`, []string{}, false),
		Entry("-any nil", `device.devicePhysicalIds -any (_ -eq "x")`, nil, false),
		Entry("-all hit", `device.devicePhysicalIds -all (_ -contains ":")`, []string{"a:b", "c:d"}, true),
		Entry("-all miss", `device.devicePhysicalIds -all (_ -contains ":")`, []string{"a:b", "cd"}, false),
		Entry("-all empty is true", `device.devicePhysicalIds -all (_ -eq "x")`, []string{}, true),
		Entry("compound body", `device.devicePhysicalIds -any (_ -startsWith "[OrderID]" -and -not (_ -endsWith "lobby"))`, []string{"[OrderID]:Kiosk-Lobby", "[OrderID]:HAADJ"}, true),
		Entry("compound body miss", `device.devicePhysicalIds -any (_ -startsWith "[OrderID]" -and -not (_ -endsWith "lobby"))`, []string{"[OrderID]:Kiosk-Lobby"}, false),
		Entry("-or body", `device.devicePhysicalIds -any ((_ -eq "a") -or (_ -eq "b"))`, []string{"b"}, true),
		Entry("-in body", `device.devicePhysicalIds -any (_ -in ["x", "[orderid]:y"])`, []string{"[OrderID]:Y"}, true),
		Entry("-match body", `device.devicePhysicalIds -any (_ -match "^\[ZTDId\]:[0-9a-f-]+$")`, []string{"[ZTDID]:6349bbfe-c07a"}, true),
		Entry("direct -startsWith on a collection", `device.devicePhysicalIds -startsWith "[ZTDId]"`, []string{"[HWID]:h", "[ZTDId]:x"}, true),
		Entry("direct -notContains on a collection", `device.devicePhysicalIds -notContains "ZTD"`, []string{"[HWID]:h", "[ZTDId]:x"}, false),
		Entry("collection -eq null when empty", `device.devicePhysicalIds -eq null`, []string{}, true),
		Entry("collection -ne null", `device.devicePhysicalIds -ne null`, []string{"x"}, true),
		Entry("-not -any", `-not (device.devicePhysicalIds -any (_ -startsWith "[ZTDId]"))`, []string{"[HWID]:h"}, true),
	)

	It("reads systemLabels as a collection or a single string", func() {
		r := mustParse(`device.systemLabels -any (_ -eq "M365Managed")`)
		Expect(r.Match(rules.Properties{"systemLabels": []string{"x", "M365Managed"}})).To(BeTrue())
		Expect(r.Match(rules.Properties{"systemLabels": "M365Managed"})).To(BeTrue())
		Expect(r.Match(rules.Properties{"systemLabels": []any{"M365Managed"}})).To(BeTrue())
		Expect(mustParse(`device.systemLabels -startsWith "M365"`).Match(rules.Properties{"systemLabels": "M365Managed"})).To(BeTrue())
	})

	It("supports the memberOf form on its own", func() {
		r := mustParse(`device.memberOf -any (group.objectId -in ['g1', 'g2'])`)
		Expect(r.Match(rules.Properties{"memberOf": []string{"g0", "G2"}})).To(BeTrue())
		Expect(r.Match(rules.Properties{"memberOf": []string{"g3"}})).To(BeFalse())
		Expect(r.String()).To(Equal(`device.memberOf -any (group.objectId -in ["g1", "g2"])`))
	})
})

var _ = Describe("Properties()", func() {
	It("lists the canonical names a rule reads, sorted and unique", func() {
		r := mustParse(`device.DEVICEOSTYPE -eq "Windows" -and (device.devicePhysicalIDs -any (_ -startsWith "[ZTDId]") -or device.deviceOSType -eq "x")`)
		Expect(r.Properties()).To(Equal([]string{"deviceOSType", "devicePhysicalIds"}))
	})
	It("returns a copy", func() {
		r := mustParse(`device.displayName -eq "a"`)
		r.Properties()[0] = "mutated"
		Expect(r.Properties()).To(Equal([]string{"displayName"}))
	})
	It("DeviceProperties lists the A.4 table without organizationalUnit", func() {
		all := rules.DeviceProperties()
		Expect(all).To(ContainElements("devicePhysicalIds", "extensionAttribute15", "enrollmentProfileName", "systemLabels"))
		Expect(all).NotTo(ContainElement("organizationalUnit"))
	})
	It("a nil rule matches nothing", func() {
		var r *rules.Rule
		Expect(r.Match(dev())).To(BeFalse())
		Expect(r.String()).To(BeEmpty())
		Expect(r.Properties()).To(BeNil())
	})
})

var _ = Describe("errors with positions", func() {
	DescribeTable("each error: code, Graph text, position",
		func(src, code, msg string, pos, line, col int) {
			se := syntaxErr(src, rules.Options{})
			Expect(se.Code).To(Equal(code), "%v", se)
			Expect(se.Msg).To(Equal(msg), "%v", se)
			Expect([]int{se.Pos, se.Line, se.Col}).To(Equal([]int{pos, line, col}), "%v", se)
			Expect(se.Error()).To(ContainSubstring(msg))
			Expect(se.Detail).NotTo(BeEmpty())
		},
		Entry("empty rule", "   ", rules.CodeQueryCompilation, "Query compilation error.", 3, 1, 4),
		Entry("missing connective", `(device.deviceOSType -eq "a") (device.deviceOSType -eq "b")`, rules.CodeQueryCompilation, "Query compilation error.", 30, 1, 31),
		Entry("missing connective, line 2", "device.deviceOSType -eq \"a\"\n  device.deviceOSType -eq \"b\"", rules.CodeQueryCompilation, "Query compilation error.", 30, 2, 3),
		Entry("bad regex", `device.displayName -match "*PC"`, rules.CodeQueryCompilation, "Query compilation error.", 26, 1, 27),
		Entry("unknown property", `device.fooBar -eq "x"`, rules.CodeAttributeNotSupported, "Attribute not supported.", 0, 1, 1),
		Entry("organizationalUnit after -and", `device.displayName -eq "x" -and device.organizationalUnit -eq "y"`, rules.CodeAttributeNotSupported, "Attribute not supported.", 32, 1, 33),
		Entry("-contains on boolean", `device.isRooted -contains true`, rules.CodeOperatorNotSupported, "Operator isn't supported on attribute.", 16, 1, 17),
		Entry("-in on boolean", `device.isRooted -in [true]`, rules.CodeOperatorNotSupported, "Operator isn't supported on attribute.", 16, 1, 17),
		Entry("-any on a string", `device.displayName -any (_ -eq "x")`, rules.CodeOperatorNotSupported, "Operator isn't supported on attribute.", 19, 1, 20),
		Entry("-le on a string", `device.displayName -le "x"`, rules.CodeOperatorNotSupported, "Operator isn't supported on attribute.", 19, 1, 20),
		Entry("-all on memberOf", `device.memberOf -all (group.objectId -in ['a'])`, rules.CodeOperatorNotSupported, "Operator isn't supported on attribute.", 16, 1, 17),
		Entry("no object", `displayName -eq "x"`, rules.CodeNoObjectType, "No object type", 0, 1, 1),
		Entry("unknown object", `computer.displayName -eq "x"`, rules.CodeNoObjectType, "No object type", 0, 1, 1),
		Entry("user. object", `user.department -eq "Sales"`, rules.CodeInvalidObjectType, "Invalid object type.", 0, 1, 1),
		Entry("-not as comparison", `device.deviceCategory -not null`, rules.CodeQueryCompilation, "Query compilation error.", 22, 1, 23),
		Entry("-not -not", `-not -not device.isRooted -eq true`, rules.CodeQueryCompilation, "Query compilation error.", 5, 1, 6),
		Entry("x -not -eq y", `device.isRooted -not -eq true`, rules.CodeQueryCompilation, "Query compilation error.", 16, 1, 17),
		Entry("unclosed quantifier", `device.devicePhysicalIds -any (_ -eq "x"`, rules.CodeQueryCompilation, "Query compilation error.", 40, 1, 41),
		Entry("unclosed paren", `(device.displayName -eq "x"`, rules.CodeQueryCompilation, "Query compilation error.", 27, 1, 28),
		Entry("stray ')'", `device.displayName -eq "x")`, rules.CodeQueryCompilation, "Query compilation error.", 26, 1, 27),
		Entry("unterminated string", `device.displayName -eq "x`, rules.CodeQueryCompilation, "Query compilation error.", 23, 1, 24),
		Entry("unquoted string", `device.displayName -eq Windows`, rules.CodeQueryCompilation, "Query compilation error.", 23, 1, 24),
		Entry("$null", `device.displayName -eq $null`, rules.CodeQueryCompilation, "Query compilation error.", 23, 1, 24),
		Entry("en dash", "device.displayName \u2013eq \"x\"", rules.CodeQueryCompilation, "Query compilation error.", 19, 1, 20),
		Entry("unknown operator", `device.displayName -like "x"`, rules.CodeQueryCompilation, "Query compilation error.", 19, 1, 20),
		Entry("missing operand", `device.displayName -eq`, rules.CodeQueryCompilation, "Query compilation error.", 22, 1, 23),
		Entry("trailing -and", `device.displayName -eq "x" -and`, rules.CodeQueryCompilation, "Query compilation error.", 31, 1, 32),
		Entry("bad character", `device.displayName -eq "x" & device.isRooted -eq true`, rules.CodeQueryCompilation, "Query compilation error.", 27, 1, 28),
		Entry("decimal number", `device.displayName -eq 1.5`, rules.CodeQueryCompilation, "Query compilation error.", 23, 1, 24),
		Entry("huge number", `device.displayName -eq 99999999999999999999`, rules.CodeQueryCompilation, "Query compilation error.", 23, 1, 24),
		Entry("unclosed array", `device.displayName -in ["a"`, rules.CodeQueryCompilation, "Query compilation error.", 27, 1, 28),
		Entry("array without comma", `device.displayName -in ["a" "b"]`, rules.CodeQueryCompilation, "Query compilation error.", 28, 1, 29),
		Entry("_ at top level", `_ -eq "x"`, rules.CodeQueryCompilation, "Query compilation error.", 0, 1, 1),
		Entry("null with -startsWith", `device.displayName -startsWith null`, rules.CodeInvalidOperands, "Invalid operands found for operator.", 31, 1, 32),
		Entry("null inside -in", `device.displayName -in ["a", null]`, rules.CodeInvalidOperands, "Invalid operands found for operator.", 29, 1, 30),
		Entry("-in without array", `device.displayName -in "a"`, rules.CodeInvalidOperands, "Invalid operands found for operator.", 23, 1, 24),
		Entry("array after -eq", `device.displayName -eq ["a"]`, rules.CodeInvalidOperands, "Invalid operands found for operator.", 23, 1, 24),
		Entry("boolean on a string", `device.displayName -eq true`, rules.CodeInvalidOperands, "Invalid operands found for operator.", 23, 1, 24),
		Entry("string on a boolean", `device.accountEnabled -eq "yes"`, rules.CodeInvalidOperands, "Invalid operands found for operator.", 26, 1, 27),
		Entry("property inside -all body", `device.devicePhysicalIds -all (device.displayName -eq "x")`, rules.CodeInvalidOperands, "Invalid operands found for operator.Invalid operands found for operator -all", 31, 1, 32),
		Entry("nested quantifier", `device.devicePhysicalIds -any (_ -any (_ -eq "x"))`, rules.CodeInvalidOperands, "Invalid operands found for operator.Invalid operands found for operator -any", 33, 1, 34),
		Entry("paren-less body not an item", `device.devicePhysicalIds -any "x"`, rules.CodeInvalidOperands, "Invalid operands found for operator.Invalid operands found for operator -any", 30, 1, 31),
		Entry("memberOf combined", `device.memberOf -any (group.objectId -in ['a']) -and device.isRooted -eq false`, rules.CodeMemberOf, "The memberOf attribute can't be used with other rules or operators.", 0, 1, 1),
		Entry("memberOf with _", `device.memberOf -any (_ -in ['a'])`, rules.CodeInvalidOperands, "Invalid operands found for operator.Invalid operands found for operator -any", 22, 1, 23),
		Entry("memberOf with -eq", `device.memberOf -any (group.objectId -eq 'a')`, rules.CodeInvalidOperands, "Invalid operands found for operator.Invalid operands found for operator -any", 37, 1, 38),
		Entry("too long", longRule(3073), rules.CodeRuleTooLong, "The rule exceeds the maximum length of 3072 characters.", 3072, 1, 3073),
	)

	It("formats Error() with line, column and detail", func() {
		se := syntaxErr(`device.fooBar -eq "x"`, rules.Options{})
		Expect(se.Error()).To(Equal(`rules: 1:1: Attribute not supported. (device has no property "fooBar")`))
		Expect(se.GraphMessage()).To(Equal("Dynamic membership rule validation error: Attribute not supported."))
	})
})

var _ = Describe("the length limit", func() {
	It("accepts exactly 3,072 characters and rejects 3,073", func() {
		_, err := rules.Parse(longRule(3072))
		Expect(err).NotTo(HaveOccurred())
		_, err = rules.Parse(longRule(3073))
		Expect(err).To(HaveOccurred())
	})
	It("counts characters, not bytes", func() {
		head := `device.displayName -eq "`
		src := head + strings.Repeat("é", 3072-len(head)-1) + `"`
		_, err := rules.Parse(src)
		Expect(err).NotTo(HaveOccurred())
	})
	It("honours Options.MaxLength (2,048 in the 2019 service)", func() {
		se := syntaxErr(longRule(2049), rules.Options{MaxLength: 2048})
		Expect(se.Code).To(Equal(rules.CodeRuleTooLong))
		Expect(se.Msg).To(ContainSubstring("2048"))
	})
})

var _ = Describe("Options (the UNCERTAIN switch)", func() {
	It("CaseSensitiveValues", func() {
		r, err := rules.ParseWith(`device.deviceOSType -eq "windows"`, rules.Options{CaseSensitiveValues: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Match(dev())).To(BeFalse())
		r, err = rules.ParseWith(`device.displayName -match "pc"`, rules.Options{CaseSensitiveValues: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Match(dev())).To(BeFalse())
	})
	It("CaseSensitiveProperties", func() {
		se := syntaxErr(`device.devicePhysicalIDs -any (_ -eq "x")`, rules.Options{CaseSensitiveProperties: true})
		Expect(se.Code).To(Equal(rules.CodeAttributeNotSupported))
		_, err := rules.ParseWith(`device.devicePhysicalIds -any (_ -eq "x")`, rules.Options{CaseSensitiveProperties: true})
		Expect(err).NotTo(HaveOccurred())
	})
	It("RejectParenlessQuantifier", func() {
		se := syntaxErr(`(device.devicePhysicalIDs -any _ -startsWith "[ZTDId]")`, rules.Options{RejectParenlessQuantifier: true})
		Expect(se.Code).To(Equal(rules.CodeInvalidOperands))
		Expect(se.Pos).To(Equal(31))
	})
	It("NullFailsNegativeOperators", func() {
		r, err := rules.ParseWith(`device.deviceCategory -ne "BYOD"`, rules.Options{NullFailsNegativeOperators: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Match(dev())).To(BeFalse())
	})
	It("BackslashEscape", func() {
		r, err := rules.ParseWith(`device.displayName -eq "a\"b\\c"`, rules.Options{BackslashEscape: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Match(rules.Properties{"displayName": `a"b\c`})).To(BeTrue())
		Expect(r.String()).To(Equal(`device.displayName -eq 'a"b\c'`))
	})
	It("AcceptEnDash", func() {
		r, err := rules.ParseWith("device.deviceOSType \u2013eq \"Windows\" \u2013and device.isRooted \u2013ne true", rules.Options{AcceptEnDash: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Match(dev())).To(BeTrue())
	})
	It("RejectQuotedBooleans", func() {
		se := syntaxErr(`device.accountEnabled -eq "true"`, rules.Options{RejectQuotedBooleans: true})
		Expect(se.Code).To(Equal(rules.CodeInvalidOperands))
	})
})

var _ = Describe("the Autopilot seed forms", func() {
	// seed 000_0f0e88d49ffaae66.txt, "Create a device group".
	DescribeTable("parse and match a registered device with group tag and PO",
		func(src string) {
			p := rules.Properties{"devicePhysicalIds": []string{
				"[ZTDId]:6349bbfe-c07a-444c-a7e0-eee62553f000",
				"[OrderID]:179887111881",
				"[PurchaseOrderId]:76222342342",
			}}
			r := mustParse(src)
			Expect(r.Match(p)).To(BeTrue())
			Expect(r.Match(rules.Properties{"devicePhysicalIds": []string{"[HWID]:h:1"}})).To(BeFalse())
		},
		Entry("all Autopilot devices", `(device.devicePhysicalIDs -any _ -startsWith "[ZTDId]")`),
		Entry("group tag", `(device.devicePhysicalIds -any _ -eq "[OrderID]:179887111881")`),
		Entry("purchase order", `(device.devicePhysicalIds -any _ -eq "[PurchaseOrderId]:76222342342")`),
		Entry("memdocs 2022", `(device.devicePhysicalIDs -any (_ -contains "[ZTDID]"))`),
		Entry("memdocs current", `(device.devicePhysicalIDs -any (_ -startsWith "[ZTDid]"))`),
		Entry("2019 azure-docs", `(device.devicePhysicalIDs -any _ -contains "[ZTDId]")`),
	)
})

var _ = Describe("GraphField", func() {
	DescribeTable("maps rule properties to Graph device fields (A.4)",
		func(prop, field string, ok bool) {
			f, found := rules.GraphField(prop)
			Expect(found).To(Equal(ok))
			Expect(f).To(Equal(field))
		},
		Entry("deviceOSType", "deviceOSType", "operatingSystem", true),
		Entry("devicePhysicalIDs", "devicePhysicalIDs", "physicalIds", true),
		Entry("objectId", "objectId", "id", true),
		Entry("extensionAttribute7", "extensionAttribute7", "extensionAttributes.extensionAttribute7", true),
		Entry("organizationalUnit", "organizationalUnit", "", false),
	)
})

var _ = Describe("Comparisons", func() {
	It("lists each comparison with the collection a quantifier reads", func() {
		r, err := rules.Parse(`(device.devicePhysicalIds -any (_ -eq "[OrderID]:SALES")) -and -not (device.deviceOSType -in ["Windows", "iOS"])`)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Comparisons()).To(Equal([]rules.Comparison{
			{Property: "devicePhysicalIds", Operator: "eq", Values: []string{"[OrderID]:SALES"}},
			{Property: "deviceOSType", Operator: "in", Negated: true, Values: []string{"Windows", "iOS"}},
		}))
	})
})
