package diagnosis

import (
	"strings"

	"github.com/autopilotsim/autopilotsim/results"
)

// DSRegCmd is the device's `dsregcmd /status` at the end of the run: the
// Device State fields, AzureAdPrt of the SSO State, and the "Previous
// Registration" diagnostic data when a hybrid registration was attempted
// and did not complete. Fields and values follow "Troubleshoot Microsoft
// Entra hybrid joined devices"
// (https://learn.microsoft.com/en-us/entra/identity/devices/troubleshoot-hybrid-join-windows-current,
// "Step 1: Retrieve the join status" and "Step 3: Find the phase in which
// the join failed"). DomainName is the NetBIOS name, as in that page's
// sample (DomainName: CONTOSO).
//
// What the device went through decides the state, read from its timeline:
//   - DomainJoined is YES once the device rebooted into the domain after
//     applying the ODJ blob (the join takes effect at the next boot,
//     NetProvisionComputerAccount/ODJ semantics): the timeline shows ESP
//     device setup.
//   - AzureAdJoined is YES once hybrid registration succeeded (event 306),
//     or for an Entra join.
//   - AzureAdPrt: a PRT is issued at Windows sign-in on a registered device
//     (https://learn.microsoft.com/en-us/entra/identity/devices/concept-primary-refresh-token).
//     After a hybrid ESP the user signs out and in again (the ESP's Sign out
//     button), so YES [INF]; with the user ESP skipped the only sign-in came
//     before registration, so NO until the next sign-in or unlock. A user
//     whose on-premises UPN is non-routable (NonRoutableUPN) gets no PRT on
//     a managed domain: NO (F42, hybrid-join-plan "Review on-premises AD
//     users UPN support for Microsoft Entra hybrid join").
func DSRegCmd(d Device) *results.DSRegState {
	r := d.Result
	s := &results.DSRegState{AzureAdJoined: "NO", EnterpriseJoined: "NO", DomainJoined: "NO", AzureAdPrt: "NO"}
	actor := "device/" + r.Serial
	rebooted, registered, skipped := false, false, false
	var lastJoin string // the last device-join attempt's detail
	for _, e := range r.Timeline {
		if e.Actor != actor {
			continue
		}
		switch {
		case e.Step == "deviceSetup":
			rebooted = true
		case e.Step == "accountSetup" && strings.Contains(e.Detail, "SkipUserStatusPage"):
			skipped = true
		case e.Step == "deviceJoin" && strings.HasPrefix(e.Detail, "event 306"):
			registered = true
		case e.Step == "deviceJoin" && (strings.HasPrefix(e.Detail, "Error Phase") || strings.HasPrefix(e.Detail, "event 201")):
			lastJoin = e.Detail
		}
	}
	if rebooted {
		s.DomainJoined = "YES"
		s.DomainName = d.NetBIOS
		s.DeviceName = r.ComputerName
	}
	switch {
	case r.Outcome == "entraJoined":
		s.AzureAdJoined, s.AzureAdPrt = "YES", "YES"
		s.DeviceID = d.AutopilotDeviceID
		s.TenantID, s.TenantName = d.TenantID, d.TenantName
	case registered:
		s.AzureAdJoined = "YES"
		s.DeviceID = d.HybridDeviceID
		s.TenantID, s.TenantName = d.TenantID, d.TenantName
		if r.Outcome == "hybridJoined" && !skipped && !d.NonRoutableUPN {
			s.AzureAdPrt = "YES"
		}
	case rebooted && lastJoin != "":
		// "Previous Registration" is shown only for a domain-joined device
		// that could not hybrid join; managed domains register by sync-join.
		s.RegistrationType = "sync"
		if strings.HasPrefix(lastJoin, "event 201") {
			s.ErrorPhase = "precheck"
		} else {
			s.ErrorPhase, s.ClientErrorCode = "join", "0x801c03f2"
		}
	}
	return s
}
