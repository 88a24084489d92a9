package mockad

import "github.com/autopilotsim/autopilotsim/internal/strpack"

// copyAttrs is a deep copy of attrs for modify to change and commit: the
// attributes and their values each in one allocation rather than two per
// attribute. Every computer of a fleet is modified, and its attributes
// were a fifth of the objects a fleet kept alive for the collector to
// scan. Each value list is capped at its length, so growing one
// reallocates it instead of running into the next.
func copyAttrs(attrs []*attr) []*attr {
	out, _ := copyAttrVals(attrs)
	return out
}

// copyAttrVals is copyAttrs that also returns the one slice every copied
// value list is a piece of.
func copyAttrVals(attrs []*attr) ([]*attr, []string) {
	n := 0
	for _, a := range attrs {
		n += len(a.vals)
	}
	vals := make([]string, 0, n)
	slab := make([]attr, len(attrs))
	out := make([]*attr, len(attrs))
	for i, a := range attrs {
		slab[i].name = a.name
		if len(a.vals) > 0 { // an empty list stays nil, as append made it
			start := len(vals)
			vals = append(vals, a.vals...)
			slab[i].vals = vals[start:len(vals):len(vals)]
		}
		out[i] = &slab[i]
	}
	return out, vals
}

// packAttrs is copyAttrs with the values' bytes also copied into one
// allocation, for an entry as it is stored once a write commits: an entry
// then holds its attributes in four allocations however many it has,
// rather than a string per value that each write left among the request's
// garbage. Long-lived strings scattered over the heap's spans kept most
// of those spans in use after a collection (the heap in use was two
// thirds above the live heap at the end of a 10,000-device fleet), and
// the memory limit counts spans, not live bytes (docs/SCALE.md).
// The strings point into the buffer, which is never written again.
func packAttrs(attrs []*attr) []*attr {
	out, vals := copyAttrVals(attrs)
	strpack.PackSlice(vals)
	return out
}
