package diagnosis

import (
	"strings"
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
		seen := map[string]bool{}
		for _, fl := range fields {
			if seen[fl.Name] {
				t.Fatalf("field %q twice in %q", fl.Name, payload)
			}
			seen[fl.Name] = true
			if strings.TrimSpace(fl.Name) == "" && payload != "" && !strings.Contains(payload, `""`) {
				t.Fatalf("empty field name from %q", payload)
			}
		}
	})
}
