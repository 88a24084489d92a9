package odata

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Match reports whether obj (an entity's JSON form) satisfies e. Property
// names are matched case-insensitively, string comparisons are
// case-insensitive (directory and Intune string filters both are), and a
// missing property reads as null.
func Match(e Expr, obj map[string]any) bool {
	return MatchGetter(e, MapGetter(obj))
}

// Getter reads a top-level property of an entity by name (any case); it
// lets a store evaluate filters without building the full JSON first.
type Getter func(name string) any

// MapGetter reads properties from a JSON object.
func MapGetter(m map[string]any) Getter { return func(k string) any { return lookup(m, k) } }

// MatchGetter is Match over a Getter.
func MatchGetter(e Expr, get Getter) bool {
	return truthy(eval(e, env{root: get}))
}

type env struct {
	root Getter
	vars map[string]any
}

func (v env) with(name string, val any) env {
	m := make(map[string]any, len(v.vars)+1)
	for k, x := range v.vars {
		m[k] = x
	}
	m[name] = val
	return env{root: v.root, vars: m}
}

func truthy(v any) bool { b, _ := v.(bool); return b }

func lookup(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func resolve(p Prop, en env) any {
	var cur any
	segs := p.Path
	if v, ok := en.vars[segs[0]]; ok {
		cur = v
	} else {
		cur = en.root(segs[0])
	}
	segs = segs[1:]
	for _, s := range segs {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = lookup(m, s)
	}
	return cur
}

func eval(e Expr, en env) any {
	switch n := e.(type) {
	case Lit:
		return n.Value
	case Prop:
		return resolve(n, en)
	case Not:
		return !truthy(eval(n.X, en))
	case Binary:
		switch n.Op {
		case "and":
			return truthy(eval(n.L, en)) && truthy(eval(n.R, en))
		case "or":
			return truthy(eval(n.L, en)) || truthy(eval(n.R, en))
		}
		c, ok := compare(eval(n.L, en), eval(n.R, en))
		switch n.Op {
		case "eq":
			return ok && c == 0
		case "ne":
			return !ok || c != 0
		case "gt":
			return ok && c > 0
		case "ge":
			return ok && c >= 0
		case "lt":
			return ok && c < 0
		case "le":
			return ok && c <= 0
		}
		return false
	case In:
		x := eval(n.X, en)
		for _, l := range n.List {
			if c, ok := compare(x, eval(l, en)); ok && c == 0 {
				return true
			}
		}
		return false
	case Call:
		a, aok := eval(n.Args[0], en).(string)
		b, bok := eval(n.Args[1], en).(string)
		if !aok || !bok {
			return false
		}
		switch n.Name {
		case "startswith":
			return len(a) >= len(b) && strings.EqualFold(a[:len(b)], b)
		case "endswith":
			return len(a) >= len(b) && strings.EqualFold(a[len(a)-len(b):], b)
		case "contains":
			return containsFold(a, b)
		}
		return false
	case Lambda:
		items := asSlice(resolve(n.Path, en))
		if n.Body == nil {
			return len(items) > 0
		}
		for _, it := range items {
			hit := truthy(eval(n.Body, en.with(n.Var, it)))
			if n.Kind == "any" && hit {
				return true
			}
			if n.Kind == "all" && !hit {
				return false
			}
		}
		return n.Kind == "all"
	}
	return nil
}

func asSlice(v any) []any {
	switch s := v.(type) {
	case []any:
		return s
	case []string:
		out := make([]any, len(s))
		for i, x := range s {
			out[i] = x
		}
		return out
	case []map[string]any:
		out := make([]any, len(s))
		for i, x := range s {
			out[i] = x
		}
		return out
	}
	return nil
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func toTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, true
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, true
	case string:
		tm, err := time.Parse(time.RFC3339Nano, t)
		return tm, err == nil
	}
	return time.Time{}, false
}

// compare orders a and b; ok is false when they are not comparable (which
// makes eq false and ne true, as OData's null semantics do for mismatches).
func compare(a, b any) (int, bool) {
	if a == nil || b == nil {
		if a == nil && b == nil {
			return 0, true
		}
		return 1, false
	}
	if fa, ok := toFloat(a); ok {
		if fb, ok := toFloat(b); ok {
			switch {
			case fa < fb:
				return -1, true
			case fa > fb:
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	if ba, ok := a.(bool); ok {
		bb, ok := b.(bool)
		if !ok {
			return 0, false
		}
		if ba == bb {
			return 0, true
		}
		return 1, true
	}
	_, aTime := a.(time.Time)
	_, bTime := b.(time.Time)
	if aTime || bTime {
		ta, ok1 := toTime(a)
		tb, ok2 := toTime(b)
		if !ok1 || !ok2 {
			return 0, false
		}
		return ta.Compare(tb), true
	}
	sa, ok1 := a.(string)
	sb, ok2 := b.(string)
	if ok1 && ok2 {
		if strings.EqualFold(sa, sb) {
			return 0, true
		}
		return strings.Compare(strings.ToLower(sa), strings.ToLower(sb)), true
	}
	return 0, false
}

// OrderKey is one $orderby item.
type OrderKey struct {
	Prop string
	Desc bool
}

// ParseOrderBy parses `prop [asc|desc], ...`.
func ParseOrderBy(src string) ([]OrderKey, error) {
	var out []OrderKey
	for _, part := range strings.Split(src, ",") {
		f := strings.Fields(part)
		if len(f) == 0 || len(f) > 2 {
			return nil, fmt.Errorf("odata: bad $orderby item %q", strings.TrimSpace(part))
		}
		k := OrderKey{Prop: f[0]}
		if !validName(f[0]) {
			return nil, fmt.Errorf("odata: bad $orderby property %q", f[0])
		}
		if len(f) == 2 {
			switch strings.ToLower(f[1]) {
			case "asc":
			case "desc":
				k.Desc = true
			default:
				return nil, fmt.Errorf("odata: bad $orderby direction %q (want asc or desc)", f[1])
			}
		}
		out = append(out, k)
	}
	return out, nil
}

// Sort orders items by keys, stably.
func Sort(items []map[string]any, keys []OrderKey) {
	sort.SliceStable(items, func(i, j int) bool { return Less(keys, MapGetter(items[i]), MapGetter(items[j])) })
}

// Less reports whether a sorts before b under keys. Nulls sort first
// ascending, as Graph does.
func Less(keys []OrderKey, a, b Getter) bool {
	for _, k := range keys {
		p := Prop{strings.Split(k.Prop, "/")}
		va, vb := resolve(p, env{root: a}), resolve(p, env{root: b})
		c, ok := compare(va, vb)
		if !ok {
			na, nb := va == nil, vb == nil
			if na == nb {
				continue
			}
			return na != k.Desc
		}
		if c == 0 {
			continue
		}
		return (c < 0) != k.Desc
	}
	return false
}

// ParseSelect parses `a,b,c` into property names.
func ParseSelect(src string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(src, ",") {
		p := strings.TrimSpace(part)
		if !validName(p) {
			return nil, fmt.Errorf("odata: bad $select property %q", p)
		}
		out = append(out, p)
	}
	return out, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '/' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// containsFold is a case-insensitive strings.Contains that does not allocate.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
