package flatjson_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/autopilotsim/autopilotsim/internal/flatjson"
)

// enrollment is the body a device posts to enroll, with its 4 KB hardware
// hash: the largest of the bodies Decode and AppendObject are for.
var enrollment = map[string]string{
	"serialNumber": "FLT000001", "autopilotDeviceId": "0c1f8e52-6f0c-4b6e-9c39-2f1b1f0a7d11",
	"userPrincipalName": "alice@contoso.com", "joinType": "hybrid", "hardwareHash": strings.Repeat("QUJD", 1024),
}

type enrollBody struct {
	SerialNumber      string `json:"serialNumber"`
	AutopilotDeviceID string `json:"autopilotDeviceId"`
	UserPrincipalName string `json:"userPrincipalName"`
	JoinType          string `json:"joinType"`
	HardwareHash      string `json:"hardwareHash"`
}

// BenchmarkDecode and BenchmarkUnmarshal read the same enrollment body;
// compare their ns/op in one run.
func BenchmarkDecode(b *testing.B) {
	data, _ := json.Marshal(enrollment)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var v enrollBody
		if !flatjson.Decode(data, &v) {
			b.Fatal("not handled")
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	data, _ := json.Marshal(enrollment)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var v enrollBody
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendObject and BenchmarkMarshal write the same enrollment
// body; compare their ns/op in one run.
func BenchmarkAppendObject(b *testing.B) {
	for b.Loop() {
		_ = flatjson.AppendObject(nil, enrollment)
	}
}

func BenchmarkMarshal(b *testing.B) {
	for b.Loop() {
		if _, err := json.Marshal(enrollment); err != nil {
			b.Fatal(err)
		}
	}
}
