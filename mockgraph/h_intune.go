package mockgraph

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
)

const (
	typeHybridProfile = "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile"
	typeEntraProfile  = "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile"
	typeDomainJoin    = "#microsoft.graph.windowsDomainJoinConfiguration"
	typeESP           = "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration"
	typeCustomConfig  = "#microsoft.graph.windows10CustomConfiguration" // OMA-URI settings (§7)
	// allDevicesGroupID is the virtual group Intune uses for "All devices"
	// in assignment ids (CHOICE: only ids carry it; targets use allDevicesAssignmentTarget).
	allDevicesGroupID = "adadadad-808e-44e2-905a-0b7873a8a531"
)

// seedDefaults creates what every tenant has: the default ESP (§8, S10).
func (s *Server) seedDefaults() {
	now := s.now()
	c := &enrollmentConfig{
		ID: s.cfg.TenantID + "_DefaultWindows10EnrollmentCompletionPageConfiguration", ODataType: typeESP,
		Priority: 0, IsDefault: true, Created: now, Modified: now, seq: s.st.nextSeq(),
		Props: map[string]any{
			"displayName":                             "All users and all devices",
			"description":                             "This is the default enrollment status screen configuration applied with the lowest priority to all users and all devices regardless of group membership.",
			"version":                                 0,
			"roleScopeTagIds":                         []any{},
			"deviceEnrollmentConfigurationType":       "windows10EnrollmentCompletionPageConfiguration",
			"showInstallationProgress":                false,
			"blockDeviceSetupRetryByUser":             true,
			"allowDeviceResetOnInstallFailure":        false,
			"allowLogCollectionOnInstallFailure":      false,
			"customErrorMessage":                      "",
			"installProgressTimeoutInMinutes":         60, // brief + S10 "Default is 60"
			"allowDeviceUseOnInstallFailure":          false,
			"selectedMobileAppIds":                    []any{},
			"trackInstallProgressForAutopilotOnly":    false,
			"disableUserStatusTrackingAfterFirstUser": false,
			"allowNonBlockingAppInstallation":         false,
			"installQualityUpdates":                   false,
		},
	}
	c.Assignments = []*assignment{{ID: c.ID + "_" + allDevicesGroupID, Target: target{ODataType: tAllDevices}, Source: "direct"}}
	s.st.enrollConfs.put(c.ID, c)
}

// ---- helpers shared by the three policy kinds ----

func numProp(m map[string]any, key string) (int, bool, *apiError) {
	v, ok := m[key]
	if !ok || v == nil {
		return 0, false, nil
	}
	switch n := v.(type) {
	case int:
		return n, true, nil
	case float64:
		if n != math.Trunc(n) || n < math.MinInt32 || n > math.MaxInt32 {
			return 0, false, intuneBadRequest(fmt.Sprintf("Property '%s' must be an Int32, got %v.", key, n))
		}
		return int(n), true, nil
	case string:
		// S6 posts numbers as strings (§8 [obs]); accepted leniently.
		i, err := strconv.Atoi(n)
		if err != nil {
			return 0, false, intuneBadRequest(fmt.Sprintf("Property '%s' must be an Int32, got %q.", key, n))
		}
		return i, true, nil
	}
	return 0, false, intuneBadRequest(fmt.Sprintf("Property '%s' must be an Int32.", key))
}

func strProp(m map[string]any, key string) (string, *apiError) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", nil
	}
	sv, ok := v.(string)
	if !ok {
		return "", intuneBadRequest(fmt.Sprintf("Property '%s' must be a string.", key))
	}
	return sv, nil
}

// cleanProps drops the server-owned keys from a client body.
func cleanProps(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		switch k {
		case "id", "@odata.type", "@odata.context", "createdDateTime", "lastModifiedDateTime", "assignments", "version", "priority":
			continue
		}
		out[k] = v
	}
	return out
}

