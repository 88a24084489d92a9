package tenantconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/transport"
)

// ExportOptions configure Export. Tenant, ClientID and one of ClientSecret
// or CertificateFile are required, and Out.
type ExportOptions struct {
	// GraphURL is Graph's base URL; default https://graph.microsoft.com.
	// A lab's is its mockgraph address (harness.Lab.GraphURL).
	GraphURL string
	// Authority is the token endpoint's base: the token is requested from
	// Authority/Tenant/oauth2/v2.0/token. Default:
	// https://login.microsoftonline.com for graph.microsoft.com, else the
	// Graph URL's own scheme and host (a lab serves both).
	Authority    string
	Tenant       string
	ClientID     string
	ClientSecret string
	// CertificateFile is a PEM file with the app's certificate and its RSA
	// private key; Export then signs in with a client assertion
	// (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials).
	CertificateFile string
	// Out is the folder the export replaces.
	Out string
	// HTTPClient defaults to http.DefaultClient.
	HTTPClient *http.Client
	// Sleep waits before a retry; default a timer that ends early with
	// ctx. Tests inject one that does not sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock the client assertion is dated by; default time.Now.
	Now func() time.Time
	// PageSize asks for pages of this many objects ($top) where Graph
	// allows it; 0 takes Graph's own page size.
	PageSize int
	// UserAgent names the client in Graph's (and a lab's) request log.
	UserAgent string
}

// ExportReport says what Export wrote.
type ExportReport struct {
	Out   string
	Files int
	// Objects counts the exported objects by folder
	// ("deviceManagement/windowsAutopilotDeploymentProfiles", "groups", …).
	Objects map[string]int
	// Requests and Retries count Graph calls (token requests excluded).
	Requests, Retries int
	// Warnings are things Export could not export but that are not
	// errors, e.g. a group an assignment targets that no longer exists.
	Warnings []string
}

// GraphError is a Graph answer Export cannot continue after.
type GraphError struct {
	Method, URL string
	Status      int
	Code, Msg   string
	// Permission names what the app lacks on a 403.
	Permission string
}

func (e *GraphError) Error() string {
	s := fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.URL, e.Status, e.Code, e.Msg)
	if e.Permission != "" {
		s += " (the app registration needs the application permission " + e.Permission + ", with admin consent)"
	}
	return s
}

// VolatileProperties are dropped from exported objects: they change
// without any configuration change, and would make two exports of an
// unchanged tenant differ.
var VolatileProperties = map[string][]string{
	"deviceManagementDomainJoinConnector": {"lastConnectionDateTime"},
	"windowsAutopilotDeviceIdentity":      {"lastContactedDateTime"},
}

// Folders of the export layout, one per collection, named after the Graph path.
const (
	dirProfiles   = "deviceManagement/windowsAutopilotDeploymentProfiles"
	dirConfigs    = "deviceManagement/deviceConfigurations"
	dirEnrollment = "deviceManagement/deviceEnrollmentConfigurations"
	dirDevices    = "deviceManagement/windowsAutopilotDeviceIdentities"
	dirConnectors = "deviceManagement/domainJoinConnectors"
	dirGroups     = "groups"
)

type exporter struct {
	opts   ExportOptions
	ctx    context.Context
	token  string
	rep    *ExportReport
	files  map[string][]byte // relative path → content
	groups map[string]bool   // group ids assignments target
}

// Export pulls what the hybrid join flow depends on from Graph with an
// app's client credentials and writes it, one file per object, into
// opts.Out, replacing the previous export only when everything was read
// (a failed export leaves the old tree as it was). See
// docs/tenant-configuration.md for the layout.
func Export(ctx context.Context, opts ExportOptions) (*ExportReport, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	e := &exporter{opts: opts, ctx: ctx, rep: &ExportReport{Out: opts.Out, Objects: map[string]int{}},
		files: map[string][]byte{}, groups: map[string]bool{}}
	tok, err := e.signIn()
	if err != nil {
		return nil, err
	}
	e.token = tok
	for _, step := range []func() error{e.profiles, e.deviceConfigs, e.esps, e.groupsStep, e.devices, e.connectors} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if err := writeTree(opts.Out, e.files); err != nil {
		return nil, err
	}
	e.rep.Files = len(e.files)
	return e.rep, nil
}

