package mockgraph

import (
	"encoding/json"
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

// ---- deployment profiles (§6, beta) ----

// Legacy ↔ current property twins kept in sync (§6.3: write either, return both).
var profileTwins = [][2]string{
	{"language", "locale"},
	{"extractHardwareHash", "hardwareHashExtractionEnabled"},
	{"enableWhiteGlove", "preprovisioningAllowed"},
}

var oobeTwins = [][2]string{
	{"hidePrivacySettings", "privacySettingsHidden"},
	{"hideEULA", "eulaHidden"},
	{"skipKeyboardSelectionPage", "keyboardSelectionPageSkipped"},
	{"hideEscapeLink", "escapeLinkHidden"},
	{"userType", "userType"},
	{"deviceUsageType", "deviceUsageType"},
}

func syncTwins(props map[string]any, body map[string]any) {
	for _, tw := range profileTwins {
		if v, ok := body[tw[1]]; ok {
			props[tw[0]], props[tw[1]] = v, v
		} else if v, ok := body[tw[0]]; ok {
			props[tw[0]], props[tw[1]] = v, v
		}
	}
	var src map[string]any
	if m, ok := body["outOfBoxExperienceSetting"].(map[string]any); ok {
		src = map[string]any{}
		for _, tw := range oobeTwins {
			if v, ok := m[tw[1]]; ok {
				src[tw[0]] = v
			}
		}
	} else if m, ok := body["outOfBoxExperienceSettings"].(map[string]any); ok {
		src = m
	}
	if src != nil {
		legacy, current := map[string]any{}, map[string]any{}
		for _, tw := range oobeTwins {
			if v, ok := src[tw[0]]; ok {
				legacy[tw[0]], current[tw[1]] = v, v
			}
		}
		props["outOfBoxExperienceSettings"], props["outOfBoxExperienceSetting"] = legacy, current
	}
}

func (s *Server) profileItems() []map[string]any {
	var items []map[string]any
	for _, p := range s.st.profiles.list() {
		items = append(items, p.toJSON())
	}
	return items
}

func (s *Server) listProfiles(w http.ResponseWriter, r *http.Request) *apiError {
	s.writeList(w, r, listOpts{ctxFrag: "deviceManagement/windowsAutopilotDeploymentProfiles", pageSize: 1000}, s.profileItems())
	return nil
}

func (s *Server) profileByID(r *http.Request) (*deploymentProfile, *apiError) {
	return s.st.profiles.fromPath(r, intuneMissing)
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) *apiError {
	p, e := s.profileByID(r)
	if e != nil {
		return e
	}
	writeOne(w, r, "deviceManagement/windowsAutopilotDeploymentProfiles", p.toJSON(), false)
	return nil
}

// profileBools are the Boolean profile properties the engines act on: a
// string "true" would otherwise be stored and read as off (§6.3).
var profileBools = []string{"hybridAzureADJoinSkipConnectivityCheck", "extractHardwareHash", "hardwareHashExtractionEnabled",
	"enableWhiteGlove", "preprovisioningAllowed"}

// checkProfileBools refuses a non-Boolean value for one of profileBools,
// and the skip-check property on an Entra-join profile (§6.3: it exists
// only on the AD subtype). POST and PATCH share it.
func checkProfileBools(typ string, body map[string]any) *apiError {
	for _, k := range profileBools {
		v, ok := body[k]
		if !ok {
			continue
		}
		if _, isBool := v.(bool); !isBool {
			return intuneBadRequest(fmt.Sprintf("'%s' must be a Boolean.", k))
		}
		if k == "hybridAzureADJoinSkipConnectivityCheck" && typ != typeHybridProfile {
			return intuneBadRequest("'hybridAzureADJoinSkipConnectivityCheck' exists only on activeDirectoryWindowsAutopilotDeploymentProfile.")
		}
	}
	return nil
}

func (s *Server) postProfile(w http.ResponseWriter, r *http.Request) *apiError {
	var body map[string]any
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return e
	}
	typ, _ := body["@odata.type"].(string)
	if typ != typeHybridProfile && typ != typeEntraProfile {
		// The base type is abstract (§6.1): every real POST names a subtype.
		return intuneBadRequest(fmt.Sprintf("'@odata.type' must be '%s' or '%s', got '%s'.", typeHybridProfile, typeEntraProfile, typ))
	}
	name, e := strProp(body, "displayName")
	if e != nil {
		return e
	}
	if strings.TrimSpace(name) == "" {
		return intuneBadRequest("'displayName' is required.")
	}
	if len(name) > 200 {
		return intuneBadRequest("'displayName' is longer than 200 characters.")
	}
	if e := checkProfileBools(typ, body); e != nil {
		return e
	}
	now := s.now()
	p := &deploymentProfile{ID: s.newID(), ODataType: typ, Created: now, Modified: now, seq: s.st.nextSeq()}
	p.Props = map[string]any{
		"displayName": name, "description": "", "deviceNameTemplate": "", "deviceType": "windowsPc",
		"language": "os-default", "locale": "os-default", "extractHardwareHash": false, "hardwareHashExtractionEnabled": false,
		"enableWhiteGlove": false, "preprovisioningAllowed": false, "roleScopeTagIds": []any{"0"}, "managementServiceAppId": nil,
		"enrollmentStatusScreenSettings": nil,
	}
	if typ == typeHybridProfile {
		p.Props["hybridAzureADJoinSkipConnectivityCheck"] = false
	}
	for k, v := range cleanProps(body) {
		p.Props[k] = v
	}
	syncTwins(p.Props, body)
	s.st.profiles.put(p.ID, p)
	created(w, r, r.URL.Path, p.ID, "deviceManagement/windowsAutopilotDeploymentProfiles/$entity", p.toJSON())
	return nil
}

