// Package flatjson reads and writes the JSON bodies most of the
// simulation's requests are: one object whose members are all strings.
//
// Decode reads such a body, in one pass, into a struct whose fields are all
// strings. It stores exactly what encoding/json's Unmarshal stores for such
// a body, and for anything else it stores nothing and says so, and the
// caller decodes with encoding/json as before. AppendObject writes a
// map[string]string, and AppendString a string, as json.Marshal does.
//
// Why: json.Unmarshal reads a body twice, once to check all of it
// (checkValid, a call through the scanner's state function for every byte)
// and once to decode it. A device presents its 4 KB hardware hash at the
// profile download and at enrollment, registers with DRS about five times,
// and polls for its ODJ blob: json.Unmarshal was 11 % of the CPU of a
// 10,000-device fleet, half of it in checkValid (docs/SCALE.md).
//
// What it accepts (everything else is "not handled"): optional JSON
// whitespace, '{', members separated by ',', '}', optional whitespace and
// the end of the input; a member is a key of printable ASCII without
// escapes that is exactly the JSON name of one of the struct's fields,
// ':', and a string value without escapes or control characters (bytes
// below 0x20) that is valid UTF-8. A key that names no field, names one in
// another case, or a value of any other kind (number, null, object, a
// string with a backslash) is not handled: encoding/json's rules for those
// (case-insensitive names, ignored members, unescaping, U+FFFD for bad
// UTF-8) stay encoding/json's. A later member of the same key wins, as in
// encoding/json.
//
// The struct: every field exported, not embedded, of type string exactly (a
// named string type may unmarshal itself), with a json tag that is absent
// or a plain name with at most the omitempty and omitzero options (which
// do not change decoding); names distinct. Other structs are not handled.
// FuzzDecode holds Decode to json.Unmarshal for several such structs.
package flatjson

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// maxFields bounds the structs Decode takes: the values it has read wait
// in an array of this size until the whole input is known to be handled,
// so that an input it hands back leaves the struct untouched.
const maxFields = 16

// Decode stores data's members in the struct v points to and reports true
// when data and the struct are what the package doc describes; otherwise
// it leaves the struct untouched and reports false. Stored strings are
// copies: none shares data's bytes, which the caller may reuse.
func Decode(data []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return false
	}
	rv = rv.Elem()
	var names [maxFields]string
	n, ok := fieldNames(rv.Type(), &names)
	if !ok {
		return false
	}
	// Values read so far, by field, stored once the input is accepted
	// whole; set marks the fields the input names.
	var vals [maxFields][]byte
	var set uint32
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			key, next, ok := plainString(data, i)
			if !ok {
				return false
			}
			f := field(names[:n], key)
			if f < 0 {
				return false
			}
			i = skipSpace(data, next)
			if i >= len(data) || data[i] != ':' {
				return false
			}
			val, next, ok := plainString(data, skipSpace(data, i+1))
			if !ok {
				return false
			}
			vals[f], set = val, set|1<<f
			i = skipSpace(data, next)
			if i >= len(data) {
				return false
			}
			if data[i] == '}' {
				i++
				break
			}
			if data[i] != ',' {
				return false
			}
			i = skipSpace(data, i+1)
		}
	}
	if skipSpace(data, i) != len(data) {
		return false
	}
	for f := 0; f < n; f++ {
		if set&(1<<f) != 0 {
			rv.Field(f).SetString(string(vals[f]))
		}
	}
	return true
}

// fieldNames writes the JSON name of each of t's fields into names and
// reports how many, or false when t is not a struct Decode takes.
func fieldNames(t reflect.Type, names *[maxFields]string) (int, bool) {
	if t.Kind() != reflect.Struct || t.NumField() > maxFields {
		return 0, false
	}
	stringType := reflect.TypeFor[string]()
	n := t.NumField()
	for f := 0; f < n; f++ {
		sf := t.Field(f)
		if !sf.IsExported() || sf.Anonymous || sf.Type != stringType {
			return 0, false
		}
		name := sf.Name
		if tag, ok := sf.Tag.Lookup("json"); ok {
			tagName, opts, _ := strings.Cut(tag, ",")
			for opt := range strings.SplitSeq(opts, ",") {
				if opt != "" && opt != "omitempty" && opt != "omitzero" {
					return 0, false
				}
			}
			if tagName == "-" && opts == "" {
				return 0, false // a field encoding/json leaves out
			}
			if tagName != "" {
				if !plainName(tagName) {
					return 0, false
				}
				name = tagName
			}
		}
		for _, other := range names[:f] {
			if other == name {
				return 0, false
			}
		}
		names[f] = name
	}
	return n, true
}

// plainName reports whether a tag's name is made of ASCII letters, digits
// and underscores: names encoding/json takes as they are (its isValidTag
// accepts more, which Decode leaves to it).
func plainName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// field is the index of the field whose JSON name is exactly key, or -1.
func field(names []string, key []byte) int {
	for f, name := range names {
		if name == string(key) {
			return f
		}
	}
	return -1
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
	for j := start; j < len(data); j++ {
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
	}
	return nil, 0, false
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
