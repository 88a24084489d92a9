package mockgraph

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/autopilotsim/autopilotsim/mockgraph/odata"
)

// The list cache keeps the last few filtered, ordered list results, so a
// client walking @odata.nextLink over 10,000 Autopilot devices pays one
// scan and sort for the query and then O(page) per page (BenchmarkGraph).
//
// Soundness: a result is keyed on its table's version, which put and del
// bump (store.go), so an entity added, replaced or deleted between pages
// is seen on the next page. Entities are also changed in place (engines,
// updateDeviceProperties) without touching the version, so a query may use
// the cache only when its $filter and $orderby read nothing but the
// collection's stable properties (listOpts.stable), which no code changes
// after the entity is stored. Page JSON is always built from the live
// entities, so changed properties show as they are now.

// listCacheSize bounds the cache: one client paging one query needs one
// entry; a few allow v1.0 and beta or two queries to interleave.
const listCacheSize = 4

// tableRef names a store table at its current version; the zero value
// means the rows come from no single table and are never cached.
type tableRef struct {
	tbl any // the *table[T]
	ver uint64
}

func refOf[T any](t *table[T]) tableRef { return tableRef{tbl: t, ver: t.ver} }

// listKey identifies one query over one version of a table.
type listKey struct {
	tbl   any
	ver   uint64
	path  string // the route: API version and collection shape the rows
	query string // normalised $filter and $orderby
}

// newListKey renders the parsed $filter and $orderby with %#v, which
// quotes strings and names every node, so two keys are equal only when the
// parsed queries are equal (spelling and spacing of the text do not
// matter). $select, $top, $skip, $skiptoken and $count only cut and shape
// the page, so one entry serves all of them.
func newListKey(r *http.Request, q *query, src tableRef) listKey {
	return listKey{tbl: src.tbl, ver: src.ver, path: r.URL.Path, query: fmt.Sprintf("%#v|%#v", q.filter, q.orderBy)}
}

// cacheable reports whether q reads only stable properties (see above).
// Unknown filter nodes, lambdas (whose variable is not a property) and
// $search are not cacheable.
func (o listOpts) cacheable(q *query) bool {
	// The key leaves $search out and its properties are not checked
	// against o.stable; no collection with stable properties takes it.
	if len(o.stable) == 0 || q.search != nil {
		return false
	}
	stable := func(name string) bool {
		for _, p := range o.stable {
			if strings.EqualFold(p, name) {
				return true
			}
		}
		return false
	}
	ok := true
	odata.Walk(q.filter, func(e odata.Expr) {
		switch n := e.(type) {
		case odata.Binary, odata.Not, odata.In, odata.Call, odata.Lit:
		case odata.Prop:
			if len(n.Path) == 0 || !stable(n.Path[0]) {
				ok = false
			}
		default:
			ok = false
		}
	})
	for _, k := range q.orderBy {
		root, _, _ := strings.Cut(k.Prop, "/")
		if !stable(root) {
			ok = false
		}
	}
	return ok
}

// listCache is a small LRU of list results. It lives in the store and is
// guarded by Server.mu like the rest of it; the zero value is ready.
type listCache struct {
	ents []listEntry // most recently used first
}

type listEntry struct {
	key listKey
	lr  listResult
}

func (c *listCache) get(k listKey) (listResult, bool) {
	for i, e := range c.ents {
		if e.key == k {
			copy(c.ents[1:i+1], c.ents[:i])
			c.ents[0] = e
			return e.lr, true
		}
	}
	return listResult{}, false
}

// put adds k as the most recent entry. Entries for an older version of the
// same table can never match again (versions only grow), so they go now
// rather than hold their rows until evicted.
func (c *listCache) put(k listKey, lr listResult) {
	ents := make([]listEntry, 0, listCacheSize)
	ents = append(ents, listEntry{k, lr})
	for _, e := range c.ents {
		if len(ents) == listCacheSize {
			break
		}
		if e.key != k && (e.key.tbl != k.tbl || e.key.ver == k.ver) {
			ents = append(ents, e)
		}
	}
	c.ents = ents
}
