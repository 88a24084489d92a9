package mockgraph

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/autopilotsim/autopilotsim/internal/flatjson"
	"github.com/autopilotsim/autopilotsim/transport"
)

func pathVar(r *http.Request, k string) string { return mux.Vars(r)[k] }

// routes builds the gorilla/mux tree. Resources that exist only in beta
// are registered only under /beta (Graph §12 in docs/SOURCES.md).
func (s *Server) routes() http.Handler {
	root := mux.NewRouter()
	// The private channels first: gorilla/mux tries routes in order, and
	// the devices' polls and registrations are most of a fleet's requests
	// (each route tried is a regular expression run). No public path
	// starts with /_private ("_private" is no tenant: a tenant is a GUID or
	// a domain name), so the order changes no answer.
	priv := root.PathPrefix("/_private").Subrouter()
	s.privateRoutes(priv)
	priv.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, r, dirErr(404, "NotFound", fmt.Sprintf("No private endpoint %s %s (see mockgraph/PRIVATE_API.md).", r.Method, r.URL.Path)))
	})
	priv.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, r, dirErr(405, "MethodNotAllowed", fmt.Sprintf("%s is not allowed on %s.", r.Method, r.URL.Path)))
	})
	for _, v := range []string{"v1.0", "beta"} {
		sub := root.PathPrefix("/" + v).Subrouter()
		s.graphRoutes(sub, v == "beta")
		sub.NotFoundHandler = http.HandlerFunc(s.segmentNotFound)
		sub.MethodNotAllowedHandler = http.HandlerFunc(s.methodNotAllowed)
	}
	root.HandleFunc("/{tenant}/oauth2/v2.0/token", s.handleToken).Methods(http.MethodPost)
	root.HandleFunc("/{tenant}/v2.0/.well-known/openid-configuration", s.handleOpenID).Methods(http.MethodGet)
	root.HandleFunc("/{tenant}/discovery/v2.0/keys", s.handleJWKS).Methods(http.MethodGet)
	root.HandleFunc("/{tenant}/discovery/keys", s.handleJWKS).Methods(http.MethodGet)
	root.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, r, dirErr(400, "BadRequest", fmt.Sprintf("Invalid version or path: %s", r.URL.Path)))
	})
	root.MethodNotAllowedHandler = http.HandlerFunc(s.methodNotAllowed)
	h := s.middleware(root)
	if s.cfg.LogRequests {
		h = s.logRequest(h)
	}
	return h
}

