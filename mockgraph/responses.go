package mockgraph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/autopilotsim/autopilotsim/transport"
)

// zeroTime is how Graph serialises a never-set non-nullable DateTimeOffset
// (graph-api.md §1.1, S10).
const zeroTime = "0001-01-01T00:00:00Z"

func ts(t time.Time) string {
	if t.IsZero() {
		return zeroTime
	}
	return t.UTC().Format(time.RFC3339)
}

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

type ctxKey int

const reqInfoKey ctxKey = 0

// reqInfo travels with a request: its ids for headers and error bodies.
type reqInfo struct {
	requestID, clientRequestID string
	date                       time.Time
	app                        *tokenClaims
	maxBody                    int64 // Config.MaxBodyBytes
}

func info(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(reqInfoKey).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

func withInfo(r *http.Request, ri *reqInfo) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), reqInfoKey, ri))
}

// baseURL is the scheme://host the client used, so nextLinks and
// @odata.context point back at this mock (graph-api.md §1.2, S8).
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if host == "" {
		host = "graph.microsoft.com"
	}
	return scheme + "://" + host
}

func version(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/beta/") {
		return "beta"
	}
	return "v1.0"
}

func contextURL(r *http.Request, frag string) string {
	return baseURL(r) + "/" + version(r) + "/$metadata#" + frag
}

// jsonBuf is a response body's buffer with an encoder that writes to it.
// json.Encoder writes the bytes json.Marshal returns (the same encoder,
// HTML-safe escaping by default) and a newline, which writeJSON leaves
// out; Marshal's copy of every body was 3 % of the bytes a 10,000-device
// fleet allocated (docs/SCALE.md).
type jsonBuf struct {
	buf bytes.Buffer
	enc *json.Encoder
	// A map body is written by listjson.go's encoder instead, into raw:
	// the same bytes without reflecting over the map (reflect's copy of
	// every key and value was 6 % of the allocations of a fleet, whose
	// DRS, sync, enrollment, profile and import answers are maps).
	maps jsonEncoder
	raw  []byte
}

var jsonPool = sync.Pool{New: func() any {
	j := new(jsonBuf)
	j.enc = json.NewEncoder(&j.buf)
	return j
}}

func writeJSON(w http.ResponseWriter, status int, body any) {
	j := jsonPool.Get().(*jsonBuf)
	defer func() {
		j.buf.Reset()
		if j.buf.Cap() <= transport.MaxPooled && cap(j.raw) <= transport.MaxPooled {
			jsonPool.Put(j)
		}
	}()
	if m, ok := body.(map[string]any); ok {
		b, err := j.maps.append(j.raw[:0], m, 0)
		if err == nil {
			j.raw = b
			w.Header().Set("Content-Type", jsonContentType)
			w.WriteHeader(status)
			_, _ = w.Write(b)
			return
		}
		// What json.Encoder refuses is answered below, as before.
	}
	// Encode writes nothing unless the whole value encoded.
	if err := j.enc.Encode(body); err != nil {
		// Only our own maps are marshalled; this is a programming error.
		http.Error(w, `{"error":{"code":"InternalServerError","message":"mockgraph: encode response"}}`, http.StatusInternalServerError)
		return
	}
	b := j.buf.Bytes()
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b[:len(b)-1]) // without Encode's newline
}

func writeEntity(w http.ResponseWriter, r *http.Request, status int, ctxFrag string, obj map[string]any) {
	obj["@odata.context"] = contextURL(r, ctxFrag)
	writeJSON(w, status, obj)
}

// created writes 201 with a Location header pointing at the new entity.
func created(w http.ResponseWriter, r *http.Request, collectionPath, id, ctxFrag string, obj map[string]any) {
	w.Header().Set("Location", baseURL(r)+strings.TrimSuffix(collectionPath, "/")+"/"+id)
	writeEntity(w, r, http.StatusCreated, ctxFrag, obj)
}

func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// errorShape picks between the two envelopes of graph-api.md §1.3.
type errorShape int

const (
	shapeDirectory errorShape = iota // Entra: code + plain message
	shapeIntune                      // Intune: JSON document serialised inside message
)

