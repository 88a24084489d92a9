package devicesim

import (
	"errors"
	"strings"
)

// Enrollment refusals as the device shows them. The service answers with
// the fault subcode of the Mobile Device Enrollment protocol (MS-MDE2
// "2.2.10 Faults",
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/0a78f419-5fd7-4ddb-bc76-1c0f7e11da23);
// Windows shows the HRESULT that the fault maps to, with the message of
// "Troubleshoot Windows device enrollment errors in Intune"
// (https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-enrollment-errors).
const (
	// CodeDeviceNotSupported is MENROLL_E_DEVICENOTSUPPORTED: Windows (MDM)
	// blocked by a platform restriction (F29), or a pre-provisioned device
	// reused while Intune holds its earlier record (F26).
	CodeDeviceNotSupported = "80180014"
	// CodeNotAuthorized is MENROLL_E_DEVICE_AUTHORIZATION_ERROR: the user
	// may not enroll (another) device (F30).
	CodeNotAuthorized = "80180003"
	// CodeDeviceObjectNotFound is the HResult User Device Registration/Admin
	// logs when a pre-provisioned device's Entra object was deleted (F34,
	// Windows Autopilot known issues,
	// https://learn.microsoft.com/en-us/autopilot/known-issues).
	CodeDeviceObjectNotFound = "801C03F3"
)

// enrollFailure is the code and message the device shows when MDM
// enrollment is refused; anything unrecognised is the generic 80180018.
func enrollFailure(err error) (code, msg string) {
	var ce *CloudError
	if errors.As(err, &ce) {
		switch ce.Code {
		case "DeviceNotSupported":
			if strings.Contains(ce.Error(), "One Time Limit Check") {
				// F26: a reused device's user-less enrollment while the
				// Intune record of its earlier deployment exists
				// (Troubleshoot Autopilot device import and enrollment,
				// "Error code 0x80180014 when re-enrolling using
				// self-deployment or pre-provisioning mode",
				// https://learn.microsoft.com/en-us/autopilot/troubleshoot-device-enrollment).
				return CodeDeviceNotSupported, "Something went wrong (0x80180014): the device cannot re-enroll through Autopilot without a user while Intune holds its earlier record"
			}
			return CodeDeviceNotSupported, "Something went wrong. Your organization does not support this version of Windows (0x80180014)"
		case "UserValidation":
			// F28: the message of the Windows Autopilot troubleshooting FAQ;
			// the code shown is UNCERTAIN, the generic one is used.
			return CodeMDMFailure, "Something went wrong. Can't connect to the URL of your organization's MDM terms of use"
		case "DeviceNotFound":
			return CodeDeviceObjectNotFound, "Something went wrong (0x801C03F3): the device's Microsoft Entra object was not found (User Device Registration/Admin)"
		case "Authorization":
			return CodeNotAuthorized, "Something went wrong. This user is not authorized to enroll (80180003)"
		}
	}
	return CodeMDMFailure, "MDM enrollment failed"
}
