package mockgraph

import (
	"fmt"
	"net/http"
	"strings"
)

// ---- deployment profiles (beta) ----

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
