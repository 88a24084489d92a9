package mockgraph

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
)

// ---- groups (§9) ----

func (s *Server) groupOpts() listOpts {
	return listOpts{ctxFrag: "groups", directory: true, pageSize: 100}
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) *apiError {
	var items []map[string]any
	for _, g := range s.st.groups.list() {
		items = append(items, g.toJSON())
	}
	s.writeList(w, r, s.groupOpts(), items)
	return nil
}

func (s *Server) groupByID(r *http.Request) (*group, *apiError) {
	return s.st.groups.fromPath(r, func(id string) *apiError { return errNotFound("group", id) })
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	obj := g.toJSON()
	if isBeta(r) && g.dynamic() {
		// Beta returns it only with $select (§9.2); we add it when selected.
		obj["membershipRuleProcessingStatus"] = g.processingStatus()
		if r.URL.Query().Get("$select") == "" {
			delete(obj, "membershipRuleProcessingStatus")
		}
	}
	writeOne(w, r, "groups", obj, true)
	return nil
}

// ruleError turns a rule parse failure into Graph's 400: message is the
// text Graph shows (rules.SyntaxError.GraphMessage, the rules package's
// source A.7); details carry the parser's positioned Error() text.
func ruleError(err error) *apiError {
	var se *rules.SyntaxError
	if errors.As(err, &se) {
		e := dirErr(400, "Request_BadRequest", se.GraphMessage())
		e.extra = map[string]any{"details": []any{map[string]any{"code": se.Code, "message": se.Error(), "target": "membershipRule"}}}
		return e
	}
	return dirErr(400, "Request_BadRequest", "Invalid value specified for property 'membershipRule' of resource 'Group'. "+err.Error())
}

type groupBody struct {
	DisplayName                   *string   `json:"displayName"`
	Description                   *string   `json:"description"`
	MailNickname                  *string   `json:"mailNickname"`
	MailEnabled                   *bool     `json:"mailEnabled"`
	SecurityEnabled               *bool     `json:"securityEnabled"`
	GroupTypes                    *[]string `json:"groupTypes"`
	MembershipRule                *string   `json:"membershipRule"`
	MembershipRuleProcessingState *string   `json:"membershipRuleProcessingState"`
	IsAssignableToRole            *bool     `json:"isAssignableToRole"`
	MembersBind                   []string  `json:"members@odata.bind"`
}

func validNickname(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, c := range n {
		if c > 127 || strings.ContainsRune("@()\\[]\";:.<>, ", c) {
			return false
		}
	}
	return true
}

// postGroup creates an assigned or dynamic security group (§9). Required:
// displayName, mailEnabled, mailNickname, securityEnabled.
func (s *Server) postGroup(w http.ResponseWriter, r *http.Request) *apiError {
	var b groupBody
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	switch {
	case b.DisplayName == nil || strings.TrimSpace(*b.DisplayName) == "":
		return errBadRequest("Invalid value specified for property 'displayName' of resource 'Group'.")
	case len(*b.DisplayName) > 256:
		return errBadRequest("Invalid value specified for property 'displayName' of resource 'Group': longer than 256 characters.")
	case b.MailEnabled == nil:
		return errBadRequest("Property 'mailEnabled' is required.")
	case b.SecurityEnabled == nil:
		return errBadRequest("Property 'securityEnabled' is required.")
	case b.MailNickname == nil || !validNickname(*b.MailNickname):
		return errBadRequest("Invalid value specified for property 'mailNickname' of resource 'Group'.")
	}
	g := &group{ID: s.newID(), DisplayName: *b.DisplayName, MailNickname: *b.MailNickname, MailEnabled: *b.MailEnabled,
		SecurityEnabled: *b.SecurityEnabled, GroupTypes: []string{}, Members: map[string]bool{}, Created: s.now(), seq: s.st.nextSeq()}
	if b.Description != nil {
		g.Description = *b.Description
	}
	if b.GroupTypes != nil {
		for _, t := range *b.GroupTypes {
			if t != "DynamicMembership" && t != "Unified" {
				return errBadRequest(fmt.Sprintf("Invalid value specified for property 'groupTypes' of resource 'Group': '%s'.", t))
			}
		}
		g.GroupTypes = append(g.GroupTypes, *b.GroupTypes...)
	}
	if e := s.applyRule(g, b.MembershipRule, b.MembershipRuleProcessingState, true); e != nil {
		return e
	}
	if b.IsAssignableToRole != nil && *b.IsAssignableToRole && g.dynamic() {
		return errBadRequest("A group with isAssignableToRole set to true cannot have dynamic membership.")
	}
	for _, ref := range b.MembersBind {
		if g.dynamic() {
			return dirErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		}
		id := refID(ref)
		if !s.objectExists(id) {
			return errNotFound("directoryObject", id)
		}
		g.addMember(id)
	}
	s.st.groups.put(g.ID, g)
	if g.dynamic() {
		s.ruleChanged(g.ID)
	} else if len(g.Members) > 0 {
		s.membershipChanged(g.memberOrder)
	}
	created(w, r, "/"+version(r)+"/groups", g.ID, "groups/$entity", g.toJSON())
	return nil
}

