package mockgraph

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/autopilotsim/autopilotsim/mockgraph/odata"
	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
)

// ---- groups ----

func (s *Server) groupOpts() listOpts {
	return listOpts{ctxFrag: "groups", directory: true, pageSize: 100, search: groupSearch}
}

func (s *Server) groupItems() []map[string]any {
	var items []map[string]any
	for _, g := range s.st.groups.list() {
		items = append(items, g.toJSON())
	}
	return items
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) *apiError {
	s.writeList(w, r, s.groupOpts(), s.groupItems())
	return nil
}

// countGroups: GET /groups/$count (§9.1), with $filter and $search; needs
// ConsistencyLevel: eventual like every directory /$count (§1.2).
func (s *Server) countGroups(w http.ResponseWriter, r *http.Request) *apiError {
	return s.writeCount(w, r, s.groupOpts(), s.groupItems())
}

func (s *Server) groupByID(r *http.Request) (*group, *apiError) {
	return s.st.groups.fromPath(r, func(id string) *apiError { return errNotFound("group", id) })
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	expand, e := groupExpand(r)
	if e != nil {
		return e
	}
	obj := g.toJSON()
	if isBeta(r) && g.dynamic() {
		// Beta returns it only with $select (§9.2); we add it when selected.
		obj["membershipRuleProcessingStatus"] = g.processingStatus()
		if queryValue(r, "$select") == "" {
			delete(obj, "membershipRuleProcessingStatus")
		}
	}
	// $select applies to the group; the expanded members keep their own
	// (nested) $select, so they are added after the projection.
	if obj, e = selectOne(r, true, obj); e != nil {
		return e
	}
	if expand != nil {
		members := []any{}
		for _, m := range s.memberItems(g, "", false) {
			if len(members) == maxExpanded {
				break
			}
			members = append(members, project(m, expand.sel))
		}
		obj["members"] = members
	}
	writeEntity(w, r, http.StatusOK, "groups/$entity", obj)
	return nil
}

// maxExpanded: on directory objects $expand returns at most 20 related
// objects and no nextLink (Graph's query-parameters page, "expand"; INFER
// for this mock: the 21st member on is left out silently, as Graph does).
const maxExpanded = 20

// expandMembers is a parsed $expand=members(...) on one group.
type expandMembers struct {
	sel []string // nil = every property
}

