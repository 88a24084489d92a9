package mockgraph

import (
	"encoding/base64"
	"strings"
)

// Physical id prefixes as real data spells them (graph-api.md §14, S10).
// Dynamic rules compare case-insensitively, so "[ZTDId]" rules match too.
const (
	ztdIDPrefix         = "[ZTDID]:"
	orderIDPrefix       = "[OrderId]:"
	purchaseOrderPrefix = "[PurchaseOrderId]:"
)

// DDS error codes (graph-api.md §5.3, S9).
const (
	errInvalidHash        = 802
	errMissingSerialAndPK = 803
	errAlreadyAssigned    = 806
)

// scheduleImport processes a batch after Delays.ImportProcessing, in the
// order the rows arrived (a duplicate inside one batch gets 806 too).
func (s *Server) scheduleImport(ids []string) {
	s.after(s.cfg.Delays.ImportProcessing, "import.process", func() {
		for _, id := range ids {
			if d, ok := s.st.imported.get(id); ok {
				s.processImport(d)
			}
		}
	})
}

func (s *Server) processImport(d *importedDevice) {
	fail := func(code int, name string) {
		d.Status, d.ErrorCode, d.ErrorName = "error", code, name
		s.record("import.error", d.SerialNumber+" "+name)
	}
	if strings.TrimSpace(d.SerialNumber) == "" && strings.TrimSpace(d.ProductKey) == "" {
		fail(errMissingSerialAndPK, "MissingZtdSerialNumberAndProductKey")
		return
	}
	// The hash is Edm.Binary: base64. Real DDS also checks its length
	// (4096 chars, S9); simulated devices send short hashes, so only the
	// encoding is checked (UNCERTAIN, documented in COVERAGE.md).
	if h := d.HardwareIdentifier.text; h != "" {
		if _, err := base64.StdEncoding.DecodeString(h); err != nil {
			fail(errInvalidHash, "InvalidZtdHardwareHash")
			return
		}
	}
	if _, dup := s.st.serials[strings.ToLower(d.SerialNumber)]; dup && d.SerialNumber != "" {
		fail(errAlreadyAssigned, "ZtdDeviceAlreadyAssigned")
		return
	}
	ap := &autopilotDevice{
		ID: s.newID(), SerialNumber: d.SerialNumber, GroupTag: d.GroupTag, PurchaseOrder: d.PurchaseOrder,
		ProductKey: d.ProductKey, Hash: d.HardwareIdentifier.digest, UserPrincipalName: d.AssignedUPN,
		EnrollmentState: "notContacted", AssignmentStatus: "notAssigned", RegisteredBy: "import", seq: s.st.nextSeq(),
	}
	ed := s.newPlaceholder(d.SerialNumber)
	if d.GroupTag != "" {
		ed.PhysicalIDs = append(ed.PhysicalIDs, orderIDPrefix+d.GroupTag)
	}
	if d.PurchaseOrder != "" {
		ed.PhysicalIDs = append(ed.PhysicalIDs, purchaseOrderPrefix+d.PurchaseOrder)
	}
	d.Status, d.RegistrationID, d.ErrorCode, d.ErrorName = "complete", ap.ID, 0, ""
	s.record("import.complete", d.SerialNumber+" ztdId="+ap.ID)
	s.register(ap, ed)
}

// newPlaceholder is the Entra object an Autopilot registration creates
// (§10, §14): named after the serial, trustType AzureAd (UNCERTAIN, §15.6).
func (s *Server) newPlaceholder(serial string) *entraDevice {
	return &entraDevice{
		ID: s.newID(), DeviceID: s.newID(), DisplayName: serial, TrustType: "AzureAd",
		AccountEnabled: true, OperatingSystem: "Windows", OSVersion: "10.0.26100.1000",
		Created: s.now(), PhysicalIDs: []string{}, seq: s.st.nextSeq(),
	}
}

// register makes ap an Autopilot device on the Entra object ed (stored
// when new), which carries its [ZTDID] first among its physical ids; group
// evaluation and profile assignment follow. Import and conversion
// (engine_convert.go) both end here.
func (s *Server) register(ap *autopilotDevice, ed *entraDevice) {
	ap.EntraObjectID, ap.AzureADDeviceID = ed.ID, ed.DeviceID
	ed.PhysicalIDs = append([]string{ztdIDPrefix + ap.ID}, setPhysicalID(ed.PhysicalIDs, ztdIDPrefix, "")...)
	s.st.autopilot.put(ap.ID, ap)
	if ap.SerialNumber != "" {
		s.st.serials[strings.ToLower(ap.SerialNumber)] = ap
	}
	s.st.byEntra[ed.ID] = ap
	if _, stored := s.st.entra.get(ed.ID); !stored {
		s.st.entra.put(ed.ID, ed)
	}
	s.st.indexEntra(ed)
	s.deviceChanged(ed.ID)
	s.recomputeAssignment(ap)
}

// setPhysicalID replaces (or removes, when value is empty) the entry with prefix.
func setPhysicalID(ids []string, prefix, value string) []string {
	out := ids[:0:0]
	for _, p := range ids {
		if !strings.HasPrefix(strings.ToLower(p), strings.ToLower(prefix)) {
			out = append(out, p)
		}
	}
	if value != "" {
		out = append(out, prefix+value)
	}
	return out
}
