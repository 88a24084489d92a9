package mockgraph

import (
	"strings"

	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
)

// Dynamic membership engine. Entra evaluates rules asynchronously, minutes
// after a change (graph-api.md §9.2 [obs]); here every change schedules an
// evaluation Delays.GroupEvaluation later, which reads the state as it is
// then (so two quick changes are both seen by the later run).

// deviceProps are the properties a device rule can read (graph-api.md §9.2,
// seed 000 "device groups"). Keys are Graph rule property names.
func deviceProps(d *entraDevice) rules.Properties {
	trust := d.TrustType
	// Rules spell trust types "AzureAD"/"ServerAD"/"Workplace" (§9.2).
	switch strings.ToLower(trust) {
	case "azuread":
		trust = "AzureAD"
	case "serverad":
		trust = "ServerAD"
	}
	return rules.Properties{
		"devicePhysicalIds":     append([]string{}, d.PhysicalIDs...),
		"displayName":           d.DisplayName,
		"deviceId":              d.DeviceID,
		"objectId":              d.ID,
		"deviceOSType":          d.OperatingSystem,
		"deviceOSVersion":       d.OSVersion,
		"deviceOwnership":       d.DeviceOwnership,
		"enrollmentProfileName": d.EnrollmentProfileName,
		"accountEnabled":        d.AccountEnabled,
		"deviceTrustType":       trust,
		"managementType":        d.ManagementType,
		"isRooted":              false,
		"deviceManufacturer":    "",
		"deviceModel":           "",
	}
}

// processingStatus is the beta membershipRuleProcessingStatus
// (rules-and-ad.md A.6 [DOC] A8; graph-api.md §9.2): null while Paused,
// Running while an evaluation is scheduled, Succeeded once one ran,
// NotStarted before. Failed is never produced: a bad rule is refused with
// a 400 when the group is written, so no stored rule can fail to evaluate.
// UNCERTAIN: whether Graph reports Running for the whole evaluation delay
// or only for the processing itself; we report it for the whole delay.
func (g *group) processingStatus() any {
	if !g.dynamic() || !strings.EqualFold(g.ProcessingState, "On") {
		return nil
	}
	status := "NotStarted"
	switch {
	case g.pendingEvals > 0:
		status = "Running"
	case g.LastMembershipUpdated != nil:
		status = "Succeeded"
	}
	return map[string]any{"status": status, "lastMembershipUpdated": tsPtr(g.LastMembershipUpdated), "errorMessage": nil}
}

// evaluating marks the dynamic groups in ids as having an evaluation
// scheduled and returns the function that unmarks them when it runs.
func (s *Server) evaluating(ids []string) func() {
	for _, id := range ids {
		if g, ok := s.st.groups.get(id); ok {
			g.pendingEvals++
		}
	}
	return func() {
		for _, id := range ids {
			if g, ok := s.st.groups.get(id); ok && g.pendingEvals > 0 {
				g.pendingEvals--
			}
		}
	}
}

// activeDynamicGroups are the ids of the dynamic groups whose processing
// is On: the only ones an evaluation may change (Paused freezes
// membership, rules-and-ad.md A.6).
func (s *Server) activeDynamicGroups() []string {
	var ids []string
	for _, g := range s.st.groups.list() {
		if g.dynamic() && g.matcher != nil && strings.EqualFold(g.ProcessingState, "On") {
			ids = append(ids, g.ID)
		}
	}
	return ids
}

// deviceChanged schedules re-evaluation of one device against every dynamic group.
func (s *Server) deviceChanged(entraID string) {
	done := s.evaluating(s.activeDynamicGroups())
	s.after(s.cfg.Delays.GroupEvaluation, "groups.evaluate", func() {
		done()
		d, ok := s.st.entra.get(entraID)
		changed := false
		for _, g := range s.st.groups.list() {
			if !g.dynamic() || g.matcher == nil || !strings.EqualFold(g.ProcessingState, "On") {
				continue
			}
			want := ok && g.matcher.Match(deviceProps(d))
			if want && g.addMember(entraID) {
				changed = true
				s.record("groups.memberAdded", g.DisplayName+" "+entraID)
			} else if !want && g.removeMember(entraID) {
				changed = true
				s.record("groups.memberRemoved", g.DisplayName+" "+entraID)
			}
			now := s.now()
			g.LastMembershipUpdated = &now
		}
		if changed {
			s.membershipChanged([]string{entraID})
		}
	})
}

// ruleChanged schedules evaluation of one group against every device.
func (s *Server) ruleChanged(groupID string) {
	done := s.evaluating([]string{groupID})
	s.after(s.cfg.Delays.GroupEvaluation, "groups.evaluate", func() {
		done()
		g, ok := s.st.groups.get(groupID)
		if !ok || !g.dynamic() || g.matcher == nil || !strings.EqualFold(g.ProcessingState, "On") {
			return
		}
		var touched []string
		for _, d := range s.st.entra.list() {
			want := g.matcher.Match(deviceProps(d))
			if want && g.addMember(d.ID) || !want && g.removeMember(d.ID) {
				touched = append(touched, d.ID)
			}
		}
		now := s.now()
		g.LastMembershipUpdated = &now
		s.record("groups.evaluated", g.DisplayName)
		if len(touched) > 0 {
			s.membershipChanged(touched)
		}
	})
}

// membershipChanged re-runs profile assignment for the Autopilot devices
// whose Entra objects changed groups.
func (s *Server) membershipChanged(entraIDs []string) {
	for _, id := range entraIDs {
		if ap, ok := s.st.byEntra[id]; ok {
			s.recomputeAssignment(ap)
		}
	}
	// Non-Autopilot devices may have come into (or left) the reach of a
	// profile that converts them (engine_convert.go).
	for _, id := range entraIDs {
		if md, ok := s.st.existing[id]; ok {
			s.recomputeConversion(md)
		}
	}
}

// memberOf returns the ids of the groups whose direct members include objectID.
func (s *Server) memberOf(objectID string) map[string]bool {
	out := map[string]bool{}
	for _, g := range s.st.groups.list() {
		if g.Members[objectID] {
			out[g.ID] = true
		}
	}
	return out
}
