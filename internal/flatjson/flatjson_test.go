package flatjson_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unsafe"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/internal/flatjson"
)

// profileBody is the shape of mockgraph's profile request: the bodies
// Decode is for.
type profileBody struct {
	SerialNumber string `json:"serialNumber"`
	HardwareHash string `json:"hardwareHash,omitempty"`
	Model        string
}

// Shapes Decode must refuse, each for one reason.
type (
	withInt struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	withOption struct {
		Name string `json:"name,string"`
	}
	withSkipped struct {
		Name string `json:"name"`
		Skip string `json:"-"`
	}
	withOddName struct {
		Name string `json:"na-me"`
	}
	withUnexported struct {
		Name string `json:"name"`
		note string
	}
	namedString string
	withNamed   struct {
		Name namedString `json:"name"`
	}
	inner     struct{ Name string }
	withEmbed struct {
		inner
		Other string
	}
	withSameName struct {
		A string // named A by its field name
		B string `json:"A"`
	}
	tooMany struct {
		F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15, F16 string
	}
)

// decodeLikeJSON runs Decode, and json.Unmarshal on a copy of the same
// starting value: where Decode handles data, both must have stored the
// same; where it does not, it must have stored nothing.
func decodeLikeJSON(data string, start profileBody) (profileBody, bool) {
	got, want := start, start
	handled := flatjson.Decode([]byte(data), &got)
	if handled {
		Expect(json.Unmarshal([]byte(data), &want)).To(Succeed(), "encoding/json accepts what Decode handled")
		Expect(got).To(Equal(want))
	} else {
		Expect(got).To(Equal(start), "a body Decode does not handle leaves the struct untouched")
	}
	return got, handled
}

