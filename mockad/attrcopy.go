package mockad

// copyAttrs is a deep copy of attrs for modify to change and commit: the
// attributes and their values each in one allocation rather than two per
// attribute. Every computer of a fleet is modified, and its attributes
// were a fifth of the objects a fleet kept alive for the collector to
// scan. Each value list is capped at its length, so growing one
// reallocates it instead of running into the next.
func copyAttrs(attrs []*attr) []*attr {
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
	return out
}
