package diagnosis

import (
	"fmt"
	"strings"
)

// Doc is a public page and the heading that explains a code or fixes a
// cause.
type Doc struct {
	URL, Title string
}

// The pages explanations point at. Each is a Microsoft Learn page; Title
// names the page and the heading the link lands on.
var (
	docEnroll80070774 = Doc{
		"https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-enrollment-errors#something-went-wrong-error-code-80070774",
		`Troubleshooting Windows device enrollment errors in Intune: "Something went wrong. Error Code 80070774."`}
	docReenroll80180014 = Doc{
		"https://learn.microsoft.com/en-us/autopilot/troubleshoot-device-enrollment#error-code-0x80180014-when-re-enrolling-using-self-deployment-or-pre-provisioning-mode",
		`Troubleshoot Autopilot device import and enrollment: "Error code 0x80180014 when re-enrolling using self-deployment or pre-provisioning mode"`}
	docEnrollErrors = Doc{
		"https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-enrollment-errors",
		"Troubleshooting Windows device enrollment errors in Intune"}
	docAutopilotEvents = Doc{
		"https://learn.microsoft.com/en-us/autopilot/troubleshooting-faq#what-do-the-different-event-ids-mean-in-the-windows-autopilot-event-log-entries-in-event-viewer-",
		`Windows Autopilot troubleshooting FAQ: "What do the different Event IDs mean in the Windows Autopilot event log entries in Event Viewer?"`}
	docProfileDownload = Doc{
		"https://learn.microsoft.com/en-us/autopilot/troubleshooting-faq#how-are-windows-autopilot-device-profiles-downloaded-",
		`Windows Autopilot troubleshooting FAQ: "How are Windows Autopilot device profiles downloaded?"`}
	docQuota = Doc{
		"https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#increase-the-computer-account-limit-in-the-organizational-unit",
		`Deploy Microsoft Entra hybrid joined devices by using Intune and Windows Autopilot: "Increase the computer account limit in the Organizational Unit"`}
	docDomainJoinProfile = Doc{
		"https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#create-and-assign-a-domain-join-profile",
		`Deploy Microsoft Entra hybrid joined devices by using Intune and Windows Autopilot: "Create and assign a Domain Join profile"`}
	docConnector = Doc{
		"https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#install-the-intune-connector-for-active-directory",
		`Deploy Microsoft Entra hybrid joined devices by using Intune and Windows Autopilot: "Install the Intune Connector for Active Directory"`}
	docDeviceGroup = Doc{
		"https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#create-a-device-group",
		`Deploy Microsoft Entra hybrid joined devices by using Intune and Windows Autopilot: "Create a device group"`}
	docVPN = Doc{
		"https://learn.microsoft.com/en-us/autopilot/tutorial/user-driven/hybrid-azure-ad-join-autopilot-profile#off-premisesinternet-scenarios-and-vpn-connectivity",
		`User-driven Microsoft Entra hybrid join: create and assign the Autopilot profile: "Off-premises/Internet scenarios and VPN connectivity"`}
	docESP = Doc{
		"https://learn.microsoft.com/en-us/mem/intune/enrollment/windows-enrollment-status#create-new-profile",
		`Set up the Enrollment Status Page: "Create new profile"`}
	docHybridJoinPhase = Doc{
		"https://learn.microsoft.com/en-us/entra/identity/devices/troubleshoot-hybrid-join-windows-current#join-phase",
		`Troubleshoot Microsoft Entra hybrid joined devices: "Join phase"`}
	docHybridPrecheck = Doc{
		"https://learn.microsoft.com/en-us/entra/identity/devices/troubleshoot-hybrid-join-windows-current#precheck-phase",
		`Troubleshoot Microsoft Entra hybrid joined devices: "Precheck phase"`}
	docProvision = Doc{
		"https://learn.microsoft.com/en-us/windows/win32/api/lmjoin/nf-lmjoin-netprovisioncomputeraccount",
		"NetProvisionComputerAccount function (lmjoin.h)"}
	docSystemErrors = Doc{
		"https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes",
		"System Error Codes"}
)

// Code is one entry of the table of known codes: what Windows, the Intune
// Connector or Entra's device registration show, what it means, and the
// page that documents it.
type Code struct {
	Code    string // as shown: HRESULT hex without 0x (80070774), 0x-prefixed DSREG codes, decimal Win32 codes of event 30132
	Name    string // symbolic name
	Meaning string
	// Message is the text the user sees on screen, where documented.
	Message string
	Doc     Doc
}

// messageDCNotFound is the on-screen text of 80070774, verbatim from the
// enrollment-errors page ("Something went wrong. Error Code 80070774.").
const messageDCNotFound = "Something went wrong. Confirm you are using the correct sign-in information and that your organization uses this feature. You can try to do this again or contact your system administrator with the error code 80070774."

// messageESP is the ESP's default error text, verbatim from "Set up the
// Enrollment Status Page" ("Show custom message when time limit or error
// occurs": No).
const messageESP = "Setup could not be completed. Please try again or contact your support person for help."

