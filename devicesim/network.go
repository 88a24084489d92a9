package devicesim

import (
	"fmt"
	"strings"
)

// VPN is the kind of VPN a remote device uses. Which kinds can give a DC
// before the user signs in comes from seed 004 "Off-premises/Internet
// scenarios and VPN connectivity" and seed 000 "VPNs" / "Unsupported VPN
// clients": user-certificate VPNs and non-Microsoft UWP plug-ins connect only
// after Windows sign-in; DirectAccess is listed as unsupported.
type VPN string

// The VPN kinds.
const (
	VPNNone         VPN = "none"
	VPNDeviceTunnel VPN = "deviceTunnel" // Win32 client with a device certificate / always-on device tunnel: up before logon
	VPNUserTunnel   VPN = "userTunnel"   // user-certificate VPN: up only after the user signs in
	VPNUWPPlugin    VPN = "uwpPlugin"    // non-Microsoft UWP plug-in: after sign-in
	VPNDirectAccess VPN = "directAccess" // unsupported (seed 000 "Unsupported VPN clients")
	// VPNAlwaysOn is an Always On VPN, already configured on the device:
	// seed 000 "VPNs" (https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#vpns):
	// "Always-On VPNs shouldn't require this option [Skip AD connectivity
	// check] since it connects automatically". It is up as soon as the
	// device has a network, so the DC check passes without the skip.
	// UNCERTAIN: how the VPN gets onto a device before enrollment is not
	// documented (Intune cannot deploy a per-machine Always On VPN profile
	// in time, F17, https://learn.microsoft.com/en-us/autopilot/user-driven);
	// we assume it is in the image.
	VPNAlwaysOn VPN = "alwaysOn"
)

// ParseVPN checks a VPN kind; "" means none.
func ParseVPN(s string) (VPN, error) {
	switch v := VPN(s); v {
	case "":
		return VPNNone, nil
	case VPNNone, VPNDeviceTunnel, VPNUserTunnel, VPNUWPPlugin, VPNDirectAccess, VPNAlwaysOn:
		return v, nil
	}
	return "", fmt.Errorf("devicesim: unknown VPN kind %q", s)
}

// UpBeforeLogon reports whether the VPN, once installed, reaches the
// corporate network at the Windows sign-in screen.
func (v VPN) UpBeforeLogon() bool { return v == VPNDeviceTunnel || v == VPNAlwaysOn }

// ConnectsAutomatically reports whether the VPN is up from the first
// network connection in OOBE, before any ESP step installs anything.
func (v VPN) ConnectsAutomatically() bool { return v == VPNAlwaysOn }

// Location is where the device is plugged in.
type Location struct {
	Name string
	// Corporate networks have line of sight to the DCs of Domains (of every
	// domain when Domains is empty); internet networks to none.
	Corporate bool
	Domains   []string
	// Wireless networks are chosen on the OOBE pages, so the profile is
	// downloaded only after the language/region/keyboard pages (S0).
	Wireless bool
	// Proxy is how the network reaches the Internet (proxy.go, F21).
	Proxy Proxy
}

// reachesDomain reports line of sight to a domain's DCs from this location.
func (l Location) reachesDomain(domain string) bool {
	if !l.Corporate {
		return false
	}
	if len(l.Domains) == 0 {
		return true
	}
	for _, d := range l.Domains {
		if strings.EqualFold(d, domain) {
			return true
		}
	}
	return false
}
