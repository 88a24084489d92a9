package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

var (
	catalogueOnce sync.Once
	catalogue     *results.Run
	fleetOnce     sync.Once
	fleet         *results.Run
)

// runPaths runs scenario files through the harness, as `autopilotsim run` does.
func runPaths(paths ...string) *results.Run {
	scs, err := scenarios.LoadPaths(paths)
	Expect(err).NotTo(HaveOccurred())
	return harness.RunAll(scs, harness.Options{})
}

// catalogueRun is the scenario catalogue's run, with the diagnosis filled
// in where the harness does not (yet) give one: an explanation for every
// failed device, and Windows events and dsregcmd state for remote-no-vpn's
// device, so every part of the report has something to show.
func catalogueRun() *results.Run {
	catalogueOnce.Do(func() {
		catalogue = runPaths("../scenarios/catalogue")
		diagnose(catalogue)
	})
	return catalogue
}

// fleetRun is harness/testdata/fleet1000.yaml's run: 1,000 devices in one
// scenario. Simulating 1,000 devices under the race detector takes minutes,
// and the report's specs are about rendering, so the fleet is simulated
// with 100 devices and each device stands ten times, with its own serial and
// GUIDs (copyDevices), as a real fleet's devices do.
func fleetRun() *results.Run {
	fleetOnce.Do(func() {
		scs, err := scenarios.LoadPaths([]string{"../harness/testdata/fleet1000.yaml"})
		Expect(err).NotTo(HaveOccurred())
		Expect(scs[0].Devices[0].Count).To(Equal(1000))
		scs[0].Devices[0].Count = 100
		small := harness.RunAll(scs, harness.Options{})
		sc := small.Scenarios[0]
		var devs []results.DeviceResult
		for k := 0; k < 10; k++ { // serials FLT0001… (the simulated ones), then FLA…, FLB…, …, FLI…
			prefix := "FLT"
			if k > 0 {
				prefix = "FL" + string(rune('A'+k-1))
			}
			devs = append(devs, copyDevices(sc, "FLT", prefix, 0, k).Devices...)
		}
		sc.Devices = devs
		fleet = &results.Run{Scenarios: []results.ScenarioResult{sc}}
		fleet.Summarise()
	})
	return fleet
}

// copyDevices is sc with every serial prefix from replaced by to, and the
// hex digit at digit of every GUID replaced by k (k < 16): a copy of the
// devices with their own serials and GUIDs.
func copyDevices(sc results.ScenarioResult, from, to string, digit, k int) results.ScenarioResult {
	base, err := json.Marshal(sc)
	Expect(err).NotTo(HaveOccurred())
	return copyJSON(base, from, to, digit, "0123456789abcdef"[k:k+1])
}

// copyJSON is the scenario results base (JSON) with from replaced by to, and
// in every GUID the hex digits from position at replaced by digits. (A
// scan, not a regexp: the fleet's JSON is megabytes, and under -race a
// regexp over it took a minute.)
func copyJSON(base []byte, from, to string, at int, digits string) results.ScenarioResult {
	b := bytes.ReplaceAll(base, []byte(from), []byte(to))
	for i := 0; i+36 <= len(b); i++ {
		if isGUID(b[i : i+36]) {
			copy(b[i+at:], digits)
			i += 35
		}
	}
	var out results.ScenarioResult
	ExpectWithOffset(1, json.Unmarshal(b, &out)).To(Succeed())
	return out
}

