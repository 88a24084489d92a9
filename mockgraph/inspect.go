package mockgraph

import (
	"sort"
	"time"
)

// EntraDevice is a read-only snapshot of an Entra device object.
type EntraDevice struct {
	ID, DeviceID, DisplayName, TrustType string
	PhysicalIDs                          []string
	OnPremisesSyncEnabled                bool
	RegistrationDateTime                 *time.Time
}

// EntraDevices returns every Entra device object, sorted by display name then id.
func (s *Server) EntraDevices() []EntraDevice {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []EntraDevice
	for _, d := range s.st.entra.list() {
		e := EntraDevice{ID: d.ID, DeviceID: d.DeviceID, DisplayName: d.DisplayName, TrustType: d.TrustType,
			PhysicalIDs: append([]string{}, d.PhysicalIDs...), OnPremisesSyncEnabled: d.OnPremisesSyncEnabled}
		if d.RegistrationDateTime != nil {
			t := *d.RegistrationDateTime
			e.RegistrationDateTime = &t
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DisplayName != out[j].DisplayName {
			return out[i].DisplayName < out[j].DisplayName
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// AutopilotDevice is a read-only snapshot of a windowsAutopilotDeviceIdentity.
// DeploymentProfileAssignmentStatus uses Graph's enum (notAssigned, pending,
// assignedUnkownSyncState).
type AutopilotDevice struct {
	ID, SerialNumber, GroupTag, AzureADDeviceID, DeploymentProfileAssignmentStatus string
	AssignedProfileID                                                              string
	RegisteredBy                                                                   string // import | conversion
}

// AutopilotDevices returns every Autopilot device, sorted by serial then id.
func (s *Server) AutopilotDevices() []AutopilotDevice {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []AutopilotDevice
	for _, d := range s.st.autopilot.list() {
		out = append(out, AutopilotDevice{ID: d.ID, SerialNumber: d.SerialNumber, GroupTag: d.GroupTag,
			AzureADDeviceID: d.AzureADDeviceID, DeploymentProfileAssignmentStatus: d.AssignmentStatus, AssignedProfileID: d.AssignedProfileID,
			RegisteredBy: d.RegisteredBy})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SerialNumber != out[j].SerialNumber {
			return out[i].SerialNumber < out[j].SerialNumber
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ODJRequest is a read-only snapshot of an ODJ blob request.
type ODJRequest struct {
	ID, SerialNumber, Domain, State string
	RetryCount                      int
}

// ODJRequests returns every ODJ request, sorted by serial then creation order.
func (s *Server) ODJRequests() []ODJRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	type row struct {
		r   ODJRequest
		seq uint64
	}
	var rows []row
	for _, q := range s.st.odj.list() {
		rows = append(rows, row{ODJRequest{ID: q.ID, SerialNumber: q.SerialNumber, Domain: q.Domain, State: q.State, RetryCount: q.RetryCount}, q.seq})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].r.SerialNumber != rows[j].r.SerialNumber {
			return rows[i].r.SerialNumber < rows[j].r.SerialNumber
		}
		return rows[i].seq < rows[j].seq
	})
	out := make([]ODJRequest, len(rows))
	for i, r := range rows {
		out[i] = r.r
	}
	return out
}

// GroupMembers returns the member object ids of a group (sorted), for the
// harness's expectations; ok is false for an unknown group.
func (s *Server) GroupMembers(groupID string) (ids []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.st.groups.get(groupID)
	if !ok {
		return nil, false
	}
	ids = append([]string{}, g.memberOrder...)
	sort.Strings(ids)
	return ids, true
}
