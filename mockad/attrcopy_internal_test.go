package mockad

import (
	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = ginkgo.Describe("packAttrs (an entry's attributes as a committed write stores them)", func() {
	vals := func(attrs []*attr) map[string][]string {
		out := map[string][]string{}
		for _, a := range attrs {
			out[a.name] = append([]string(nil), a.vals...)
		}
		return out
	}
	ginkgo.It("keeps every name and value, empty ones and lists included, in the same order", func() {
		in := []*attr{{name: "cn", vals: []string{"AP-1"}}, {name: "servicePrincipalName", vals: []string{"HOST/AP-1", "", "HOST/ap-1.corp"}},
			{name: "empty"}, {name: "objectGUID", vals: []string{"\x00\x01\xff"}}}
		want := vals(in)
		out := packAttrs(in)
		Expect(vals(out)).To(Equal(want))
		Expect(out).To(HaveLen(len(in)))
		for i := range in {
			Expect(out[i].name).To(Equal(in[i].name))
		}
		Expect(out[2].vals).To(BeNil()) // an empty list stays nil, as copyAttrs keeps it
	})
	ginkgo.It("is a copy: changing the entry afterwards leaves the other side alone", func() {
		in := []*attr{{name: "a", vals: []string{"x", "y"}}, {name: "b", vals: []string{"z"}}}
		out := packAttrs(in)
		e := &entry{attrs: out}
		e.set("a", "changed")
		out[1].vals = append(out[1].vals, "more") // capped: reallocates, does not run into a's values
		Expect(in[0].vals).To(Equal([]string{"x", "y"}))
		Expect(in[1].vals).To(Equal([]string{"z"}))
		Expect(e.first("a")).To(Equal("changed"))
		Expect(out[1].vals).To(Equal([]string{"z", "more"}))
	})
})
