package rules

// Comparison is one `subject -op value` of a parsed rule, as a caller that
// reasons about a rule without evaluating it needs it (e.g. to list the
// group tags a rule names). Inside a quantifier (`device.devicePhysicalIds
// -any (_ -eq "[OrderID]:X")`) Property is the collection's name.
type Comparison struct {
	Property string   // canonical device property name
	Operator string   // canonical operator: eq, startsWith, in, …
	Negated  bool     // the operator is a negative form (ne, notStartsWith, …) or sits under -not
	Values   []string // the string literal(s); -in/-notIn give each list item
}

// Comparisons returns every comparison of the rule in source order.
func (r *Rule) Comparisons() []Comparison {
	if r == nil || r.root == nil {
		return nil
	}
	var out []Comparison
	walkCmp(r.root, "", false, &out)
	return out
}

func walkCmp(n node, collection string, neg bool, out *[]Comparison) {
	switch n := n.(type) {
	case *binNode:
		walkCmp(n.l, collection, neg, out)
		walkCmp(n.r, collection, neg, out)
	case *notNode:
		walkCmp(n.x, collection, !neg, out)
	case *quantNode:
		walkCmp(n.body, n.prop.name, neg, out)
	case *cmpNode:
		c := Comparison{Operator: opNames[n.op], Negated: neg != n.neg, Property: collection}
		if n.prop != nil {
			c.Property = n.prop.name
		}
		if n.op.isList() {
			for _, l := range n.list {
				c.Values = append(c.Values, l.str)
			}
		} else {
			c.Values = []string{n.val.str}
		}
		*out = append(*out, c)
	}
}
