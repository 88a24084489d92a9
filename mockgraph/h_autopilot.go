package mockgraph

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/autopilotsim/autopilotsim/mockgraph/odata"
)

func isBeta(r *http.Request) bool { return version(r) == "beta" }

// autopilotFilter mirrors §4.3: contains(serialNumber,'x') works; `eq` on
// serialNumber or id is refused with 400 (S7 #3693, #1260) unless the
// server is configured lenient.
func (s *Server) autopilotFilter(e odata.Expr) *apiError {
	if s.cfg.LenientAutopilotFilter {
		return nil
	}
	var bad *apiError
	odata.Walk(e, func(n odata.Expr) {
		b, ok := n.(odata.Binary)
		if !ok || b.Op != "eq" || bad != nil {
			return
		}
		for _, side := range []odata.Expr{b.L, b.R} {
			if p, ok := side.(odata.Prop); ok && (strings.EqualFold(p.String(), "serialNumber") || strings.EqualFold(p.String(), "id")) {
				bad = intuneBadRequest(fmt.Sprintf("Filter on property '%s' with operator 'eq' is not supported; use contains(serialNumber,'...').", p.String()))
			}
		}
	})
	return bad
}

// autopilotRows filters on the typed entity and builds JSON only for the
// page (10,000-device tenants, see BenchmarkGraph).
func (s *Server) autopilotRows(r *http.Request) rowSet {
	return autopilotSet{list: s.st.autopilot.list(), beta: isBeta(r)}
}

type autopilotSet struct {
	list []*autopilotDevice
	beta bool
}

func (a autopilotSet) size() int                 { return len(a.list) }
func (a autopilotSet) full(i int) map[string]any { return a.list[i].toJSON(a.beta) }

func (a autopilotSet) prop(i int, name string) any {
	d, beta := a.list[i], a.beta
	eq := strings.EqualFold
	switch {
	case eq(name, "serialNumber"):
		return d.SerialNumber
	case eq(name, "id"):
		return d.ID
	case eq(name, "groupTag"):
		return d.GroupTag
	case eq(name, "enrollmentState"):
		return d.EnrollmentState
	case eq(name, "purchaseOrderIdentifier"):
		return d.PurchaseOrder
	case eq(name, "displayName"):
		return d.DisplayName
	case eq(name, "userPrincipalName"):
		return d.UserPrincipalName
	case eq(name, "managedDeviceId"):
		return d.ManagedDeviceID
	case eq(name, "azureActiveDirectoryDeviceId"):
		return d.AzureADDeviceID
	case beta && eq(name, "azureAdDeviceId"):
		return d.AzureADDeviceID
	case beta && eq(name, "deploymentProfileAssignmentStatus"):
		return d.AssignmentStatus
	}
	return lookupJSON(d.toJSON(beta), name)
}

func lookupJSON(m map[string]any, name string) any {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// Page size 1000 was observed for Autopilot devices (§1.2, S7 #3693).
// id and serialNumber are set once at registration (engine_import.go,
// engine_convert.go) and never changed in place, so contains(serialNumber,'…'), the one filter
// the service takes on them (§4.3), pages from the list cache.
func (s *Server) autopilotOpts() listOpts {
	return listOpts{ctxFrag: "deviceManagement/windowsAutopilotDeviceIdentities", pageSize: 1000, checkFilter: s.autopilotFilter,
		stable: []string{"id", "serialNumber"}}
}

func (s *Server) listAutopilot(w http.ResponseWriter, r *http.Request) *apiError {
	s.writeSet(w, r, s.autopilotOpts(), refOf(s.st.autopilot), func() rowSet { return s.autopilotRows(r) })
	return nil
}

func (s *Server) countAutopilot(w http.ResponseWriter, r *http.Request) *apiError {
	return s.countSet(w, r, s.autopilotOpts(), refOf(s.st.autopilot), func() rowSet { return s.autopilotRows(r) })
}

// writeCount answers a /$count segment with a plain-text integer.
func (s *Server) writeCount(w http.ResponseWriter, r *http.Request, o listOpts, items []map[string]any) *apiError {
	return s.countSet(w, r, o, tableRef{}, func() rowSet { return mapSet(items) })
}

// countSet is writeCount over a rowSet; it selects rows as writeSet does.
func (s *Server) countSet(w http.ResponseWriter, r *http.Request, o listOpts, src tableRef, build func() rowSet) *apiError {
	// parseQuery takes the /$count segment for $count, so a directory
	// count without ConsistencyLevel: eventual is refused there (§1.2).
	q, e := o.parseQuery(r)
	if e != nil {
		return e
	}
	q.orderBy = nil // an order does not change a count
	n := s.selectRows(r, o, q, src, build).len()
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(200)
	_, _ = fmt.Fprintf(w, "%d", n)
	return nil
}

// postAutopilotRefused: the schema has POST but the service rejects it (§4.1, S7 #98).
func (s *Server) postAutopilotRefused(w http.ResponseWriter, r *http.Request) *apiError {
	return &apiError{status: 400, code: "No method match route template", shape: shapeDirectory,
		message: "No OData route exists that match template ~/singleton/navigation with http verb POST for request /DeviceEnrollmentFE_2305/StatelessDeviceEnrollmentFEService/deviceManagement/windowsAutopilotDeviceIdentities."}
}

func (s *Server) autopilotByID(r *http.Request) (*autopilotDevice, *apiError) {
	return s.st.autopilot.fromPath(r, intuneMissing)
}

func (s *Server) getAutopilot(w http.ResponseWriter, r *http.Request) *apiError {
	d, e := s.autopilotByID(r)
	if e != nil {
		return e
	}
	obj := d.toJSON(isBeta(r))
	if isBeta(r) {
		// S6 Get-AutopilotDevice -Expand (§4.1).
		exp := strings.ToLower(r.URL.Query().Get("$expand"))
		if strings.Contains(exp, "intendeddeploymentprofile") {
			obj["intendedDeploymentProfile"] = s.profileJSONOrNil(d.TargetProfileID)
		}
		if strings.Contains(strings.ReplaceAll(exp, "intendeddeploymentprofile", ""), "deploymentprofile") {
			obj["deploymentProfile"] = s.profileJSONOrNil(d.AssignedProfileID)
		}
	}
	writeOne(w, r, "deviceManagement/windowsAutopilotDeviceIdentities", obj, false)
	return nil
}

func (s *Server) profileJSONOrNil(id string) any {
	if p, ok := s.st.profiles.get(id); ok {
		return p.toJSON()
	}
	return nil
}

func (s *Server) getAutopilotProfileNav(intended bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) *apiError {
		d, e := s.autopilotByID(r)
		if e != nil {
			return e
		}
		id := d.AssignedProfileID
		if intended {
			id = d.TargetProfileID
		}
		p, ok := s.st.profiles.get(id)
		if !ok {
			return intuneNotFound()
		}
		writeOne(w, r, "deviceManagement/windowsAutopilotDeploymentProfiles", p.toJSON(), false)
		return nil
	}
}