func (s *Server) patchProfile(w http.ResponseWriter, r *http.Request) *apiError {
	p, e := s.profileByID(r)
	if e != nil {
		return e
	}
	var body map[string]any
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return e
	}
	if t, ok := body["@odata.type"].(string); ok && t != p.ODataType {
		return intuneBadRequest("The profile's '@odata.type' cannot change.")
	}
	if e := checkProfileBools(p.ODataType, body); e != nil {
		return e
	}
	for k, v := range cleanProps(body) {
		p.Props[k] = v
	}
	syncTwins(p.Props, body)
	p.Modified = s.now()
	// Turning "Convert all targeted devices" on starts conversions; turning
	// it off cancels the pending ones but never unregisters (seed 000).
	s.recomputeConversions()
	noContent(w)
	return nil
}

func (s *Server) deleteProfile(w http.ResponseWriter, r *http.Request) *apiError {
	p, e := s.profileByID(r)
	if e != nil {
		return e
	}
	// The service refuses to delete a profile that is still assigned (S12:
	// "remove assignments first"); CHOICE: 400 BadRequest.
	if len(p.Assignments) > 0 {
		return intuneBadRequest("The profile is assigned to groups; remove its assignments before deleting it.")
	}
	s.st.profiles.del(p.ID)
	s.recomputeAllAssignments()
	noContent(w)
	return nil
}

func assignmentItems(as []*assignment, odataType string, beta bool) []map[string]any {
	var items []map[string]any
	for _, a := range as {
		items = append(items, a.toJSON(odataType, beta))
	}
	return items
}

func (s *Server) listProfileAssignments(w http.ResponseWriter, r *http.Request) *apiError {
	p, e := s.profileByID(r)
	if e != nil {
		return e
	}
	s.writeList(w, r, listOpts{ctxFrag: "deviceManagement/windowsAutopilotDeploymentProfiles('" + p.ID + "')/assignments", pageSize: 1000},
		assignmentItems(p.Assignments, "#microsoft.graph.windowsAutopilotDeploymentProfileAssignment", true))
	return nil
}