var _ = Describe("Decode", func() {
	start := profileBody{SerialNumber: "before", HardwareHash: "before", Model: "before"}

	DescribeTable("handles a flat object of plain strings and stores what json.Unmarshal stores",
		func(data string, want profileBody) {
			got, handled := decodeLikeJSON(data, start)
			Expect(handled).To(BeTrue())
			Expect(got).To(Equal(want))
		},
		Entry("every field", `{"serialNumber":"SN1","hardwareHash":"aGFzaA==","Model":"Surface"}`,
			profileBody{SerialNumber: "SN1", HardwareHash: "aGFzaA==", Model: "Surface"}),
		Entry("some fields: the others keep their values", `{"serialNumber":"SN1"}`,
			profileBody{SerialNumber: "SN1", HardwareHash: "before", Model: "before"}),
		Entry("no members", `{}`, start),
		Entry("whitespace everywhere JSON allows it", " \t\r\n{ \"serialNumber\" :\n\"SN1\" ,\t\"Model\": \"\" } \n",
			profileBody{SerialNumber: "SN1", HardwareHash: "before", Model: ""}),
		Entry("a later member of the same key wins", `{"serialNumber":"a","serialNumber":"b"}`,
			profileBody{SerialNumber: "b", HardwareHash: "before", Model: "before"}),
		Entry("UTF-8 and characters JavaScript escapes", "{\"Model\":\"Café \u2028 </script>\"}",
			profileBody{SerialNumber: "before", HardwareHash: "before", Model: "Café \u2028 </script>"}),
		Entry("a 4 KB hardware hash", `{"hardwareHash":"`+strings.Repeat("QUJD", 1024)+`"}`,
			profileBody{SerialNumber: "before", HardwareHash: strings.Repeat("QUJD", 1024), Model: "before"}),
	)

	DescribeTable("leaves to encoding/json every body that is not a flat object of plain strings naming the fields exactly",
		func(data string) {
			_, handled := decodeLikeJSON(data, start)
			Expect(handled).To(BeFalse())
		},
		Entry("empty", ``),
		Entry("only whitespace", "  \n"),
		Entry("an array", `["a"]`),
		Entry("null", `null`),
		Entry("a string", `"text"`),
		Entry("an escape in a value", `{"serialNumber":"a\"b"}`),
		Entry("a unicode escape in a value", `{"serialNumber":"\u0041"}`),
		Entry("an escape in a key", `{"serial\u004eumber":"a"}`),
		Entry("a control character in a value", "{\"serialNumber\":\"a\tb\"}"),
		Entry("invalid UTF-8 (encoding/json stores U+FFFD)", "{\"serialNumber\":\"a\xffb\"}"),
		Entry("an encoded surrogate half", "{\"serialNumber\":\"\xed\xa0\x80\"}"),
		Entry("a key in another case (encoding/json matches it)", `{"SerialNumber":"a"}`),
		Entry("a key no field has (encoding/json ignores it)", `{"other":"a"}`),
		Entry("a number", `{"serialNumber":1}`),
		Entry("null for a field", `{"serialNumber":null}`),
		Entry("an object for a field", `{"serialNumber":{}}`),
		Entry("an array for a field", `{"serialNumber":["a"]}`),
		Entry("true", `{"serialNumber":true}`),
		Entry("data after the object", `{"serialNumber":"a"}x`),
		Entry("a second object", `{"serialNumber":"a"} {}`),
		Entry("a trailing comma", `{"serialNumber":"a",}`),
		Entry("a missing colon", `{"serialNumber" "a"}`),
		Entry("a missing comma", `{"serialNumber":"a" "Model":"b"}`),
		Entry("an unterminated string", `{"serialNumber":"a`),
		Entry("an unterminated object", `{"serialNumber":"a"`),
		Entry("a missing value", `{"serialNumber":}`),
		Entry("a byte order mark", "\ufeff{}"),
		Entry("form feed, not JSON whitespace", "\f{}"),
	)

	DescribeTable("refuses structs encoding/json treats in ways of its own, for a body naming their fields",
		func(v any, body string) {
			Expect(flatjson.Decode([]byte(body), v)).To(BeFalse())
		},
		Entry("a field that is not a string", &withInt{}, `{"name":"a"}`),
		Entry("the ,string option", &withOption{}, `{"name":"a"}`),
		Entry(`a field tagged "-"`, &withSkipped{}, `{"name":"a"}`),
		Entry("a name encoding/json may not take as written", &withOddName{}, `{"na-me":"a"}`),
		Entry("an unexported field", &withUnexported{}, `{"name":"a"}`),
		Entry("a named string type (it may unmarshal itself)", &withNamed{}, `{"name":"a"}`),
		Entry("an embedded struct", &withEmbed{}, `{"Other":"a"}`),
		Entry("two fields of one name", &withSameName{}, `{"A":"a"}`),
		Entry("more fields than it holds", &tooMany{}, `{"F0":"a"}`),
		Entry("a struct, not a pointer to one", profileBody{}, `{"Model":"a"}`),
		Entry("a nil pointer", (*profileBody)(nil), `{"Model":"a"}`),
		Entry("a pointer to a string", new(string), `{"Model":"a"}`),
		Entry("a map", &map[string]string{}, `{"Model":"a"}`),
		Entry("nil", nil, `{"Model":"a"}`),
	)

	It("takes a struct of sixteen string fields, the most it holds", func() {
		var v struct {
			F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15 string
		}
		Expect(flatjson.Decode([]byte(`{"F0":"a","F15":"b"}`), &v)).To(BeTrue())
		Expect(v.F0 + v.F15).To(Equal("ab"))
	})

	It("stores copies: no field shares the input's bytes, which the caller reuses", func() {
		data := []byte(`{"serialNumber":"SN1","Model":"Surface"}`)
		var got profileBody
		Expect(flatjson.Decode(data, &got)).To(BeTrue())
		lo, hi := uintptr(unsafe.Pointer(&data[0])), uintptr(unsafe.Pointer(&data[len(data)-1]))
		for _, s := range []string{got.SerialNumber, got.Model} {
			p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
			Expect(p < lo || p > hi).To(BeTrue(), "%q points into the input", s)
		}
		copy(data, strings.Repeat("x", len(data)))
		Expect(got).To(Equal(profileBody{SerialNumber: "SN1", Model: "Surface"}))
	})
})

// FuzzDecode holds Decode to json.Unmarshal: for any input, where Decode
// handles it, json.Unmarshal succeeds and stores the same; where it does
// not, the struct is untouched.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"serialNumber":"SN1","hardwareHash":"aGFzaA==","Model":"Surface"}`, `{}`, ` { "Model" : "x" } `,
		`{"serialNumber":"a","serialNumber":"b"}`, `{"serialnumber":"a"}`, `{"serialNumber":"a\"b"}`,
		"{\"Model\":\"Caf\xc3\xa9\"}", "{\"Model\":\"\xff\"}", `{"serialNumber":1}`, `{"x":"y"}`, `{"Model":"a"}x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := profileBody{SerialNumber: "s", HardwareHash: "h", Model: "m"}
		got, want := start, start
		if flatjson.Decode(data, &got) {
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatalf("Decode handled %q, json.Unmarshal refuses it: %v", data, err)
			}
			if got != want {
				t.Fatalf("%q: Decode stored %+v, json.Unmarshal %+v", data, got, want)
			}
		} else if got != start {
			t.Fatalf("%q: not handled, yet the struct changed to %+v", data, got)
		}
	})
}
