// Package flatjson reads and writes, in one pass, the JSON bodies most of
// the simulation's requests and answers are: objects of strings, numbers
// and booleans.
//
// Decode reads such a body into a struct of the plain kinds below. It
// stores exactly what encoding/json's Unmarshal stores for such a body, and
// for anything else it stores nothing and says so, and the caller decodes
// with encoding/json as before. AppendObject writes a map[string]string,
// and AppendString a string, as json.Marshal does.
//
// Why: json.Unmarshal reads a body twice, once to check all of it
// (checkValid, a call through the scanner's state function for every byte)
// and once to decode it. A device presents its 4 KB hardware hash at the
// profile download and at enrollment, registers with DRS about five times,
// and polls for its ODJ blob: json.Unmarshal was 11 % of the CPU of a
// 10,000-device fleet, half of it in checkValid (docs/SCALE.md).
//
// What Decode accepts (everything else is "not handled"): JSON whitespace
// around one object and nothing after it. A member whose key is exactly the
// JSON name of a field takes a value of the field's kind:
//   - string: a string without escapes or control characters (bytes below
//     0x20) that is valid UTF-8;
//   - int: an integer (no fraction or exponent) the field can hold;
//   - bool: true or false;
//   - *string, *bool: such a string or true or false, into a nil pointer,
//     or null (nil);
//   - a struct of these kinds: an object, decoded into the field;
//   - a pointer to such a struct: an object, into a nil pointer, or null (nil);
//   - a slice of such structs, or a pointer to one: an array of objects,
//     into a nil slice (or nil pointer), or null (nil); an empty array is
//     an empty slice, not nil, as in encoding/json;
//   - a map or an interface: only null (nil), so that a struct with such a
//     field is taken when the member is absent, which is how the
//     simulation's bodies send them (an Autopilot import's "state");
//   - null, for the kinds that are not pointers, slices, maps or
//     interfaces, changes nothing, as in encoding/json.
//
// A member whose key names no field in any case is skipped, whatever its
// value, once that value is checked to be JSON. A key of a field in
// another case, a key or string value with escapes (other than in skipped
// values), and a value of another kind are not handled: encoding/json's
// rules for those (case-insensitive names, unescaping, U+FFFD for bad
// UTF-8, type errors) stay encoding/json's. A later member of the same key
// wins, as in encoding/json.
//
// The struct, and every struct in it: every field exported, not embedded,
// of one of the kinds above exactly (a named type may unmarshal itself),
// with a json tag that is absent or a plain name with at most the omitempty
// and omitzero options; names distinct; no struct type that implements
// json.Unmarshaler or encoding.TextUnmarshaler. Other structs are not
// handled. FuzzDecode holds Decode to json.Unmarshal.
package flatjson

