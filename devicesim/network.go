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
)

// ParseVPN checks a VPN kind; "" means none.
func ParseVPN(s string) (VPN, error) {
	switch v := VPN(s); v {
	case "":
		return VPNNone, nil
	case VPNNone, VPNDeviceTunnel, VPNUserTunnel, VPNUWPPlugin, VPNDirectAccess:
		return v, nil
	}
	return "", fmt.Errorf("devicesim: unknown VPN kind %q", s)
}

// UpBeforeLogon reports whether the VPN, once installed, reaches the
// corporate network at the Windows sign-in screen.
func (v VPN) UpBeforeLogon() bool { return v == VPNDeviceTunnel }

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
