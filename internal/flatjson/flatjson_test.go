package flatjson_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
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

// importBody is the shape of an Autopilot import: an array of objects
// behind a pointer, and a map that the simulation's bodies leave out.
type importBody struct {
	Devices *[]importItem  `json:"importedWindowsAutopilotDeviceIdentities"`
	Value   []importItem   `json:"value"`
	State   map[string]any `json:"state"`
	Extra   any            `json:"extra"`
}

type importItem struct {
	ODataType    string         `json:"@odata.type"`
	SerialNumber string         `json:"serialNumber"`
	N            int            `json:"n"`
	State        map[string]any `json:"state"`
}

// enrollAnswer is the shape of a device's enrollment answer: nested
// structs, numbers, booleans and a pointer that may be null.
type enrollAnswer struct {
	ManagedDeviceID string  `json:"managedDeviceId"`
	ODJRequestID    *string `json:"odjRequestId"`
	Success         *bool   `json:"success"`
	ESP             struct {
		TimeoutMinutes int  `json:"timeoutMinutes"`
		SkipUserStatus bool `json:"skipUserStatusPage"`
	} `json:"esp"`
	Profile *struct {
		ID   string `json:"id"`
		OOBE struct {
			UserType string `json:"userType"`
		} `json:"outOfBoxExperienceSetting"`
	} `json:"profile"`
}