import (
	"encoding"
	"encoding/binary"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxDepth bounds how deep Decode follows nested objects and arrays before
// it hands the body to encoding/json.
const maxDepth = 32

var (
	stringType        = reflect.TypeFor[string]()
	intType           = reflect.TypeFor[int]()
	boolType          = reflect.TypeFor[bool]()
	stringPtrType     = reflect.TypeFor[*string]()
	boolPtrType       = reflect.TypeFor[*bool]()
	unmarshalerType   = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// Decode stores data's members in the struct v points to and reports true
// when data and the struct are what the package doc describes; otherwise
// it leaves the struct untouched and reports false. Stored strings are
// copies: none shares data's bytes, which the caller may reuse.
func Decode(data []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return false
	}
	target := rv.Elem()
	p, ok := plans.of(target.Type())
	if !ok {
		return false
	}
	// A struct at its zero value (the usual `var out struct{...}`) is
	// decoded in place and set back to zero if data turns out not to be
	// handled. Any other is decoded into a copy, which replaces it only
	// once all of data is known to be handled. Decode never writes through
	// a pointer the struct already holds, so the copy shares nothing it
	// writes to.
	work, inPlace := target, target.IsZero()
	if !inPlace {
		work = reflect.New(target.Type()).Elem()
		work.Set(target)
	}
	i, ok := object(data, skipSpace(data, 0), work, p, 0)
	if !ok || skipSpace(data, i) != len(data) {
		if inPlace {
			target.SetZero()
		}
		return false
	}
	if !inPlace {
		target.Set(work)
	}
	return true
}

// planCache holds the plan of every struct type Decode has been given (or
// that it is not one Decode takes). Plans depend on the type alone, and
// a program has as many struct types as it was compiled with, which bounds
// the cache; encoding/json keeps the same kind of cache of its own.
type planCache struct{ m sync.Map } // reflect.Type -> *plan (nil: not taken)

// plans is the package's one cache: read-only knowledge about types, which
// no caller can change, so sharing it changes no result.
var plans planCache

func (c *planCache) of(t reflect.Type) (*plan, bool) {
	if p, ok := c.m.Load(t); ok {
		return p.(*plan), p.(*plan) != nil
	}
	p, ok := planFor(t, 0)
	if !ok {
		p = nil
	}
	c.m.Store(t, p)
	return p, ok
}

// Unmarshal is json.Unmarshal, through Decode where Decode takes the body:
// the same values stored, and for a body Decode leaves alone, the same
// result and error, since json.Unmarshal then does all of it.
func Unmarshal(data []byte, v any) error {
	if Decode(data, v) {
		return nil
	}
	return json.Unmarshal(data, v)
}

// plan is what Decode needs of a struct type: its fields' JSON names and,
// for fields holding a struct or a pointer to one, that struct's plan.
type plan struct {
	names []string
	sub   []*plan
}

// planFor is t's plan, or false when t is not a struct Decode takes (the
// package doc).
func planFor(t reflect.Type, depth int) (*plan, bool) {
	if t.Kind() != reflect.Struct || depth > maxDepth ||
		t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) ||
		t.Implements(textUnmarshalType) || reflect.PointerTo(t).Implements(textUnmarshalType) {
		return nil, false
	}
	p := &plan{names: make([]string, t.NumField()), sub: make([]*plan, t.NumField())}
	for f := range p.names {
		sf := t.Field(f)
		name, ok := jsonName(sf)
		if !ok || !sf.IsExported() || sf.Anonymous {
			return nil, false
		}
		for _, other := range p.names[:f] {
			if other == name {
				return nil, false
			}
		}
		p.names[f] = name
		switch ft := sf.Type; {
		case ft == stringType, ft == intType, ft == boolType, ft == stringPtrType, ft == boolPtrType:
		case ft.Kind() == reflect.Struct:
			if p.sub[f], ok = planFor(ft, depth+1); !ok {
				return nil, false
			}
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
			if p.sub[f], ok = planFor(ft.Elem(), depth+1); !ok {
				return nil, false
			}
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			if p.sub[f], ok = planFor(ft.Elem(), depth+1); !ok {
				return nil, false
			}
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Slice && ft.Elem().Elem().Kind() == reflect.Struct:
			if p.sub[f], ok = planFor(ft.Elem().Elem(), depth+1); !ok {
				return nil, false
			}
		case ft.Kind() == reflect.Map, ft.Kind() == reflect.Interface:
		default:
			return nil, false
		}
	}
	return p, true
}

// jsonName is the name encoding/json gives the field, or false when its
// tag is one Decode leaves to encoding/json.
func jsonName(sf reflect.StructField) (string, bool) {
	tag, ok := sf.Tag.Lookup("json")
	if !ok {
		return sf.Name, true
	}
	name, opts, _ := strings.Cut(tag, ",")
	for opt := range strings.SplitSeq(opts, ",") {
		if opt != "" && opt != "omitempty" && opt != "omitzero" {
			return "", false
		}
	}
	if name == "" {
		return sf.Name, true
	}
	if !plainName(name) { // "-" among them: a field encoding/json leaves out
		return "", false
	}
	return name, true
}

