package scenarios

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// position is where a YAML path starts in its file.
type position struct{ line, col int }

// maxNodes bounds the work done on one file, counting alias expansions, so
// an "alias bomb" is an error rather than an out-of-memory crash.
const maxNodes = 200_000

// maxDepth bounds nesting (and alias chains).
const maxDepth = 64

// decoder turns a yaml.Node tree into the schema types by reflection,
// strictly: unknown keys, duplicate keys and wrong scalar types are errors
// that carry the line, column and YAML path. It never stops at the first
// error, so a file's problems are reported together.
type decoder struct {
	file  string
	errs  Errors
	pos   map[string]position
	nodes int
}

var durationType = reflect.TypeFor[Duration]()

// maxErrors caps one file's list: past that, more lines only hide the first.
const maxErrors = 50

func (d *decoder) errAt(n *yaml.Node, path, format string, args ...any) {
	if len(d.errs) > maxErrors {
		return
	}
	if len(d.errs) == maxErrors {
		format, args = "too many errors; fix these first", nil
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names what a node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		}
		return strconv.Quote(n.Value)
	}
	return "an unexpected YAML node"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// decode fills v (settable) from n, recording positions under path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, depth int) {
	d.nodes++
	if d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.errAt(n, path, "document too large (more than %d nodes after alias expansion)", maxNodes)
		}
		return
	}
	if depth > maxDepth {
		d.errAt(n, path, "nesting deeper than %d levels", maxDepth)
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.errAt(n, path, "unresolved alias *%s", n.Value)
			return
		}
		target := *n.Alias
		target.Line, target.Column = n.Line, n.Column // report at the use site
		d.decode(&target, v, path, depth+1)
		return
	}
	if path != "" {
		// The value's position: errors about a value point at the value.
		d.pos[path] = position{n.Line, n.Column}
	}
	t := v.Type()
	if t == durationType {
		d.duration(n, v, path)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		p := reflect.New(t.Elem())
		d.decode(n, p.Elem(), path, depth+1)
		v.Set(p)
	case reflect.Struct:
		d.structure(n, v, path, depth)
	case reflect.Slice:
		if isNull(n) {
			v.SetZero()
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.errAt(n, path, "want a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errAt(n, path, "want a string, got %s", describe(n))
			return
		}
		if isNull(n) {
			v.SetString("")
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.errAt(n, path, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		var i int64
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
			d.errAt(n, path, "want a whole number, got %s", describe(n))
			return
		}
		if i < -1<<31 || i > 1<<31-1 {
			d.errAt(n, path, "number %s out of range", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		var f float64
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&f) != nil {
			d.errAt(n, path, "want a number, got %s", describe(n))
			return
		}
		v.SetFloat(f) // ranges (and NaN) are the validator's
	case reflect.Uint64:
		var u uint64
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&u) != nil {
			d.errAt(n, path, "want a non-negative whole number, got %s", describe(n))
			return
		}
		v.SetUint(u)
	default:
		// Not reachable with the schema types; an error beats a panic.
		d.errAt(n, path, "internal: cannot decode into %s", t)
	}
}

// duration parses Go duration text. A bare number is refused because its
// unit would be a guess (YAML 30 could mean seconds or minutes).
func (d *decoder) duration(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errAt(n, path, "want a duration such as 25m or 1h30m, got %s", describe(n))
		return
	}
	if n.Tag == "!!int" || n.Tag == "!!float" {
		d.errAt(n, path, "bare number %s is not a duration: write %sm, not %s (units: s, m, h)", n.Value, n.Value, n.Value)
		return
	}
	if n.Tag != "!!str" {
		d.errAt(n, path, "want a duration such as 25m or 1h30m, got %s", describe(n))
		return
	}
	dur, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil {
		d.errAt(n, path, "bad duration %q: want Go duration text such as 25m, 90s, 1h30m or -10m", n.Value)
		return
	}
	v.SetInt(int64(dur))
}

// fieldInfo maps a struct's YAML keys to field indexes.
type fieldInfo struct {
	index map[string]int
	keys  []string // sorted, for messages
}

func fieldsOf(t reflect.Type) fieldInfo {
	fi := fieldInfo{index: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "-" || tag == "" {
			continue
		}
		fi.index[tag] = i
		fi.keys = append(fi.keys, tag)
	}
	sort.Strings(fi.keys)
	return fi
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string, depth int) {
	if isNull(n) {
		return // an empty section ("tenant:" with nothing under it)
	}
	if n.Kind != yaml.MappingNode {
		d.errAt(n, path, "want a mapping (key: value lines), got %s", describe(n))
		return
	}
	fi := fieldsOf(v.Type())
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errAt(k, path, "want a plain key, got %s", describe(k))
			continue
		}
		key := k.Value
		if key == "<<" {
			d.errAt(k, path, "merge keys (<<) are not supported; repeat the keys or use an alias for the whole value")
			continue
		}
		if prev, dup := seen[key]; dup {
			d.errAt(k, join(path, key), "duplicate key %q (first at line %d)", key, prev.Line)
			continue
		}
		seen[key] = k
		idx, ok := fi.index[key]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", key)
			if s := suggest(key, fi.keys); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known keys: " + strings.Join(fi.keys, ", ") + ")"
			}
			d.errAt(k, join(path, key), "%s", msg)
			continue
		}
		d.decode(val, v.Field(idx), join(path, key), depth+1)
	}
}

// String writes the duration the way a scenario file would: "25m",
// "1h30m", "-24h", "90ms".
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
