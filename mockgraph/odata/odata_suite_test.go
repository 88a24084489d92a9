package odata_test

import (
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph/odata"
)

func TestOData(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "odata")
}

var device = map[string]any{
	"displayName":          "LAB-WS-01",
	"accountEnabled":       true,
	"trustType":            "ServerAd",
	"deviceVersion":        float64(2),
	"physicalIds":          []any{"[ZTDID]:abc", "[OrderId]:HAADJ"},
	"groupTypes":           []string{"DynamicMembership"},
	"registrationDateTime": "2026-01-05T09:00:00Z",
	"target":               map[string]any{"groupId": "g1"},
}

var _ = Describe("filter", func() {
	DescribeTable("matches",
		func(src string, want bool) {
			e, err := odata.ParseFilter(src)
			Expect(err).NotTo(HaveOccurred())
			Expect(odata.Match(e, device)).To(Equal(want))
		},
		Entry("eq case-insensitive", "displayName eq 'lab-ws-01'", true),
		Entry("ne", "displayName ne 'x'", true),
		Entry("startswith", "startswith(displayName,'LAB')", true),
		Entry("endswith", "endswith(displayName,'02')", false),
		Entry("contains", "contains(displayName,'WS')", true),
		Entry("and/or precedence", "displayName eq 'x' and trustType eq 'x' or accountEnabled eq true", true),
		Entry("not", "not (accountEnabled eq true)", false),
		Entry("bool literal", "accountEnabled eq false", false),
		Entry("number", "deviceVersion ge 2", true),
		Entry("null", "missing eq null", true),
		Entry("in", "trustType in ('AzureAd','ServerAd')", true),
		Entry("any with var", "physicalIds/any(p:startswith(p,'[ZTDID]'))", true),
		Entry("any on []string", "groupTypes/any(c:c eq 'DynamicMembership')", true),
		Entry("all", "physicalIds/all(p:startswith(p,'['))", true),
		Entry("bodiless any", "physicalIds/any()", true),
		Entry("datetime gt", "registrationDateTime gt 2026-01-05T08:00:00Z", true),
		Entry("datetime lt", "registrationDateTime lt 2026-01-05T08:00:00Z", false),
		Entry("nested path", "target/groupId eq 'g1'", true),
		Entry("quote escape", "displayName eq 'it''s'", false),
	)

	DescribeTable("malformed input is a SyntaxError, never a panic",
		func(src, msg string) {
			_, err := odata.ParseFilter(src)
			Expect(err).To(HaveOccurred())
			var se *odata.SyntaxError
			Expect(err).To(BeAssignableToTypeOf(se))
			Expect(err.Error()).To(ContainSubstring(msg))
		},
		Entry("empty", "", "empty"),
		Entry("dangling operator", "displayName eq", "unexpected end"),
		Entry("unterminated string", "displayName eq 'abc", "unterminated"),
		Entry("unbalanced paren", "(displayName eq 'a'", "expected ')'"),
		Entry("bad char", "displayName # 'a'", "unexpected character"),
		Entry("wrong arity", "startswith(displayName)", "takes 2 arguments"),
		Entry("not a predicate", "displayName", "Boolean"),
		Entry("trailing", "a eq 'b' c", "after end"),
		Entry("bad datetime", "x gt 2026-13-45T99:00:00Z", "datetime"),
		Entry("lambda without colon", "ids/any(p startswith(p,'a'))", "':'"),
		Entry("deep nesting", func() string {
			s := ""
			for i := 0; i < 100; i++ {
				s += "("
			}
			return s + "a eq 'b'"
		}(), "nested too deeply"),
	)

	It("parses datetime literals as UTC times", func() {
		e, err := odata.ParseFilter("t gt 2026-01-05T10:00:00+02:00")
		Expect(err).NotTo(HaveOccurred())
		Expect(e.(odata.Binary).R.(odata.Lit).Value).To(Equal(time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)))
	})
})

var _ = Describe("orderby and select", func() {
	It("sorts by several keys", func() {
		items := []map[string]any{{"a": "x", "b": float64(2)}, {"a": "x", "b": float64(1)}, {"a": "w", "b": float64(3)}}
		keys, err := odata.ParseOrderBy("a desc, b")
		Expect(err).NotTo(HaveOccurred())
		odata.Sort(items, keys)
		Expect(items[0]["b"]).To(Equal(float64(1)))
		Expect(items[2]["a"]).To(Equal("w"))
	})
	DescribeTable("rejects malformed options",
		func(f func() error) { Expect(f()).To(HaveOccurred()) },
		Entry("orderby direction", func() error { _, err := odata.ParseOrderBy("a sideways"); return err }),
		Entry("orderby empty item", func() error { _, err := odata.ParseOrderBy("a,,b"); return err }),
		Entry("select junk", func() error { _, err := odata.ParseSelect("a,b c"); return err }),
	)
})