// postProfileAssignment: admin tools post {"id":"<profileId>_<groupId>_0","target":{…}} (§6.5, S6).
// Ids: group "<p>_<g>_0"; exclusion "<p>_<g>_1" and All devices
// "<p>_adadadad-…_0" are CHOICES (UNCERTAIN §15.4). Re-posting an existing id replaces it.
func (s *Server) postProfileAssignment(w http.ResponseWriter, r *http.Request) *apiError {
	p, e := s.profileByID(r)
	if e != nil {
		return e
	}
	var body map[string]any
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return e
	}
	t, e := parseTarget(body["target"])
	if e != nil {
		return e
	}
	suffix := "_0"
	if t.ODataType == tExclusion {
		suffix = "_1"
	}
	a := &assignment{ID: p.ID + "_" + targetKey(t) + suffix, Target: t, Source: "direct", SourceID: p.ID}
	replaced := false
	for i, x := range p.Assignments {
		if x.ID == a.ID {
			p.Assignments[i], replaced = a, true
		}
	}
	if !replaced {
		p.Assignments = append(p.Assignments, a)
	}
	s.recomputeAllAssignments()
	created(w, r, r.URL.Path, a.ID, "deviceManagement/windowsAutopilotDeploymentProfiles('"+p.ID+"')/assignments/$entity",
		a.toJSON("#microsoft.graph.windowsAutopilotDeploymentProfileAssignment", true))
	return nil
}

func (s *Server) getProfileAssignment(w http.ResponseWriter, r *http.Request) *apiError {
	p, e := s.profileByID(r)
	if e != nil {
		return e
	}
	for _, a := range p.Assignments {
		if a.ID == pathVar(r, "aid") {
			writeOne(w, r, "deviceManagement/windowsAutopilotDeploymentProfiles('"+p.ID+"')/assignments", a.toJSON("#microsoft.graph.windowsAutopilotDeploymentProfileAssignment", true), false)
			return nil
		}
	}
	return intuneNotFound()
}

func (s *Server) deleteProfileAssignment(w http.ResponseWriter, r *http.Request) *apiError {
	p, e := s.profileByID(r)
	if e != nil {
		return e
	}
	for i, a := range p.Assignments {
		if a.ID == pathVar(r, "aid") {
			p.Assignments = append(p.Assignments[:i], p.Assignments[i+1:]...)
			s.recomputeAllAssignments()
			noContent(w)
			return nil
		}
	}
	return intuneNotFound()
}

// listAssignedDevices: Autopilot devices whose assigned profile is this one.
func (s *Server) listAssignedDevices(w http.ResponseWriter, r *http.Request) *apiError {
	p, e := s.profileByID(r)
	if e != nil {
		return e
	}
	var items []map[string]any
	for _, d := range s.st.autopilot.list() {
		if d.AssignedProfileID == p.ID {
			items = append(items, d.toJSON(true))
		}
	}
	s.writeList(w, r, listOpts{ctxFrag: "deviceManagement/windowsAutopilotDeploymentProfiles('" + p.ID + "')/assignedDevices", pageSize: 1000}, items)
	return nil
}

// ---- device configurations (§7) ----

func (s *Server) configOpts() listOpts {
	return listOpts{ctxFrag: "deviceManagement/deviceConfigurations", pageSize: 1000}
}

func (s *Server) listDeviceConfigs(w http.ResponseWriter, r *http.Request) *apiError {
	var items []map[string]any
	for _, c := range s.st.configs.list() {
		if c.ODataType == typeDomainJoin && !isBeta(r) {
			continue // the type does not exist in v1.0 (§7)
		}
		items = append(items, c.toJSON())
	}
	s.writeList(w, r, s.configOpts(), items)
	return nil
}

func (s *Server) configByID(r *http.Request) (*deviceConfig, *apiError) {
	c, e := s.st.configs.fromPath(r, intuneMissing)
	if e == nil && c.ODataType == typeDomainJoin && !isBeta(r) {
		return nil, intuneNotFound() // a beta-only type is not there under v1.0 (§7)
	}
	return c, e
}

