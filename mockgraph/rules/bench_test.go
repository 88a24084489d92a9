package rules_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
)

// fleet builds n devices deterministically: Autopilot PCs with group tags,
// some without, and personal phones with no physical IDs.
func fleet(n int) []rules.Properties {
	rng := rand.New(rand.NewPCG(2026, 11))
	tags := []string{"HAADJ", "Kiosk-Lobby", "Sales", "179887111881"}
	out := make([]rules.Properties, n)
	for i := range out {
		p := rules.Properties{
			"objectId":       fmt.Sprintf("%08x-0000-0000-0000-%012x", i, i),
			"displayName":    fmt.Sprintf("CONTOSO-PC%05d", i),
			"accountEnabled": rng.IntN(20) != 0,
			"isRooted":       false,
		}
		switch rng.IntN(4) {
		case 0: // personal phone
			p["deviceOSType"] = "iPhone"
			p["deviceOwnership"] = "Personal"
			p["devicePhysicalIds"] = []string{}
		default: // Autopilot PC
			p["deviceOSType"] = "Windows"
			p["deviceOwnership"] = "Company"
			p["deviceTrustType"] = "ServerAD"
			p["devicePhysicalIds"] = []string{
				fmt.Sprintf("[ZTDId]:%08x-c07a-444c-a7e0-eee62553f000", rng.Uint32()),
				fmt.Sprintf("[HWID]:h:%d", rng.Uint64()),
				"[OrderID]:" + tags[rng.IntN(len(tags))],
				"[PurchaseOrderId]:76222342342",
			}
		}
		out[i] = p
	}
	return out
}

// BenchmarkMatch100k evaluates a rule over 100,000 devices per op.
func BenchmarkMatch100k(b *testing.B) {
	devices := fleet(100_000)
	cases := []struct{ name, rule string }{
		// The seed's group-tag form (000_0f0e88d49ffaae66.txt "Create a device group").
		{"GroupTag", `(device.devicePhysicalIds -any _ -eq "[OrderID]:179887111881")`},
		{"Compound", `(device.devicePhysicalIDs -any (_ -startsWith "[ZTDId]")) -and device.deviceOSType -eq "Windows" ` +
			`-and device.accountEnabled -eq true -and -not (device.displayName -match "^CONTOSO-PC0000\d$") ` +
			`-and (device.devicePhysicalIds -any (_ -in ["[OrderID]:HAADJ", "[OrderID]:Sales"]) -or device.deviceOwnership -eq "Personal")`},
	}
	for _, c := range cases {
		r, err := rules.Parse(c.rule)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			matched := 0
			for b.Loop() {
				matched = 0
				for _, d := range devices {
					if r.Match(d) {
						matched++
					}
				}
			}
			if matched == 0 {
				b.Fatal("rule matched no device")
			}
			nsPerOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(len(devices))/(nsPerOp/1e9), "devices/s")
			b.ReportMetric(float64(matched), "matched")
		})
	}
}
