package flatjson

import (
	"encoding/json"
	"slices"
)

// AppendString appends s quoted as json.Marshal quotes it. Printable ASCII
// other than the characters json.Marshal escapes (" \ and the HTML-unsafe
// < > &) is copied as it is; any other string goes to json.Marshal.
func AppendString(b []byte, s string) []byte {
	i := 0
	// Eight bytes at a time while none needs escaping: a hardware hash is
	// 4 KB of them.
	for ; len(s)-i >= 8; i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if escapedInWord(w) {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			m, _ := json.Marshal(s) // a string always encodes
			return append(b, m...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// escapedInWord reports whether any of the eight bytes of w is one
// json.Marshal escapes: a control character, DEL or a byte of a multi-byte
// character (all of which AppendString leaves to it), a quote, a
// backslash, or the HTML-unsafe < > &.
func escapedInWord(w uint64) bool {
	return hasNonPrintable(w) || hasByte(w, 0x7f) || hasByte(w, '"') || hasByte(w, '\\') ||
		hasByte(w, '<') || hasByte(w, '>') || hasByte(w, '&')
}

// AppendObject appends m as json.Marshal writes it: its members in the
// order of their keys' bytes, each key and value quoted by AppendString,
// and null for a nil map. The simulated devices' request bodies are such
// maps, one of them with the 4 KB hardware hash, which json.Marshal
// reflects over, sorts and checks byte by byte for escapes through its
// table of safe characters; this reserves the object's size once.
func AppendObject(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(m))
	size := 2
	for k, v := range m {
		keys = append(keys, k)
		size += len(k) + len(v) + 6 // two pairs of quotes, the colon, the comma
	}
	slices.Sort(keys)
	b = slices.Grow(b, size)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, k)
		b = append(b, ':')
		b = AppendString(b, m[k])
	}
	return append(b, '}')
}
