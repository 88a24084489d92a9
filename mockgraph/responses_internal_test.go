package mockgraph

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The structs that replace maps on the hottest answers encode to the bytes
// the maps did: json.Marshal writes a map's keys sorted, a struct's fields
// in their order, and the structs list them sorted.
var _ = Describe("answers encoded from structs instead of maps", func() {
	marshal := func(v any) string {
		b, err := json.Marshal(v)
		Expect(err).NotTo(HaveOccurred())
		return string(b)
	}
	tricky := []string{"", "plain", "<&>\u2028\"\\", "é\x7f"}

	It("gives an error document the bytes of the map writeErr builds", func() {
		for _, t := range tricky {
			inner := innerError{Date: t, RequestID: t + "r", ClientRequestID: t + "c"}
			asMap := map[string]any{"error": map[string]any{"code": t + "x", "message": t + "m",
				"innerError": map[string]any{"date": inner.Date, "request-id": inner.RequestID, "client-request-id": inner.ClientRequestID}}}
			Expect(marshal(errorDoc{Error: errorBody{Code: t + "x", InnerError: inner, Message: t + "m"}})).To(Equal(marshal(asMap)))
		}
	})

	It("gives an ODJ request the bytes of the map it replaced, pending and completed", func() {
		s := &Server{}
		for _, t := range tricky {
			for _, state := range []string{"pending", "completed"} {
				q := &odjRequest{ID: t + "i", State: state, Domain: t + "d", Blob: t + "b", RetryCount: 2}
				m := map[string]any{"id": q.ID, "state": q.State, "domain": q.Domain, "blob": nil, "retryCount": q.RetryCount}
				if state == "completed" {
					m["blob"] = q.Blob
				}
				Expect(marshal(s.odjJSON(q))).To(Equal(marshal(m)))
			}
		}
	})
})

// writeJSON encodes through a pooled json.Encoder instead of json.Marshal,
// and a map through listjson.go's encoder: the same bytes, without
// Encode's newline, and the same 500 for a value that does not encode.
var _ = Describe("writeJSON's pooled encoder", func() {
	It("writes the bytes json.Marshal writes, one answer after another from the same buffers", func() {
		values := []any{
			map[string]any{"b": "<&>\u2028", "a": []any{1.5, nil, true}, "c": map[string]any{"z": "é\x7f", "y": ""}},
			map[string]any{"value": []any{}},
			errorDoc{Error: errorBody{Code: "x", Message: "m"}},
			map[string]any{"big": string(make([]byte, 70<<10))}, // past the pooled size
			map[string]any{"after": "big"},
		}
		for _, v := range values {
			want, err := json.Marshal(v)
			Expect(err).NotTo(HaveOccurred())
			rec := httptest.NewRecorder()
			writeJSON(rec, http.StatusCreated, v)
			Expect(rec.Code).To(Equal(http.StatusCreated))
			Expect(rec.Body.Bytes()).To(Equal(want))
			Expect(rec.Header().Get("Content-Type")).To(Equal(jsonContentType))
		}
	})

	It("answers 500 for a value that does not encode, and the next answer is whole", func() {
		rec := httptest.NewRecorder()
		writeJSON(rec, http.StatusOK, map[string]any{"a": "ok", "f": func() {}})
		Expect(rec.Code).To(Equal(http.StatusInternalServerError))
		Expect(rec.Body.String()).To(ContainSubstring("mockgraph: encode response"))
		rec = httptest.NewRecorder()
		writeJSON(rec, http.StatusOK, map[string]any{"a": "ok"})
		Expect(rec.Body.String()).To(Equal(`{"a":"ok"}`))
	})
})