// codes is the one table of known codes. Device codes are HRESULTs as
// Windows prints them; connector codes are the decimal Win32 ErrorCode of
// event 30132 (its documented sample carries "5"); DSREG codes keep the 0x
// that dsregcmd prints.
var codes = []Code{
	{"80070774", "HRESULT_FROM_WIN32(ERROR_DOMAIN_CONTROLLER_NOT_FOUND)",
		"the device got no offline domain join blob, or could not reach a domain controller, within the 25-minute connectivity wait of OOBE",
		messageDCNotFound, docEnroll80070774},
	{"8007051F", "HRESULT_FROM_WIN32(ERROR_NO_LOGON_SERVERS)",
		// The message is the system text of Win32 1311; which HRESULT the
		// sign-in screen shows is [INF] (devicesim CodeNoLogonServers).
		"no domain controller answered the first Windows sign-in, which has no cached credentials to fall back on",
		"There are currently no logon servers available to service the logon request.", docVPN},
	{"8007052E", "HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)",
		"Active Directory refused the user name or password at the first Windows sign-in",
		"The user name or password is incorrect.", docSystemErrors},
	{"800705B4", "HRESULT_FROM_WIN32(ERROR_TIMEOUT)",
		"an Enrollment Status Page phase ran out of time (in account setup: the wait for Microsoft Entra registration, the ESP timeout plus 40 minutes on hybrid deployments)",
		messageESP, docESP},
	{"80180018", "MENROLL_E_DEVICEMANAGEMENT_DEVICE_FAILURE",
		"MDM enrollment failed (a generic MDM failure)", "", docEnrollErrors},
	{"0x801c03f2", "DSREG_E_DIRECTORY_FAILURE",
		`the Device Registration Service answered "DirectoryError": the device object by the given id is not found, because Entra Connect has not synced the computer yet`,
		"", docHybridJoinPhase},
	{"0x801c001d", "DSREG_AUTOJOIN_ADCONFIG_READ_FAILED",
		"the service connection point could not be read from Active Directory", "", docHybridJoinPhase},
	{"807", "ZtdDeviceIsNotRegistered", "the device's hardware hash is not registered in Windows Autopilot", "", docAutopilotEvents},
	{"815", "ZtdDeviceHasNoAssignedProfile",
		"No profile assigned to the device, and no default profile found in the tenant.", "", docAutopilotEvents},
	// Connector (event 30132) Win32 codes, [DOC] MS-ERREF / System Error
	// Codes; 5 is the documented sample of the enrollment-errors page.
	{"5", "ERROR_ACCESS_DENIED",
		"the connector's identity may not create computer objects in the target OU", "", docEnroll80070774},
	{"8344", "ERROR_DS_INSUFF_ACCESS_RIGHTS",
		"the connector's identity may not create computer objects in the target OU", "", docEnroll80070774},
	{"8557", "ERROR_DS_MACHINE_ACCOUNT_QUOTA_EXCEEDED",
		"the connector's identity has used up the machine-account quota (ms-DS-MachineAccountQuota, 10 by default) that lets accounts without delegated rights join computers",
		"", docQuota},
	{"2224", "NERR_UserExists",
		"a computer account with that name already exists, and NetProvisionComputerAccount was not asked to reuse it", "", docProvision},
	{"8305", "ERROR_DS_OBJ_STRING_NAME_EXISTS",
		"a computer object with that name already exists in the OU", "", docProvision},
	{"183", "ERROR_ALREADY_EXISTS", "a computer object with that name already exists", "", docProvision},
	{"1355", "ERROR_NO_SUCH_DOMAIN",
		"the connector could not locate a writable domain controller of the domain", "", docConnector},
	{"1210", "ERROR_INVALID_COMPUTERNAME",
		"the computer name built from the Domain Join profile's prefix is not a valid NetBIOS name", "", docDomainJoinProfile},
	{"87", "ERROR_INVALID_PARAMETER",
		"the OU of the Domain Join profile is not a usable distinguished name (for example without its DC= parts, or quoted)", "", docDomainJoinProfile},
	{"2", "ERROR_FILE_NOT_FOUND", "the OU of the Domain Join profile does not exist", "", docDomainJoinProfile},
	{"8333", "ERROR_DS_OBJ_NOT_FOUND", "the OU of the Domain Join profile does not exist", "", docDomainJoinProfile},
}

// Lookup finds a code in the table. HRESULTs match with or without 0x and
// in any case; connector codes are decimal.
func Lookup(code string) (Code, bool) {
	want := normCode(code)
	for _, c := range codes {
		if normCode(c.Code) == want {
			return c, true
		}
	}
	return Code{}, false
}

// Codes returns the table, in its documented order.
func Codes() []Code { return append([]Code(nil), codes...) }

func normCode(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X"))
}

// win32Name is "8557 ERROR_DS_MACHINE_ACCOUNT_QUOTA_EXCEEDED", or the bare
// number for a code outside the table.
func win32Name(code int) string {
	if c, ok := Lookup(fmt.Sprint(code)); ok {
		return fmt.Sprintf("%d %s", code, c.Name)
	}
	return fmt.Sprint(code)
}
