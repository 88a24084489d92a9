package diagnosis

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeConnectorPayload: any payload decodes without panicking, and
// an undecodable one is kept whole in one Payload field.
func FuzzDecodeConnectorPayload(f *testing.F) {
	for _, s := range []string{"", "x", `{"Metric":{"Dimensions":{"ErrorCode":"8557","RequestId":"r"},"Name":"N","Value":0}}`,
		`{"Metric":{"Dimensions":null}}`, `{"Metric":{"Dimensions":{"ErrorCode":99999999999999999999}}}`, `[1,2]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		name, fields := DecodeConnectorPayload(payload)
		if name == "" && payload != "" && len(fields) == 1 && fields[0].Name == "Payload" && fields[0].Value != payload {
			t.Fatalf("payload changed: %q -> %q", payload, fields[0].Value)
		}
		// Every name is the payload's own: "Payload" for one kept whole,
		// else a key of its Dimensions as given (a blank key included: it
		// is the connector's, not made up here).
		var m struct {
			Metric struct {
				Dimensions map[string]json.RawMessage `json:"Dimensions"`
				Name       string                     `json:"Name"`
			} `json:"Metric"`
		}
		decoded := json.Unmarshal([]byte(payload), &m) == nil && m.Metric.Dimensions != nil
		seen := map[string]bool{}
		for _, fl := range fields {
			if seen[fl.Name] {
				t.Fatalf("field %q twice in %q", fl.Name, payload)
			}
			seen[fl.Name] = true
			if _, ok := m.Metric.Dimensions[fl.Name]; decoded && !ok {
				t.Fatalf("field %q is no key of the dimensions of %q", fl.Name, payload)
			}
			if !decoded && fl.Name != "Payload" {
				t.Fatalf("field %q from an undecodable %q", fl.Name, payload)
			}
		}
		if decoded && len(fields) != len(m.Metric.Dimensions) {
			t.Fatalf("%d fields for %d dimensions in %q", len(fields), len(m.Metric.Dimensions), payload)
		}
	})
}
