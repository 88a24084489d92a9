package entrasync_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/autopilotsim/autopilotsim/entrasync"
)

// FuzzDecodeSID: never panics; whatever decodes re-encodes to the same bytes.
func FuzzDecodeSID(f *testing.F) {
	for _, s := range []string{"S-1-5-21-2270489509-566786150-3724442123-1104", "S-1-1-0", "S-1-5", "S-1-0x010000000000-1"} {
		b, err := entrasync.EncodeSID(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{1, 15, 0, 0, 0, 0, 0, 5})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := entrasync.DecodeSID(b)
		if err != nil {
			return
		}
		back, err := entrasync.EncodeSID(s)
		if err != nil {
			t.Fatalf("%q does not re-encode: %v", s, err)
		}
		if !bytes.Equal(back, b) {
			t.Fatalf("round trip %x → %q → %x", b, s, back)
		}
	})
}

// FuzzSelectHybridCert: arbitrary userCertificate values never panic and
// never yield a non-GUID device id.
func FuzzSelectHybridCert(f *testing.F) {
	f.Add(hybridCert("6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c"))
	f.Add([]byte("junk"))
	f.Fuzz(func(t *testing.T, der []byte) {
		c, ok, _ := entrasync.SelectHybridCert([][]byte{der}, t0)
		if ok {
			if _, err := entrasync.ParseGUID(c.DeviceID); err != nil {
				t.Fatalf("device id %q", c.DeviceID)
			}
		}
	})
}

func BenchmarkPlan1000(b *testing.B) {
	sid, _ := entrasync.EncodeSID("S-1-5-21-1-2-3-1104")
	cert := hybridCert("6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c")
	comps := make([]entrasync.Computer, 1000)
	for i := range comps {
		g := make([]byte, 16)
		g[0], g[1] = byte(i), byte(i>>8)
		comps[i] = entrasync.Computer{DN: "CN=X", CN: "X", ObjectGUID: g, ObjectSID: sid, Certificates: [][]byte{cert}}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		entrasync.Plan(comps, nil, t0.Add(time.Duration(i)))
	}
}