// parseTarget reads a deviceAndAppManagementAssignmentTarget (§6.5).
func parseTarget(raw any) (target, *apiError) {
	m, ok := raw.(map[string]any)
	if !ok {
		return target{}, intuneBadRequest("An assignment needs a 'target' object.")
	}
	t := target{}
	t.ODataType, _ = m["@odata.type"].(string)
	if !strings.HasPrefix(t.ODataType, "#") && t.ODataType != "" {
		t.ODataType = "#" + t.ODataType
	}
	switch t.ODataType {
	case tGroup, tExclusion:
		t.GroupID, _ = m["groupId"].(string)
		if !isGUID(t.GroupID) {
			return target{}, intuneBadRequest(fmt.Sprintf("The target groupId '%s' is not a valid GUID.", t.GroupID))
		}
	case tAllDevices, tAllUsers:
	case "":
		return target{}, intuneBadRequest("The assignment target needs '@odata.type'.")
	default:
		return target{}, intuneBadRequest(fmt.Sprintf("Unsupported assignment target type '%s'.", t.ODataType))
	}
	t.FilterID, _ = m["deviceAndAppManagementAssignmentFilterId"].(string)
	t.Filter, _ = m["deviceAndAppManagementAssignmentFilterType"].(string)
	return t, nil
}

func targetKey(t target) string {
	switch t.ODataType {
	case tAllDevices:
		return allDevicesGroupID
	case tAllUsers:
		return "acacacac-9df4-4c7d-9d50-4ef0226f57a9" // Intune's All users virtual group
	}
	return t.GroupID
}

// ---- managed devices, connectors, Autopilot settings ----

func (s *Server) listManagedDevices(w http.ResponseWriter, r *http.Request) *apiError {
	var items []map[string]any
	for _, d := range s.st.managed.list() {
		items = append(items, d.toJSON(isBeta(r)))
	}
	s.writeList(w, r, listOpts{ctxFrag: "deviceManagement/managedDevices", pageSize: 1000}, items)
	return nil
}

func (s *Server) getManagedDevice(w http.ResponseWriter, r *http.Request) *apiError {
	d, ok := s.st.managed.get(pathVar(r, "id"))
	if !ok {
		return intuneNotFound()
	}
	writeOne(w, r, "deviceManagement/managedDevices", d.toJSON(isBeta(r)), false)
	return nil
}

func (s *Server) deleteManagedDevice(w http.ResponseWriter, r *http.Request) *apiError {
	md, ok := s.st.managed.get(pathVar(r, "id"))
	if !ok {
		return intuneNotFound()
	}
	s.st.managed.del(md.ID)
	s.forgetConversion(md)
	noContent(w)
	return nil
}

func (s *Server) listConnectors(w http.ResponseWriter, r *http.Request) *apiError {
	now := s.now()
	var items []map[string]any
	for _, c := range s.st.connectors.list() {
		items = append(items, c.toJSON(now))
	}
	s.writeList(w, r, listOpts{ctxFrag: "deviceManagement/domainJoinConnectors", pageSize: 1000}, items)
	return nil
}

func (s *Server) getConnector(w http.ResponseWriter, r *http.Request) *apiError {
	c, ok := s.st.connectors.get(pathVar(r, "id"))
	if !ok {
		return intuneNotFound()
	}
	writeOne(w, r, "deviceManagement/domainJoinConnectors", c.toJSON(s.now()), false)
	return nil
}

func (s *Server) deleteConnector(w http.ResponseWriter, r *http.Request) *apiError {
	if !s.st.connectors.del(pathVar(r, "id")) {
		return intuneNotFound()
	}
	noContent(w)
	return nil
}

func (s *Server) getAutopilotSettings(w http.ResponseWriter, r *http.Request) *apiError {
	st := s.st.autopilotSet
	status := st.SyncStatus
	if status == "" {
		status = "unknown"
	}
	writeEntity(w, r, 200, "deviceManagement/windowsAutopilotSettings/$entity", map[string]any{
		"@odata.type": "#microsoft.graph.windowsAutopilotSettings", "id": "windowsAutopilotSettings",
		"lastSyncDateTime": ts(st.LastSync), "lastManualSyncTriggerDateTime": ts(st.LastManualSync), "syncStatus": status,
	})
	return nil
}

// syncAutopilot: 204; a second sync within 10 minutes is refused with 429
// (UNCERTAIN §15.5: the real throttle and its error are not documented).
func (s *Server) syncAutopilot(w http.ResponseWriter, r *http.Request) *apiError {
	now := s.now()
	st := &s.st.autopilotSet
	if !st.LastManualSync.IsZero() && now.Sub(st.LastManualSync) < 10*60*1e9 {
		w.Header().Set("Retry-After", strconv.Itoa(int((10*60*1e9-now.Sub(st.LastManualSync))/1e9)))
		return intuneErr(429, "TooManyRequests", "An Autopilot sync was triggered less than 10 minutes ago.")
	}
	st.LastManualSync, st.LastSync, st.SyncStatus = now, now, "completed"
	noContent(w)
	return nil
}