// plainName reports whether a tag's name is made of ASCII letters, digits,
// underscores, and "@" and "." (OData's "@odata.type"): names encoding/json
// takes as they are (its isValidTag accepts more, which Decode leaves to
// it).
func plainName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '@' || c == '.') {
			return false
		}
	}
	return true
}

// object decodes the object at data[i] into sv, a settable struct whose
// plan is p, and returns the index after it.
func object(data []byte, i int, sv reflect.Value, p *plan, depth int) (int, bool) {
	if i >= len(data) || data[i] != '{' || depth > maxDepth {
		return 0, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, true
	}
	for {
		key, next, ok := plainString(data, i)
		if !ok || !ascii(key) {
			return 0, false
		}
		i = skipSpace(data, next)
		if i >= len(data) || data[i] != ':' {
			return 0, false
		}
		i = skipSpace(data, i+1)
		f, known := p.field(key)
		switch {
		case f >= 0:
			i, ok = member(data, i, sv.Field(f), p.sub[f], depth)
		case known:
			return 0, false // a field's name in another case: encoding/json's to match
		default:
			i, ok = skipValue(data, i, depth+1)
		}
		if !ok {
			return 0, false
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return 0, false
		}
		if data[i] == '}' {
			return i + 1, true
		}
		if data[i] != ',' {
			return 0, false
		}
		i = skipSpace(data, i+1)
	}
}

// field is the index of the field whose JSON name is exactly key, or -1,
// and whether some field's name equals key in another case (encoding/json
// would take that field). Keys are ASCII here (object leaves others to
// encoding/json), where its case folding is ASCII's.
func (p *plan) field(key []byte) (int, bool) {
	for f, name := range p.names {
		if name == string(key) {
			return f, true
		}
	}
	// Only a key that names no field exactly is compared case-insensitively.
	for _, name := range p.names {
		if strings.EqualFold(name, string(key)) {
			return -1, true
		}
	}
	return -1, false
}

// member decodes the value at data[i] into fv, a field of one of the
// kinds Decode takes; sub is the plan of the struct it holds, if any.
func member(data []byte, i int, fv reflect.Value, sub *plan, depth int) (int, bool) {
	if hasLiteral(data, i, "null") {
		switch fv.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			fv.SetZero() // encoding/json: "by setting that Go value to nil"
		}
		return i + 4, true // null changes nothing else (encoding/json: "has no effect")
	}
	switch t := fv.Type(); {
	case t.Kind() == reflect.Map, t.Kind() == reflect.Interface:
		return 0, false // a value, not null: encoding/json's to decode
	case t.Kind() == reflect.Slice:
		if !fv.IsNil() {
			return 0, false // encoding/json would reuse the slice's elements
		}
		sv, next, ok := array(data, i, t, sub, depth)
		if ok {
			fv.Set(sv)
		}
		return next, ok
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Slice:
		if !fv.IsNil() {
			return 0, false // encoding/json would decode into the slice it points to
		}
		sv, next, ok := array(data, i, t.Elem(), sub, depth)
		if ok {
			p := reflect.New(t.Elem())
			p.Elem().Set(sv)
			fv.Set(p)
		}
		return next, ok
	case t == stringType:
		s, next, ok := plainString(data, i)
		if !ok {
			return 0, false
		}
		fv.SetString(string(s))
		return next, true
	case t == stringPtrType:
		s, next, ok := plainString(data, i)
		if !ok || !fv.IsNil() {
			return 0, false // encoding/json would write through the pointer
		}
		p := new(string)
		*p = string(s)
		fv.Set(reflect.ValueOf(p))
		return next, true
	case t == boolType, t == boolPtrType:
		var b bool
		next := i + 4
		switch {
		case hasLiteral(data, i, "true"):
			b = true
		case hasLiteral(data, i, "false"):
			next = i + 5
		default:
			return 0, false
		}
		if t == boolType {
			fv.SetBool(b)
			return next, true
		}
		if !fv.IsNil() {
			return 0, false // encoding/json would write through the pointer
		}
		fv.Set(reflect.ValueOf(&b))
		return next, true
	case t == intType:
		next, integer, ok := number(data, i)
		if !ok || !integer {
			return 0, false
		}
		n, err := strconv.ParseInt(string(data[i:next]), 10, 64)
		if err != nil || fv.OverflowInt(n) {
			return 0, false
		}
		fv.SetInt(n)
		return next, true
	case t.Kind() == reflect.Struct:
		return object(data, i, fv, sub, depth+1)
	default: // a pointer to a struct
		if !fv.IsNil() {
			return 0, false // encoding/json would decode into the struct it points to
		}
		p := reflect.New(t.Elem())
		next, ok := object(data, i, p.Elem(), sub, depth+1)
		if ok {
			fv.Set(p)
		}
		return next, ok
	}
}

