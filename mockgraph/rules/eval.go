package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// evaluator carries one device through one evaluation. It is passed by
// value (a quantifier sets item on its own copy), so it never escapes to the
// heap and Match allocates nothing for ASCII data.
type evaluator struct {
	p    Properties
	opts *Options
	item string // current collection element inside -any/-all
}

// lookup finds a property value: exact canonical key first, then a
// case-insensitive match (smallest key wins, for determinism).
func (ev evaluator) lookup(name string) (any, bool) {
	if v, ok := ev.p[name]; ok {
		return v, true
	}
	best, found := "", false
	for k := range ev.p {
		if strings.EqualFold(k, name) && (!found || k < best) {
			best, found = k, true
		}
	}
	if !found {
		return nil, false
	}
	return ev.p[best], true
}

func (n *binNode) eval(ev evaluator) bool {
	if n.op == opAnd {
		return n.l.eval(ev) && n.r.eval(ev)
	}
	return n.l.eval(ev) || n.r.eval(ev)
}

func (n *notNode) eval(ev evaluator) bool { return !n.x.eval(ev) }

// asList reads a property value as a string collection. A single string is a
// one-element collection (systemLabels may be either shape, A.4).
func asList(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if e != nil {
				out = append(out, scalarText(e))
			}
		}
		return out
	case nil:
		return nil
	}
	return []string{scalarText(v)}
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	}
	return fmt.Sprint(v)
}

func (n *quantNode) eval(ev evaluator) bool {
	v, _ := ev.lookup(n.prop.name)
	list := asList(v)
	if n.op == opAny {
		// -any: at least one element; an empty collection is false (A.3).
		for _, e := range list {
			ev.item = e
			if n.body.eval(ev) {
				return true
			}
		}
		return false
	}
	// -all: every element; an empty collection is true (A.3, INFER from the
	// "no assigned plan" rule).
	for _, e := range list {
		ev.item = e
		if !n.body.eval(ev) {
			return false
		}
	}
	return true
}

func (n *cmpNode) eval(ev evaluator) bool {
	if n.prop == nil {
		// Item predicate: the current element; an empty one counts as null.
		if done, r := n.nullCase(ev, ev.item == ""); done {
			return r
		}
		return n.test(ev, ev.item) != n.neg
	}
	v, _ := ev.lookup(n.prop.name)
	if n.boolCmp {
		b, isNull := boolValue(v)
		if done, r := n.nullCase(ev, isNull); done {
			return r
		}
		return (b == n.val.b) != n.neg
	}
	var list []string
	switch x := v.(type) {
	case nil:
	case string:
		if done, r := n.nullCase(ev, x == ""); done {
			return r
		}
		return n.test(ev, x) != n.neg
	case []string:
		list = x
	case []any:
		list = asList(x)
	default:
		s := scalarText(v)
		if done, r := n.nullCase(ev, false); done {
			return r
		}
		return n.test(ev, s) != n.neg
	}
	// A collection (or nil): a positive operator is true if any element
	// matches; the negative one if none does (A.3, UNCERTAIN).
	if done, r := n.nullCase(ev, len(list) == 0); done {
		return r
	}
	for _, e := range list {
		if n.test(ev, e) {
			return !n.neg
		}
	}
	return n.neg
}

// nullCase applies the null semantics of A.3. done reports whether the result
// is decided without looking at the value.
func (n *cmpNode) nullCase(ev evaluator, isNull bool) (done, result bool) {
	if n.val.kind == litNull && !n.op.isList() {
		// -eq null: absent or empty; -ne null: present ([DOC] A1).
		return true, isNull != n.neg
	}
	if isNull {
		// Positive operators on null are false (INFER); negative ones true
		// unless Options.NullFailsNegativeOperators (UNCERTAIN).
		return true, n.neg && !ev.opts.NullFailsNegativeOperators
	}
	return false, false
}

// test is the positive form of the operator on one non-null string.
func (n *cmpNode) test(ev evaluator, s string) bool {
	cs := ev.opts.CaseSensitiveValues
	switch n.base {
	case opEq:
		return eqStr(s, n.val, cs)
	case opStartsWith:
		return prefixStr(s, n.val, cs)
	case opEndsWith:
		return suffixStr(s, n.val, cs)
	case opContains:
		return containsStr(s, n.val, cs)
	case opMatch:
		// Unanchored search ([DOC] A1: "ago" selects Lagos).
		return n.re.MatchString(s)
	case opIn:
		for _, l := range n.list {
			if eqStr(s, l, cs) {
				return true
			}
		}
	}
	return false
}

func boolValue(v any) (b, isNull bool) {
	switch x := v.(type) {
	case bool:
		return x, false
	case string:
		switch {
		case strings.EqualFold(x, "true"):
			return true, false
		case strings.EqualFold(x, "false"):
			return false, false
		}
	}
	return false, true
}

// String operations are case-insensitive ([DOC] A1 "Regex and string
// operations aren't case sensitive"). ASCII takes a byte-wise fast path; other
// text is compared after strings.ToLower (close to .NET's invariant culture,
// not identical for every script).

func eqStr(s string, l literal, cs bool) bool {
	if cs {
		return s == l.str
	}
	return strings.EqualFold(s, l.str)
}

func prefixStr(s string, l literal, cs bool) bool {
	if cs {
		return strings.HasPrefix(s, l.str)
	}
	if l.ascii && isASCII(s) {
		return len(s) >= len(l.str) && equalFoldASCII(s[:len(l.str)], l.lower)
	}
	return strings.HasPrefix(strings.ToLower(s), l.lower)
}

func suffixStr(s string, l literal, cs bool) bool {
	if cs {
		return strings.HasSuffix(s, l.str)
	}
	if l.ascii && isASCII(s) {
		return len(s) >= len(l.str) && equalFoldASCII(s[len(s)-len(l.str):], l.lower)
	}
	return strings.HasSuffix(strings.ToLower(s), l.lower)
}

func containsStr(s string, l literal, cs bool) bool {
	if cs {
		return strings.Contains(s, l.str)
	}
	if l.ascii && isASCII(s) {
		for i := 0; i+len(l.lower) <= len(s); i++ {
			if equalFoldASCII(s[i:i+len(l.lower)], l.lower) {
				return true
			}
		}
		return false
	}
	return strings.Contains(strings.ToLower(s), l.lower)
}

// equalFoldASCII compares s with an already lower-cased ASCII string.
func equalFoldASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