func (s *Server) getDeviceConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.configByID(r)
	if e != nil {
		return e
	}
	writeOne(w, r, "deviceManagement/deviceConfigurations", c.toJSON(), false)
	return nil
}

// validateOMASettings checks a custom configuration's omaSettings: a list
// of objects, each with an '@odata.type' of an omaSetting subtype and an
// omaUri (graph-api.md §7; the engines read the ESP's SkipUserStatusPage
// from it).
func validateOMASettings(props map[string]any) *apiError {
	raw, ok := props["omaSettings"]
	if !ok || raw == nil {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		return intuneBadRequest("'omaSettings' must be an array of omaSetting objects.")
	}
	for i, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return intuneBadRequest(fmt.Sprintf("'omaSettings[%d]' must be an omaSetting object.", i))
		}
		if t, _ := m["@odata.type"].(string); !strings.HasPrefix(t, "#microsoft.graph.omaSetting") {
			return intuneBadRequest(fmt.Sprintf("'omaSettings[%d]' needs an '@odata.type' of an omaSetting subtype (e.g. #microsoft.graph.omaSettingBoolean).", i))
		}
		if u, _ := m["omaUri"].(string); !strings.HasPrefix(u, "./") {
			return intuneBadRequest(fmt.Sprintf("'omaSettings[%d].omaUri' must be an OMA-URI starting with './'.", i))
		}
		// The value's type follows the subtype; the engines read Boolean
		// and String values (engine_assign.go), so a mismatch is refused,
		// not read as false.
		t, _ := m["@odata.type"].(string)
		switch v := m["value"]; t {
		case "#microsoft.graph.omaSettingBoolean":
			if _, ok := v.(bool); !ok {
				return intuneBadRequest(fmt.Sprintf("'omaSettings[%d].value' must be a Boolean for omaSettingBoolean.", i))
			}
		case "#microsoft.graph.omaSettingString":
			if _, ok := v.(string); !ok {
				return intuneBadRequest(fmt.Sprintf("'omaSettings[%d].value' must be a String for omaSettingString.", i))
			}
		}
	}
	return nil
}

// validateDomainJoin checks the Domain Join profile fields (§7; seed 000
// "Domain Join profile": suffix count 3–14, OU is a DN).
func validateDomainJoin(props map[string]any) *apiError {
	dom, e := strProp(props, "activeDirectoryDomainName")
	if e != nil {
		return e
	}
	if strings.TrimSpace(dom) == "" || !strings.Contains(dom, ".") {
		return intuneBadRequest(fmt.Sprintf("'activeDirectoryDomainName' must be a fully qualified domain name, got '%s'.", dom))
	}
	if n, ok, e := numProp(props, "computerNameSuffixRandomCharCount"); e != nil {
		return e
	} else if ok && (n < 3 || n > 14) {
		return intuneBadRequest(fmt.Sprintf("'computerNameSuffixRandomCharCount' must be between 3 and 14, got %d.", n))
	}
	if _, e := strProp(props, "computerNameStaticPrefix"); e != nil {
		return e
	}
	// The OU is stored as given: seed 000 "Create and assign a Domain Join
	// profile" lists invalid forms (a container, no DC= parts, quotation
	// marks) whose deployments fail at the connector (F6, F7), not a
	// refusal when the profile is saved.
	if _, e := strProp(props, "organizationalUnit"); e != nil {
		return e
	}
	return nil
}