// array decodes the array of objects at data[i] into a new slice of type
// t, whose elements are structs of plan sub, and returns the index after
// it. An element that is not an object (null among them) is not handled.
func array(data []byte, i int, t reflect.Type, sub *plan, depth int) (reflect.Value, int, bool) {
	if i >= len(data) || data[i] != '[' || depth > maxDepth {
		return reflect.Value{}, 0, false
	}
	sv := reflect.MakeSlice(t, 0, 0) // [] is an empty slice, not nil
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return sv, i + 1, true
	}
	zero := reflect.Zero(t.Elem())
	for {
		sv = reflect.Append(sv, zero)
		next, ok := object(data, i, sv.Index(sv.Len()-1), sub, depth+1)
		if !ok {
			return reflect.Value{}, 0, false
		}
		i = skipSpace(data, next)
		if i >= len(data) {
			return reflect.Value{}, 0, false
		}
		if data[i] == ']' {
			return sv, i + 1, true
		}
		if data[i] != ',' {
			return reflect.Value{}, 0, false
		}
		i = skipSpace(data, i+1)
	}
}

// ascii reports whether b is all ASCII: a key with other characters may
// match a field's name under encoding/json's Unicode case folding (its
// foldName turns U+0130 into "I", which strings.EqualFold does not).
func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// hasLiteral reports whether the literal word starts at data[i].
func hasLiteral(data []byte, i int, word string) bool {
	return len(data)-i >= len(word) && string(data[i:i+len(word)]) == word
}

