package mockgraph

import "strings"

// Assignment engine: which deployment profile, Domain Join configuration
// and ESP apply to a device. Targets are evaluated against the groups the
// device's Autopilot Entra object belongs to (graph-api.md §14).

// targeting reports whether an assignment set reaches a device in groups:
// via a group target, via All devices, and whether an exclusion removes it.
// Exclusions win over inclusions (Intune's documented precedence).
//
// withUser says a user is enrolling the device: then an All users target
// (allLicensedUsersAssignmentTarget) reaches it as well. UNCERTAIN: the
// licence is not checked here (an unlicensed user cannot enroll at all,
// P6), and a deployment profile (fetched before anyone signs in, S1) is
// never reached through users.
func targeting(as []*assignment, groups map[string]bool, withUser bool) (viaGroup, viaAll, excluded bool) {
	for _, a := range as {
		switch a.Target.ODataType {
		case tAllUsers:
			if withUser {
				viaAll = true
			}
		case tGroup:
			if groups[a.Target.GroupID] {
				viaGroup = true
			}
		case tAllDevices:
			viaAll = true
		case tExclusion:
			if groups[a.Target.GroupID] {
				excluded = true
			}
		}
	}
	return
}

// reaches reports whether an assignment set targets a device in groups
// (through a group or All devices) without an exclusion removing it.
func reaches(as []*assignment, groups map[string]bool, withUser bool) bool {
	viaGroup, viaAll, excluded := targeting(as, groups, withUser)
	return !excluded && (viaGroup || viaAll)
}

// resolveProfile picks the deployment profile for ap. Several apply → the
// oldest-created wins (S12, seed 004 / F4). A profile that reaches the
// device through a group is "assigned"; one that reaches it only through
// All devices is the tenant "default" profile (S12, hybrid-join-behaviour
// §S1). Exclusions remove a profile whichever way it came. CHOICE: a
// group-targeted profile and an All-devices profile compete on age alike.
func (s *Server) resolveProfile(ap *autopilotDevice) (id, source string) {
	groups := s.memberOf(ap.EntraObjectID)
	for _, p := range s.st.profiles.list() { // creation order = oldest first
		viaGroup, viaAll, excluded := targeting(p.Assignments, groups, false)
		if excluded {
			continue
		}
		if viaGroup {
			return p.ID, "assigned"
		}
		if viaAll {
			return p.ID, "default"
		}
	}
	return "", ""
}

// recomputeAssignment moves ap's status when the profile that targets it
// changes: notAssigned → pending ("Assigning" in the portal, S12) →
// assignedUnkownSyncState after Delays.ProfileAssignment. Losing every
// profile makes it notAssigned at once (CHOICE: unassignment has no delay).
func (s *Server) recomputeAssignment(ap *autopilotDevice) {
	id, src := s.resolveProfile(ap)
	if id == ap.TargetProfileID && src == ap.TargetSource {
		return
	}
	if ap.assignTimer != nil {
		ap.assignTimer.Stop()
		ap.assignTimer = nil
	}
	ap.TargetProfileID, ap.TargetSource = id, src
	if id == "" {
		ap.AssignmentStatus, ap.AssignedProfileID, ap.AssignedSource = "notAssigned", "", ""
		s.record("profile.unassigned", ap.SerialNumber)
		return
	}
	ap.AssignmentStatus = "pending"
	s.record("profile.assigning", ap.SerialNumber+" profile="+id)
	apID := ap.ID
	ap.assignTimer = s.after(s.cfg.Delays.ProfileAssignment, "profile.assign", func() {
		cur, ok := s.st.autopilot.get(apID)
		if !ok || cur.TargetProfileID != id {
			return
		}
		cur.assignTimer = nil
		cur.AssignmentStatus = "assignedUnkownSyncState" // sic (§4.2)
		cur.AssignedProfileID, cur.AssignedSource = id, src
		cur.AssignedAt = s.now()
		s.record("profile.assigned", cur.SerialNumber+" profile="+id+" source="+src)
	})
}

func (s *Server) recomputeAllAssignments() {
	for _, ap := range s.st.autopilot.list() {
		s.recomputeAssignment(ap)
	}
	s.recomputeConversions()
}

// resolveDomainJoin picks the windowsDomainJoinConfiguration that targets
// the device at enrollment (PRIVATE_API.md). Several for different domains
// → the oldest-created wins: UNCERTAIN, chosen by analogy with S12.
func (s *Server) resolveDomainJoin(entraObjectID string) *deviceConfig {
	groups := s.memberOf(entraObjectID)
	for _, c := range s.st.configs.list() {
		if c.ODataType != typeDomainJoin {
			continue
		}
		// Users do not count: the ODJ request is the device's, made at
		// enrollment (UNCERTAIN; seed 000 assigns it to the device group).
		if reaches(c.Assignments, groups, false) {
			return c
		}
	}
	return nil
}

// skipUserOMAURI is the DMClient CSP node that skips the ESP's user phase
// (hybrid-join-behaviour.md F19 and the FirstSync registry row, S31).
const skipUserOMAURI = "./vendor/msft/dmclient/provider/ms dm server/firstsyncstatus/skipuserstatuspage"

// skipUserStatusPage reports whether a windows10CustomConfiguration that
// targets the device sets SkipUserStatusPage to true. Only device targets
// count (groups, All devices): CHOICE [INF], a profile reaching the device
// through its user arrives in the user phase it is meant to skip.
func (s *Server) skipUserStatusPage(entraObjectID string) bool {
	groups := s.memberOf(entraObjectID)
	for _, c := range s.st.configs.list() {
		if c.ODataType != typeCustomConfig {
			continue
		}
		if !reaches(c.Assignments, groups, false) {
			continue
		}
		list, _ := c.Props["omaSettings"].([]any)
		for _, it := range list {
			m, _ := it.(map[string]any)
			uri, _ := m["omaUri"].(string)
			if strings.ToLower(uri) != skipUserOMAURI {
				continue
			}
			switch v := m["value"].(type) {
			case bool:
				return v
			case string: // omaSettingString "True" (the registry value is a string, S31)
				return strings.EqualFold(v, "true")
			}
		}
	}
	return false
}

// resolveESP picks the ESP: the highest priority (lowest number) non-default
// ESP that targets the device, else the tenant default (§8).
func (s *Server) resolveESP(entraObjectID string) *enrollmentConfig {
	groups := s.memberOf(entraObjectID)
	var best, def *enrollmentConfig
	for _, c := range s.st.enrollConfs.list() {
		if c.ODataType != typeESP {
			continue
		}
		if c.IsDefault {
			def = c
			continue
		}
		if !reaches(c.Assignments, groups, true) {
			continue
		}
		if best == nil || c.Priority < best.Priority {
			best = c
		}
	}
	if best != nil {
		return best
	}
	return def
}
