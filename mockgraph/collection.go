package mockgraph

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
	// search lists the properties $search may name (search.go); nil
	// refuses $search. It is applied with $filter (query.matches).
	search *searchSpec
	// stable names the properties no code changes after the entity is
	// stored, so a table version (store.go) covers them: a $filter and
	// $orderby reading only these may answer from the list cache
	// (listcache.go). A property changed in place must not be listed.
	stable []string
}

type query struct {
	filter  odata.Expr
	orderBy []odata.OrderKey
	sel     []string
	top     int // 0 = unset
	skip    int
	offset  int // from $skiptoken
	count   bool
	search  *searchMatcher // nil = no $search
}

// matches reports whether the entity read through get passes $filter and
// $search; Graph applies both (an AND) before ordering and paging.
func (q *query) matches(get odata.Getter) bool {
	return (q.filter == nil || odata.MatchGetter(q.filter, get)) && q.search.match(get)
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
	get := func(k string) (string, bool) { return queryOption(vals, k) }
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
	// The /$count segment is itself a $count (graph-api.md §1.2): with
	// ConsistencyLevel it may carry an advanced $filter without $count=true.
	q.count = strings.HasSuffix(r.URL.Path, "/$count")
	if v, ok := get("$count"); ok {
		switch strings.ToLower(v) {
		case "true":
			q.count = true
		case "false":
		default:
			return nil, o.badRequest(fmt.Sprintf("Invalid value '%s' for $count: must be true or false.", v))
		}
	}
	if v, ok := get("$search"); ok {
		if o.search == nil {
			return nil, o.unsupported("$search is not supported by mockgraph on this collection.")
		}
		e, err := parseSearch(v)
		if err != nil {
			return nil, o.badRequest("Invalid $search: " + err.Error())
		}
		if msg := o.search.unsupported(e); msg != "" {
			return nil, o.unsupported(msg)
		}
		q.search = &searchMatcher{spec: o.search, expr: e}
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

// queryOption finds a system query option in any case of its key (the
// values come from url.ParseQuery, which decodes %24filter, §1.2).
func queryOption(vals url.Values, key string) (string, bool) {
	for k, v := range vals {
		if strings.EqualFold(k, key) && len(v) > 0 {
			return v[0], true
		}
	}
	return "", false
}

// queryValue is queryOption on r for handlers outside parseQuery; "" when
// absent. A malformed query string is the caller's to refuse.
func queryValue(r *http.Request, key string) string {
	vals, _ := url.ParseQuery(r.URL.RawQuery)
	v, _ := queryOption(vals, key)
	return v
}

func queryHas(r *http.Request, key string) bool {
	vals, _ := url.ParseQuery(r.URL.RawQuery)
	_, ok := queryOption(vals, key)
	return ok
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
	if q.search != nil && !eventual {
		// Verbatim (graph-api.md §1.2, S4).
		return o.unsupported("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
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

// rowSet is a collection's entities in creation order, read by index: a
// filter over 10,000 entities then allocates no closure per entity, and
// full builds JSON only for the entities on the page (BenchmarkGraph).
type rowSet interface {
	size() int
	prop(i int, name string) any // a top-level property, any case; nil if absent
	full(i int) map[string]any
}

// rowSlice adapts handler-built rows.
type rowSlice []row

func (rs rowSlice) size() int                   { return len(rs) }
func (rs rowSlice) prop(i int, name string) any { return rs[i].get(name) }
func (rs rowSlice) full(i int) map[string]any   { return rs[i].full() }

// mapSet adapts ready-built JSON objects; prop reads them the way
// odata.MapGetter does (exact key first, then any case).
type mapSet []map[string]any

func (ms mapSet) size() int                 { return len(ms) }
func (ms mapSet) full(i int) map[string]any { return ms[i] }
func (ms mapSet) prop(i int, name string) any {
	m := ms[i]
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// writeList applies the query to items (already in creation order) and
// writes one page.
func (s *Server) writeList(w http.ResponseWriter, r *http.Request, o listOpts, items []map[string]any) {
	s.writeSet(w, r, o, tableRef{}, func() rowSet { return mapSet(items) })
}

func (s *Server) writeRows(w http.ResponseWriter, r *http.Request, o listOpts, rows []row) {
	s.writeSet(w, r, o, tableRef{}, func() rowSet { return rowSlice(rows) })
}

// writeSet answers a list request over the rows build returns. src names
// the store table behind them (zero: none); with it, o.stable and an
// eligible query, the filtered and ordered result is kept in the store's
// list cache, so following @odata.nextLink costs a page, not a rescan.
// build runs only when the rows are needed.
func (s *Server) writeSet(w http.ResponseWriter, r *http.Request, o listOpts, src tableRef, build func() rowSet) {
	q, e := o.parseQuery(r)
	if e != nil {
		writeErr(w, r, e)
		return
	}
	writePage(w, r, o, q, s.selectRows(r, o, q, src, build))
}

// listResult is a query's answer before paging: idx lists the matching
// rows of rs in answer order; all means every row in creation order (no
// $filter, $search or $orderby), so no index is built.
type listResult struct {
	rs  rowSet
	idx []int
	all bool
}

func (lr listResult) len() int {
	if lr.all {
		return lr.rs.size()
	}
	return len(lr.idx)
}

func (lr listResult) at(p int) map[string]any {
	if lr.all {
		return lr.rs.full(p)
	}
	return lr.rs.full(lr.idx[p])
}

func (s *Server) selectRows(r *http.Request, o listOpts, q *query, src tableRef, build func() rowSet) listResult {
	if q.filter == nil && q.search == nil && q.orderBy == nil {
		return listResult{rs: build(), all: true}
	}
	key, cacheable := listKey{}, src.tbl != nil && o.cacheable(q)
	if cacheable {
		key = newListKey(r, q, src)
		if lr, ok := s.st.lists.get(key); ok {
			return lr
		}
	}
	rs := build()
	lr := listResult{rs: rs, idx: filterSort(rs, q)}
	if cacheable {
		s.st.lists.put(key, lr)
	}
	return lr
}

// filterSort returns the indices of the rows matching q.filter and
// q.search, stably ordered by q.orderBy.
func filterSort(rs rowSet, q *query) []int {
	n := rs.size()
	idx := make([]int, 0, n)
	if q.filter == nil && q.search == nil {
		for i := 0; i < n; i++ {
			idx = append(idx, i)
		}
	} else {
		// One Getter for the whole scan, reading the row at cur.
		cur := 0
		get := func(name string) any { return rs.prop(cur, name) }
		for ; cur < n; cur++ {
			if q.matches(get) {
				idx = append(idx, cur)
			}
		}
	}
	if q.orderBy != nil {
		sortRows(rs, idx, q.orderBy)
	}
	return idx
}

// sortRows orders idx by keys, stably. Each row's key properties are read
// once, not on every comparison; odata.Less then compares those values,
// so the order is the one it defines.
func sortRows(rs rowSet, idx []int, keys []odata.OrderKey) {
	var roots []string // the first path segment of each key, as odata.Less asks for it
	for _, k := range keys {
		root, _, _ := strings.Cut(k.Prop, "/")
		if !slices.Contains(roots, root) {
			roots = append(roots, root)
		}
	}
	type entry struct {
		i    int
		vals []any // by roots
	}
	flat := make([]any, len(idx)*len(roots))
	ents := make([]entry, len(idx))
	for j, i := range idx {
		v := flat[j*len(roots) : (j+1)*len(roots)]
		for k, name := range roots {
			v[k] = rs.prop(i, name)
		}
		ents[j] = entry{i, v}
	}
	var va, vb []any
	pick := func(vals []any, name string) any {
		for k, root := range roots {
			if root == name {
				return vals[k]
			}
		}
		return nil
	}
	ga := func(name string) any { return pick(va, name) }
	gb := func(name string) any { return pick(vb, name) }
	sort.SliceStable(ents, func(x, y int) bool {
		va, vb = ents[x].vals, ents[y].vals
		return odata.Less(keys, ga, gb)
	})
	for j := range ents {
		idx[j] = ents[j].i
	}
}

func writePage(w http.ResponseWriter, r *http.Request, o listOpts, q *query, lr listResult) {
	total := lr.len()
	// $skip (Intune only) drops rows before paging; $skiptoken offsets
	// count from there.
	skip := min(q.skip, total)
	avail := total - skip
	size := o.pageSize
	if size == 0 {
		size = 100
	}
	if q.top > 0 {
		size = q.top
	}
	start := min(q.offset, avail)
	// Compare before adding: $top and the $skiptoken offset are client
	// input, and start+size overflows int when $top is near MaxInt.
	end := avail
	if size < avail-start {
		end = start + size
	}
	out := make([]any, 0, end-start)
	for p := skip + start; p < skip+end; p++ {
		out = append(out, project(lr.at(p), q.sel))
	}
	body := map[string]any{"@odata.context": contextURL(r, o.ctxFrag), "value": out}
	if q.count && q.offset == 0 {
		body["@odata.count"] = total
	}
	if end < avail {
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
	obj, e := selectOne(r, directory, obj)
	if e != nil {
		writeErr(w, r, e)
		return
	}
	writeEntity(w, r, http.StatusOK, ctxFrag+"/$entity", obj)
}

// selectOne applies $select to one entity, reading the key as parseQuery
// does (any case, percent-encoded or not).
func selectOne(r *http.Request, directory bool, obj map[string]any) (map[string]any, *apiError) {
	v := queryValue(r, "$select")
	if v == "" {
		return obj, nil
	}
	sel, err := odata.ParseSelect(v)
	if err != nil {
		return nil, listOpts{directory: directory}.badRequest(err.Error())
	}
	return project(obj, sel), nil
}