// decodeCreate is the shared prologue of a POST to an abstract Intune
// collection: the JSON body, its '@odata.type' (required, the base type is
// abstract) and a non-empty displayName. props are the writable properties.
func decodeCreate(r *http.Request, abstract string) (typ string, body, props map[string]any, e *apiError) {
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return "", nil, nil, e
	}
	typ, _ = body["@odata.type"].(string)
	if typ == "" {
		return "", nil, nil, intuneBadRequest("'@odata.type' is required: " + abstract + " is abstract.")
	}
	name, e := strProp(body, "displayName")
	if e != nil {
		return "", nil, nil, e
	}
	if strings.TrimSpace(name) == "" {
		return "", nil, nil, intuneBadRequest("'displayName' is required.")
	}
	return typ, body, cleanProps(body), nil
}

// decodePatch merges a PATCH body into a copy of props and validates the
// result (validate may be nil); on error nothing has changed.
func decodePatch(r *http.Request, props map[string]any, validate func(map[string]any) *apiError) (map[string]any, *apiError) {
	var body map[string]any
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return nil, e
	}
	merged := copyProps(props)
	for k, v := range cleanProps(body) {
		merged[k] = v
	}
	if validate != nil {
		if e := validate(merged); e != nil {
			return nil, e
		}
	}
	return merged, nil
}

// decodeTargets reads the assignment list an assign action carries under
// key; each entry's target becomes one assignment of the entity sourceID,
// with the "<entityId>_<groupId>" id (a CHOICE, UNCERTAIN §15.4).
func decodeTargets(r *http.Request, key, sourceID, intent string) ([]*assignment, *apiError) {
	var body map[string]json.RawMessage
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return nil, e
	}
	raw, ok := body[key]
	if !ok || string(raw) == "null" {
		return nil, intuneBadRequest("The request body must contain '" + key + "'.")
	}
	var list []map[string]any
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, intuneBadRequest("'" + key + "' must be an array of assignments.")
	}
	as := []*assignment{}
	for _, entry := range list {
		a, e := newAssignment(entry, sourceID, intent)
		if e != nil {
			return nil, e
		}
		as = append(as, a)
	}
	return as, nil
}

func newAssignment(raw map[string]any, sourceID, intent string) (*assignment, *apiError) {
	t, e := parseTarget(raw["target"])
	if e != nil {
		return nil, e
	}
	return &assignment{ID: sourceID + "_" + targetKey(t), Target: t, Source: "direct", SourceID: sourceID, Intent: intent}, nil
}

func (s *Server) postDeviceConfig(w http.ResponseWriter, r *http.Request) *apiError {
	typ, _, props, e := decodeCreate(r, "deviceConfiguration")
	if e != nil {
		return e
	}
	if typ == typeDomainJoin && !isBeta(r) {
		return intuneBadRequest(fmt.Sprintf("The type '%s' is not defined in v1.0; use /beta.", strings.TrimPrefix(typ, "#")))
	}
	if typ == typeCustomConfig {
		if e := validateOMASettings(props); e != nil {
			return e
		}
	}
	if typ == typeDomainJoin {
		if e := validateDomainJoin(props); e != nil {
			return e
		}
		if n, ok, _ := numProp(props, "computerNameSuffixRandomCharCount"); ok {
			props["computerNameSuffixRandomCharCount"] = n
		}
	}
	now := s.now()
	c := &deviceConfig{ID: s.newID(), ODataType: typ, Props: props, Created: now, Modified: now, Version: 1, seq: s.st.nextSeq()}
	s.st.configs.put(c.ID, c)
	created(w, r, r.URL.Path, c.ID, "deviceManagement/deviceConfigurations/$entity", c.toJSON())
	return nil
}

func (s *Server) patchDeviceConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.configByID(r)
	if e != nil {
		return e
	}
	var validate func(map[string]any) *apiError
	switch c.ODataType {
	case typeDomainJoin:
		validate = validateDomainJoin
	case typeCustomConfig:
		validate = validateOMASettings
	}
	merged, e := decodePatch(r, c.Props, validate)
	if e != nil {
		return e
	}
	c.Props, c.Modified = merged, s.now()
	c.Version++
	noContent(w)
	return nil
}