// segmentNotFound answers a path the version does not have the way OData
// does: 400 BadRequest "Resource not found for the segment '…'" (S7, seen
// for importedWindowsAutopilotDeviceIdentities on old v1.0; it is also what
// beta-only segments such as windowsAutopilotDeploymentProfiles get on v1.0).
func (s *Server) segmentNotFound(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	seg := ""
	if len(segs) > 1 {
		seg = segs[1]
	}
	if len(segs) > 2 && segs[1] == "deviceManagement" {
		seg = segs[2]
	}
	writeErr(w, r, dirErr(400, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", seg)))
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.Path, "/deviceManagement/") {
		// Intune's router answer (S7 #98).
		writeErr(w, r, &apiError{status: 400, code: "No method match route template", shape: shapeDirectory,
			message: fmt.Sprintf("No OData route exists that match template ~/singleton/navigation with http verb %s for request %s.", r.Method, r.URL.Path)})
		return
	}
	writeErr(w, r, dirErr(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target."))
}

// middleware adds the headers every Graph answer carries (request-id,
// client-request-id, Date from the simulation clock), inflates gzip request
// bodies (the Go SDK compresses POST/PATCH, addendum), and injects faults.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		rid := s.reqID()
		s.mu.Unlock()
		ri := &reqInfo{requestID: rid, clientRequestID: r.Header.Get("client-request-id"), date: s.now()}
		if ri.clientRequestID == "" {
			ri.clientRequestID = rid
		}
		// Keys in canonical form, as Header.Set would store them (Set
		// canonicalizes each lower-case name into a new string on every
		// request), and the four values in one array (full slice
		// expressions: none grows into the next).
		h := w.Header()
		vals := [...]string{ri.requestID, ri.clientRequestID, ri.date.Format(http.TimeFormat), agsDiagnostic}
		shared := vals[:]
		h["Request-Id"] = shared[0:1:1]
		h["Client-Request-Id"] = shared[1:2:2]
		h["Date"] = shared[2:3:3]
		h["X-Ms-Ags-Diagnostic"] = shared[3:4:4]
		ri.maxBody = s.cfg.MaxBodyBytes
		if ri.maxBody <= 0 {
			ri.maxBody = DefaultMaxBodyBytes
		}
		r = withInfo(r, ri)
		if r.ContentLength > ri.maxBody {
			writeErr(w, r, errTooLarge(ri.maxBody))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, ri.maxBody)
		}
		if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") && r.Body != nil {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				writeErr(w, r, dirErr(400, "BadRequest", "The request body is marked gzip but is not: "+err.Error()))
				return
			}
			// The inflated body has the same cap (a gzip bomb is a few KB
			// on the wire); decodeBody reads one byte past it to tell.
			r.Body = io.NopCloser(io.LimitReader(zr, ri.maxBody+1))
			r.Header.Del("Content-Encoding")
		}
		if e := checkURLText(r); e != nil {
			writeErr(w, r, e)
			return
		}
		if replaying(r) {
			next.ServeHTTP(w, r) // recorded as answered: no faults again
			return
		}
		if s.applyFaults(w, r) {
			return
		}
		if s.cfg.Intercept != nil {
			s.cfg.Intercept(w, r, next)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// agsDiagnostic is the x-ms-ags-diagnostic header Graph sends.
const agsDiagnostic = `{"ServerInfo":{"DataCenter":"mockgraph","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"MOCK"}}`

// checkURLText refuses a path or query whose percent-decoded text is not
// UTF-8. Go's url package decodes %FF happily, and every later step (OData
// parser, $search, stored values) would then carry U+FFFD in place of the
// client's bytes; Graph answers such a URL with 400 (RFC 3986 §2.5: URI
// text is UTF-8). The exact message Graph sends is UNCERTAIN.
func checkURLText(r *http.Request) *apiError {
	shape := func(msg string) *apiError {
		if strings.Contains(r.URL.Path, "/deviceManagement") {
			return intuneBadRequest(msg)
		}
		return dirErr(400, "Request_BadRequest", msg)
	}
	if !utf8.ValidString(r.URL.Path) {
		return shape("The request path is not valid UTF-8.")
	}
	if r.URL.RawQuery == "" {
		return nil // most requests: no map to build and walk
	}
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil // parseQuery reports a malformed query in the endpoint's words
	}
	// In key order, so that a query with two bad options gets the same
	// answer on every run.
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		vs := vals[k]
		if !utf8.ValidString(k) {
			return shape("Invalid query string: a query option name is not valid UTF-8.")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return shape(fmt.Sprintf("Invalid value for query option '%s': not valid UTF-8 at byte %d.", strings.ToValidUTF8(k, "?"), invalidUTF8At([]byte(v))))
			}
		}
	}
	return nil
}

// invalidUTF8At is the offset of the first byte that is not UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// handler wraps a Graph endpoint: authenticate, authorise, then run fn
// with the tenant locked.
type handlerFunc func(w http.ResponseWriter, r *http.Request) *apiError

func (s *Server) h(p perm, fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		claims, e := s.authenticate(r)
		if e != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
			writeErr(w, r, e)
			return
		}
		if e := p.check(claims); e != nil {
			writeErr(w, r, e)
			return
		}
		info(r).app = claims
		s.mu.Lock()
		defer s.mu.Unlock()
		if e := s.throttle(w, r, claims.AppID); e != nil && !replaying(r) {
			writeErr(w, r, e)
			return
		}
		if e := fn(w, r); e != nil {
			writeErr(w, r, e)
		}
	}
}

