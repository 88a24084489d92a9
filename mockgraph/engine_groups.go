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

// deviceChanged schedules re-evaluation of one device against every dynamic group.
func (s *Server) deviceChanged(entraID string) {
	s.after(s.cfg.Delays.GroupEvaluation, "groups.evaluate", func() {
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
	s.after(s.cfg.Delays.GroupEvaluation, "groups.evaluate", func() {
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