// isGUID: 8-4-4-4-12 lower-case hex digits.
func isGUID(g []byte) bool {
	for j, c := range g {
		if j == 8 || j == 13 || j == 18 || j == 23 {
			if c != '-' {
				return false
			}
		} else if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

const (
	noVPNCause = "The device never had line of sight to a domain controller of corp.contoso.com: it is at home with no VPN."
	noVPNFix   = "Deploy on the corporate network, or use a VPN that connects before sign-in (device tunnel), or set Skip AD connectivity check."
)

// meanings are the Win32 texts of the HRESULTs the catalogue's failures end in.
var meanings = map[string]string{
	"80070774": "ERROR_NO_SUCH_DOMAIN: the specified domain either does not exist or could not be contacted",
	"800705B4": "ERROR_TIMEOUT: this operation returned because the timeout period expired",
}

func diagnose(run *results.Run) {
	for si := range run.Scenarios {
		for di := range run.Scenarios[si].Devices {
			d := &run.Scenarios[si].Devices[di]
			if d.Outcome != "failed" || d.Explanation != nil {
				continue
			}
			d.Explanation = &results.Explanation{Stage: d.FailedStage, Code: d.ErrorCode,
				Meaning: meanings[d.ErrorCode],
				Cause:   fmt.Sprintf("%s failed at %s.", d.Serial, d.FailedStage), Fix: "See the timeline.",
				Message: "Something went wrong.",
				DocURL:  "https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#deploy-the-device", DocTitle: "Deploy Microsoft Entra hybrid joined devices: Deploy the device"}
			if d.Serial != "HOME0001" {
				continue
			}
			d.Explanation.Cause, d.Explanation.Fix = noVPNCause, noVPNFix
			start := run.Scenarios[si].Start
			d.Events = []results.WindowsEvent{
				{At: start.Add(4*time.Minute + 45*time.Second), Offset: "4m45s", Machine: "device",
					Log: "Microsoft-Windows-ModernDeployment-Diagnostics-Provider/Autopilot", ID: 111, Level: "Information",
					Message: "AutopilotManager: waiting for the offline domain join blob."},
				{At: start.Add(29*time.Minute + 45*time.Second), Offset: "29m45s", Machine: "device",
					Log: "Microsoft-Windows-User Device Registration/Admin", ID: 100, Level: "Error",
					Message: "Could not establish connectivity to a domain controller.",
					Fields:  []results.EventField{{Name: "ErrorCode", Value: "0x80070774"}, {Name: "Domain", Value: "corp.contoso.com"}}},
			}
			d.DSRegCmd = &results.DSRegState{AzureAdJoined: "NO", EnterpriseJoined: "NO", DomainJoined: "YES",
				DomainName: "CORP", DeviceName: d.ComputerName, AzureAdPrt: "NO"}
		}
	}
}

func catalogueDevice(serial string) results.DeviceResult {
	for _, sc := range catalogueRun().Scenarios {
		for _, d := range sc.Devices {
			if d.Serial == serial {
				return d
			}
		}
	}
	Fail("no device " + serial + " in the catalogue")
	return results.DeviceResult{}
}

func itoa(n int) string { return fmt.Sprint(n) }

// failedCopy is a deep copy of run in which the named scenario's first
// expectation did not hold.
func failedCopy(run *results.Run, scenario string) *results.Run {
	b, err := json.Marshal(run)
	Expect(err).NotTo(HaveOccurred())
	var out results.Run
	Expect(json.Unmarshal(b, &out)).To(Succeed())
	for i := range out.Scenarios {
		if sc := &out.Scenarios[i]; sc.Name == scenario {
			sc.Passed = false
			sc.Expectations[0].Passed = false
			sc.Expectations[0].Detail = "0 of 1 selected devices match (want 1): STD0001 stayed failed"
		}
	}
	out.Summarise()
	return &out
}

// scenarioDevice is the device serial of the catalogue scenario whose name
// is scenario (serials repeat across scenarios).
func scenarioDevice(scenario, serial string) results.DeviceResult {
	for _, sc := range catalogueRun().Scenarios {
		if sc.Name != scenario {
			continue
		}
		for _, d := range sc.Devices {
			if d.Serial == serial {
				return d
			}
		}
	}
	Fail("no device " + serial + " in catalogue scenario " + scenario)
	return results.DeviceResult{}
}