// pLab is what lab internals on /_private need: an app token that may
// administer the Intune service (creds.go).
var pLab = perm{allOf: [][]string{svcWrite}}

// credFunc is a private endpoint that acts for an authenticated client.
type credFunc func(w http.ResponseWriter, r *http.Request, c credential) *apiError

// pAs is the wrapper of a channel that needs a client credential of kind
// (creds.go): 401 without it, tenant locked.
func (s *Server) pAs(kind credKind, fn credFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		c, e := s.presented(r, kind)
		if e == nil {
			e = fn(w, r, c)
		}
		if e != nil {
			if e.status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="autopilotsim-private"`)
			}
			writeErr(w, r, e)
		}
	}
}

// p is the wrapper of the device endpoints that authenticate by the
// request's hardware hash (profile download, enrollment): tenant locked.
func (s *Server) p(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if e := fn(w, r); e != nil {
			writeErr(w, r, e)
		}
	}
}

// errTooLarge answers a body over Config.MaxBodyBytes (the code Graph uses
// is UNCERTAIN; the status is HTTP's).
func errTooLarge(max int64) *apiError {
	return dirErr(413, "RequestEntityTooLarge", fmt.Sprintf("The request body is larger than %d bytes.", max))
}

// decodeBody reads a JSON object body. Malformed JSON, an empty body, a
// non-object or trailing data get a clear 400 in the endpoint's shape.
func decodeBody(r *http.Request, shape errorShape, v any) *apiError {
	bad := func(msg string) *apiError {
		if shape == shapeIntune {
			return intuneBadRequest(msg)
		}
		return dirErr(400, "Request_BadRequest", msg)
	}
	if r.Body == nil {
		return bad("The request body is empty; a JSON object is required.")
	}
	max := info(r).maxBody
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	buf := transport.TakeBuffer()
	data, err := readBody(*buf, r.Body, r.ContentLength, max)
	// Nothing decoded from data shares its bytes, so the buffer serves
	// the next request once decodeBody returns.
	defer func() { transport.KeepBuffer(buf, data) }()
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || int64(len(data)) > max {
		return errTooLarge(max)
	}
	if err != nil {
		return bad("Could not read the request body: " + err.Error())
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return bad("The request body is empty; a JSON object is required.")
	}
	if !utf8.Valid(data) {
		// encoding/json would store U+FFFD in place of the bad bytes;
		// Graph refuses a body that is not UTF-8 (RFC 8259 §8.1).
		return bad(fmt.Sprintf("Invalid JSON in the request body: invalid UTF-8 at offset %d.", invalidUTF8At(data)))
	}
	// flatjson.Unmarshal reads most request bodies (objects of strings,
	// numbers and booleans: the device's profile, enrollment and DRS
	// requests, the connector's result, Entra Connect's export) in one pass
	// and hands the rest to json.Unmarshal, with its values and errors.
	// Either decodes from data in place; a json.Decoder first copies the
	// body into a buffer of its own, growing it as it reads (6% of all the
	// memory a fleet allocated). Both check the whole body before they
	// store anything, so a body called malformed (trailing data included)
	// leaves v untouched and goes through the Decoder below for the usual
	// answer; any other error comes from the same decoding of the same
	// value.
	err = flatjson.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	if syntax := (*json.SyntaxError)(nil); !errors.As(err, &syntax) {
		return decodeErr(err, bad)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return decodeErr(err, bad)
	}
	if dec.More() {
		return bad("Invalid JSON in the request body: unexpected data after the JSON object.")
	}
	return nil
}

// decodeErr words a JSON decoding error as Graph's 400.
func decodeErr(err error, bad func(string) *apiError) *apiError {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return bad(fmt.Sprintf("Invalid JSON in the request body at offset %d: %v", se.Offset, err))
	case errors.As(err, &te):
		return bad(fmt.Sprintf("Invalid JSON in the request body: property '%s' has the wrong type (%s, expected %s).", te.Field, te.Value, te.Type))
	default:
		return bad("Invalid JSON in the request body: " + err.Error())
	}
}

// readBody reads at most max+1 bytes of body into buf (from its length),
// grown once to the declared length: io.ReadAll grew and copied its buffer
// several times for every import batch and every device request with its
// 4 KB hash.
func readBody(buf []byte, body io.Reader, declared, max int64) ([]byte, error) {
	size := int64(512)
	if declared > 0 && declared <= max {
		size = declared + 1 // room to see EOF without growing
	}
	if int64(cap(buf)-len(buf)) < size {
		buf = slices.Grow(buf, int(size))
	}
	lr := io.LimitReader(body, max+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// graphRoutes registers the Graph surface of one version.
func (s *Server) graphRoutes(r *mux.Router, beta bool) {
	dm := r.PathPrefix("/deviceManagement").Subrouter()
	dm.NotFoundHandler = http.HandlerFunc(s.segmentNotFound)
	dm.MethodNotAllowedHandler = http.HandlerFunc(s.methodNotAllowed)

	// Autopilot device identities (§4) — v1.0 and beta.
	ap := "/windowsAutopilotDeviceIdentities"
	dm.HandleFunc(ap, s.h(pSvcRead, s.listAutopilot)).Methods("GET")
	dm.HandleFunc(ap, s.h(pSvcWrite, s.postAutopilotRefused)).Methods("POST")
	dm.HandleFunc(ap+"/$count", s.h(pSvcRead, s.countAutopilot)).Methods("GET")
	dm.HandleFunc(ap+"/{id}", s.h(pSvcRead, s.getAutopilot)).Methods("GET")
	dm.HandleFunc(ap+"/{id}", s.h(pSvcWrite, s.deleteAutopilot)).Methods("DELETE")
	dm.HandleFunc(ap+"/{id}/assignUserToDevice", s.h(pSvcWrite, s.assignUserToDevice)).Methods("POST")
	dm.HandleFunc(ap+"/{id}/unassignUserFromDevice", s.h(pSvcWrite, s.unassignUserFromDevice)).Methods("POST")
	dm.HandleFunc(ap+"/{id}/updateDeviceProperties", s.h(pSvcWrite, s.updateDeviceProperties)).Methods("POST")
	if beta {
		dm.HandleFunc(ap+"/{id}/deploymentProfile", s.h(pSvcRead, s.getAutopilotProfileNav(false))).Methods("GET")
		dm.HandleFunc(ap+"/{id}/intendedDeploymentProfile", s.h(pSvcRead, s.getAutopilotProfileNav(true))).Methods("GET")
		dm.HandleFunc(ap+"/{id}/allowNextEnrollment", s.h(pSvcWrite, s.noopAutopilotAction)).Methods("POST")
	}

	// Imports (§5) — v1.0 and beta.
	im := "/importedWindowsAutopilotDeviceIdentities"
	dm.HandleFunc(im, s.h(pSvcRead, s.listImported)).Methods("GET")
	dm.HandleFunc(im, s.h(pSvcWrite, s.postImported)).Methods("POST")
	dm.HandleFunc(im+"/import", s.h(pSvcWrite, s.importAction)).Methods("POST")
	dm.HandleFunc(im+"/$count", s.h(pSvcRead, s.countImported)).Methods("GET")
	dm.HandleFunc(im+"/{id}", s.h(pSvcRead, s.getImported)).Methods("GET")
	dm.HandleFunc(im+"/{id}", s.h(pSvcWrite, s.deleteImported)).Methods("DELETE")

	// ESP and other enrollment configurations (§8) — v1.0 and beta.
	ec := "/deviceEnrollmentConfigurations"
	dm.HandleFunc(ec, s.h(pSvcRead, s.listEnrollmentConfigs)).Methods("GET")
	dm.HandleFunc(ec, s.h(pSvcWrite, s.postEnrollmentConfig)).Methods("POST")
	dm.HandleFunc(ec+"/{id}", s.h(pSvcRead, s.getEnrollmentConfig)).Methods("GET")
	dm.HandleFunc(ec+"/{id}", s.h(pSvcWrite, s.patchEnrollmentConfig)).Methods("PATCH")
	dm.HandleFunc(ec+"/{id}", s.h(pSvcWrite, s.deleteEnrollmentConfig)).Methods("DELETE")
	dm.HandleFunc(ec+"/{id}/assign", s.h(pAssign, s.assignEnrollmentConfig)).Methods("POST")
	dm.HandleFunc(ec+"/{id}/setPriority", s.h(pSvcWrite, s.setPriority)).Methods("POST")
	dm.HandleFunc(ec+"/{id}/assignments", s.h(pSvcRead, s.listEnrollmentAssignments)).Methods("GET")

	// Device configurations (§7) — the collection is in v1.0 too, but the
	// windowsDomainJoinConfiguration type is beta-only.
	dc := "/deviceConfigurations"
	dm.HandleFunc(dc, s.h(pCfgRead, s.listDeviceConfigs)).Methods("GET")
	dm.HandleFunc(dc, s.h(pCfgWrite, s.postDeviceConfig)).Methods("POST")
	dm.HandleFunc(dc+"/{id}", s.h(pCfgRead, s.getDeviceConfig)).Methods("GET")
	dm.HandleFunc(dc+"/{id}", s.h(pCfgWrite, s.patchDeviceConfig)).Methods("PATCH")
	dm.HandleFunc(dc+"/{id}", s.h(pCfgWrite, s.deleteDeviceConfig)).Methods("DELETE")
	dm.HandleFunc(dc+"/{id}/assign", s.h(pCfgWrite, s.assignDeviceConfig)).Methods("POST")
	dm.HandleFunc(dc+"/{id}/assignments", s.h(pCfgRead, s.listDeviceConfigAssignments)).Methods("GET")
	dm.HandleFunc(dc+"/{id}/assignments", s.h(pCfgWrite, s.postDeviceConfigAssignment)).Methods("POST")
	dm.HandleFunc(dc+"/{id}/assignments/{aid}", s.h(pCfgWrite, s.deleteDeviceConfigAssignment)).Methods("DELETE")

	// Managed devices (§11).
	dm.HandleFunc("/managedDevices", s.h(pMdRead, s.listManagedDevices)).Methods("GET")
	dm.HandleFunc("/managedDevices/{id}", s.h(pMdRead, s.getManagedDevice)).Methods("GET")
	dm.HandleFunc("/managedDevices/{id}", s.h(pMdWrite, s.deleteManagedDevice)).Methods("DELETE")

	if beta {
		// Deployment profiles (§6) — beta only.
		pr := "/windowsAutopilotDeploymentProfiles"
		dm.HandleFunc(pr, s.h(pSvcRead, s.listProfiles)).Methods("GET")
		dm.HandleFunc(pr, s.h(pSvcWrite, s.postProfile)).Methods("POST")
		dm.HandleFunc(pr+"/{id}", s.h(pSvcRead, s.getProfile)).Methods("GET")
		dm.HandleFunc(pr+"/{id}", s.h(pSvcWrite, s.patchProfile)).Methods("PATCH")
		dm.HandleFunc(pr+"/{id}", s.h(pSvcWrite, s.deleteProfile)).Methods("DELETE")
		dm.HandleFunc(pr+"/{id}/assignments", s.h(pSvcRead, s.listProfileAssignments)).Methods("GET")
		dm.HandleFunc(pr+"/{id}/assignments", s.h(pAssign, s.postProfileAssignment)).Methods("POST")
		dm.HandleFunc(pr+"/{id}/assignments/{aid}", s.h(pSvcRead, s.getProfileAssignment)).Methods("GET")
		dm.HandleFunc(pr+"/{id}/assignments/{aid}", s.h(pAssign, s.deleteProfileAssignment)).Methods("DELETE")
		dm.HandleFunc(pr+"/{id}/assignedDevices", s.h(pSvcRead, s.listAssignedDevices)).Methods("GET")

		// Connectors (§12) and Autopilot sync — beta only.
		dm.HandleFunc("/domainJoinConnectors", s.h(pCfgRead, s.listConnectors)).Methods("GET")
		dm.HandleFunc("/domainJoinConnectors/{id}", s.h(pCfgRead, s.getConnector)).Methods("GET")
		dm.HandleFunc("/domainJoinConnectors/{id}", s.h(pCfgWrite, s.deleteConnector)).Methods("DELETE")
		dm.HandleFunc("/windowsAutopilotSettings", s.h(pSvcRead, s.getAutopilotSettings)).Methods("GET")
		dm.HandleFunc("/windowsAutopilotSettings/sync", s.h(pSvcWrite, s.syncAutopilot)).Methods("POST")
	}

	// Groups (§9).
	r.HandleFunc("/groups", s.h(pGrpRead, s.listGroups)).Methods("GET")
	r.HandleFunc("/groups", s.h(pGrpCreate, s.postGroup)).Methods("POST")
	r.HandleFunc("/groups/$count", s.h(pGrpRead, s.countGroups)).Methods("GET") // before {id}
	r.HandleFunc("/groups/{id}", s.h(pGrpRead, s.getGroup)).Methods("GET")
	r.HandleFunc("/groups/{id}", s.h(pGrpWrite, s.patchGroup)).Methods("PATCH")
	r.HandleFunc("/groups/{id}", s.h(pGrpWrite, s.deleteGroup)).Methods("DELETE")
	for _, nav := range []string{"members", "transitiveMembers"} {
		r.HandleFunc("/groups/{id}/"+nav, s.h(pGrpRead, s.listMembers(""))).Methods("GET")
		r.HandleFunc("/groups/{id}/"+nav+"/$count", s.h(pGrpRead, s.countMembers)).Methods("GET")
		for _, cast := range []string{"graph.device", "microsoft.graph.device"} {
			r.HandleFunc("/groups/{id}/"+nav+"/"+cast, s.h(pGrpRead, s.listMembers("device"))).Methods("GET")
		}
		for _, cast := range []string{"graph.group", "microsoft.graph.group"} {
			r.HandleFunc("/groups/{id}/"+nav+"/"+cast, s.h(pGrpRead, s.listMembers("group"))).Methods("GET")
		}
	}
	r.HandleFunc("/groups/{id}/members/$ref", s.h(pMemberW, s.addMemberRef)).Methods("POST")
	r.HandleFunc("/groups/{id}/members/$ref", s.h(pGrpRead, s.listMemberRefs)).Methods("GET")
	r.HandleFunc("/groups/{id}/members/$ref", s.h(pMemberW, s.removeMemberByURL)).Methods("DELETE")
	r.HandleFunc("/groups/{id}/members/{mid}/$ref", s.h(pMemberW, s.removeMemberRef)).Methods("DELETE")

	// Devices (§10).
	r.HandleFunc("/identity/conditionalAccess/policies", s.h(pCARead, s.listCAPolicies)).Methods("GET")
	r.HandleFunc("/identity/conditionalAccess/policies", s.h(pCAWrit, s.postCAPolicy)).Methods("POST")
	r.HandleFunc("/identity/conditionalAccess/policies/{id}", s.h(pCARead, s.getCAPolicy)).Methods("GET")
	r.HandleFunc("/identity/conditionalAccess/policies/{id}", s.h(pCAWrit, s.deleteCAPolicy)).Methods("DELETE")
	r.HandleFunc("/devices", s.h(pDevRead, s.listDevices)).Methods("GET")
	r.HandleFunc("/devices", s.h(pDevWrite, s.postDeviceRefused)).Methods("POST")
	r.HandleFunc("/devices/$count", s.h(pDevRead, s.countDevices)).Methods("GET")
	r.HandleFunc("/devices(deviceId='{deviceId}')", s.h(pDevRead, s.getDeviceByDeviceID)).Methods("GET")
	r.HandleFunc("/devices/{id}", s.h(pDevRead, s.getDevice)).Methods("GET")
	r.HandleFunc("/devices/{id}", s.h(pDevWrite, s.deleteDevice)).Methods("DELETE")
	r.HandleFunc("/devices/{id}", s.h(pDevWrite, s.patchDevice)).Methods("PATCH")
	for _, nav := range []string{"memberOf", "transitiveMemberOf"} {
		p := "/devices/{id}/" + nav
		r.HandleFunc(p, s.h(pDevRead, s.deviceMemberOf(false, false))).Methods("GET")
		r.HandleFunc(p+"/$count", s.h(pDevRead, s.deviceMemberOf(false, true))).Methods("GET")
		for _, cast := range []string{"graph.group", "microsoft.graph.group"} {
			r.HandleFunc(p+"/"+cast, s.h(pDevRead, s.deviceMemberOf(true, false))).Methods("GET")
			r.HandleFunc(p+"/"+cast+"/$count", s.h(pDevRead, s.deviceMemberOf(true, true))).Methods("GET")
		}
	}
}

// privateRoutes registers PRIVATE_API.md.
func (s *Server) privateRoutes(r *mux.Router) {
	// Devices: hardware hash, then the enrollment credential, then the
	// device certificate (creds.go). The ODJ poll and the DRS registration
	// first: a device sends about ten and five of them, and mux tries
	// routes in order (no two of these paths overlap, so the order changes
	// no answer).
	r.HandleFunc("/odj/v1/requests/{id}", s.pAs(credDevice, s.privODJGet)).Methods("GET")
	r.HandleFunc("/drs/v1/register", s.p(s.privDRSRegister)).Methods("POST")
	r.HandleFunc("/autopilot/v1/profile", s.p(s.privProfile)).Methods("POST")
	r.HandleFunc("/enrollment/v1/enroll", s.p(s.privEnroll)).Methods("POST")
	r.HandleFunc("/signin/v1/access", s.p(s.privSignIn)).Methods("POST")
	// Intune Connector: its installation credential.
	r.HandleFunc("/odj/v1/connectors", s.h(pLab, s.privInstallConnector)).Methods("POST")
	r.HandleFunc("/odj/v1/requests/{id}/result", s.pAs(credConnector, s.privODJResult)).Methods("POST")
	r.HandleFunc("/odj/v1/connectors/{cid}/heartbeat", s.pAs(credConnector, s.privHeartbeat)).Methods("POST")
	r.HandleFunc("/odj/v1/connectors/{cid}/claim", s.pAs(credConnector, s.privClaim)).Methods("POST")
	// Entra Connect: its sync account.
	r.HandleFunc("/sync/v1/devices/{oid}", s.pAs(credSync, s.privSyncPut)).Methods("PUT")
	r.HandleFunc("/sync/v1/devices/{oid}", s.pAs(credSync, s.privSyncDelete)).Methods("DELETE")
	// Lab internals: an admin app token.
	r.HandleFunc("/enrollment/v1/existing", s.h(pLab, s.privExisting)).Methods("POST")
	r.HandleFunc("/enrollment/v1/previous", s.h(pLab, s.privPrevious)).Methods("POST")
	r.HandleFunc("/requests", s.h(pLab, s.privRequests)).Methods("GET")
}
