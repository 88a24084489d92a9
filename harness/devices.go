package harness

import (
	"crypto/sha256"
	"fmt"
	mrand "math/rand/v2"
	"sort"
	"strings"

	"github.com/autopilotsim/autopilotsim/devicesim"
	"github.com/autopilotsim/autopilotsim/internal/strpack"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// The world's devices: built from the scenario's fleet, with their AD
// credentials and hardware hashes, and what happens when one finishes.

// buildDevices creates the devices and schedules their power-on.
func (w *world) buildDevices() error {
	w.networks = map[string]devicesim.Location{}
	for _, n := range w.sc.Environment.Networks {
		w.networks[n.Name] = devicesim.Location{Name: n.Name, Corporate: n.Kind == "corporate", Domains: n.Domains, Wireless: n.Wireless, Proxy: devicesim.Proxy(n.Proxy)}
	}
	w.tenantDomains = verifiedDomains(w.sc) // F31
	w.deviceIdx = map[string]*devicesim.Device{}
	w.specs = map[string]scenarios.Device{}
	for _, spec := range w.sc.ExpandDevices() {
		d, err := w.newDevice(spec)
		if err != nil {
			return err
		}
		w.devices = append(w.devices, d)
		w.deviceIdx[spec.Serial] = d
		w.specs[spec.Serial] = spec
		if spec.PowerOn != nil && !w.setupOnly {
			w.schedule(*spec.PowerOn, "harness", "", func() error { d.PowerOn(); return nil })
		}
	}
	w.remaining = len(w.devices)
	return nil
}

// tokenClockScale is, in a lab, the clock's speed: tokens then stay valid
// for the wall-clock hour their expires_in promises (mockgraph
// Config.TokenClockScale). Runs keep the simulated hour.
func (w *world) tokenClockScale() func() float64 {
	if !w.realTime {
		return nil
	}
	return func() float64 { return w.sched.State().Speed }
}

// newDevice builds the simulated device of spec (not yet powered on).
func (w *world) newDevice(spec scenarios.Device) (*devicesim.Device, error) {
	loc, ok := w.networks[spec.Location]
	if !ok {
		return nil, fmt.Errorf("harness: device %s: unknown network %q", spec.Serial, spec.Location)
	}
	vpn, err := devicesim.ParseVPN(spec.VPN)
	if err != nil {
		return nil, fmt.Errorf("harness: device %s: %w", spec.Serial, err)
	}
	t := w.sc.Timings
	timings := devicesim.Timings{
		NetworkUp: t.NetworkUp.D(), ProfileDownload: t.ProfileDownload.D(), OOBEPages: t.OOBEPages.D(),
		EntraSignIn: t.EntraSignIn.D(), MDMEnrollment: t.MDMEnrollment.D(), ODJPollInterval: t.ODJPollInterval.D(),
		ConnectivityWait: t.ConnectivityWait.D(), DCRetryInterval: t.DCRetryInterval.D(), Reboot: t.Reboot.D(),
		DeviceSetup: t.DeviceSetup.D(), FirstSignIn: t.FirstSignIn.D(), DeviceJoinTask: t.DeviceJoinTask.D(),
		AccountSetupRest: t.AccountSetupRest.D(),
	}
	adUser, adPassword := w.adCredentials(spec)
	pre, err := preProvision(spec)
	if err != nil {
		return nil, fmt.Errorf("harness: device %s: %w", spec.Serial, err)
	}
	admin, err := otherLocalAdmin(spec)
	if err != nil {
		return nil, fmt.Errorf("harness: device %s: %w", spec.Serial, err)
	}
	d, err := devicesim.New(devicesim.Config{
		Serial: spec.Serial, Location: loc, VPN: vpn, UserPrincipalName: spec.User,
		ClockSkew: spec.ClockSkew, TenantDomains: w.tenantDomains, PreProvision: pre, // F20, F31, F33
		OtherLocalAdmin: admin,                                  // F38 (history.go)
		CheckAccess:     len(w.sc.Tenant.ConditionalAccess) > 0, // F36 (conditional_access.go)
		ADUser:          adUser, ADPassword: adPassword, Timings: timings, Clock: w.sched,
		Rand: w.streams.Fresh("device/" + spec.Serial), DC: w.deviceDC, Trace: w.trace,
		// One cloud client per device, named, so the request log tells
		// devices apart (faults.go).
		Cloud: &devicesim.HTTPCloud{Client: w.httpClient, BaseURL: w.internalURL, Agent: "autopilotsim-device/" + spec.Serial,
			HardwareHashFunc: w.hashOf(spec.Serial), Strings: &w.strs},
		Done: w.deviceDone,
	})
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	return d, nil
}

// adCredentials finds the AD account the user signs in with at the first
// Windows sign-in: the device's adUser, else the AD user whose UPN matches.
func (w *world) adCredentials(spec scenarios.Device) (string, string) {
	for _, d := range w.sc.Environment.Domains {
		for _, u := range d.Users {
			if (spec.ADUser != "" && strings.EqualFold(u.SAMAccountName, spec.ADUser)) ||
				(spec.ADUser == "" && strings.EqualFold(u.UPN, spec.User)) {
				return u.SAMAccountName, u.Password
			}
		}
	}
	return spec.ADUser, ""
}

// adUPN is the on-premises UPN of the AD account adCredentials finds, or "".
func (w *world) adUPN(spec scenarios.Device) string {
	for _, d := range w.sc.Environment.Domains {
		for _, u := range d.Users {
			if (spec.ADUser != "" && strings.EqualFold(u.SAMAccountName, spec.ADUser)) ||
				(spec.ADUser == "" && strings.EqualFold(u.UPN, spec.User)) {
				return u.UPN
			}
		}
	}
	return ""
}

func (w *world) recordDeviceDone(r devicesim.Result) {
	w.remaining--
	if w.onDeviceDone != nil {
		w.onDeviceDone()
	}
	if r.FinishedAt.After(w.lastDone) {
		w.lastDone = r.FinishedAt
	}
	if w.remaining == 0 {
		// Every device has an outcome: nothing left to observe. Services
		// (connector polls, sync cycles) would run forever otherwise.
		w.sched.Halt()
	}
}

// sortedDomains returns the domain controllers in scenario order.
func (w *world) sortedDomains() []*domainCtl {
	out := make([]*domainCtl, 0, len(w.domains))
	for _, d := range w.domains {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].spec.Name < out[j].spec.Name })
	return out
}