// plainString reads the string starting at data[i] (its opening quote):
// its bytes between the quotes and the index after the closing one, or
// false when there is no string there or it has an escape, a control
// character or bytes that are not UTF-8.
func plainString(data []byte, i int) ([]byte, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	start := i + 1
	ascii := true
	for j := start; j < len(data); {
		// Eight bytes at a time while none is special: a hardware hash is
		// 4 KB of them.
		if len(data)-j >= 8 && !specialInString(binary.LittleEndian.Uint64(data[j:])) {
			j += 8
			continue
		}
		switch c := data[j]; {
		case c == '"':
			s := data[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, 0, false
			}
			return s, j + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		j++
	}
	return nil, 0, false
}

// Eight bytes in a word: lsb has the lowest bit of each byte set, msb the
// highest.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasByte reports whether a byte of w equals c: (x-lsb)&^x&msb, with
// x = w^(lsb*c), is non-zero exactly when a byte of x is zero ("Determine
// if a word has a zero byte", Bit Twiddling Hacks,
// https://graphics.stanford.edu/~seander/bithacks.html#ZeroInWord).
func hasByte(w uint64, c byte) bool {
	x := w ^ (lsb * uint64(c))
	return (x-lsb)&^x&msb != 0
}

// hasNonPrintable reports whether a byte of w is below 0x20 or at or above
// 0x80: with every byte below 0x80, (w-lsb*n)&msb is non-zero exactly when
// one is below n ("Determine if a word has a byte less than n", same page).
func hasNonPrintable(w uint64) bool { return ((w-lsb*0x20)|w)&msb != 0 }

// specialInString reports whether any of the eight bytes of w ends a plain
// string or needs a closer look: a quote, a backslash, a control
// character or a byte of a multi-byte character.
func specialInString(w uint64) bool {
	return hasNonPrintable(w) || hasByte(w, '"') || hasByte(w, '\\')
}

// skipValue checks the JSON value at data[i] as encoding/json's scanner
// would and returns the index after it: a member Decode skips is still
// one json.Unmarshal must have accepted.
func skipValue(data []byte, i int, depth int) (int, bool) {
	if i >= len(data) || depth > maxDepth {
		return 0, false
	}
	switch c := data[i]; {
	case c == '"':
		return skipString(data, i)
	case c == '{' || c == '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == closing {
			return i + 1, true
		}
		for {
			if c == '{' {
				var ok bool
				if i, ok = skipString(data, i); !ok {
					return 0, false
				}
				if i = skipSpace(data, i); i >= len(data) || data[i] != ':' {
					return 0, false
				}
				i = skipSpace(data, i+1)
			}
			var ok bool
			if i, ok = skipValue(data, i, depth+1); !ok {
				return 0, false
			}
			if i = skipSpace(data, i); i >= len(data) {
				return 0, false
			}
			if data[i] == closing {
				return i + 1, true
			}
			if data[i] != ',' {
				return 0, false
			}
			i = skipSpace(data, i+1)
		}
	case hasLiteral(data, i, "true") || hasLiteral(data, i, "null"):
		return i + 4, true
	case hasLiteral(data, i, "false"):
		return i + 5, true
	default:
		next, _, ok := number(data, i)
		return next, ok
	}
}

// skipString checks the string at data[i] (RFC 8259 §7: no control
// characters, only the escapes it lists) and returns the index after it.
// Bytes that are not UTF-8 pass, as they pass encoding/json's scanner.
func skipString(data []byte, i int) (int, bool) {
	if i >= len(data) || data[i] != '"' {
		return 0, false
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return j + 1, true
		case c < 0x20:
			return 0, false
		case c == '\\':
			j++
			if j >= len(data) {
				return 0, false
			}
			switch data[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(data)-j <= 4 {
					return 0, false
				}
				for _, h := range data[j+1 : j+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return 0, false
					}
				}
				j += 4
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

// number checks the number at data[i] (RFC 8259 §6) and returns the index
// after it and whether it is an integer (no fraction, no exponent).
func number(data []byte, i int) (int, bool, bool) {
	j := i
	if j < len(data) && data[j] == '-' {
		j++
	}
	switch {
	case j < len(data) && data[j] == '0':
		j++
	case j < len(data) && '1' <= data[j] && data[j] <= '9':
		for j < len(data) && '0' <= data[j] && data[j] <= '9' {
			j++
		}
	default:
		return 0, false, false
	}
	integer := true
	if j < len(data) && data[j] == '.' {
		integer = false
		j++
		if j >= len(data) || data[j] < '0' || data[j] > '9' {
			return 0, false, false
		}
		for j < len(data) && '0' <= data[j] && data[j] <= '9' {
			j++
		}
	}
	if j < len(data) && (data[j] == 'e' || data[j] == 'E') {
		integer = false
		j++
		if j < len(data) && (data[j] == '+' || data[j] == '-') {
			j++
		}
		if j >= len(data) || data[j] < '0' || data[j] > '9' {
			return 0, false, false
		}
		for j < len(data) && '0' <= data[j] && data[j] <= '9' {
			j++
		}
	}
	return j, integer, true
}

// skipSpace is the index of the first byte at or after i that is not JSON
// whitespace (RFC 8259 §2: space, tab, line feed, carriage return).
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
