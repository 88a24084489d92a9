package mockgraph

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// jsonEncoder must write what json.Marshal writes (listjson.go).
func encodeBoth(v any) (got, want string, err error) {
	var enc jsonEncoder
	b, err := enc.append(nil, v, 0)
	if err != nil {
		return "", "", err
	}
	w, err := json.Marshal(v)
	return string(b), string(w), err
}

var _ = Describe("list page JSON", func() {
	at := time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)
	DescribeTable("matches json.Marshal",
		func(v any) {
			got, want, err := encodeBoth(v)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("plain strings", map[string]any{"b": "x", "a": "y", "@odata.type": "#t"}),
		Entry("HTML and quotes", map[string]any{"s": `<a href="x">&amp;</a> \ /`}),
		Entry("control, line separators, non-ASCII", map[string]any{"s": "\x00\x01\b\f\n\r\t\x7f\u2028\u2029é😀"}),
		Entry("invalid UTF-8", map[string]any{"s": "a\xffb\xc3"}),
		Entry("escaped keys", map[string]any{"<k>": 1, "k\u2028": 2, "\xff": 3}),
		Entry("numbers", map[string]any{"i": 42, "n": -7, "i64": int64(math.MinInt64), "f": 1.5, "big": 1e21, "small": 1e-7, "u8": uint8(3)}),
		Entry("null, bools, times", map[string]any{"n": nil, "t": true, "f": false, "at": at, "p": &at, "np": (*time.Time)(nil)}),
		Entry("nil and empty collections", map[string]any{"a": []any(nil), "b": []any{}, "c": []string(nil), "d": []string{}, "m": map[string]any(nil), "e": map[string]any{}}),
		Entry("nested", map[string]any{"value": []any{map[string]any{"x": []string{"p", "<q>"}, "y": map[string]any{"z": []any{1, "2", nil}}}}}),
		Entry("other types", map[string]any{"ms": map[string]string{"b": "1", "a": "2"}, "bytes": []byte("hi"), "lm": []map[string]any{{"k": "v"}}}),
		Entry("a page whose entities change keys", map[string]any{"value": []any{
			map[string]any{"a": "1", "b": "2"}, map[string]any{"a": "1", "c": "2"}, map[string]any{"b": "1", "c": "2"},
			map[string]any{"a": "1", "b": "2", "c": "3"}, map[string]any{"c": "1", "b": "2"},
		}}),
	)

	It("reserves at most maxListReserve after a large first element among small ones", func() {
		list := []any{strings.Repeat("h", 1<<20)}
		for range 10_000 {
			list = append(list, "x")
		}
		var enc jsonEncoder
		b, err := enc.append(nil, map[string]any{"value": list}, 0)
		Expect(err).NotTo(HaveOccurred())
		want, err := json.Marshal(map[string]any{"value": list})
		Expect(err).NotTo(HaveOccurred())
		Expect(b).To(Equal(want))
		Expect(cap(b)).To(BeNumerically("<=", 2*(1<<20)+maxListReserve), "not 1 MB times 10,000")
	})

	It("reports what json.Marshal refuses", func() {
		_, _, err := encodeBoth(map[string]any{"f": math.NaN()})
		Expect(err).To(HaveOccurred())
	})
})

// FuzzListJSON compares the encoder with json.Marshal on any JSON
// document, and on any string as a key and a value.
func FuzzListJSON(f *testing.F) {
	f.Add(`{"a":[1,"<b>",null,true,{"c":"\u2028"}]}`, "k", "v")
	f.Add(`[]`, "\xff", "a\"b\\c")
	f.Fuzz(func(t *testing.T, doc, key, val string) {
		var v any
		if json.Unmarshal([]byte(doc), &v) == nil {
			got, want, err := encodeBoth(v)
			if err != nil || got != want {
				t.Fatalf("%q: got %s, want %s (%v)", doc, got, want, err)
			}
		}
		m := map[string]any{key: val, "list": []any{val, map[string]any{val: key}}, "strs": []string{key, val}}
		got, want, err := encodeBoth(m)
		if err != nil || got != want {
			t.Fatalf("got %s, want %s (%v)", got, want, err)
		}
	})
}
