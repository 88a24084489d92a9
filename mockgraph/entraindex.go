package mockgraph

import (
	"slices"
	"sort"
	"strings"
)

// entraIndex finds Entra device objects by deviceId and by Entra Connect's
// source anchor without scanning the table: DRS registration and every sync
// export look one device up, and a fleet makes one such call per device.
// Entries are added when an object is stored or its deviceId set, and
// verified on lookup (the object must still be in the table and still carry
// the key), so a deletion elsewhere never returns a stale object.
//
// A deviceId almost always names one object: byDeviceID holds the oldest,
// and more the others, oldest first, for the few ids that name several (a
// slice for every id was an object a device for the collector to visit to
// the end of a run).
type entraIndex struct {
	byDeviceID map[string]*entraDevice   // lower-case deviceId → the oldest object
	more       map[string][]*entraDevice // lower-case deviceId → the others, oldest first
	byAnchor   map[string]*entraDevice   // onPremisesObjectId (sync PUT path) → object
}

func newEntraIndex() entraIndex {
	return entraIndex{byDeviceID: map[string]*entraDevice{}, more: map[string][]*entraDevice{}, byAnchor: map[string]*entraDevice{}}
}

// list is the objects under k, oldest first; a new slice.
func (x *entraIndex) list(k string) []*entraDevice {
	first, ok := x.byDeviceID[k]
	if !ok {
		return nil
	}
	return append([]*entraDevice{first}, x.more[k]...)
}

// set makes list (oldest first) the objects under k.
func (x *entraIndex) set(k string, list []*entraDevice) {
	switch {
	case len(list) == 0:
		delete(x.byDeviceID, k)
		delete(x.more, k)
	case len(list) == 1:
		x.byDeviceID[k] = list[0]
		delete(x.more, k)
	default:
		x.byDeviceID[k], x.more[k] = list[0], list[1:]
	}
}

// indexEntra records d under its current deviceId and anchor. Call it after
// storing d and after changing either.
func (st *store) indexEntra(d *entraDevice) {
	if d.OnPremisesObjectID != "" {
		st.entraIdx.byAnchor[d.OnPremisesObjectID] = d
	}
	if d.DeviceID == "" {
		return
	}
	k := strings.ToLower(d.DeviceID)
	if _, ok := st.entraIdx.byDeviceID[k]; !ok {
		st.entraIdx.byDeviceID[k] = d
		return
	}
	list := st.entraIdx.list(k)
	for _, x := range list {
		if x == d {
			return
		}
	}
	list = append(list, d)
	// Creation order, as a scan of the table would meet them.
	sort.SliceStable(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	st.entraIdx.set(k, list)
}

// entraByDeviceID returns the stored objects whose deviceId equals id
// (case-insensitively), oldest first.
func (st *store) entraByDeviceID(id string) []*entraDevice {
	k := strings.ToLower(id)
	first, ok := st.entraIdx.byDeviceID[k]
	if !ok {
		return nil
	}
	more := st.entraIdx.more[k]
	var out []*entraDevice
	// The oldest, then the others: no slice is built to walk them, as
	// DRS looks a device up on every registration attempt.
	for i := -1; i < len(more); i++ {
		d := first
		if i >= 0 {
			d = more[i]
		}
		if cur, ok := st.entra.get(d.ID); !ok || cur != d || !strings.EqualFold(d.DeviceID, id) {
			continue // deleted or re-keyed since
		}
		out = append(out, d)
	}
	if len(out) != 1+len(more) {
		st.entraIdx.set(k, slices.Clone(out))
	}
	return out
}

// entraByAnchor returns the stored object Entra Connect exported under
// the source anchor oid, or nil.
func (st *store) entraByAnchor(oid string) *entraDevice {
	d := st.entraIdx.byAnchor[oid]
	if d == nil {
		return nil
	}
	if cur, ok := st.entra.get(d.ID); !ok || cur != d || d.OnPremisesObjectID != oid {
		delete(st.entraIdx.byAnchor, oid)
		return nil
	}
	return d
}
