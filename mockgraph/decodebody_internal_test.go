package mockgraph

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// decodeBodyWithDecoder is decodeBody as it was before it decoded with
// Unmarshal: every body through a json.Decoder.
func decodeBodyWithDecoder(data []byte, v any) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		var msg string
		decodeErr(err, func(m string) *apiError { msg = m; return nil })
		return msg
	}
	if dec.More() {
		return "Invalid JSON in the request body: unexpected data after the JSON object."
	}
	return ""
}

type decodeTarget struct {
	Name    string            `json:"name"`
	Count   int               `json:"count"`
	Tags    []string          `json:"tags"`
	Extra   map[string]any    `json:"extra"`
	When    time.Time         `json:"when"`
	Nested  *decodeTarget     `json:"nested"`
	Strings map[string]string `json:"strings"`
}

// expectDecodeBodyLikeDecoder decodes every body through decodeBody and
// through a json.Decoder, each into a copy of start, and expects the same
// message and value from both. Every decoded value is checked again once
// all bodies went through decodeBody's pooled buffer: none shares its
// bytes.
func expectDecodeBodyLikeDecoder[T any](bodies []string, start T) {
	var gots, wants []T
	for _, b := range bodies {
		got, want := start, start
		req := httptest.NewRequest("POST", "/x", strings.NewReader(b))
		req = withInfo(req, &reqInfo{maxBody: DefaultMaxBodyBytes})
		var msg string
		if e := decodeBody(req, shapeDirectory, &got); e != nil {
			msg = e.message
		}
		Expect(msg).To(Equal(decodeBodyWithDecoder([]byte(b), &want)), b)
		Expect(got).To(Equal(want), b)
		gots, wants = append(gots, got), append(wants, want)
	}
	Expect(gots).To(Equal(wants), "no decoded value shares the recycled body buffer")
}

var _ = Describe("decodeBody", func() {
	It("stores and refuses exactly what a json.Decoder did, and nothing it stores shares the recycled body buffer", func() {
		expectDecodeBodyLikeDecoder([]string{
			`{"name":"a","count":3,"tags":["x","y"],"extra":{"k":[1,2,{"z":null}]}}`,
			"  \n{\"name\":\"b\"}\n\t ",
			`{"name":"a"} {"name":"b"}`, `{"name":"a"}x`, `{"name":"a"},`, `{"name":"a"`, `{"name":}`,
			`{"count":"three"}`, `{"count":1.5}`, `{"tags":"x"}`, `{"nested":{"count":true}}`, `{"when":"yesterday"}`,
			`{"count":1e400}`, `[1,2]`, `"text"`, `null`, `{"strings":{"a":1}}`, `{"name":"a","name":"b"}`,
			`{"count":3,"tags":[1],"name":"kept"}`, `{"Name":"case"}`, `{"extra":{"deep":` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `}}`,
			`{"name":"\ud83d"}`, `{"name":"a\u0000b"}`, `{} `, `{}}`,
		}, decodeTarget{})
	})

	// The device's profile request: a struct of strings, whose bodies
	// flatjson decodes in one pass (internal/flatjson) and the rest
	// json.Unmarshal, as before.
	It("stores and refuses what a json.Decoder did for a struct of strings too, whichever decoder takes the body", func() {
		type profileRequest struct {
			SerialNumber string `json:"serialNumber"`
			HardwareHash string `json:"hardwareHash"`
		}
		hash := strings.Repeat("QUJD", 1024)
		expectDecodeBodyLikeDecoder([]string{
			`{"serialNumber":"SN1","hardwareHash":"` + hash + `"}`, ` {"serialNumber" : "SN1"} `, `{}`,
			`{"serialNumber":"a","serialNumber":"b"}`, `{"SerialNumber":"case"}`, `{"other":"ignored","serialNumber":"x"}`,
			`{"serialNumber":"a\u0041"}`, `{"serialNumber":null}`, `{"serialNumber":1}`, `{"serialNumber":"a"}x`,
			`{"serialNumber":"a"} {}`, `{"serialNumber":"a",}`, `{"serialNumber":"a`, `[]`, `null`, "{\"serialNumber\":\"a\tb\"}",
		}, profileRequest{SerialNumber: "before", HardwareHash: "before"})
	})
})
