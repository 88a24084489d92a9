package mockgraph

import (
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"
)

// Conversion engine: "Convert all targeted devices to Autopilot"
// (every conversion.* trace event's detail starts with the serial and a
// space: the harness files them under the device)
// (extractHardwareHash / hardwareHashExtractionEnabled, graph-api.md §6.3).
//
// Seed 000, "Create and assign a Windows Autopilot deployment profile":
// "All corporate owned, non-Windows Autopilot devices in assigned groups
// register with the Windows Autopilot deployment service. Personally owned
// devices aren't registered to Windows Autopilot. Allow 48 hours for the
// registration to be processed. ... After a device is registered in this
// way, disabling this setting or removing the profile assignment won't
// remove the device from the Windows Autopilot deployment service."
//
// Microsoft Learn "Configure Autopilot profiles" adds: "Using the setting
// Convert all targeted devices to Autopilot doesn't automatically convert
// existing Microsoft Entra hybrid device in the assigned group(s) into a
// Microsoft Entra device. The setting only registers the devices in the
// assigned group(s) for the Autopilot service." So the enrolled object keeps
// its trust type; only the registration is added.
//
// The rules this engine applies, each with its source or its CHOICE:
//   - candidates are Intune-managed Windows devices that are not Autopilot
//     devices, owned by the company (seed 000, as above);
//   - a candidate is targeted when a deployment profile with the setting on
//     reaches its Entra object through a group or All devices and no
//     exclusion removes it (the same targeting as profile assignment).
//     CHOICE: any such profile counts, not only the one that wins S12's
//     oldest-created rule — the setting is a property of the assignment
//     reach, and the docs do not say otherwise (switch:
//     ConversionOptions.WinningProfileOnly);
//   - registration happens a seeded time in [ConversionMin, ConversionMax]
//     after the device became targeted ("allow 48 hours": the maximum is the
//     documented bound; the minimum and the distribution are UNCERTAIN);
//   - a device that stops being targeted before its registration ran is not
//     registered (CHOICE); once registered it stays (seed 000, as above);
//   - the Autopilot record is associated with the device's existing Entra
//     object, which gains the [ZTDID] physical id (UNCERTAIN: the docs say
//     nothing; it is what makes the seed's procedure work — the profile
//     that converts the device reaches it again after a reset through the
//     same group; switch: ConversionOptions.NewEntraObject). A PC that was
//     Microsoft Entra registered (trust type Workplace) therefore keeps
//     that object after its hybrid join: the "wrong trust type kept" of the
//     Windows Autopilot troubleshooting FAQ (F27,
//     https://learn.microsoft.com/en-us/autopilot/troubleshooting-faq). Group tag,
//     order id and purchase order stay empty: the hash comes from the device
//     (seed 000 "Register Windows Autopilot devices that are already
//     enrolled").

// ConversionOptions switch the UNCERTAIN choices of the engine.
type ConversionOptions struct {
	// NewEntraObject registers the device with a new Entra object carrying
	// [ZTDID] (as an import does), named after the serial, instead of
	// associating the record with the device's existing object. The group
	// that targeted the device then no longer reaches its Autopilot record
	// unless its rule matches the new object too.
	NewEntraObject bool
	// WinningProfileOnly converts only when the profile that wins for the
	// device (oldest-created among those reaching it, S12) has the setting
	// on, rather than any profile that reaches it.
	WinningProfileOnly bool
}

// convertible reports whether md may be registered by conversion at all:
// company-owned and not an Autopilot device yet (seed 000). The hash comes
// from the device itself, so a record without one still converts.
func (s *Server) convertible(md *managedDevice) bool {
	if md.AutopilotID != "" || md.OwnerType != "company" {
		return false
	}
	if md.SerialNumber != "" {
		if _, registered := s.st.serials[strings.ToLower(md.SerialNumber)]; registered {
			return false
		}
	}
	return true
}

// conversionTarget returns the first profile (oldest first) with the
// conversion setting that reaches the Entra object entraID, or nil.
func (s *Server) conversionTarget(entraID string) *deploymentProfile {
	groups := s.memberOf(entraID)
	for _, p := range s.st.profiles.list() { // creation order: oldest first
		on, _ := p.Props["extractHardwareHash"].(bool)
		if !on && !s.cfg.Conversion.WinningProfileOnly {
			continue
		}
		if !reaches(p.Assignments, groups, false) {
			continue
		}
		if !on {
			return nil // the winning profile does not convert
		}
		return p
	}
	return nil
}

