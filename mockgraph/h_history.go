package mockgraph

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// A device reused after an earlier Autopilot deployment (F26). Autopilot
// Reset does not support hybrid joined devices: a reused one is wiped, and
// the earlier deployment's hybrid Entra object and Intune record stay in
// the tenant (Windows Autopilot Reset,
// https://learn.microsoft.com/en-us/autopilot/windows-autopilot-reset).
// Intune lets a device enroll without a user (self-deploying mode, the
// technician flow of pre-provisioning) once: "After the first Autopilot
// deployment, devices with a targeted Autopilot self-deployment mode or
// pre-provisioning mode profile can't automatically re-enroll", the MDM
// fault is DeviceNotSupported with "Enrollment blocked for AP device by SDM
// One Time Limit Check" and Windows shows 0x80180014 until an admin deletes
// the device record in Intune (Troubleshoot Autopilot device import and
// enrollment, "Error code 0x80180014 when re-enrolling using
// self-deployment or pre-provisioning mode",
// https://learn.microsoft.com/en-us/autopilot/troubleshoot-device-enrollment).
// A user-driven enrollment is not refused (the article names only the
// user-less modes).

// oneTimeLimitText is the fault's reason text, as the ETW log shows it.
const oneTimeLimitText = "Enrollment blocked for AP device by SDM One Time Limit Check"

// privPrevious: POST /_private/enrollment/v1/previous (admin token)
// records the earlier deployment of an Autopilot device: its hybrid Entra
// object (trustType ServerAd, synced and registered then) and its Intune
// record. Graph has no create for either; an admin deletes the record with
// DELETE managedDevices/{id}.
func (s *Server) privPrevious(w http.ResponseWriter, r *http.Request) *apiError {
	var b struct {
		SerialNumber      string `json:"serialNumber"`
		HardwareHash      string `json:"hardwareHash"`
		DeviceName        string `json:"deviceName"`
		UserPrincipalName string `json:"userPrincipalName"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	if strings.TrimSpace(b.SerialNumber) == "" {
		return privErr(400, "BadRequest", "serialNumber is required.")
	}
	if strings.TrimSpace(b.DeviceName) == "" {
		return privErr(400, "BadRequest", "deviceName is required: the computer name of the earlier deployment.")
	}
	if b.HardwareHash != "" {
		if _, err := base64.StdEncoding.DecodeString(b.HardwareHash); err != nil {
			return privErr(400, "BadRequest", "hardwareHash is not base64.")
		}
	}
	if md := s.managedBySerial(b.SerialNumber); md != nil {
		return privErr(409, "Conflict", fmt.Sprintf("A managed device with serial number %s already exists.", b.SerialNumber))
	}
	now := s.now()
	ed := &entraDevice{
		ID: s.newID(), DeviceID: s.newID(), DisplayName: b.DeviceName, TrustType: "ServerAd", AccountEnabled: true,
		OperatingSystem: "Windows", OSVersion: "10.0.26100.1000", DeviceOwnership: "Company", ManagementType: "MDM",
		IsManaged: true, Created: now, RegistrationDateTime: &now, PhysicalIDs: []string{}, seq: s.st.nextSeq(),
		OnPremisesSyncEnabled: true, OnPremisesLastSync: &now,
	}
	s.st.entra.put(ed.ID, ed)
	s.st.indexEntra(ed)
	md := &managedDevice{ID: s.newID(), DeviceName: b.DeviceName, SerialNumber: b.SerialNumber, AzureADDeviceID: ed.DeviceID,
		UserPrincipalName: b.UserPrincipalName, JoinType: "hybridAzureADJoined", OwnerType: "company",
		EnrollmentType: "windowsAutoEnrollment", Hash: digestOf(b.HardwareHash), Enrolled: now, LastSync: now, entraObjectID: ed.ID}
	s.st.managed.put(md.ID, md)
	s.st.previousSerials[strings.ToLower(md.SerialNumber)] = md
	s.record("enroll.previous", fmt.Sprintf("%s %s managedDevice=%s", b.SerialNumber, b.DeviceName, md.ID))
	s.deviceChanged(ed.ID)
	writeJSON(w, 201, map[string]any{"managedDeviceId": md.ID, "entraObjectId": ed.ID, "azureAdDeviceId": ed.DeviceID})
	return nil
}

// managedBySerial is an Intune record with the serial, or nil. A scan: it
// runs only for the lab channel above.
func (s *Server) managedBySerial(serial string) *managedDevice {
	for _, md := range s.st.managed.list() {
		if strings.EqualFold(md.SerialNumber, serial) {
			return md
		}
	}
	return nil
}

// oneTimeLimitRefusal is the fault a user-less enrollment (upn "") of d
// meets while the Intune record of an earlier deployment of the same
// serial exists (see above; an admin may have deleted it), or nil.
func (s *Server) oneTimeLimitRefusal(d *autopilotDevice, upn string) *apiError {
	if upn != "" {
		return nil
	}
	md := s.st.previousSerials[strings.ToLower(d.SerialNumber)]
	if md == nil {
		return nil
	}
	if _, kept := s.st.managed.get(md.ID); !kept {
		return nil
	}
	return privErr(403, FaultDeviceNotSupported,
		fmt.Sprintf("%s: the Intune device record %s (%s) of an earlier deployment of %s still exists; delete it before redeploying (0x80180014).",
			oneTimeLimitText, md.ID, md.DeviceName, d.SerialNumber))
}