// groupExpand reads $expand on GET /groups/{id}: "members" or
// "members($select=a,b)". nil when $expand is absent.
func groupExpand(r *http.Request) (*expandMembers, *apiError) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		// A dropped pair (e.g. an unencoded ';') must not pass silently.
		return nil, errBadRequest(fmt.Sprintf("Invalid query string: %v", err))
	}
	v, ok := queryOption(vals, "$expand")
	if !ok {
		return nil, nil
	}
	if v = strings.TrimSpace(v); v == "" {
		return nil, errBadRequest("$expand needs a navigation property, e.g. $expand=members.")
	}
	name, opts := v, ""
	if i := strings.IndexByte(v, '('); i >= 0 {
		if !strings.HasSuffix(v, ")") {
			return nil, errBadRequest(fmt.Sprintf("Invalid $expand '%s': the '(' after '%s' is not closed.", v, v[:i]))
		}
		name, opts = strings.TrimSpace(v[:i]), v[i+1:len(v)-1]
	}
	if strings.ContainsAny(name, ",/") {
		return nil, dirErr(400, "Request_UnsupportedQuery", fmt.Sprintf("mockgraph expands one navigation property of a group, 'members'; got '%s'.", name))
	}
	switch strings.ToLower(name) {
	case "members":
	case "memberof", "transitivemembers", "transitivememberof", "owners":
		return nil, dirErr(400, "Request_UnsupportedQuery", fmt.Sprintf("mockgraph expands only 'members' on a group, not '%s'.", name))
	default:
		return nil, errBadRequest(fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.group'.", name))
	}
	x := &expandMembers{}
	if strings.TrimSpace(opts) == "" {
		return x, nil
	}
	for _, part := range strings.Split(opts, ";") {
		k, val, ok := strings.Cut(part, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "$select") {
			return nil, dirErr(400, "Request_UnsupportedQuery", fmt.Sprintf("Only $select is supported inside $expand=members(...); got '%s'.", strings.TrimSpace(part)))
		}
		sel, err := odata.ParseSelect(strings.TrimSpace(val))
		if err != nil {
			return nil, errBadRequest("Invalid $select inside $expand=members(...): " + err.Error())
		}
		x.sel = sel
	}
	return x, nil
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
	if b.DisplayName != nil && strings.TrimSpace(*b.DisplayName) == "" {
		return errBadRequest("Invalid value specified for property 'displayName' of resource 'Group'.")
	}
	// Graph refuses the whole request when one property is invalid: the
	// rule is compiled on a copy and every member checked before the group
	// changes at all.
	next := *g
	if e := s.applyRule(&next, b.MembershipRule, b.MembershipRuleProcessingState, false); e != nil {
		return e
	}
	if len(b.MembersBind) > 20 {
		return errBadRequest("At most 20 members can be added in one request.")
	}
	for _, ref := range b.MembersBind {
		if g.dynamic() {
			return dirErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		}
		if id := refID(ref); !s.objectExists(id) {
			return errNotFound("directoryObject", id)
		}
	}
	if b.DisplayName != nil {
		g.DisplayName = *b.DisplayName
	}
	if b.Description != nil {
		g.Description = *b.Description
	}
	oldRule, oldState := g.MembershipRule, g.ProcessingState
	g.MembershipRule, g.matcher, g.ProcessingState = next.MembershipRule, next.matcher, next.ProcessingState
	var added []string
	for _, ref := range b.MembersBind {
		if id := refID(ref); g.addMember(id) {
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

// removeMemberRef: DELETE /groups/{id}/members/{mid}/$ref (§9.1) → 204.
func (s *Server) removeMemberRef(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	return s.removeMember(w, g, pathVar(r, "mid"))
}

// removeMember: a dynamic group refuses with 403 (S7 CIPP#468), a
// non-member is 404.
func (s *Server) removeMember(w http.ResponseWriter, g *group, id string) *apiError {
	if g.dynamic() {
		return dirErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	}
	if !g.removeMember(id) {
		return errNotFound("directoryObject", id)
	}
	s.membershipChanged([]string{id})
	noContent(w)
	return nil
}

// removeMemberByURL: DELETE /groups/{id}/members/$ref?@id=<url>, the form
// msgraph-sdk-go's Members().Ref().Delete sends (URI template
// "…/members/$ref?@id={%40id}"). The OData spelling $id is accepted too,
// with either key percent-encoded (%40id, %24id).
func (s *Server) removeMemberByURL(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errBadRequest(fmt.Sprintf("Invalid query string: %v", err))
	}
	var given []string
	for k, v := range vals {
		if k == "@id" || strings.EqualFold(k, "$id") {
			given = append(given, v...)
		}
	}
	switch {
	case len(given) == 0:
		return errBadRequest("The @id query option is required: DELETE /groups/{id}/members/$ref?@id=https://graph.microsoft.com/v1.0/directoryObjects/{memberId}.")
	case len(given) > 1:
		return errBadRequest("The @id query option must be given once.")
	}
	id, ok := refURLID(given[0])
	if !ok {
		return errBadRequest(fmt.Sprintf("Invalid value '%s' for the @id query option: expected the URL of a directory object, e.g. https://graph.microsoft.com/v1.0/directoryObjects/{id}.", given[0]))
	}
	return s.removeMember(w, g, id)
}

// refURLID takes the object id from an @id URL: any host and version, a
// path ending in directoryObjects|devices|groups|users/{id} (optionally
// followed by a type segment such as Microsoft.DirectoryServices.Device),
// or directoryObjects('{id}'). A bare id is not a URL and is refused.
func refURLID(ref string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	var segs []string
	for _, seg := range strings.Split(u.Path, "/") {
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	isColl := func(s string) bool {
		switch strings.ToLower(s) {
		case "directoryobjects", "devices", "groups", "users":
			return true
		}
		return false
	}
	validID := func(s string) bool { return s != "" && !strings.ContainsAny(s, " '()") && !isColl(s) }
	n := len(segs)
	if n == 0 {
		return "", false
	}
	last := segs[n-1]
	switch j := strings.Index(last, "('"); {
	case j > 0 && strings.HasSuffix(last, "')") && isColl(last[:j]):
		id := last[j+2 : len(last)-2]
		return id, validID(id)
	case n >= 2 && isColl(segs[n-2]) && validID(last):
		return last, true
	case n >= 3 && isColl(segs[n-3]) && validID(segs[n-2]) && strings.Contains(last, "."):
		return segs[n-2], true
	}
	return "", false
}

// memberRefURL: the @odata.id of a member reference is the object's URL
// under directoryObjects on the host the request came to, as nextLink does
// (§1.2). INFER: real Graph has been seen to answer with a
// "…/v2/{tenant}/directoryObjects/{id}/Microsoft.DirectoryServices.<Type>"
// form; refID and refURLID accept both.
func memberRefURL(r *http.Request, id string) string {
	return baseURL(r) + "/" + version(r) + "/directoryObjects/" + id
}

// listMemberRefs: GET /groups/{id}/members/$ref answers OData entity
// references, {"@odata.id": url} (OData 4.0 Protocol 11.2.7), under the
// directoryObjects context. $filter, $search, $count and paging apply to
// the members; $select and $expand have nothing to act on in a reference.
func (s *Server) listMemberRefs(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	for _, k := range []string{"$select", "$expand"} {
		if queryHas(r, k) {
			return errBadRequest(fmt.Sprintf("The query option '%s' is not allowed on a $ref request.", k))
		}
	}
	// $filter and $search read the member; the page shows its reference.
	items := s.memberItems(g, "", false)
	rows := make([]row, len(items))
	for i, it := range items {
		rows[i] = row{get: odata.MapGetter(it), full: func() map[string]any {
			return map[string]any{"@odata.id": memberRefURL(r, it["id"].(string))}
		}}
	}
	s.writeRows(w, r, s.memberOpts("directoryObjects"), rows)
	return nil
}

// transitive reports whether a request names a transitive navigation
// (transitiveMembers, transitiveMemberOf), which follow nested groups.
func transitive(r *http.Request) bool {
	return strings.Contains(r.URL.Path, "/transitiveMember")
}

// memberIDs returns g's members in the order they were added; transitive
// adds the members of nested groups after them, breadth first, each once
// (Graph's transitiveMembers lists the nested groups themselves too).
func (s *Server) memberIDs(g *group, transitive bool) []string {
	if !transitive {
		return g.memberOrder
	}
	seen := map[string]bool{g.ID: true}
	var out []string
	queue := []*group{g}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, id := range cur.memberOrder {
			if seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, id)
			if ng, ok := s.st.groups.get(id); ok {
				queue = append(queue, ng)
			}
		}
	}
	return out
}

// memberItems lists members as polymorphic directoryObjects (the SDK needs
// @odata.type to decode them, addendum). kind filters a type cast.
func (s *Server) memberItems(g *group, kind string, transitive bool) []map[string]any {
	var items []map[string]any
	for _, id := range s.memberIDs(g, transitive) {
		if d, ok := s.st.entra.get(id); ok && kind != "group" {
			items = append(items, d.toJSON())
		} else if sg, ok := s.st.groups.get(id); ok && kind != "device" {
			items = append(items, sg.toJSON())
		}
	}
	return items
}

// memberOpts are the options of a member list; frag is the context
// fragment ("directoryObjects", or "devices"/"groups" after a cast).
func (s *Server) memberOpts(frag string) listOpts {
	switch frag {
	case "devices":
		return s.deviceOpts()
	case "groups":
		return s.groupOpts()
	}
	return listOpts{ctxFrag: frag, directory: true, pageSize: 100, search: directoryObjectSearch}
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
		s.writeList(w, r, s.memberOpts(frag), s.memberItems(g, kind, transitive(r)))
		return nil
	}
}

func (s *Server) countMembers(w http.ResponseWriter, r *http.Request) *apiError {
	g, e := s.groupByID(r)
	if e != nil {
		return e
	}
	return s.writeCount(w, r, s.memberOpts("directoryObjects"), s.memberItems(g, "", transitive(r)))
}