func (o *ExportOptions) defaults() error {
	if o.GraphURL == "" {
		o.GraphURL = "https://graph.microsoft.com"
	}
	o.GraphURL = strings.TrimRight(o.GraphURL, "/")
	u, err := url.Parse(o.GraphURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("tenantconfig: export: GraphURL %q is not an absolute URL", o.GraphURL)
	}
	if o.Authority == "" {
		if strings.EqualFold(u.Hostname(), "graph.microsoft.com") {
			o.Authority = "https://login.microsoftonline.com"
		} else {
			o.Authority = u.Scheme + "://" + u.Host
		}
	}
	o.Authority = strings.TrimRight(o.Authority, "/")
	var missing []string
	for _, f := range []struct{ name, v string }{{"Tenant", o.Tenant}, {"ClientID", o.ClientID}, {"Out", o.Out}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if o.ClientSecret == "" && o.CertificateFile == "" {
		missing = append(missing, "ClientSecret or CertificateFile")
	}
	if len(missing) > 0 {
		return fmt.Errorf("tenantconfig: export: missing %s", strings.Join(missing, ", "))
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Sleep == nil {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.UserAgent == "" {
		o.UserAgent = "autopilotsim-export/1"
	}
	return nil
}

// get fetches one Graph URL (a path below GraphURL or an absolute
// nextLink), retrying throttling and transient errors as Graph asks.
func (e *exporter) get(target string) (map[string]any, error) {
	full := target
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		full = e.opts.GraphURL + target
	}
	for done := 0; ; done++ {
		req, err := http.NewRequestWithContext(e.ctx, http.MethodGet, full, nil)
		if err != nil {
			return nil, fmt.Errorf("tenantconfig: export: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", e.opts.UserAgent)
		if done > 0 {
			req.Header.Set("Retry-Attempt", fmt.Sprint(done))
		}
		e.rep.Requests++
		resp, err := e.opts.HTTPClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("tenantconfig: export: GET %s: %w", shortURL(full), err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("tenantconfig: export: GET %s: read: %w", shortURL(full), err)
		}
		a := transport.ReadAnswer(resp)
		if resp.StatusCode == http.StatusOK {
			var m map[string]any
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if err := dec.Decode(&m); err != nil {
				return nil, fmt.Errorf("tenantconfig: export: GET %s: answer is not a JSON object: %w", shortURL(full), err)
			}
			return m, nil
		}
		if wait, _, ok := transport.NextRetry(a, done); ok {
			e.rep.Retries++
			if err := e.opts.Sleep(e.ctx, wait); err != nil {
				return nil, fmt.Errorf("tenantconfig: export: GET %s: %w", shortURL(full), err)
			}
			continue
		}
		return nil, graphError(http.MethodGet, shortURL(full), resp.StatusCode, body)
	}
}

// shortURL drops scheme and host, for messages.
func shortURL(full string) string {
	if u, err := url.Parse(full); err == nil {
		return u.RequestURI()
	}
	return full
}

func graphError(method, u string, status int, body []byte) *GraphError {
	ge := &GraphError{Method: method, URL: u, Status: status, Code: http.StatusText(status)}
	var env struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error.Code != "" {
		ge.Code, ge.Msg = env.Error.Code, env.Error.Message
	} else {
		ge.Msg = strings.TrimSpace(string(body))
		if len(ge.Msg) > 300 {
			ge.Msg = ge.Msg[:300] + "…"
		}
	}
	if status == http.StatusForbidden {
		ge.Permission = permissionFor(u)
	}
	return ge
}

// permissionFor names the least application permission a read needs
// (https://learn.microsoft.com/en-us/graph/permissions-reference; each
// resource's "Permissions" table in the Graph reference).
func permissionFor(u string) string {
	switch {
	case strings.Contains(u, "/deviceConfigurations"), strings.Contains(u, "/domainJoinConnectors"):
		return "DeviceManagementConfiguration.Read.All"
	case strings.Contains(u, "/deviceManagement/"):
		return "DeviceManagementServiceConfig.Read.All"
	case strings.Contains(u, "/members"):
		return "GroupMember.Read.All"
	case strings.Contains(u, "/groups"):
		return "Group.Read.All"
	}
	return ""
}

// list fetches every page of a collection.
func (e *exporter) list(path string, top bool) ([]map[string]any, error) {
	if top && e.opts.PageSize > 0 {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += fmt.Sprintf("%s$top=%d", sep, e.opts.PageSize)
	}
	var out []map[string]any
	for next := path; next != ""; {
		page, err := e.get(next)
		if err != nil {
			return nil, err
		}
		vals, _ := page["value"].([]any)
		for _, v := range vals {
			if m, ok := v.(map[string]any); ok {
				out = append(out, m)
			}
		}
		next, _ = page["@odata.nextLink"].(string)
	}
	return out, nil
}

func odataType(m map[string]any) string {
	s, _ := m["@odata.type"].(string)
	return strings.TrimPrefix(s, "#microsoft.graph.")
}

func idOf(m map[string]any) string { s, _ := m["id"].(string); return s }

// withAssignments reads an object's assignments through the /assignments
// navigation (mockgraph, like Graph for several of these types, does not
// $expand them) and embeds them, noting the groups they target.
func (e *exporter) withAssignments(base string, m map[string]any) error {
	as, err := e.list(base+"/"+url.PathEscape(idOf(m))+"/assignments", false)
	if err != nil {
		return err
	}
	sort.SliceStable(as, func(i, j int) bool { return idOf(as[i]) < idOf(as[j]) })
	list := make([]any, 0, len(as))
	for _, a := range as {
		if t, ok := a["target"].(map[string]any); ok {
			if g, ok := t["groupId"].(string); ok && g != "" {
				e.groups[g] = true
			}
		}
		list = append(list, a)
	}
	m["assignments"] = list
	return nil
}

func (e *exporter) profiles() error {
	const base = "/beta/deviceManagement/windowsAutopilotDeploymentProfiles"
	items, err := e.list(base, false)
	if err != nil {
		return err
	}
	for _, m := range items {
		if err := e.withAssignments(base, m); err != nil {
			return err
		}
		e.add(dirProfiles, m, "displayName")
	}
	return nil
}

func (e *exporter) deviceConfigs() error {
	const base = "/beta/deviceManagement/deviceConfigurations"
	items, err := e.list(base, false)
	if err != nil {
		return err
	}
	for _, m := range items {
		if t := odataType(m); t != tDomainJoin && t != tCustom {
			continue
		}
		if err := e.withAssignments(base, m); err != nil {
			return err
		}
		dropOMAValues(m)
		e.add(dirConfigs, m, "displayName")
	}
	return nil
}

func (e *exporter) esps() error {
	const base = "/beta/deviceManagement/deviceEnrollmentConfigurations"
	items, err := e.list(base, false)
	if err != nil {
		return err
	}
	for _, m := range items {
		if odataType(m) != tESP {
			continue
		}
		if err := e.withAssignments(base, m); err != nil {
			return err
		}
		e.add(dirEnrollment, m, "displayName")
	}
	return nil
}

// groupsStep reads every group an assignment targets, and the members of
// the assigned (not dynamic) ones.
func (e *exporter) groupsStep() error {
	var ids []string
	for id := range e.groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		g, err := e.get("/v1.0/groups/" + url.PathEscape(id))
		var ge *GraphError
		if errors.As(err, &ge) && ge.Status == http.StatusNotFound {
			e.rep.Warnings = append(e.rep.Warnings, fmt.Sprintf("group %s is targeted by an assignment but does not exist", id))
			continue
		}
		if err != nil {
			return err
		}
		if _, ok := g["@odata.type"]; !ok {
			g["@odata.type"] = "#microsoft.graph.group"
		}
		dynamic := false
		if ts, ok := g["groupTypes"].([]any); ok {
			for _, t := range ts {
				dynamic = dynamic || strings.EqualFold(fmt.Sprint(t), "DynamicMembership")
			}
		}
		if !dynamic {
			ms, err := e.list("/v1.0/groups/"+url.PathEscape(id)+"/members?$select=id,displayName,deviceId", true)
			if err != nil {
				return err
			}
			members := make([]any, 0, len(ms))
			for _, m := range ms {
				keep := map[string]any{}
				for _, k := range []string{"@odata.type", "id", "displayName", "deviceId"} {
					if v, ok := m[k]; ok {
						keep[k] = v
					}
				}
				members = append(members, keep)
			}
			sort.SliceStable(members, func(i, j int) bool {
				return idOf(members[i].(map[string]any)) < idOf(members[j].(map[string]any))
			})
			g["members"] = members
		}
		e.add(dirGroups, g, "displayName")
	}
	return nil
}

func (e *exporter) devices() error {
	items, err := e.list("/beta/deviceManagement/windowsAutopilotDeviceIdentities", true)
	if err != nil {
		return err
	}
	for _, m := range items {
		if _, ok := m["@odata.type"]; !ok {
			m["@odata.type"] = "#microsoft.graph." + tDevice
		}
		e.add(dirDevices, m, "serialNumber")
	}
	return nil
}

func (e *exporter) connectors() error {
	items, err := e.list("/beta/deviceManagement/domainJoinConnectors", false)
	if err != nil {
		return err
	}
	for _, m := range items {
		if _, ok := m["@odata.type"]; !ok {
			m["@odata.type"] = "#microsoft.graph." + tConnector
		}
		e.add(dirConnectors, m, "displayName")
	}
	return nil
}
