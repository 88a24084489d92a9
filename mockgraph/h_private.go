package mockgraph

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// Private channels (PRIVATE_API.md). Each is authenticated as its real
// service authenticates its client (creds.go); errors use Graph's envelope.

func privErr(status int, code, msg string) *apiError { return dirErr(status, code, msg) }

func (s *Server) autopilotBySerial(serial string) *autopilotDevice {
	return s.st.serials[strings.ToLower(serial)]
}

// privProfile: POST /_private/autopilot/v1/profile (S1, S8, S12).
func (s *Server) privProfile(w http.ResponseWriter, r *http.Request) *apiError {
	var b struct {
		SerialNumber string `json:"serialNumber"`
		HardwareHash string `json:"hardwareHash"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	if strings.TrimSpace(b.SerialNumber) == "" {
		return privErr(400, "BadRequest", "serialNumber is required.")
	}
	if b.HardwareHash == "" {
		return privErr(400, "BadRequest", "hardwareHash is required: the service knows a device by its hardware hash.")
	}
	d := s.autopilotBySerial(b.SerialNumber)
	if d != nil && !d.Hash.matches(b.HardwareHash) {
		// Another machine claiming the serial: to the service it is not a
		// registered device (no oracle for which serials exist).
		d = nil
	}
	if d == nil {
		s.record("profile.notRegistered", b.SerialNumber)
		return privErr(404, "ZtdDeviceIsNotRegistered", fmt.Sprintf("The device with serial number %s is not registered with Windows Autopilot (event 807).", b.SerialNumber))
	}
	d.LastContacted = s.now()
	out := map[string]any{"autopilotDeviceId": d.ID, "azureAdDeviceId": d.AzureADDeviceID, "profile": nil}
	switch d.AssignmentStatus {
	case "pending":
		if p, ok := s.st.profiles.get(d.AssignedProfileID); ok && d.AssignedProfileID != "" {
			// CHOICE [INF] (F2: "Default profile's behaviour"): while a
			// new assignment processes, the profile already assigned
			// (often the All-devices default, S12) stays in effect.
			out["profileSource"], out["profileStatus"] = d.AssignedSource, "assigning"
			out["profile"] = privProfileJSON(p)
			break
		}
		// S8: nothing assigned yet: the device caches a blank profile
		// until its next reboot.
		out["profileSource"], out["profileStatus"], out["blank"] = "none", "assigning", true
	case "assignedUnkownSyncState", "assignedInSync", "assignedOutOfSync":
		p, ok := s.st.profiles.get(d.AssignedProfileID)
		if !ok {
			out["profileSource"], out["profileStatus"] = "none", "notAssigned"
			break
		}
		out["profileSource"], out["profileStatus"] = d.AssignedSource, d.AssignmentStatus
		out["profile"] = privProfileJSON(p)
	default:
		// Event 815: no profile and no default profile.
		out["profileSource"], out["profileStatus"] = "none", "notAssigned"
	}
	s.record("profile.download", fmt.Sprintf("%s source=%v", d.SerialNumber, out["profileSource"]))
	writeJSON(w, 200, out)
	return nil
}

func privProfileJSON(p *deploymentProfile) map[string]any {
	m := map[string]any{
		"id": p.ID, "@odata.type": p.ODataType, "displayName": p.Props["displayName"],
		"cloudAssignedDomainJoinMethod":     0,
		"hybridJoinSkipDCConnectivityCheck": false,
		"deviceNameTemplate":                p.Props["deviceNameTemplate"],
		"outOfBoxExperienceSetting":         p.Props["outOfBoxExperienceSetting"],
	}
	if p.hybrid() {
		m["cloudAssignedDomainJoinMethod"] = 1
		if v, ok := p.Props["hybridAzureADJoinSkipConnectivityCheck"].(bool); ok {
			m["hybridJoinSkipDCConnectivityCheck"] = v
		}
	}
	if m["outOfBoxExperienceSetting"] == nil {
		m["outOfBoxExperienceSetting"] = map[string]any{}
	}
	return m
}

// privEnroll: POST /_private/enrollment/v1/enroll (S5–S6). Creates the
// managedDevice, resolves the Domain Join configuration and the ESP now.
func (s *Server) privEnroll(w http.ResponseWriter, r *http.Request) *apiError {
	var b struct {
		SerialNumber      string `json:"serialNumber"`
		AutopilotDeviceID string `json:"autopilotDeviceId"`
		UserPrincipalName string `json:"userPrincipalName"`
		JoinType          string `json:"joinType"`
		HardwareHash      string `json:"hardwareHash"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	if b.HardwareHash == "" {
		return privErr(400, "BadRequest", "hardwareHash is required: the service knows a device by its hardware hash.")
	}
	var d *autopilotDevice
	if b.AutopilotDeviceID != "" {
		d, _ = s.st.autopilot.get(b.AutopilotDeviceID)
	}
	if d == nil && b.SerialNumber != "" {
		d = s.autopilotBySerial(b.SerialNumber)
	}
	if d != nil && !d.Hash.matches(b.HardwareHash) {
		d = nil // not this machine (see privProfile)
	}
	if d == nil {
		return privErr(404, "ZtdDeviceIsNotRegistered", fmt.Sprintf("No Autopilot device with serial %q / id %q.", b.SerialNumber, b.AutopilotDeviceID))
	}
	hybrid := false
	switch b.JoinType {
	case "DeviceJoinForDomainJoin":
		hybrid = true
	case "AzureADJoin", "":
	default:
		return privErr(400, "BadRequest", fmt.Sprintf("Unknown joinType %q (want DeviceJoinForDomainJoin or AzureADJoin).", b.JoinType))
	}
	if e := s.enrollRefusal(b.UserPrincipalName); e != nil { // F29, F30 (enroll_checks.go)
		s.record("enroll.refused", d.SerialNumber+" "+e.code)
		return e
	}
	if e := s.preProvisionedWithoutEntraObject(d, b.UserPrincipalName); e != nil { // F34 (enroll_checks.go)
		s.record("enroll.refused", d.SerialNumber+" "+e.code)
		return e
	}
	if e := s.oneTimeLimitRefusal(d, b.UserPrincipalName); e != nil { // F26 (h_history.go)
		s.record("enroll.refused", d.SerialNumber+" "+e.code)
		return e
	}
	now := s.now()
	profileName := ""
	if p, ok := s.st.profiles.get(d.AssignedProfileID); ok {
		profileName, _ = p.Props["displayName"].(string)
	}
	md := &managedDevice{ID: s.newID(), DeviceName: d.SerialNumber, SerialNumber: d.SerialNumber, AzureADDeviceID: d.AzureADDeviceID,
		UserPrincipalName: b.UserPrincipalName, EnrollmentProfileName: profileName, AutopilotID: d.ID, JoinType: "azureADJoined",
		OwnerType: "company", EnrollmentType: "windowsAutoEnrollment", Hash: d.Hash,
		Manufacturer: d.Manufacturer, Model: d.Model, Enrolled: now, LastSync: now}
	if hybrid {
		md.JoinType = "hybridAzureADJoined"
	}
	s.st.managed.put(md.ID, md)
	d.ManagedDeviceID, d.EnrollmentState, d.LastContacted = md.ID, "enrolled", now
	if ed, ok := s.st.entra.get(d.EntraObjectID); ok {
		ed.IsManaged, ed.ManagementType, ed.DeviceOwnership, ed.EnrollmentProfileName = true, "MDM", "Company", profileName
		s.deviceChanged(ed.ID)
	}
	// The MDM device certificate stand-in: the device's credential on the
	// channels that follow (its ODJ request).
	out := map[string]any{"managedDeviceId": md.ID, "odjRequestId": nil, "domainJoinProfileId": nil,
		"deviceCredential": s.issue(credential{kind: credDevice, id: md.ID}, "mdm_")}
	if hybrid && assignedUserBlocksODJ(d) { // F24 (enroll_checks.go)
		s.record("odj.assignedUser", d.SerialNumber+" "+d.UserPrincipalName)
	} else if hybrid && !s.hasEntraObject(d) { // F25 (enroll_checks.go)
		s.record("odj.noEntraObject", d.SerialNumber)
	} else if hybrid {
		if c := s.resolveDomainJoin(d.EntraObjectID); c != nil {
			req := s.newODJRequest(d, md, c)
			out["odjRequestId"], out["domainJoinProfileId"] = req.ID, c.ID
		} else {
			// F5: no Domain Join profile targets the device: no request, ever.
			s.record("odj.noProfile", d.SerialNumber)
		}
	}
	esp := s.resolveESP(d.EntraObjectID)
	timeout := 60
	if esp != nil {
		if n, ok, _ := numProp(esp.Props, "installProgressTimeoutInMinutes"); ok && n > 0 {
			timeout = n
		}
	}
	extra := 0
	if hybrid {
		extra = 40 // F18: hybrid adds 40 minutes
	}
	// The user phase is skipped by an OMA-URI custom profile, not by an ESP
	// property (F19); it reaches the device in the device phase.
	out["esp"] = map[string]any{"timeoutMinutes": timeout, "hybridExtraMinutes": extra, "skipUserStatusPage": s.skipUserStatusPage(d.EntraObjectID)}
	if esp != nil {
		out["esp"].(map[string]any)["id"] = esp.ID
	}
	s.record("enroll", fmt.Sprintf("%s managedDevice=%s odj=%v", d.SerialNumber, md.ID, out["odjRequestId"]))
	writeJSON(w, 201, out)
	return nil
}

// privExisting records a device that was enrolled in Intune before the
// scenario, not through Autopilot (seed 000 "Register Windows Autopilot
// devices that are already enrolled"): its Entra object and its managed
// device. It is the pre-state "Convert all targeted devices" works on
// (engine_convert.go); Graph has no create for either entity.
func (s *Server) privExisting(w http.ResponseWriter, r *http.Request) *apiError {
	var b struct {
		SerialNumber      string `json:"serialNumber"`
		HardwareHash      string `json:"hardwareHash"`
		DeviceName        string `json:"deviceName"`
		Ownership         string `json:"ownership"`
		JoinType          string `json:"joinType"`
		UserPrincipalName string `json:"userPrincipalName"`
		Manufacturer      string `json:"manufacturer"`
		Model             string `json:"model"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	if strings.TrimSpace(b.SerialNumber) == "" {
		return privErr(400, "BadRequest", "serialNumber is required.")
	}
	if strings.TrimSpace(b.DeviceName) == "" {
		return privErr(400, "BadRequest", "deviceName is required.")
	}
	if b.HardwareHash != "" {
		if _, err := base64.StdEncoding.DecodeString(b.HardwareHash); err != nil {
			return privErr(400, "BadRequest", "hardwareHash is not base64.")
		}
	}
	var owner, ownership string
	switch b.Ownership {
	case "company":
		owner, ownership = "company", "Company"
	case "personal":
		owner, ownership = "personal", "Personal"
	default:
		return privErr(400, "BadRequest", fmt.Sprintf("ownership %q: want company or personal.", b.Ownership))
	}
	// deviceEnrollmentType per the Graph enum's descriptions (Learn
	// "deviceEnrollmentType enum type").
	var trust, enrollType string
	switch b.JoinType {
	case "hybridAzureADJoined":
		// A domain-joined PC enrolled by the auto-enrollment GPO (S21),
		// "Co-Management triggered by AutoPilot or Group Policy"; its
		// Entra object came from Entra Connect.
		trust, enrollType = "ServerAd", "windowsCoManagement"
	case "azureADJoined":
		trust, enrollType = "AzureAd", "windowsAzureADJoin"
	case "azureADRegistered":
		// "Windows 10 automatic enrollment. (Add work account)"
		trust, enrollType = "Workplace", "windowsAutoEnrollment"
	default:
		return privErr(400, "BadRequest", fmt.Sprintf("joinType %q: want hybridAzureADJoined, azureADJoined or azureADRegistered.", b.JoinType))
	}
	if _, dup := s.st.existingSerials[strings.ToLower(b.SerialNumber)]; dup {
		return privErr(409, "Conflict", fmt.Sprintf("A managed device with serial number %s already exists.", b.SerialNumber))
	}
	now := s.now()
	ed := &entraDevice{
		ID: s.newID(), DeviceID: s.newID(), DisplayName: b.DeviceName, TrustType: trust, AccountEnabled: true,
		OperatingSystem: "Windows", OSVersion: "10.0.26100.1000", DeviceOwnership: ownership, ManagementType: "MDM",
		IsManaged: true, Created: now, RegistrationDateTime: &now, PhysicalIDs: []string{}, seq: s.st.nextSeq(),
	}
	if trust == "ServerAd" {
		ed.OnPremisesSyncEnabled, ed.OnPremisesLastSync = true, &now
	}
	s.st.entra.put(ed.ID, ed)
	s.st.indexEntra(ed)
	md := &managedDevice{ID: s.newID(), DeviceName: b.DeviceName, SerialNumber: b.SerialNumber, AzureADDeviceID: ed.DeviceID,
		UserPrincipalName: b.UserPrincipalName, JoinType: b.JoinType, OwnerType: owner, EnrollmentType: enrollType,
		Hash: digestOf(b.HardwareHash), Manufacturer: b.Manufacturer, Model: b.Model, Enrolled: now, LastSync: now, entraObjectID: ed.ID}
	s.st.managed.put(md.ID, md)
	s.st.existing[ed.ID] = md
	s.st.existingSerials[strings.ToLower(md.SerialNumber)] = md
	s.record("enroll.existing", fmt.Sprintf("%s %s %s managedDevice=%s", b.SerialNumber, b.JoinType, owner, md.ID))
	s.deviceChanged(ed.ID)
	s.recomputeConversion(md)
	writeJSON(w, 201, map[string]any{"managedDeviceId": md.ID, "entraObjectId": ed.ID, "azureAdDeviceId": ed.DeviceID})
	return nil
}

func (s *Server) odjJSON(q *odjRequest) odjView {
	v := odjView{ID: q.ID, State: q.State, Domain: q.Domain, RetryCount: q.RetryCount}
	if q.State == "completed" {
		v.Blob = &q.Blob
	}
	return v
}

// odjView is an ODJ request as its device reads it, its keys in the order
// json.Marshal sorts a map's (the map it replaces gave the same bytes; the
// device polls it every few seconds while the connector works).
type odjView struct {
	Blob       *string `json:"blob"`
	Domain     string  `json:"domain"`
	ID         string  `json:"id"`
	RetryCount int     `json:"retryCount"`
	State      string  `json:"state"`
}

// privODJGet answers the device the request was made for, and nobody else:
// the blob holds its machine password (S33).
func (s *Server) privODJGet(w http.ResponseWriter, r *http.Request, c credential) *apiError {
	q, ok := s.st.odj.get(pathVar(r, "id"))
	if !ok || q.ManagedDeviceID != c.id {
		return privErr(404, "NotFound", "No ODJ request with id "+pathVar(r, "id")+".")
	}
	writeJSON(w, 200, s.odjJSON(q))
	return nil
}

func (s *Server) privHeartbeat(w http.ResponseWriter, r *http.Request, cred credential) *apiError {
	var b struct {
		DisplayName string `json:"displayName"`
		Domain      string `json:"domain"`
		Version     string `json:"version"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	id := pathVar(r, "cid")
	if strings.TrimSpace(b.Domain) == "" {
		return privErr(400, "BadRequest", "domain is required.")
	}
	if e := connectorMay(cred, id, b.Domain); e != nil {
		return e
	}
	c, ok := s.st.connectors.get(id)
	if !ok {
		c = &domainJoinConnector{ID: id, seq: s.st.nextSeq()}
		s.st.connectors.put(id, c)
		s.record("connector.registered", id+" "+b.Domain)
	}
	c.DisplayName, c.Domain, c.Version, c.LastConnection = b.DisplayName, b.Domain, b.Version, s.now()
	writeJSON(w, 200, map[string]any{"id": c.ID, "state": c.state(s.now())})
	return nil
}

// privClaim hands out pending requests of the connector's domain, oldest
// first (S2: the connector serves only its own domain).
func (s *Server) privClaim(w http.ResponseWriter, r *http.Request, cred credential) *apiError {
	var b struct {
		Max *int `json:"max"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	if e := connectorMay(cred, pathVar(r, "cid"), cred.domain); e != nil {
		return e
	}
	c, ok := s.st.connectors.get(pathVar(r, "cid"))
	if !ok {
		return privErr(404, "ConnectorNotRegistered", "The connector "+pathVar(r, "cid")+" has never sent a heartbeat.")
	}
	if e := s.claimRefusal(c); e != nil { // F11 (connector_checks.go)
		return e
	}
	max := 10
	if b.Max != nil {
		if *b.Max < 1 || *b.Max > 1000 {
			return privErr(400, "BadRequest", fmt.Sprintf("max must be between 1 and 1000, got %d.", *b.Max))
		}
		max = *b.Max
	}
	out := []any{}
	for _, q := range s.st.odjPending.take(c.Domain, max) {
		q.State, q.ClaimedBy = "inProgress", c.ID
		out = append(out, map[string]any{"id": q.ID, "deviceId": q.AzureADDeviceID, "serialNumber": q.SerialNumber,
			"domain": q.Domain, "organizationalUnit": q.OrganizationalUnit, "computerNameStaticPrefix": q.Prefix,
			"computerNameSuffixRandomCharCount": q.SuffixCount, "retryCount": q.RetryCount})
		s.record("odj.claimed", q.SerialNumber+" by "+c.ID)
	}
	writeJSON(w, 200, map[string]any{"requests": out})
	return nil
}

// privODJResult: success → completed with the blob; failure → pending with
// retryCount+1 while retryCount < ODJMaxRetries, else failed (CHOICE: with
// ODJMaxRetries=2 a request gets 3 attempts; the real policy is UNCERTAIN, S10).
func (s *Server) privODJResult(w http.ResponseWriter, r *http.Request, cred credential) *apiError {
	var b struct {
		ConnectorID       string `json:"connectorId"`
		Success           *bool  `json:"success"`
		ComputerName      string `json:"computerName"`
		DistinguishedName string `json:"distinguishedName"`
		Blob              string `json:"blob"`
		ErrorCode         int    `json:"errorCode"`
		DiagnosticCode    string `json:"diagnosticCode"`
		ErrorDescription  string `json:"errorDescription"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	q, ok := s.st.odj.get(pathVar(r, "id"))
	if !ok {
		return privErr(404, "NotFound", "No ODJ request with id "+pathVar(r, "id")+".")
	}
	if b.Success == nil {
		return privErr(400, "BadRequest", "success is required.")
	}
	if b.ConnectorID != "" && b.ConnectorID != cred.id {
		return errForbidden("connectorId is not the connector the credential was issued to.")
	}
	if q.State != "inProgress" {
		return privErr(409, "Conflict", fmt.Sprintf("The request is %s, not inProgress.", q.State))
	}
	if q.ClaimedBy != cred.id {
		return errForbidden("The request was claimed by another connector.")
	}
	if *b.Success {
		if b.Blob == "" {
			return privErr(400, "BadRequest", "A successful result needs a blob.")
		}
		if _, err := base64.StdEncoding.DecodeString(b.Blob); err != nil {
			return privErr(400, "BadRequest", "blob must be base64: "+err.Error())
		}
		s.strs.Pack(&b.Blob, &b.ComputerName, &b.DistinguishedName)
		q.State, q.Blob, q.ComputerName, q.DistinguishedName = "completed", b.Blob, b.ComputerName, b.DistinguishedName
		if md, ok := s.st.managed.get(q.ManagedDeviceID); ok && b.ComputerName != "" {
			md.DeviceName = b.ComputerName
		}
		s.record("odj.completed", q.SerialNumber+" "+b.ComputerName)
	} else {
		q.LastErrorCode, q.LastDiagnostic, q.LastErrorText = b.ErrorCode, b.DiagnosticCode, b.ErrorDescription
		if q.RetryCount < s.cfg.ODJMaxRetries {
			q.RetryCount++
			q.State, q.ClaimedBy = "pending", ""
			s.st.odjPending.push(q)
			s.record("odj.retry", fmt.Sprintf("%s retry=%d error=%d", q.SerialNumber, q.RetryCount, b.ErrorCode))
		} else {
			q.State = "failed"
			s.record("odj.failed", fmt.Sprintf("%s error=%d", q.SerialNumber, b.ErrorCode))
		}
	}
	noContent(w)
	return nil
}

// privSyncPut: Entra Connect exports a computer as a hybrid device object
// (S19, S23, S24): trustType ServerAd, synced, not registered yet (S26).
func (s *Server) privSyncPut(w http.ResponseWriter, r *http.Request, _ credential) *apiError {
	var b struct {
		DisplayName                  string `json:"displayName"`
		DeviceID                     string `json:"deviceId"`
		OnPremisesSecurityIdentifier string `json:"onPremisesSecurityIdentifier"`
		OnPremisesDistinguishedName  string `json:"onPremisesDistinguishedName"`
		CertificateThumbprint        string `json:"certificateThumbprint"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	oid := pathVar(r, "oid")
	if !isGUID(b.DeviceID) {
		return privErr(400, "BadRequest", fmt.Sprintf("deviceId %q is not a GUID.", b.DeviceID))
	}
	if strings.TrimSpace(b.DisplayName) == "" {
		return privErr(400, "BadRequest", "displayName is required.")
	}
	now := s.now()
	d := s.st.entraByAnchor(oid)
	status := 200
	if d == nil {
		status = 201
		d = &entraDevice{ID: s.newID(), OnPremisesObjectID: oid, AccountEnabled: true, TrustType: "ServerAd",
			OperatingSystem: "Windows", OSVersion: "10.0.26100.1000", OnPremisesSyncEnabled: true, Created: now, seq: s.st.nextSeq(),
			PhysicalIDs: []string{}}
		s.st.entra.put(d.ID, d)
	}
	s.strs.Pack(&b.DisplayName, &b.DeviceID, &b.OnPremisesSecurityIdentifier, &b.OnPremisesDistinguishedName, &b.CertificateThumbprint)
	d.DisplayName, d.DeviceID, d.OnPremisesSID, d.OnPremisesDN = b.DisplayName, b.DeviceID, b.OnPremisesSecurityIdentifier, b.OnPremisesDistinguishedName
	d.CertificateThumbprint = b.CertificateThumbprint
	d.OnPremisesLastSync = &now
	s.st.indexEntra(d)
	s.deviceChanged(d.ID)
	s.record("sync.export", fmt.Sprintf("%s deviceId=%s status=%d", b.DisplayName, b.DeviceID, status))
	writeJSON(w, status, d.toJSON())
	return nil
}

func (s *Server) privSyncDelete(w http.ResponseWriter, r *http.Request, _ credential) *apiError {
	oid := pathVar(r, "oid")
	if d := s.st.entraByAnchor(oid); d != nil {
		s.st.entra.del(d.ID)
		for _, g := range s.st.groups.list() {
			g.removeMember(d.ID)
		}
		s.record("sync.delete", d.DisplayName)
		noContent(w)
		return nil
	}
	return privErr(404, "NotFound", "No synced device with on-premises object id "+oid+".")
}

// privDRSRegister completes hybrid registration (S12, S20): 404 until Entra
// Connect has synced the computer.
func (s *Server) privDRSRegister(w http.ResponseWriter, r *http.Request) *apiError {
	var b struct {
		DeviceID              string `json:"deviceId"`
		CertificateThumbprint string `json:"certificateThumbprint"`
		Certificate           string `json:"certificate"`
		Signature             string `json:"signature"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	for _, d := range s.st.entraByDeviceID(b.DeviceID) {
		if d.OnPremisesSyncEnabled {
			// The device proves it holds the key of the certificate Entra
			// Connect synced (creds.go).
			if e := checkDeviceProof(d, b.Certificate, b.Signature); e != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="autopilotsim-private"`)
				return e
			}
			if d.RegistrationDateTime == nil {
				now := s.now()
				d.RegistrationDateTime = &now
				s.record("drs.registered", d.DisplayName)
				s.deviceChanged(d.ID)
			}
			writeJSON(w, 200, d.toJSON())
			return nil
		}
	}
	e := privErr(404, "DirectoryError", fmt.Sprintf("The device object by the given id (%s) isn't found.", b.DeviceID))
	e.extra = map[string]any{"clientErrorCode": "0x801c03f2"}
	return e
}

// newODJRequest queues a blob request for the configuration's domain.
func (s *Server) newODJRequest(d *autopilotDevice, md *managedDevice, c *deviceConfig) *odjRequest {
	dom, _ := strProp(c.Props, "activeDirectoryDomainName")
	ou, _ := strProp(c.Props, "organizationalUnit")
	prefix, _ := strProp(c.Props, "computerNameStaticPrefix")
	n, _, _ := numProp(c.Props, "computerNameSuffixRandomCharCount")
	q := &odjRequest{ID: s.newID(), ManagedDeviceID: md.ID, AutopilotID: d.ID, AzureADDeviceID: d.AzureADDeviceID,
		SerialNumber: d.SerialNumber, ConfigID: c.ID, Domain: dom, OrganizationalUnit: ou, Prefix: prefix, SuffixCount: n,
		State: "pending", Created: s.now(), seq: s.st.nextSeq()}
	s.st.odj.put(q.ID, q)
	s.st.odjPending.push(q)
	s.record("odj.queued", d.SerialNumber+" domain="+dom)
	return q
}

// connectorMay checks that a connector's credential is the one installed
// for id and, when domain is given, for that domain (S2: a connector serves
// its own domain).
func connectorMay(cred credential, id, domain string) *apiError {
	if cred.id != id {
		return errForbidden("The credential was issued to another connector.")
	}
	if !strings.EqualFold(cred.domain, domain) {
		return errForbidden(fmt.Sprintf("The connector was installed for %s, not %s.", cred.domain, domain))
	}
	return nil
}

// privInstallConnector: POST /_private/odj/v1/connectors (admin token): the
// connector's installation, which issues its credential.
func (s *Server) privInstallConnector(w http.ResponseWriter, r *http.Request) *apiError {
	var b struct {
		ID     string `json:"id"`
		Domain string `json:"domain"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	if strings.TrimSpace(b.ID) == "" || strings.TrimSpace(b.Domain) == "" {
		return privErr(400, "BadRequest", "id and domain are required.")
	}
	secret := s.issue(credential{kind: credConnector, id: b.ID, domain: b.Domain}, "odjc_")
	s.record("connector.installed", b.ID+" "+b.Domain)
	writeJSON(w, 201, map[string]any{"id": b.ID, "domain": b.Domain, "credential": secret})
	return nil
}
