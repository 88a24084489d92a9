package mockgraph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// ---- device configurations ----

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