// deleteAutopilot: an unknown id gives 400 "Cannot find device with ztd Id …" (§4.1, S7 #7128).
func (s *Server) deleteAutopilot(w http.ResponseWriter, r *http.Request) *apiError {
	id := pathVar(r, "id")
	d, ok := s.st.autopilot.get(id)
	if !ok {
		return intuneBadRequest(fmt.Sprintf("Cannot find device with ztd Id %s and accountId %s to delete", id, s.cfg.TenantID))
	}
	if d.assignTimer != nil {
		d.assignTimer.Stop()
	}
	s.st.autopilot.del(id)
	delete(s.st.serials, strings.ToLower(d.SerialNumber))
	delete(s.st.byEntra, d.EntraObjectID)
	// The Entra placeholder loses its [ZTDID] (UNCERTAIN: the real service
	// may delete the object; keeping it mirrors "stale object" reports).
	if ed, ok := s.st.entra.get(d.EntraObjectID); ok {
		kept := ed.PhysicalIDs[:0:0]
		for _, p := range ed.PhysicalIDs {
			if !strings.HasPrefix(strings.ToUpper(p), "[ZTDID]") {
				kept = append(kept, p)
			}
		}
		ed.PhysicalIDs = kept
		s.deviceChanged(ed.ID)
	}
	s.record("autopilot.deleted", d.SerialNumber)
	noContent(w)
	return nil
}

func (s *Server) assignUserToDevice(w http.ResponseWriter, r *http.Request) *apiError {
	d, e := s.autopilotByID(r)
	if e != nil {
		return e
	}
	var body struct {
		UserPrincipalName   string `json:"userPrincipalName"`
		AddressableUserName string `json:"addressableUserName"`
	}
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return e
	}
	if body.UserPrincipalName == "" || !strings.Contains(body.UserPrincipalName, "@") {
		return intuneBadRequest("userPrincipalName must be a user principal name (user@domain).")
	}
	d.UserPrincipalName, d.AddressableUserName = body.UserPrincipalName, body.AddressableUserName
	noContent(w)
	return nil
}

func (s *Server) unassignUserFromDevice(w http.ResponseWriter, r *http.Request) *apiError {
	d, e := s.autopilotByID(r)
	if e != nil {
		return e
	}
	d.UserPrincipalName, d.AddressableUserName = "", ""
	noContent(w)
	return nil
}

// updateDeviceProperties (§4.1): all fields optional; a groupTag change
// rewrites [OrderId] on the Entra object, which re-evaluates dynamic groups.
func (s *Server) updateDeviceProperties(w http.ResponseWriter, r *http.Request) *apiError {
	d, e := s.autopilotByID(r)
	if e != nil {
		return e
	}
	var body struct {
		UserPrincipalName   *string `json:"userPrincipalName"`
		AddressableUserName *string `json:"addressableUserName"`
		GroupTag            *string `json:"groupTag"`
		DisplayName         *string `json:"displayName"`
	}
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return e
	}
	if body.UserPrincipalName != nil {
		d.UserPrincipalName = *body.UserPrincipalName
	}
	if body.AddressableUserName != nil {
		d.AddressableUserName = *body.AddressableUserName
	}
	if body.DisplayName != nil {
		d.DisplayName = *body.DisplayName
	}
	if body.GroupTag != nil && *body.GroupTag != d.GroupTag {
		d.GroupTag = *body.GroupTag
		if ed, ok := s.st.entra.get(d.EntraObjectID); ok {
			ed.PhysicalIDs = setPhysicalID(ed.PhysicalIDs, orderIDPrefix, d.GroupTag)
			s.deviceChanged(ed.ID)
		}
	}
	noContent(w)
	return nil
}