func (s *Server) deleteDeviceConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.configByID(r)
	if e != nil {
		return e
	}
	s.st.configs.del(c.ID)
	noContent(w)
	return nil
}

// assignDeviceConfig: POST .../assign {"assignments":[…]} → 200 {"value":[…]},
// replacing the whole set (§7, replace semantics [?]).
func (s *Server) assignDeviceConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.configByID(r)
	if e != nil {
		return e
	}
	as, e := decodeTargets(r, "assignments", c.ID, "apply")
	if e != nil {
		return e
	}
	c.Assignments = as
	var out []any
	for _, a := range as {
		out = append(out, a.toJSON("#microsoft.graph.deviceConfigurationAssignment", isBeta(r)))
	}
	if out == nil {
		out = []any{}
	}
	writeJSON(w, 200, map[string]any{"@odata.context": contextURL(r, "Collection(microsoft.graph.deviceConfigurationAssignment)"), "value": out})
	return nil
}

func (s *Server) listDeviceConfigAssignments(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.configByID(r)
	if e != nil {
		return e
	}
	s.writeList(w, r, listOpts{ctxFrag: "deviceManagement/deviceConfigurations('" + c.ID + "')/assignments", pageSize: 1000},
		assignmentItems(c.Assignments, "#microsoft.graph.deviceConfigurationAssignment", isBeta(r)))
	return nil
}

func (s *Server) postDeviceConfigAssignment(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.configByID(r)
	if e != nil {
		return e
	}
	var body map[string]any
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return e
	}
	a, e := newAssignment(body, c.ID, "apply")
	if e != nil {
		return e
	}
	for _, x := range c.Assignments {
		if x.ID == a.ID {
			return intuneErr(409, "Conflict", "An assignment with id '"+a.ID+"' already exists.")
		}
	}
	c.Assignments = append(c.Assignments, a)
	created(w, r, r.URL.Path, a.ID, "deviceManagement/deviceConfigurations('"+c.ID+"')/assignments/$entity", a.toJSON("#microsoft.graph.deviceConfigurationAssignment", isBeta(r)))
	return nil
}

func (s *Server) deleteDeviceConfigAssignment(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.configByID(r)
	if e != nil {
		return e
	}
	for i, a := range c.Assignments {
		if a.ID == pathVar(r, "aid") {
			c.Assignments = append(c.Assignments[:i], c.Assignments[i+1:]...)
			noContent(w)
			return nil
		}
	}
	return intuneNotFound()
}

// ---- enrollment configurations / ESP (§8) ----

// espBools and espInts are the ESP knobs S6 sends as strings (§8 [obs]); coerced.
var espBools = []string{"showInstallationProgress", "blockDeviceSetupRetryByUser", "allowDeviceResetOnInstallFailure",
	"allowLogCollectionOnInstallFailure", "allowDeviceUseOnInstallFailure", "trackInstallProgressForAutopilotOnly",
	"disableUserStatusTrackingAfterFirstUser", "allowNonBlockingAppInstallation", "installQualityUpdates"}

func coerceESP(props map[string]any) *apiError {
	for _, k := range espBools {
		switch v := props[k].(type) {
		case nil, bool:
		case string:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return intuneBadRequest(fmt.Sprintf("Property '%s' must be a Boolean, got %q.", k, v))
			}
			props[k] = b
		default:
			return intuneBadRequest(fmt.Sprintf("Property '%s' must be a Boolean.", k))
		}
	}
	if n, ok, e := numProp(props, "installProgressTimeoutInMinutes"); e != nil {
		return e
	} else if ok {
		if n < 1 || n > 1440 {
			return intuneBadRequest(fmt.Sprintf("'installProgressTimeoutInMinutes' must be between 1 and 1440, got %d.", n))
		}
		props["installProgressTimeoutInMinutes"] = n
	}
	return nil
}

