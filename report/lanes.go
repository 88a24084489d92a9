package report

import "strings"

// The swim lanes of the timeline, top to bottom: the device and the four
// systems it depends on in a user-driven hybrid join
// (https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#overview
// names the same parties: the device, Intune and Autopilot, the Intune
// Connector for Active Directory, Active Directory, and Microsoft Entra
// Connect for the hybrid registration).
const (
	laneDevice = iota
	laneIntune
	laneConnector
	laneAD
	laneSync
	laneOther
	laneNone = -1
)

var laneNames = []string{"Device", "Intune / Autopilot", "Connector", "Active Directory", "Entra Connect", "Other"}

// laneOf maps a timeline actor to its lane by the actor's name:
// device/SERIAL, graph (mockgraph: Intune, Autopilot, Entra ID), admin (the
// admin's changes are made in the Intune and Entra admin centers),
// connector/NAME, dc/NAME (a domain controller), sync or entrasync (Entra
// Connect). Anything else goes to "Other", so a new actor is still drawn.
func laneOf(actor string) int {
	name, _, _ := strings.Cut(strings.ToLower(actor), "/")
	switch name {
	case "device":
		return laneDevice
	case "graph", "mockgraph", "intune", "autopilot", "entra", "admin":
		return laneIntune
	case "connector":
		return laneConnector
	case "dc", "ad", "mockad", "ldap":
		return laneAD
	case "sync", "entrasync", "entraconnect":
		return laneSync
	}
	return laneOther
}

// touchOf names the system a step talks to, so the timeline draws the
// device's (or the connector's) step in that system's lane too: the device
// downloads its profile from Autopilot, enrolls in Intune and waits there
// for the ODJ blob; it checks and signs in against a domain controller and
// writes userCertificate to its computer object; its registration waits for
// Entra Connect to sync that object (error 0x801c03f2 until then); the
// connector creates the computer object in AD (event 30130) or fails to
// (30132). Source: the flow in
// https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#overview.
func touchOf(lane int, step, detail string) int {
	if lane == laneConnector {
		if strings.Contains(step, "30130") || strings.Contains(step, "30132") {
			return laneAD
		}
		return laneNone
	}
	if lane != laneDevice {
		return laneNone
	}
	switch step {
	case "profileDownload", "entraSignIn", "mdmEnrollment", "odjBlobWait", "odjBlobApplied":
		return laneIntune
	case "dcConnectivityCheck":
		if strings.HasPrefix(detail, "skipped") {
			return laneNone
		}
		return laneAD
	case "firstSignIn":
		if strings.Contains(detail, "signed in") {
			return laneAD
		}
	case "deviceJoin":
		if strings.Contains(detail, "userCertificate") || strings.Contains(detail, "no DC") {
			return laneAD
		}
		return laneSync
	}
	return laneNone
}

// A band is a stretch of time drawn as a bar in one lane: a stage the device
// spends time in, or a wait. open says which entry starts it, close which
// entries end it; the device's outcome ends every band still open.
type band struct {
	Label string `json:"label"`
	Lane  int    `json:"lane"`
	Wait  bool   `json:"wait"`
	open  func(step, detail string) bool
	close func(step, detail string) bool
}

func stepIs(s string) func(step, detail string) bool {
	return func(step, _ string) bool { return step == s }
}

func stepHas(s, sub string) func(step, detail string) bool {
	return func(step, detail string) bool { return step == s && strings.Contains(detail, sub) }
}

// bands are the stages and waits of the user-driven hybrid join that take
// time on the clock (the ESP phases and timeouts of
// https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#configure-and-assign-the-enrollment-status-page
// and the 25-minute blob-and-connectivity budget behind error 80070774).
var bands = []band{
	{Label: "profile download", Lane: laneDevice, open: stepHas("profileDownload", "begin"),
		close: func(step, detail string) bool { return step == "profileDownload" && !strings.Contains(detail, "begin") }},
	{Label: "OOBE sign-in and enrollment", Lane: laneDevice, open: stepIs("entraSignIn"), close: stepIs("mdmEnrollment")},
	{Label: "waiting for the ODJ blob", Lane: laneDevice, Wait: true, open: stepHas("odjBlobWait", "starting wait"),
		close: func(step, detail string) bool {
			return step == "odjBlobApplied" || (step == "odjBlobWait" && strings.Contains(detail, "timed out"))
		}},
	{Label: "waiting for a domain controller", Lane: laneDevice, Wait: true, open: stepIs("odjBlobApplied"), close: stepIs("dcConnectivityCheck")},
	{Label: "ESP device setup", Lane: laneDevice, open: stepIs("deviceSetup"), close: stepIs("firstSignIn")},
	{Label: "ESP account setup: waiting for Entra registration", Lane: laneDevice, Wait: true,
		open: stepHas("accountSetup", "waiting"), close: stepHas("deviceJoin", "succeeded")},
	{Label: "waiting for Entra Connect to sync the computer", Lane: laneSync, Wait: true,
		open: stepHas("deviceJoin", "waiting for Entra Connect"), close: stepHas("deviceJoin", "succeeded")},
}

// bandMarks returns which band an entry opens (-1 for none) and a bit mask
// of the bands it closes; the device's outcome closes all of them.
func bandMarks(lane int, step, detail string) (open, closeMask int) {
	open = -1
	if lane != laneDevice {
		return open, 0
	}
	if step == "outcome" {
		return open, 1<<len(bands) - 1
	}
	for i, b := range bands {
		if b.close(step, detail) {
			closeMask |= 1 << i
		}
		if open < 0 && b.open(step, detail) {
			open = i
		}
	}
	return open, closeMask
}