// Shapes Decode must refuse, each for one reason.
type (
	withFloat struct {
		Name  string  `json:"name"`
		Ratio float64 `json:"ratio"`
	}
	withInt64 struct {
		Name  string `json:"name"`
		Count int64  `json:"count"`
	}
	withSlice struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	withMap struct {
		Name string            `json:"name"`
		Tags map[string]string `json:"tags"`
	}
	withAny struct {
		Name  string `json:"name"`
		Extra any    `json:"extra"`
	}
	withTime struct {
		Name string    `json:"name"`
		When time.Time `json:"when"`
	}
	withPtrInt struct {
		Name  string `json:"name"`
		Count *int   `json:"count"`
	}
	withNestedBad struct {
		Name  string `json:"name"`
		Inner struct {
			Ratio float64 `json:"ratio"`
		} `json:"inner"`
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
	selfUnmarshaler struct{ Name string }
	withUnmarshaler struct {
		Name  string          `json:"name"`
		Inner selfUnmarshaler `json:"inner"`
	}
)

func (s *selfUnmarshaler) UnmarshalJSON([]byte) error { s.Name = "custom"; return nil }

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

	DescribeTable("handles an object of plain strings and stores what json.Unmarshal stores",
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
		Entry("a key no field has: skipped, as encoding/json skips it", `{"other":"a","serialNumber":"SN1"}`,
			profileBody{SerialNumber: "SN1", HardwareHash: "before", Model: "before"}),
		Entry("null for a string: no change, as in encoding/json", `{"serialNumber":null}`, start),
	)

	DescribeTable("leaves to encoding/json every body that is not an object of plain strings for these fields",
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
		Entry("a number", `{"serialNumber":1}`),
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
		Entry("a float field", &withFloat{}, `{"name":"a"}`),
		Entry("an int64 field (only int is taken)", &withInt64{}, `{"name":"a"}`),
		Entry("a slice of strings (only slices of structs are taken)", &withSlice{}, `{"name":"a"}`),
		Entry("a map field's value (a map is taken only from null)", &withMap{}, `{"name":"a","tags":{"x":"y"}}`),
		Entry("an interface field's value (likewise)", &withAny{}, `{"name":"a","extra":"x"}`),
		Entry("a time.Time field (it unmarshals itself)", &withTime{}, `{"name":"a"}`),
		Entry("a struct that unmarshals itself", &withUnmarshaler{}, `{"name":"a"}`),
		Entry("a pointer to an int", &withPtrInt{}, `{"name":"a"}`),
		Entry("a nested struct with a field of another kind", &withNestedBad{}, `{"name":"a"}`),
		Entry("the ,string option", &withOption{}, `{"name":"a"}`),
		Entry(`a field tagged "-"`, &withSkipped{}, `{"name":"a"}`),
		Entry("a name encoding/json may not take as written", &withOddName{}, `{"na-me":"a"}`),
		Entry("an unexported field", &withUnexported{}, `{"name":"a"}`),
		Entry("a named string type (it may unmarshal itself)", &withNamed{}, `{"name":"a"}`),
		Entry("an embedded struct", &withEmbed{}, `{"Other":"a"}`),
		Entry("two fields of one name", &withSameName{}, `{"A":"a"}`),
		Entry("a struct, not a pointer to one", profileBody{}, `{"Model":"a"}`),
		Entry("a nil pointer", (*profileBody)(nil), `{"Model":"a"}`),
		Entry("a pointer to a string", new(string), `{"Model":"a"}`),
		Entry("a map", &map[string]string{}, `{"Model":"a"}`),
		Entry("nil", nil, `{"Model":"a"}`),
	)

	DescribeTable("decodes numbers, booleans, nulls, nested objects and members no field names as json.Unmarshal does",
		func(data string) {
			got, want := enrollAnswer{}, enrollAnswer{}
			Expect(flatjson.Decode([]byte(data), &got)).To(BeTrue())
			Expect(json.Unmarshal([]byte(data), &want)).To(Succeed())
			Expect(got).To(Equal(want))
		},
		Entry("an enrollment answer", `{"managedDeviceId":"md1","odjRequestId":"q1","domainJoinProfileId":null,`+
			`"esp":{"timeoutMinutes":60,"hybridExtraMinutes":40,"skipUserStatusPage":false}}`),
		Entry("null for a pointer, a struct and a string", `{"odjRequestId":null,"esp":null,"profile":null,"managedDeviceId":null}`),
		Entry("a pointer to a bool", `{"success":false}`),
		Entry("a pointer to a struct, nested twice", `{"profile":{"id":"p1","outOfBoxExperienceSetting":{"userType":"standard"}}}`),
		Entry("negative and zero integers", `{"esp":{"timeoutMinutes":-0}}`),
		Entry("members no field names, of every kind", `{"@odata.context":"x\"\u00e9\/","n":-1.5e+3,"o":{"a":[1,{"b":null}],"c":true},`+
			`"l":[],"e":{},"f":false,"s":"caf\u00e9 `+"\xff"+`","managedDeviceId":"md1"}`),
		Entry("a nested object twice: the second merges into the first", `{"esp":{"timeoutMinutes":1},"esp":{"skipUserStatusPage":true}}`),
	)

	DescribeTable("leaves to encoding/json the values and keys it does not take",
		func(data string) {
			got := enrollAnswer{}
			Expect(flatjson.Decode([]byte(data), &got)).To(BeFalse())
			Expect(got).To(Equal(enrollAnswer{}))
		},
		Entry("a fraction for an int", `{"esp":{"timeoutMinutes":1.5}}`),
		Entry("an exponent for an int", `{"esp":{"timeoutMinutes":1e2}}`),
		Entry("an int too large", `{"esp":{"timeoutMinutes":99999999999999999999}}`),
		Entry("a leading zero", `{"esp":{"timeoutMinutes":01}}`),
		Entry("a string for an int", `{"esp":{"timeoutMinutes":"1"}}`),
		Entry("a number for a bool", `{"esp":{"skipUserStatusPage":1}}`),
		Entry("a string for a struct", `{"esp":"x"}`),
		Entry("a pointer already set, twice", `{"odjRequestId":"a","odjRequestId":"b"}`),
		Entry("a bool pointer already set, twice", `{"success":true,"success":false}`),
		Entry("a string for a bool pointer", `{"success":"true"}`),
		Entry("a struct pointer already set, twice", `{"profile":{},"profile":{}}`),
		Entry("a key of a field in another case", `{"ESP":{}}`),
		Entry("a non-ASCII key encoding/json folds onto a field (U+0130 to I)", "{\"\u0130d\":\"x\"}"),
		Entry("a bad escape in a skipped value", `{"x":"\q"}`),
		Entry("a short unicode escape in a skipped value", `{"x":"\u12"}`),
		Entry("a control character in a skipped value", "{\"x\":\"a\nb\"}"),
		Entry("a bad number in a skipped value", `{"x":-}`),
		Entry("a bare word in a skipped value", `{"x":nul}`),
		Entry("an unclosed array in a skipped value", `{"x":[1,}`),
		Entry("an object key that is not a string in a skipped value", `{"x":{a:1}}`),
		Entry("nesting deeper than it follows", `{"x":`+strings.Repeat("[", 40)+strings.Repeat("]", 40)+`}`),
	)

	DescribeTable("decodes arrays of objects into nil slices, and maps and interfaces only from null, as json.Unmarshal does",
		func(body string, handled bool) {
			var got, want importBody
			Expect(flatjson.Decode([]byte(body), &got)).To(Equal(handled))
			if !handled {
				Expect(got).To(Equal(importBody{}), "untouched")
				return
			}
			Expect(json.Unmarshal([]byte(body), &want)).To(Succeed())
			Expect(got).To(Equal(want))
		},
		Entry("an import of two devices", `{"importedWindowsAutopilotDeviceIdentities":[{"@odata.type":"#microsoft.graph.importedWindowsAutopilotDeviceIdentity","serialNumber":"A","n":1},{"serialNumber":"B"}]}`, true),
		Entry("an empty array: an empty slice, not nil", `{"value":[],"importedWindowsAutopilotDeviceIdentities":[ ]}`, true),
		Entry("null for a slice, a pointer to one, a map and an interface: nil", `{"value":null,"importedWindowsAutopilotDeviceIdentities":null,"state":null,"extra":null}`, true),
		Entry("a map's value: left to encoding/json", `{"state":{"deviceImportStatus":"unknown"}}`, false),
		Entry("an interface's value: left to encoding/json", `{"extra":"x"}`, false),
		Entry("a map inside an element: left to encoding/json", `{"value":[{"state":{}}]}`, false),
		Entry("an element that is not an object: left to encoding/json", `{"value":[{"n":1},null]}`, false),
		Entry("an unterminated array", `{"value":[{"n":1}`, false),
		Entry("a missing comma", `{"value":[{"n":1} {"n":2}]}`, false),
	)

	It("leaves a slice that holds elements to encoding/json, which reuses them", func() {
		got := importBody{Value: []importItem{{SerialNumber: "kept"}}}
		Expect(flatjson.Decode([]byte(`{"value":[{"n":2}]}`), &got)).To(BeFalse())
		Expect(got.Value).To(Equal([]importItem{{SerialNumber: "kept"}}))
	})

	It("takes the field a key names exactly when another field's name differs only in case, as encoding/json does", func() {
		var got, want struct {
			Lower string `json:"id"`
			Upper string `json:"ID"`
		}
		data := []byte(`{"ID":"upper","id":"lower"}`)
		Expect(flatjson.Decode(data, &got)).To(BeTrue())
		Expect(json.Unmarshal(data, &want)).To(Succeed())
		Expect(got).To(Equal(want))
		Expect(got.Upper + "," + got.Lower).To(Equal("upper,lower"))
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
		`{"managedDeviceId":"md1","odjRequestId":"q1","domainJoinProfileId":null,"esp":{"timeoutMinutes":60,"skipUserStatusPage":false}}`,
		`{"profile":{"id":"p1","outOfBoxExperienceSetting":{"userType":"standard"}},"x":[1,{"y":-2.5e3}],"z":"\u00e9"}`,
		`{"odjRequestId":null,"esp":null,"profile":null,"success":true}`, `{"esp":{"timeoutMinutes":1e2}}`, `{"ESP":{}}`,
		`{"importedWindowsAutopilotDeviceIdentities":[{"serialNumber":"A","n":1},{"serialNumber":"B","state":null}],"value":[]}`,
		`{"value":null,"state":null,"extra":null}`, `{"value":[{"n":1},null]}`, `{"value":[{"@odata.type":"#x","@ODATA.TYPE":"y"}]}`, `{"state":{"a":1}}`, `{"value":[{}, {"n":-0}]}`,
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
		holdsToUnmarshal[enrollAnswer](t, data)
		holdsToUnmarshal[importBody](t, data)
	})
}

// holdsToUnmarshal checks Decode against json.Unmarshal for a zero T: where
// Decode takes data, json.Unmarshal succeeds and stores the same; where it
// does not, the struct is untouched.
func holdsToUnmarshal[T any](t *testing.T, data []byte) {
	t.Helper()
	var got, want, zero T
	if flatjson.Decode(data, &got) {
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("Decode handled %q, json.Unmarshal refuses it: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: Decode stored %+v, json.Unmarshal %+v", data, got, want)
		}
	} else if !reflect.DeepEqual(got, zero) {
		t.Fatalf("%q: not handled, yet the struct changed to %+v", data, got)
	}
}
