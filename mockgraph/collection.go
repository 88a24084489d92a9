package mockgraph

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/autopilotsim/autopilotsim/mockgraph/odata"
)

// listOpts describe how one collection answers OData query options.
type listOpts struct {
	ctxFrag string // @odata.context fragment, e.g. "groups"
	// directory selects Entra semantics: ConsistencyLevel for advanced
	// queries, Request_* error codes, pages of 100 (max 999), no $skip
	// (graph-api.md §1.2). Otherwise Intune semantics: BadRequest envelope,
	// $skip allowed, no ConsistencyLevel.
	directory bool
	pageSize  int
	// checkFilter refuses filters the real service refuses on this
	// collection (e.g. serialNumber eq on Autopilot devices, §4.3).
	checkFilter func(odata.Expr) *apiError
}

type query struct {
	filter  odata.Expr
	orderBy []odata.OrderKey
	sel     []string
	top     int // 0 = unset
	skip    int
	offset  int // from $skiptoken
	count   bool
}

func (o listOpts) badRequest(msg string) *apiError {
	if o.directory {
		return dirErr(400, "Request_BadRequest", msg)
	}
	return intuneBadRequest(msg)
}

func (o listOpts) unsupported(msg string) *apiError {
	if o.directory {
		return dirErr(400, "Request_UnsupportedQuery", msg)
	}
	return intuneBadRequest(msg)
}

// parseQuery reads the system query options. Kiota percent-encodes the
// keys (%24filter); url.ParseQuery decodes them (§1.2).
func (o listOpts) parseQuery(r *http.Request) (*query, *apiError) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, o.badRequest(fmt.Sprintf("Invalid query string: %v", err))
	}
	q := &query{}
	get := func(k string) (string, bool) {
		for key, v := range vals {
			if strings.EqualFold(key, k) && len(v) > 0 {
				return v[0], true
			}
		}
		return "", false
	}
	if f, ok := get("$filter"); ok {
		e, err := odata.ParseFilter(f)
		if err != nil {
			return nil, o.badRequest("Invalid filter clause: " + err.Error())
		}
		q.filter = e
	}
	if v, ok := get("$orderby"); ok {
		k, err := odata.ParseOrderBy(v)
		if err != nil {
			return nil, o.badRequest(err.Error())
		}
		q.orderBy = k
	}
	if v, ok := get("$select"); ok {
		s, err := odata.ParseSelect(v)
		if err != nil {
			return nil, o.badRequest(err.Error())
		}
		q.sel = s
	}
	if v, ok := get("$top"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || o.directory && n > 999 {
			if o.directory {
				return nil, o.unsupported(fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", v))
			}
			return nil, o.badRequest(fmt.Sprintf("Invalid value '%s' for $top: must be a positive integer.", v))
		}
		q.top = n
	}
	if v, ok := get("$skip"); ok {
		if o.directory {
			return nil, o.unsupported("'$skip' is not supported by the service.")
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, o.badRequest(fmt.Sprintf("Invalid value '%s' for $skip.", v))
		}
		q.skip = n
	}
	if v, ok := get("$skiptoken"); ok {
		n, err := decodeSkipToken(v)
		if err != nil {
			return nil, o.badRequest("Invalid $skiptoken: " + err.Error())
		}
		q.offset = n
	}
	if v, ok := get("$count"); ok {
		switch strings.ToLower(v) {
		case "true":
			q.count = true
		case "false":
		default:
			return nil, o.badRequest(fmt.Sprintf("Invalid value '%s' for $count: must be true or false.", v))
		}
	}
	if _, ok := get("$search"); ok {
		return nil, o.unsupported("$search is not supported by mockgraph.")
	}
	if _, ok := get("$expand"); ok && o.directory {
		return nil, o.unsupported("$expand is not supported by mockgraph on this collection.")
	}
	if o.directory {
		if e := o.checkAdvanced(r, q); e != nil {
			return nil, e
		}
	}
	if q.filter != nil && o.checkFilter != nil {
		if e := o.checkFilter(q.filter); e != nil {
			return nil, e
		}
	}
	return q, nil
}

// checkAdvanced enforces the directory advanced-query rule: ne, not,
// endsWith, $count and $orderby with $filter need ConsistencyLevel:
// eventual plus $count=true (graph-api.md §1.2, S4).
func (o listOpts) checkAdvanced(r *http.Request, q *query) *apiError {
	eventual := strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual")
	advanced := ""
	odata.Walk(q.filter, func(e odata.Expr) {
		switch n := e.(type) {
		case odata.Binary:
			if n.Op == "ne" && advanced == "" {
				advanced = "ne"
			}
		case odata.Not:
			if advanced == "" {
				advanced = "not"
			}
		case odata.Call:
			if n.Name == "endswith" && advanced == "" {
				advanced = "endsWith"
			}
		}
	})
	if q.filter != nil && q.orderBy != nil && advanced == "" {
		advanced = "$orderby with $filter"
	}
	if q.count && !eventual {
		return o.unsupported("$count is not currently supported without the 'ConsistencyLevel: eventual' request header.")
	}
	if advanced != "" && (!eventual || !q.count) {
		return o.unsupported(fmt.Sprintf("Unsupported Query: '%s' needs the 'ConsistencyLevel: eventual' header and $count=true.", advanced))
	}
	return nil
}

