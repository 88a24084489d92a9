package flatjson_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/internal/flatjson"
)

var _ = Describe("AppendString", func() {
	DescribeTable("quotes a string as json.Marshal does",
		func(s string) {
			want, err := json.Marshal(s)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(flatjson.AppendString([]byte("x"), s))).To(Equal("x" + string(want)))
		},
		Entry("empty", ""),
		Entry("printable ASCII", "SN-0001 alice@contoso.com"),
		Entry("a quote and a backslash", `a"b\c`),
		Entry("HTML-unsafe characters", "<a href='x'>&</a>"),
		Entry("control characters", "a\tb\nc\x00d\x7f"),
		Entry("UTF-8", "Café"),
		Entry("the line and paragraph separators", "a\u2028b\u2029c"),
		Entry("invalid UTF-8", "a\xffb"),
		Entry("a 4 KB hardware hash", strings.Repeat("QUJD", 1024)),
	)
})

var _ = Describe("AppendObject", func() {
	DescribeTable("writes a map of strings as json.Marshal does",
		func(m map[string]string) {
			want, err := json.Marshal(m)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(flatjson.AppendObject(nil, m))).To(Equal(string(want)))
		},
		Entry("nil", map[string]string(nil)),
		Entry("empty", map[string]string{}),
		Entry("a device's enrollment", map[string]string{
			"serialNumber": "SN1", "autopilotDeviceId": "0c1f", "userPrincipalName": "alice@contoso.com",
			"joinType": "hybrid", "hardwareHash": strings.Repeat("QUJD", 1024),
		}),
		Entry("keys that sort by their bytes, capitals first", map[string]string{"b": "1", "B": "2", "a": "3", "": "4", "ä": "5"}),
		Entry("keys and values json.Marshal escapes", map[string]string{"<k>": "a\"b", "k\n": "\xff", "&": "\u2028"}),
	)

	It("appends to what the buffer holds", func() {
		Expect(string(flatjson.AppendObject([]byte("body="), map[string]string{"a": "b"}))).To(Equal(`body={"a":"b"}`))
	})
})

// FuzzAppendObject holds AppendObject to json.Marshal for maps whose keys
// and values come from the input (split at 0x1f bytes into key, value,
// key, ...).
func FuzzAppendObject(f *testing.F) {
	for _, s := range []string{"", "a\x1fb", "serialNumber\x1fSN1\x1fhardwareHash\x1fQUJD", "<\x1f>\x1f&\x1f\"", "\xff\x1f\u2028", "a\x1f1\x1fa\x1f2"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		parts := bytes.Split(data, []byte{0x1f})
		m := map[string]string{}
		for i := 0; i+1 < len(parts); i += 2 {
			m[string(parts[i])] = string(parts[i+1])
		}
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := flatjson.AppendObject(nil, m); !bytes.Equal(got, want) {
			t.Fatalf("AppendObject(%q) = %s, json.Marshal %s", m, got, want)
		}
	})
}