// recomputeConversions re-examines every candidate (a device enrolled
// before Autopilot, store.existing) when a profile or its assignments
// change; membershipChanged re-examines just the devices whose groups
// changed.
func (s *Server) recomputeConversions() {
	// Creation order, not map order: each scheduling draws a delay from
	// the seeded stream.
	for _, md := range s.st.managed.list() {
		if s.st.existing[md.entraObjectID] == md {
			s.recomputeConversion(md)
		}
	}
}

func (s *Server) recomputeConversion(md *managedDevice) {
	pending := s.conversions[md.ID]
	var p *deploymentProfile
	if s.convertible(md) {
		if ed := s.entraOf(md); ed != nil {
			p = s.conversionTarget(ed.ID)
		}
	}
	switch {
	case p == nil && pending != nil:
		pending.Stop()
		delete(s.conversions, md.ID)
		s.record("conversion.cancelled", md.SerialNumber+" no longer targeted by a profile that converts")
	case p != nil && pending == nil:
		d := s.conversionDelay()
		mdID := md.ID
		s.conversions[md.ID] = s.after(d, "conversion.register", func() { s.convert(mdID) })
		s.record("conversion.scheduled", fmt.Sprintf("%s profile=%s in %s", md.SerialNumber, p.ID, d))
	}
}

// forgetConversion drops a deleted managed device from the candidates and
// cancels its pending registration: a device no longer managed is not
// "enrolled" (seed 000 speaks of enrolled devices).
func (s *Server) forgetConversion(md *managedDevice) {
	if s.st.existing[md.entraObjectID] == md {
		delete(s.st.existing, md.entraObjectID)
		delete(s.st.existingSerials, strings.ToLower(md.SerialNumber))
	}
	if p := s.conversions[md.ID]; p != nil {
		p.Stop()
		delete(s.conversions, md.ID)
		s.record("conversion.cancelled", md.SerialNumber+" managed device deleted")
	}
}

// conversionDelay draws the registration delay from a stream derived on
// first use from the request-id stream, so conversions never shift entity
// ids.
func (s *Server) conversionDelay() time.Duration {
	lo, hi := s.cfg.Delays.ConversionMin, s.cfg.Delays.ConversionMax
	if hi <= lo {
		return lo
	}
	if s.convRnd == nil {
		s.convRnd = mrand.New(mrand.NewPCG(s.reqRnd.Uint64(), s.reqRnd.Uint64()))
	}
	// Whole seconds keep timelines readable.
	span := int64((hi - lo) / time.Second)
	return lo + time.Duration(s.convRnd.Int64N(span+1))*time.Second
}

// convert registers the managed device with Autopilot.
func (s *Server) convert(mdID string) {
	delete(s.conversions, mdID)
	md, ok := s.st.managed.get(mdID)
	if !ok || !s.convertible(md) {
		return
	}
	ed := s.entraOf(md)
	if ed == nil || s.conversionTarget(ed.ID) == nil {
		return
	}
	ap := &autopilotDevice{
		ID: s.newID(), SerialNumber: md.SerialNumber, Hash: md.Hash,
		Manufacturer: md.Manufacturer, Model: md.Model, ManagedDeviceID: md.ID, DisplayName: md.DeviceName,
		EnrollmentState: "enrolled", AssignmentStatus: "notAssigned", RegisteredBy: "conversion",
		seq: s.st.nextSeq(),
	}
	if s.cfg.Conversion.NewEntraObject {
		ed = s.newPlaceholder(md.SerialNumber) // an import's shape
	}
	md.AutopilotID = ap.ID
	s.record("conversion.registered", fmt.Sprintf("%s ztdId=%s entraObject=%s", md.SerialNumber, ap.ID, ed.ID))
	s.register(ap, ed)
}

// entraOf is a candidate's Entra object (nil once deleted). Candidates are
// the devices of store.existing, whose object id is recorded at enrollment.
func (s *Server) entraOf(md *managedDevice) *entraDevice {
	e, _ := s.st.entra.get(md.entraObjectID)
	return e
}