// applyRule validates and sets the dynamic-membership fields.
func (s *Server) applyRule(g *group, rule, state *string, creating bool) *apiError {
	if rule != nil && *rule != "" && !g.dynamic() {
		return errBadRequest("The membershipRule property can only be set on a group with 'DynamicMembership' in groupTypes.")
	}
	if g.dynamic() {
		src := g.MembershipRule
		if rule != nil {
			src = *rule
		}
		if strings.TrimSpace(src) == "" {
			return errBadRequest("A group with 'DynamicMembership' in groupTypes needs a membershipRule.")
		}
		m, err := s.compile(src)
		if err != nil {
			return ruleError(err)
		}
		g.MembershipRule, g.matcher = src, m
		if creating {
			g.ProcessingState = "On"
		}
	}
	if state != nil {
		if !g.dynamic() {
			return errBadRequest("membershipRuleProcessingState applies to dynamic groups only.")
		}
		// Lower-case "on" appears in old docs: accepted, stored
		// canonical (rules-and-ad.md A.6, INFER).
		switch strings.ToLower(*state) {
		case "on":
			g.ProcessingState = "On"
		case "paused":
			g.ProcessingState = "Paused"
		default:
			return errBadRequest(fmt.Sprintf("Invalid value specified for property 'membershipRuleProcessingState' of resource 'Group': '%s' (want On or Paused).", *state))
		}
	}
	return nil
}

// patchGroup → 204 (§1.1: directory PATCH).
func (s *Server) patchGroup(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	var b groupBody
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	if b.GroupTypes != nil {
		return errBadRequest("Changing groupTypes is not supported by mockgraph.")
	}
	if b.DisplayName != nil {
		if strings.TrimSpace(*b.DisplayName) == "" {
			return errBadRequest("Invalid value specified for property 'displayName' of resource 'Group'.")
		}
		g.DisplayName = *b.DisplayName
	}
	if b.Description != nil {
		g.Description = *b.Description
	}
	oldRule, oldState := g.MembershipRule, g.ProcessingState
	if e := s.applyRule(g, b.MembershipRule, b.MembershipRuleProcessingState, false); e != nil {
		return e
	}
	if len(b.MembersBind) > 20 {
		return errBadRequest("At most 20 members can be added in one request.")
	}
	var added []string
	for _, ref := range b.MembersBind {
		if g.dynamic() {
			return dirErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		}
		id := refID(ref)
		if !s.objectExists(id) {
			return errNotFound("directoryObject", id)
		}
		if g.addMember(id) {
			added = append(added, id)
		}
	}
	if g.dynamic() && (g.MembershipRule != oldRule || g.ProcessingState != oldState) {
		s.ruleChanged(g.ID)
	}
	if len(added) > 0 {
		s.membershipChanged(added)
	}
	noContent(w)
	return nil
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	s.st.groups.del(g.ID)
	s.membershipChanged(g.memberOrder)
	noContent(w)
	return nil
}

// refID takes the object id from an @odata.id of any host and version (§9.1, §13).
func refID(ref string) string {
	ref = strings.TrimRight(ref, "/")
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	// directoryObjects('id') form
	if i := strings.Index(ref, "('"); i >= 0 && strings.HasSuffix(ref, "')") {
		ref = ref[i+2 : len(ref)-2]
	}
	return ref
}

func (s *Server) objectExists(id string) bool {
	if _, ok := s.st.entra.get(id); ok {
		return true
	}
	_, ok := s.st.groups.get(id)
	return ok
}

