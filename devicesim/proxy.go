package devicesim

// Proxies in OOBE (F21). Seed 000 "Prerequisites"
// (https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid):
// "If using Proxy, Web Proxy Auto-Discovery Protocol (WPAD) Proxy settings
// option must be enabled and configured". OOBE runs in the system context,
// which finds a proxy only through WPAD and cannot answer a proxy's
// authentication challenge; the Entra sign-in page then cannot load and
// shows "Something went wrong. OOBEIDPS" (Troubleshoot Windows enrollment
// errors, https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-enrollment-errors;
// Configure Microsoft Entra hybrid join, https://learn.microsoft.com/en-us/entra/identity/devices/how-to-hybrid-join,
// proxy and WPAD). UNCERTAIN: the profile download before it is assumed
// to get through (the simulator has one Internet for every endpoint; where
// exactly a real device stops depends on what the proxy lets through).

// Proxy is how a network reaches the Internet.
type Proxy string

// The proxy kinds.
const (
	ProxyDirect         Proxy = "direct" // no proxy ("" too)
	ProxyWPAD           Proxy = "wpad"   // a proxy found through WPAD: works
	ProxyNoWPAD         Proxy = "noWPAD" // a proxy the system context cannot discover
	ProxyAuthenticating Proxy = "authenticating"
)

// BlocksSignIn reports whether OOBE's sign-in page cannot load through it.
func (p Proxy) BlocksSignIn() bool { return p == ProxyNoWPAD || p == ProxyAuthenticating }

func msgProxyBlocked(p Proxy) string {
	why := "the proxy is not published through WPAD, so OOBE finds no way to the Internet"
	if p == ProxyAuthenticating {
		why = "the proxy asks for credentials the system context cannot give"
	}
	return "Something went wrong. OOBEIDPS: the sign-in page cannot load (" + why + ")"
}
