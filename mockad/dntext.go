package mockad

import "strings"

// A DN's text is written with append into one buffer and copied into a
// string once: the directory renders an entry's DN for every search result
// and folds DNs for every lookup, and joining escaped, concatenated parts
// took five to twenty allocations a DN (3 % of what a fleet allocated).

// maxUpperType is the length of the longest key of upperTypes (a spec
// checks that every key fits): a longer type is never upper-cased.
const maxUpperType = 8

// canonType returns the printed form of an RDN attribute type.
func canonType(t string) string {
	if len(t) > maxUpperType {
		return t
	}
	var k [maxUpperType]byte
	for i := 0; i < len(t); i++ {
		k[i] = lowerASCII(t[i])
	}
	// A map lookup by string(bytes) does not allocate. A non-ASCII type
	// keeps its bytes, and no key of upperTypes has any beyond ASCII.
	if u, ok := upperTypes[string(k[:len(t)])]; ok {
		return u
	}
	return t
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// dnSpecial are the characters RFC 4514 2.4 escapes anywhere in a value.
const dnSpecial = `,+"\<>;`

// needsEscape reports whether EscapeDNValue changes v.
func needsEscape(v string) bool {
	if v == "" {
		return false
	}
	if v[0] == '#' || v[0] == ' ' || v[len(v)-1] == ' ' {
		return true
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte(dnSpecial, c) >= 0 {
			return true
		}
	}
	return false
}

// EscapeDNValue escapes a value per RFC 4514 2.4.
func EscapeDNValue(v string) string {
	if !needsEscape(v) {
		return v
	}
	return string(appendEscaped(nil, v))
}

func appendEscaped(b []byte, v string) []byte {
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case strings.IndexByte(dnSpecial, c) >= 0,
			c == '#' && i == 0, c == ' ' && (i == 0 || i == len(v)-1):
			b = append(b, '\\', c)
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', hexUpper[c>>4], hexUpper[c&0x0f])
		default:
			b = append(b, c)
		}
	}
	return b
}

// String renders the DN in AD's canonical form: upper-case short types, no
// spaces after commas, RFC 4514 escaping (`CN=PC\2C031` prints as `CN=PC\,031`).
func (dn DN) String() string { return dn.text(false) }

// Norm is the comparison key: the canonical string folded to lower case.
// AD compares DNs case-insensitively (B.6).
func (dn DN) Norm() string { return dn.text(true) }

// text writes String's text, or Norm's: types and escaped values as
// strings.ToLower folds them.
func (dn DN) text(fold bool) string {
	var buf [256]byte
	b := buf[:0]
	for i, r := range dn {
		if i > 0 {
			b = append(b, ',')
		}
		if !fold {
			b = append(b, canonType(r.Type)...)
			b = append(b, '=')
			b = appendEscaped(b, r.Value)
			continue
		}
		b = appendLower(b, r.Type)
		b = append(b, '=')
		if !isASCII(r.Value) {
			// strings.ToLower's Unicode folding, for values beyond ASCII.
			b = append(b, strings.ToLower(EscapeDNValue(r.Value))...)
			continue
		}
		start := len(b)
		b = appendEscaped(b, r.Value)
		for j := start; j < len(b); j++ {
			b[j] = lowerASCII(b[j])
		}
	}
	return string(b)
}

// appendLower appends strings.ToLower(s) to b.
func appendLower(b []byte, s string) []byte {
	if !isASCII(s) {
		return append(b, strings.ToLower(s)...)
	}
	for i := 0; i < len(s); i++ {
		b = append(b, lowerASCII(s[i]))
	}
	return b
}

// equalLower is strings.ToLower(name) == lower, without lower-casing name
// into a new string.
func equalLower(name, lower string) bool {
	if !isASCII(name) {
		return strings.ToLower(name) == lower
	}
	if len(name) != len(lower) {
		return false // lower-casing keeps an ASCII string's length
	}
	for i := 0; i < len(name); i++ {
		if lowerASCII(name[i]) != lower[i] {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
