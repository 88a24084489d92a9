package mockgraph

import (
	"sort"
	"strings"
)

// odjQueue holds the pending ODJ requests of each domain, oldest first, so
// that a connector's claim costs the requests it takes, not every request
// the tenant ever made: a fleet's connectors claim every pickupLatency
// each, and a scan of the whole table per claim made a large fleet
// quadratic. The order is the table's (creation order), which is what the
// scan met; a request a retry puts back goes to its place by creation.
// Entries whose state changed since are dropped when met.
type odjQueue map[string][]*odjRequest // lower-case domain → requests

// push queues q (state pending) in creation order.
func (oq odjQueue) push(q *odjRequest) {
	k := strings.ToLower(q.Domain)
	list := oq[k]
	i := sort.Search(len(list), func(i int) bool { return list[i].seq >= q.seq })
	if i < len(list) && list[i] == q {
		return
	}
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = q
	oq[k] = list
}

// take removes and returns up to max pending requests of domain, oldest
// first.
func (oq odjQueue) take(domain string, max int) []*odjRequest {
	k := strings.ToLower(domain)
	list := oq[k]
	var out []*odjRequest
	i := 0
	for ; i < len(list) && len(out) < max; i++ {
		if list[i].State == "pending" {
			out = append(out, list[i])
		}
	}
	rest := list[i:]
	if len(rest) == 0 {
		delete(oq, k)
	} else {
		oq[k] = rest
	}
	return out
}