func (s *Server) noopAutopilotAction(w http.ResponseWriter, r *http.Request) *apiError {
	if _, e := s.autopilotByID(r); e != nil {
		return e
	}
	noContent(w)
	return nil
}

// ---- imports (§5) ----

type importBody struct {
	ODataType                 string         `json:"@odata.type"`
	ID                        string         `json:"id"`
	GroupTag                  string         `json:"groupTag"`
	SerialNumber              string         `json:"serialNumber"`
	ProductKey                string         `json:"productKey"`
	ImportID                  string         `json:"importId"`
	HardwareIdentifier        string         `json:"hardwareIdentifier"`
	AssignedUserPrincipalName string         `json:"assignedUserPrincipalName"`
	PurchaseOrderIdentifier   string         `json:"purchaseOrderIdentifier"`
	State                     map[string]any `json:"state"`
}

func (s *Server) importedOpts() listOpts {
	return listOpts{ctxFrag: "deviceManagement/importedWindowsAutopilotDeviceIdentities", pageSize: 1000}
}

func (s *Server) importedItems() []map[string]any {
	var items []map[string]any
	for _, d := range s.st.imported.list() {
		items = append(items, d.toJSON())
	}
	return items
}

func (s *Server) listImported(w http.ResponseWriter, r *http.Request) *apiError {
	s.writeList(w, r, s.importedOpts(), s.importedItems())
	return nil
}

func (s *Server) countImported(w http.ResponseWriter, r *http.Request) *apiError {
	return s.writeCount(w, r, s.importedOpts(), s.importedItems())
}

func (s *Server) getImported(w http.ResponseWriter, r *http.Request) *apiError {
	d, ok := s.st.imported.get(pathVar(r, "id"))
	if !ok {
		return intuneNotFound()
	}
	writeOne(w, r, "deviceManagement/importedWindowsAutopilotDeviceIdentities", d.toJSON(), false)
	return nil
}

// deleteImported: an unknown id answered 200 in the past (§5.1, S7 #7129);
// we answer 204 for both, the documented status for a delete.
func (s *Server) deleteImported(w http.ResponseWriter, r *http.Request) *apiError {
	s.st.imported.del(pathVar(r, "id"))
	noContent(w)
	return nil
}

func (s *Server) postImported(w http.ResponseWriter, r *http.Request) *apiError {
	var body importBody
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return e
	}
	d, e := s.newImport(body)
	if e != nil {
		return e
	}
	s.scheduleImport([]string{d.ID})
	created(w, r, r.URL.Path, d.ID, "deviceManagement/importedWindowsAutopilotDeviceIdentities/$entity", d.toJSON())
	return nil
}

// importAction is POST .../import with {"importedWindowsAutopilotDeviceIdentities":[...]} → 200 {"value":[...]} (§5.1).
func (s *Server) importAction(w http.ResponseWriter, r *http.Request) *apiError {
	var body struct {
		Devices *[]importBody `json:"importedWindowsAutopilotDeviceIdentities"`
	}
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return e
	}
	if body.Devices == nil {
		return intuneBadRequest("The request body must contain 'importedWindowsAutopilotDeviceIdentities'.")
	}
	var ids []string
	var out []any
	for _, b := range *body.Devices {
		d, e := s.newImport(b)
		if e != nil {
			return e
		}
		ids = append(ids, d.ID)
		out = append(out, d.toJSON())
	}
	s.scheduleImport(ids)
	writeJSON(w, 200, map[string]any{"@odata.context": contextURL(r, "Collection(microsoft.graph.importedWindowsAutopilotDeviceIdentity)"), "value": out})
	return nil
}

// newImport stores an import row. The client sets state itself (S6 posts
// "pending"); the service shows "unknown" while the batch runs (§5.3).
func (s *Server) newImport(b importBody) (*importedDevice, *apiError) {
	if b.ODataType != "" && b.ODataType != "#microsoft.graph.importedWindowsAutopilotDeviceIdentity" {
		return nil, intuneBadRequest(fmt.Sprintf("Unexpected @odata.type '%s' for importedWindowsAutopilotDeviceIdentity.", b.ODataType))
	}
	d := &importedDevice{
		ID: s.newID(), SerialNumber: b.SerialNumber, GroupTag: b.GroupTag, ProductKey: b.ProductKey,
		HardwareIdentifier: keepHash(b.HardwareIdentifier), AssignedUPN: b.AssignedUserPrincipalName, ImportID: b.ImportID,
		PurchaseOrder: b.PurchaseOrderIdentifier, Status: "unknown",
	}
	s.st.imported.put(d.ID, d)
	return d, nil
}
