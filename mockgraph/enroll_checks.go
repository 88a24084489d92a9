package mockgraph

import (
	"fmt"
	"strings"
)

// Enrollment checks: what Intune refuses at MDM enrollment, and what it
// accepts but cannot finish (failure modes F24, F29, F30 in
// docs/SOURCES.md). The refusals answer the private enroll endpoint with
// the fault subcode of the Mobile Device Enrollment protocol (MS-MDE2
// "2.2.10 Faults",
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/0a78f419-5fd7-4ddb-bc76-1c0f7e11da23)
// as the error code, so the device can show the HRESULT Windows shows.

// The enrollment configuration types checked here (Graph beta
// deviceEnrollmentConfiguration subtypes).
const (
	typePlatformRestrictions = "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration"
	typeEnrollmentLimit      = "#microsoft.graph.deviceEnrollmentLimitConfiguration"
)

// Fault codes of the private enroll endpoint (MS-MDE2 subcodes).
const (
	// FaultDeviceNotSupported: the platform is blocked; Windows shows
	// 0x80180014 "Your organization does not support this version of
	// Windows" (F29, Troubleshoot Windows enrollment errors,
	// https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-enrollment-errors).
	FaultDeviceNotSupported = "DeviceNotSupported"
	// FaultAuthorization: the user may not enroll (another device): Windows
	// shows 80180003 "This user is not authorized to enroll" (F30, same
	// article).
	FaultAuthorization = "Authorization"
	// FaultUserValidation: the user has no Intune licence (Graph
	// deviceEnrollmentFailureReason userValidation: "User does not exist,
	// missing license"). Windows shows "Can't connect to the URL of your
	// organization's MDM terms of use" (F28, Windows Autopilot
	// troubleshooting FAQ, https://learn.microsoft.com/en-us/autopilot/troubleshooting-faq);
	// the code shown is UNCERTAIN (the device uses the generic 80180018).
	FaultUserValidation = "UserValidation"
	// FaultDeviceNotFound: a pre-provisioned device's Entra object is gone.
	// Windows shows an error screen, and User Device Registration/Admin
	// logs HResult 0x801C03F3 (F34, Windows Autopilot known issues,
	// https://learn.microsoft.com/en-us/autopilot/known-issues).
	FaultDeviceNotFound = "DeviceNotFound"
)

// appliesToAllUsers reports whether an enrollment restriction reaches every
// user: the tenant default, or one assigned to All users. Restrictions
// assigned to user groups are not modelled (the simulator has no user
// groups); they are skipped.
func appliesToAllUsers(c *enrollmentConfig) bool {
	if c.IsDefault {
		return true
	}
	for _, a := range c.Assignments {
		if a.Target.ODataType == tAllUsers {
			return true
		}
	}
	return false
}

// enrollRefusal is the fault an enrollment by upn meets, or nil: no
// Intune licence (F28), Windows
// (MDM) blocked by a platform restriction (F29), or the user's device limit
// reached (F30). UNCERTAIN: whether the device limit counts Autopilot
// enrollments; the limit is only applied when a scenario sets one.
func (s *Server) enrollRefusal(upn string) *apiError {
	for _, u := range s.cfg.UnlicensedUsers {
		if upn != "" && strings.EqualFold(u, upn) {
			return privErr(403, FaultUserValidation,
				upn+" has no Intune licence: Something went wrong. Can't connect to the URL of your organization's MDM terms of use.")
		}
	}
	for _, c := range s.st.enrollConfs.list() {
		if !appliesToAllUsers(c) {
			continue
		}
		switch c.ODataType {
		case typePlatformRestrictions:
			if win, ok := c.Props["windowsRestriction"].(map[string]any); ok && win["platformBlocked"] == true {
				return privErr(403, FaultDeviceNotSupported,
					fmt.Sprintf("Windows (MDM) is blocked by the enrollment restriction %q: Your organization does not support this version of Windows (0x80180014).", c.Props["displayName"]))
			}
		case typeEnrollmentLimit:
			limit, ok, _ := numProp(c.Props, "limit")
			if !ok || upn == "" {
				continue
			}
			n := 0
			for _, md := range s.st.managed.list() {
				if strings.EqualFold(md.UserPrincipalName, upn) {
					n++
				}
			}
			if n >= limit {
				return privErr(403, FaultAuthorization,
					fmt.Sprintf("%s has enrolled %d devices, the limit of %q is %d: This user is not authorized to enroll (80180003).", upn, n, c.Props["displayName"], limit))
			}
		}
	}
	return nil
}

// assignedUserBlocksODJ: a user assigned to the Autopilot device ("Assign
// user") with a hybrid profile puts the device "in a state where it cannot
// domain-join" and it fails with 80070774 (F24, Troubleshoot Windows
// enrollment errors, "Something went wrong... 80070774"). Modelled as: no
// ODJ request is made, so the device times out waiting for its blob.
// UNCERTAIN: where in the service the flow stops.
func assignedUserBlocksODJ(d *autopilotDevice) bool { return d.UserPrincipalName != "" }

// preProvisionedWithoutEntraObject: the technician flow of pre-provisioning
// enrolls the device without a user, as the device itself; when the
// device's Entra object was deleted the known issues page gives HResult
// 0x801C03F3 in User Device Registration/Admin and an error screen (F34,
// https://learn.microsoft.com/en-us/autopilot/known-issues; fix: remove the
// device from Entra, Intune and Autopilot and register it again).
// UNCERTAIN: at which step of the technician flow; modelled as the
// enrollment refused, so the technician sees the error before the reseal.
func (s *Server) preProvisionedWithoutEntraObject(d *autopilotDevice, upn string) *apiError {
	if upn != "" || s.hasEntraObject(d) {
		return nil
	}
	return privErr(404, FaultDeviceNotFound,
		fmt.Sprintf("No Entra device object %s for the pre-provisioned device %s (0x801C03F3).", d.AzureADDeviceID, d.SerialNumber))
}

// hasEntraObject: the Autopilot-created Entra device object still exists.
// When an admin deleted it, the hybrid flow fails with 80070774 (F25,
// Troubleshoot Windows enrollment errors,
// https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-enrollment-errors;
// fix: delete the Autopilot record and re-import the hash). Modelled as:
// no ODJ request is made (the request names the object's deviceId).
// UNCERTAIN: where in the service the flow stops.
func (s *Server) hasEntraObject(d *autopilotDevice) bool {
	_, ok := s.st.entra.get(d.EntraObjectID)
	return ok
}