const skipTokenPrefix = "MockGraphPage_"

func encodeSkipToken(offset int) string { return skipTokenPrefix + strconv.Itoa(offset) }

func decodeSkipToken(v string) (int, error) {
	if !strings.HasPrefix(v, skipTokenPrefix) {
		return 0, errors.New("not a token this service issued")
	}
	n, err := strconv.Atoi(strings.TrimPrefix(v, skipTokenPrefix))
	if err != nil || n < 0 {
		return 0, errors.New("malformed offset")
	}
	return n, nil
}

// row is one entity of a collection: get reads a property for $filter and
// $orderby, full builds the JSON only for the entities on the page.
type row struct {
	get  odata.Getter
	full func() map[string]any
}

func mapRows(items []map[string]any) []row {
	rows := make([]row, len(items))
	for i, it := range items {
		it := it
		rows[i] = row{get: odata.MapGetter(it), full: func() map[string]any { return it }}
	}
	return rows
}

// writeList applies the query to items (already in creation order) and
// writes one page.
func (s *Server) writeList(w http.ResponseWriter, r *http.Request, o listOpts, items []map[string]any) {
	s.writeRows(w, r, o, mapRows(items))
}

func (s *Server) writeRows(w http.ResponseWriter, r *http.Request, o listOpts, rows []row) {
	q, e := o.parseQuery(r)
	if e != nil {
		writeErr(w, r, e)
		return
	}
	writePage(w, r, o, q, rows)
}

func writePage(w http.ResponseWriter, r *http.Request, o listOpts, q *query, items []row) {
	if q.filter != nil {
		kept := items[:0:0]
		for _, it := range items {
			if odata.MatchGetter(q.filter, it.get) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if q.orderBy != nil {
		sort.SliceStable(items, func(i, j int) bool { return odata.Less(q.orderBy, items[i].get, items[j].get) })
	}
	total := len(items)
	if q.skip > 0 {
		if q.skip >= len(items) {
			items = nil
		} else {
			items = items[q.skip:]
		}
	}
	size := o.pageSize
	if size == 0 {
		size = 100
	}
	if q.top > 0 {
		size = q.top
	}
	start := q.offset
	if start > len(items) {
		start = len(items)
	}
	end := start + size
	if end > len(items) {
		end = len(items)
	}
	page := items[start:end]
	out := make([]any, 0, len(page))
	for _, it := range page {
		out = append(out, project(it.full(), q.sel))
	}
	body := map[string]any{"@odata.context": contextURL(r, o.ctxFrag), "value": out}
	if q.count && q.offset == 0 {
		body["@odata.count"] = total
	}
	if end < len(items) {
		body["@odata.nextLink"] = nextLink(r, end)
	}
	writeJSON(w, http.StatusOK, body)
}

// nextLink rebuilds the request URL against this server with a new
// $skiptoken, keeping every other option (§1.2: absolute, opaque).
func nextLink(r *http.Request, offset int) string {
	vals, _ := url.ParseQuery(r.URL.RawQuery)
	// Graph keeps the request's query options in @odata.nextLink, $count
	// included: an advanced query (ne, endsWith…) needs $count=true on every
	// page, and the SDK's PageIterator follows the link as given.
	for k := range vals {
		if strings.EqualFold(k, "$skiptoken") {
			delete(vals, k)
		}
	}
	vals.Set("$skiptoken", encodeSkipToken(offset))
	return baseURL(r) + r.URL.Path + "?" + vals.Encode()
}

func project(it map[string]any, sel []string) map[string]any {
	if sel == nil {
		return it
	}
	m := map[string]any{}
	if t, ok := it["@odata.type"]; ok {
		m["@odata.type"] = t
	}
	for _, p := range sel {
		for k, v := range it {
			if strings.EqualFold(k, p) {
				m[k] = v
			}
		}
	}
	return m
}

// writeOne answers GET of a single entity, honouring $select.
func writeOne(w http.ResponseWriter, r *http.Request, ctxFrag string, obj map[string]any, directory bool) {
	o := listOpts{directory: directory}
	if v := r.URL.Query().Get("$select"); v != "" {
		sel, err := odata.ParseSelect(v)
		if err != nil {
			writeErr(w, r, o.badRequest(err.Error()))
			return
		}
		obj = project(obj, sel)
	}
	writeEntity(w, r, http.StatusOK, ctxFrag+"/$entity", obj)
}