// apiError is an error answer; handlers return it and writeErr renders it.
type apiError struct {
	status  int
	code    string
	message string
	shape   errorShape
	extra   map[string]any // merged into "error" (e.g. clientErrorCode)
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func dirErr(status int, code, msg string) *apiError {
	return &apiError{status: status, code: code, message: msg, shape: shapeDirectory}
}

func intuneErr(status int, code, msg string) *apiError {
	return &apiError{status: status, code: code, message: msg, shape: shapeIntune}
}

// Common directory errors.
func errNotFound(kind, id string) *apiError {
	return dirErr(404, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
}

func errBadRequest(msg string) *apiError { return dirErr(400, "Request_BadRequest", msg) }

func intuneNotFound() *apiError { return intuneErr(404, "ResourceNotFound", "Resource not found") }

func intuneBadRequest(msg string) *apiError { return intuneErr(400, "BadRequest", msg) }

func writeErr(w http.ResponseWriter, r *http.Request, e *apiError) {
	ri := info(r)
	msg := e.message
	if e.shape == shapeIntune {
		msg = intuneMessage(r, ri, e.message)
	}
	if msg == "" {
		// The Go SDK panics on an error without message (graph-api.md addendum).
		msg = http.StatusText(e.status)
	}
	inner := innerError{Date: ri.date.UTC().Format("2006-01-02T15:04:05"), RequestID: ri.requestID, ClientRequestID: ri.clientRequestID}
	if len(e.extra) == 0 {
		// The common case as a struct: the same bytes as the map below
		// (fields in the order json sorts map keys), without a reflected
		// copy of every key. Devices poll through 404s and 202s.
		writeJSON(w, e.status, errorDoc{Error: errorBody{Code: e.code, InnerError: inner, Message: msg}})
		return
	}
	body := map[string]any{
		"code":       e.code,
		"message":    msg,
		"innerError": inner,
	}
	for k, v := range e.extra {
		body[k] = v
	}
	writeJSON(w, e.status, map[string]any{"error": body})
}

// errorDoc, errorBody and innerError are Graph's error document with its
// keys in the order json.Marshal sorts a map's: writeErr's map and these
// structs encode to the same bytes.
type errorDoc struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code       string     `json:"code"`
	InnerError innerError `json:"innerError"`
	Message    string     `json:"message"`
}

type innerError struct {
	ClientRequestID string `json:"client-request-id"`
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
}

// intuneMessage renders Intune's JSON-in-message document (§1.3, S7).
func intuneMessage(r *http.Request, ri *reqInfo, text string) string {
	doc := struct {
		Version              int     `json:"_version"`
		Message              string  `json:"Message"`
		CustomAPIErrorPhrase string  `json:"CustomApiErrorPhrase"`
		RetryAfter           *string `json:"RetryAfter"`
		ErrorSourceService   string  `json:"ErrorSourceService"`
		HTTPHeaders          string  `json:"HttpHeaders"`
	}{
		Version: 3,
		Message: fmt.Sprintf("%s - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: %s - Url: %s",
			text, ri.requestID, baseURL(r)+r.URL.RequestURI()),
		HTTPHeaders: "{}",
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	return strings.ReplaceAll(string(b), "\n", "\r\n")
}

// ---- entity JSON forms ----

func (d *importedDevice) toJSON() map[string]any {
	return map[string]any{
		"@odata.type":               "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
		"id":                        d.ID,
		"groupTag":                  d.GroupTag,
		"serialNumber":              d.SerialNumber,
		"productKey":                d.ProductKey,
		"importId":                  d.ImportID,
		"hardwareIdentifier":        d.HardwareIdentifier.String(),
		"assignedUserPrincipalName": d.AssignedUPN,
		"state": map[string]any{
			"@odata.type":          "microsoft.graph.importedWindowsAutopilotDeviceIdentityState",
			"deviceImportStatus":   d.Status,
			"deviceRegistrationId": d.RegistrationID,
			"deviceErrorCode":      d.ErrorCode,
			"deviceErrorName":      d.ErrorName,
		},
	}
}

func (d *autopilotDevice) toJSON(beta bool) map[string]any {
	m := map[string]any{
		"@odata.type":                  "#microsoft.graph.windowsAutopilotDeviceIdentity",
		"id":                           d.ID,
		"groupTag":                     d.GroupTag,
		"purchaseOrderIdentifier":      d.PurchaseOrder,
		"serialNumber":                 d.SerialNumber,
		"productKey":                   d.ProductKey,
		"manufacturer":                 d.Manufacturer,
		"model":                        d.Model,
		"enrollmentState":              d.EnrollmentState,
		"lastContactedDateTime":        ts(d.LastContacted),
		"addressableUserName":          d.AddressableUserName,
		"userPrincipalName":            d.UserPrincipalName,
		"resourceName":                 "",
		"skuNumber":                    "",
		"systemFamily":                 "",
		"azureActiveDirectoryDeviceId": d.AzureADDeviceID,
		"managedDeviceId":              d.ManagedDeviceID,
		"displayName":                  d.DisplayName,
	}
	if beta {
		m["azureAdDeviceId"] = d.AzureADDeviceID
		m["deploymentProfileAssignmentStatus"] = d.AssignmentStatus
		m["deploymentProfileAssignmentDetailedStatus"] = "none"
		if d.AssignedAt.IsZero() {
			m["deploymentProfileAssignedDateTime"] = zeroTime
		} else {
			m["deploymentProfileAssignedDateTime"] = ts(d.AssignedAt)
		}
		m["remediationState"] = "unknown"
		m["remediationStateLastModifiedDateTime"] = zeroTime
		m["userlessEnrollmentStatus"] = "unknown"
		m["deviceAccountUpn"] = ""
		m["deviceFriendlyName"] = ""
	}
	return m
}

func (d *entraDevice) toJSON() map[string]any {
	m := map[string]any{
		"@odata.type":                   "#microsoft.graph.device",
		"id":                            d.ID,
		"deviceId":                      d.DeviceID,
		"displayName":                   d.DisplayName,
		"accountEnabled":                d.AccountEnabled,
		"operatingSystem":               d.OperatingSystem,
		"operatingSystemVersion":        d.OSVersion,
		"trustType":                     nilIfEmpty(d.TrustType),
		"physicalIds":                   append([]string{}, d.PhysicalIDs...),
		"profileType":                   "RegisteredDevice",
		"isManaged":                     d.IsManaged,
		"isCompliant":                   d.IsCompliant != nil && *d.IsCompliant,
		"registrationDateTime":          tsPtr(d.RegistrationDateTime),
		"createdDateTime":               ts(d.Created),
		"enrollmentProfileName":         nilIfEmpty(d.EnrollmentProfileName),
		"deviceOwnership":               nilIfEmpty(d.DeviceOwnership),
		"managementType":                nilIfEmpty(d.ManagementType),
		"onPremisesLastSyncDateTime":    tsPtr(d.OnPremisesLastSync),
		"onPremisesSecurityIdentifier":  nilIfEmpty(d.OnPremisesSID),
		"approximateLastSignInDateTime": nil,
		"alternativeSecurityIds":        []any{},
		"systemLabels":                  []any{},
	}
	// null = never synced (§10.2).
	if d.OnPremisesSyncEnabled {
		m["onPremisesSyncEnabled"] = true
	} else {
		m["onPremisesSyncEnabled"] = nil
	}
	return m
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (g *group) toJSON() map[string]any {
	m := map[string]any{
		"@odata.type":                   "#microsoft.graph.group",
		"id":                            g.ID,
		"displayName":                   g.DisplayName,
		"description":                   nilIfEmpty(g.Description),
		"mailNickname":                  g.MailNickname,
		"mailEnabled":                   g.MailEnabled,
		"securityEnabled":               g.SecurityEnabled,
		"groupTypes":                    append([]string{}, g.GroupTypes...),
		"membershipRule":                nilIfEmpty(g.MembershipRule),
		"membershipRuleProcessingState": nilIfEmpty(g.ProcessingState),
		"createdDateTime":               ts(g.Created),
		"renewedDateTime":               ts(g.Created),
		"visibility":                    nil,
		"mail":                          nil,
		"isAssignableToRole":            nil,
		"onPremisesSyncEnabled":         nil,
		"proxyAddresses":                []any{},
		"securityIdentifier":            "S-1-12-1-" + g.ID[:8],
	}
	return m
}

func (t target) toJSON() map[string]any {
	m := map[string]any{
		"@odata.type": t.ODataType,
		"deviceAndAppManagementAssignmentFilterId":   nilIfEmpty(t.FilterID),
		"deviceAndAppManagementAssignmentFilterType": "none",
	}
	if t.Filter != "" {
		m["deviceAndAppManagementAssignmentFilterType"] = t.Filter
	}
	if t.ODataType == tGroup || t.ODataType == tExclusion {
		m["groupId"] = t.GroupID
	}
	return m
}

func (a *assignment) toJSON(odataType string, beta bool) map[string]any {
	m := map[string]any{"id": a.ID, "target": a.Target.toJSON()}
	if odataType != "" {
		m["@odata.type"] = odataType
	}
	if beta {
		m["source"] = a.Source
		m["sourceId"] = a.SourceID
		if a.Intent != "" {
			m["intent"] = a.Intent
		}
	}
	return m
}

func copyProps(p map[string]any) map[string]any {
	m := make(map[string]any, len(p)+8)
	for k, v := range p {
		m[k] = v
	}
	return m
}

func (p *deploymentProfile) toJSON() map[string]any {
	m := copyProps(p.Props)
	m["@odata.type"] = p.ODataType
	m["id"] = p.ID
	m["createdDateTime"] = ts(p.Created)
	m["lastModifiedDateTime"] = ts(p.Modified)
	return m
}

func (c *deviceConfig) toJSON() map[string]any {
	m := copyProps(c.Props)
	m["@odata.type"] = c.ODataType
	m["id"] = c.ID
	m["createdDateTime"] = ts(c.Created)
	m["lastModifiedDateTime"] = ts(c.Modified)
	m["version"] = c.Version
	return m
}

func (c *enrollmentConfig) toJSON() map[string]any {
	m := copyProps(c.Props)
	m["@odata.type"] = c.ODataType
	m["id"] = c.ID
	m["priority"] = c.Priority
	if c.IsDefault {
		m["createdDateTime"] = zeroTime // S10: the default ESP's createdDateTime
	} else {
		m["createdDateTime"] = ts(c.Created)
	}
	m["lastModifiedDateTime"] = ts(c.Modified)
	return m
}

func (d *managedDevice) toJSON(beta bool) map[string]any {
	m := map[string]any{
		"@odata.type":             "#microsoft.graph.managedDevice",
		"id":                      d.ID,
		"deviceName":              d.DeviceName,
		"serialNumber":            d.SerialNumber,
		"azureADDeviceId":         d.AzureADDeviceID,
		"userPrincipalName":       d.UserPrincipalName,
		"enrolledDateTime":        ts(d.Enrolled),
		"lastSyncDateTime":        ts(d.LastSync),
		"operatingSystem":         "Windows",
		"osVersion":               "10.0.26100.1000",
		"managementAgent":         "mdm",
		"deviceEnrollmentType":    d.EnrollmentType, // Autopilot: windowsAutoEnrollment, UNCERTAIN (§11)
		"managedDeviceOwnerType":  d.OwnerType,
		"complianceState":         "unknown",
		"deviceRegistrationState": "registered",
		"enrollmentProfileName":   d.EnrollmentProfileName,
		"manufacturer":            d.Manufacturer,
		"model":                   d.Model,
	}
	if beta {
		m["joinType"] = d.JoinType
		m["autopilotEnrolled"] = d.AutopilotID != ""
		m["enrolledByUserPrincipalName"] = d.UserPrincipalName
	}
	return m
}

func (c *domainJoinConnector) state(now time.Time) string {
	// S27 / graph-api.md §12: derived from the last heartbeat.
	age := now.Sub(c.LastConnection)
	switch {
	case age > 5*24*time.Hour:
		return "inactive"
	case age > time.Hour:
		return "error"
	}
	return "active"
}

func (c *domainJoinConnector) toJSON(now time.Time) map[string]any {
	return map[string]any{
		"@odata.type":            "#microsoft.graph.deviceManagementDomainJoinConnector",
		"id":                     c.ID,
		"displayName":            c.DisplayName,
		"lastConnectionDateTime": ts(c.LastConnection),
		"version":                c.Version,
		"state":                  c.state(now),
	}
}