// addMemberRef: POST /groups/{id}/members/$ref (§9.1): 204; existing member
// 400; unknown object 404; dynamic group 403 (S7 CIPP#468).
func (s *Server) addMemberRef(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	var b struct {
		ODataID *string `json:"@odata.id"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	if b.ODataID == nil || *b.ODataID == "" {
		return errBadRequest("The request body must contain '@odata.id'.")
	}
	if g.dynamic() {
		return dirErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	}
	id := refID(*b.ODataID)
	if !s.objectExists(id) {
		return errNotFound("directoryObject", id)
	}
	if !g.addMember(id) {
		return errBadRequest("One or more added object references already exist for the following modified properties: 'members'.")
	}
	s.membershipChanged([]string{id})
	noContent(w)
	return nil
}

func (s *Server) removeMemberRef(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	if g.dynamic() {
		return dirErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	}
	id := pathVar(r, "mid")
	if !g.removeMember(id) {
		return errNotFound("directoryObject", id)
	}
	s.membershipChanged([]string{id})
	noContent(w)
	return nil
}

// memberItems lists members as polymorphic directoryObjects (the SDK needs
// @odata.type to decode them, addendum). kind filters a type cast.
func (s *Server) memberItems(g *group, kind string) []map[string]any {
	var items []map[string]any
	for _, id := range g.memberOrder {
		if d, ok := s.st.entra.get(id); ok && kind != "group" {
			items = append(items, d.toJSON())
		} else if sg, ok := s.st.groups.get(id); ok && kind != "device" {
			items = append(items, sg.toJSON())
		}
	}
	return items
}

func (s *Server) listMembers(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) *apiError {
		g, e := s.groupByID(r)
		if e != nil {
			return e
		}
		frag := "directoryObjects"
		if kind != "" {
			frag = kind + "s"
		}
		s.writeList(w, r, listOpts{ctxFrag: frag, directory: true, pageSize: 100}, s.memberItems(g, kind))
		return nil
	}
}

func (s *Server) countMembers(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	return s.writeCount(w, r, listOpts{directory: true}, s.memberItems(g, ""))
}

// ---- devices (§10) ----

func (s *Server) deviceOpts() listOpts {
	return listOpts{ctxFrag: "devices", directory: true, pageSize: 100}
}

func (s *Server) deviceItems() []map[string]any {
	var items []map[string]any
	for _, d := range s.st.entra.list() {
		items = append(items, d.toJSON())
	}
	return items
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) *apiError {
	s.writeList(w, r, s.deviceOpts(), s.deviceItems())
	return nil
}

func (s *Server) countDevices(w http.ResponseWriter, r *http.Request) *apiError {
	return s.writeCount(w, r, s.deviceOpts(), s.deviceItems())
}

func (s *Server) getDevice(w http.ResponseWriter, r *http.Request) *apiError {
	id := pathVar(r, "id")
	d, ok := s.st.entra.get(id)
	if !ok {
		return errNotFound("device", id)
	}
	writeOne(w, r, "devices", d.toJSON(), true)
	return nil
}

func (s *Server) getDeviceByDeviceID(w http.ResponseWriter, r *http.Request) *apiError {
	id := pathVar(r, "deviceId")
	for _, d := range s.st.entra.list() {
		if strings.EqualFold(d.DeviceID, id) {
			writeOne(w, r, "devices", d.toJSON(), true)
			return nil
		}
	}
	return errNotFound("device", id)
}

// postDeviceRefused: apps cannot create devices (§3, §10.1).
func (s *Server) postDeviceRefused(w http.ResponseWriter, r *http.Request) *apiError {
	return dirErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
}

func (s *Server) deleteDevice(w http.ResponseWriter, r *http.Request) *apiError {
	id := pathVar(r, "id")
	if _, ok := s.st.entra.get(id); !ok {
		return errNotFound("device", id)
	}
	s.st.entra.del(id)
	for _, g := range s.st.groups.list() {
		g.removeMember(id)
	}
	s.membershipChanged([]string{id})
	s.record("device.deleted", id)
	noContent(w)
	return nil
}

func (s *Server) deviceMemberOf(w http.ResponseWriter, r *http.Request) *apiError {
	id := pathVar(r, "id")
	if _, ok := s.st.entra.get(id); !ok {
		return errNotFound("device", id)
	}
	var items []map[string]any
	for _, g := range s.st.groups.list() {
		if g.Members[id] {
			items = append(items, g.toJSON())
		}
	}
	s.writeList(w, r, listOpts{ctxFrag: "directoryObjects", directory: true, pageSize: 100}, items)
	return nil
}

// patchDevice → 204 (§10.1: Device.ReadWrite.All may PATCH). Only
// accountEnabled and displayName are writable here; the real service
// refuses alternativeSecurityIds and most system-set properties.
func (s *Server) patchDevice(w http.ResponseWriter, r *http.Request) *apiError {
	id := pathVar(r, "id")
	d, ok := s.st.entra.get(id)
	if !ok {
		return errNotFound("device", id)
	}
	var b map[string]any
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	for k, v := range b {
		switch k {
		case "accountEnabled":
			bv, ok := v.(bool)
			if !ok {
				return errBadRequest("Invalid value specified for property 'accountEnabled' of resource 'Device'.")
			}
			d.AccountEnabled = bv
		case "displayName":
			sv, ok := v.(string)
			if !ok || strings.TrimSpace(sv) == "" {
				return errBadRequest("Invalid value specified for property 'displayName' of resource 'Device'.")
			}
			d.DisplayName = sv
		case "@odata.type":
		default:
			return errBadRequest(fmt.Sprintf("Property '%s' is read-only or not supported by mockgraph on resource 'Device'.", k))
		}
	}
	s.deviceChanged(d.ID)
	noContent(w)
	return nil
}