func (s *Server) listEnrollmentConfigs(w http.ResponseWriter, r *http.Request) *apiError {
	var items []map[string]any
	for _, c := range s.st.enrollConfs.list() {
		items = append(items, c.toJSON())
	}
	s.writeList(w, r, listOpts{ctxFrag: "deviceManagement/deviceEnrollmentConfigurations", pageSize: 1000}, items)
	return nil
}

func (s *Server) enrollConfByID(r *http.Request) (*enrollmentConfig, *apiError) {
	return s.st.enrollConfs.fromPath(r, intuneMissing)
}

func (s *Server) getEnrollmentConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	writeOne(w, r, "deviceManagement/deviceEnrollmentConfigurations", c.toJSON(), false)
	return nil
}

// postEnrollmentConfig: without "priority" the next free one is given
// (CHOICE, UNCERTAIN §15.4).
func (s *Server) postEnrollmentConfig(w http.ResponseWriter, r *http.Request) *apiError {
	typ, body, props, e := decodeCreate(r, "deviceEnrollmentConfiguration")
	if e != nil {
		return e
	}
	if typ == typeESP {
		if e := coerceESP(props); e != nil {
			return e
		}
		props["deviceEnrollmentConfigurationType"] = "windows10EnrollmentCompletionPageConfiguration"
	}
	prio, ok, e := numProp(body, "priority")
	if e != nil {
		return e
	}
	if !ok || prio < 1 {
		prio = 1
		for _, c := range s.st.enrollConfs.list() {
			if c.ODataType == typ && c.Priority >= prio {
				prio = c.Priority + 1
			}
		}
	}
	now := s.now()
	c := &enrollmentConfig{ID: s.newID(), ODataType: typ, Props: props, Priority: prio, Created: now, Modified: now, seq: s.st.nextSeq()}
	if _, ok := c.Props["version"]; !ok {
		c.Props["version"] = 1
	}
	s.st.enrollConfs.put(c.ID, c)
	created(w, r, r.URL.Path, c.ID, "deviceManagement/deviceEnrollmentConfigurations/$entity", c.toJSON())
	return nil
}

func (s *Server) patchEnrollmentConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	var validate func(map[string]any) *apiError
	if c.ODataType == typeESP {
		validate = coerceESP
	}
	merged, e := decodePatch(r, c.Props, validate)
	if e != nil {
		return e
	}
	c.Props, c.Modified = merged, s.now()
	noContent(w)
	return nil
}

func (s *Server) deleteEnrollmentConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	if c.IsDefault {
		return intuneBadRequest("The default enrollment configuration cannot be deleted.")
	}
	s.st.enrollConfs.del(c.ID)
	noContent(w)
	return nil
}

// assignEnrollmentConfig: {"enrollmentConfigurationAssignments":[…]} → 204, replacing the set (§8).
func (s *Server) assignEnrollmentConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	if c.IsDefault {
		// Its assignments cannot be changed (§8 [obs]).
		return intuneBadRequest("The assignments of the default enrollment configuration cannot be changed.")
	}
	as, e := decodeTargets(r, "enrollmentConfigurationAssignments", c.ID, "")
	if e != nil {
		return e
	}
	c.Assignments = as
	noContent(w)
	return nil
}

func (s *Server) setPriority(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	var body map[string]any
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return e
	}
	n, ok, e := numProp(body, "priority")
	if e != nil {
		return e
	}
	if !ok || n < 1 || c.IsDefault {
		return intuneBadRequest("'priority' must be a positive integer (the default configuration's priority is fixed).")
	}
	c.Priority = n
	noContent(w)
	return nil
}

func (s *Server) listEnrollmentAssignments(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	s.writeList(w, r, listOpts{ctxFrag: "deviceManagement/deviceEnrollmentConfigurations('" + c.ID + "')/assignments", pageSize: 1000},
		assignmentItems(c.Assignments, "#microsoft.graph.enrollmentConfigurationAssignment", isBeta(r)))
	return nil
}

// ---- managed devices (§11), connectors (§12), Autopilot settings ----

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