// hashOf is the function a device calls to present its hardware hash.
func (w *world) hashOf(serial string) func() string {
	return func() string { return w.hardwareHash(serial) }
}

func lower(s string) string { return strings.ToLower(s) }

// hardwareHash is a device's stand-in 4K hardware hash (DDS wants about
// 4,096 characters, graph-api.md §5.3): the admin imports it and the device
// presents it as its identity (PRIVATE_API.md "Authentication"). It is
// derived from the serial and the run's secret hashKey, drawn from
// crypto/rand and not from the seeded streams, so knowing a lab's seed does
// not give it away; no result holds it, so runs stay byte-identical. It is
// computed each time it is sent rather than held: 4 KB per device, held by
// the world and by the devices, was a large share of a fleet's memory.
func (w *world) hardwareHash(serial string) string {
	return deriveHardwareHash(&w.hashKey, serial)
}

// deriveHardwareHash expands SHA-256(key, serial) with ChaCha8 into 3,072
// bytes, base64: 4,096 characters.
func deriveHardwareHash(key *[32]byte, serial string) string {
	h := sha256.New()
	h.Write(key[:])
	h.Write([]byte(serial))
	var seed [32]byte
	h.Sum(seed[:0])
	var b [3072]byte
	_, _ = mrand.NewChaCha8(seed).Read(b[:]) // ChaCha8.Read does not fail
	return strpack.Base64(b[:])
}
