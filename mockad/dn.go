package mockad

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// RDN is one relative distinguished name: a single attribute type and value.
// AD does not use multi-valued RDNs (type=a+type=b), so ParseDN refuses them.
type RDN struct {
	Type  string // as written by the client; String() upper-cases the short well-known types
	Value string // unescaped value
}

// DN is a parsed distinguished name, leaf first: DN[0] is the entry's own RDN.
// The empty DN names the rootDSE.
type DN []RDN

// maxDNLength bounds what ParseDN accepts. AD refuses very long names; the
// exact limit is not documented for LDAP input, so this is generous (INFER).
const maxDNLength = 16 * 1024

// ErrInvalidDN is wrapped by every ParseDN error.
var ErrInvalidDN = errors.New("invalid DN syntax")

// ParseDN parses an RFC 4514 string DN. It accepts spaces around separators
// (as AD and Samba do, rules-and-ad.md B.6), `\,`-style and `\2C`-style
// escapes, `#hex` values and `;` as a legacy RDN separator. It refuses
// multi-valued RDNs, empty values, unescaped special characters and bad
// escapes with an error wrapping ErrInvalidDN.
func ParseDN(s string) (DN, error) {
	if len(s) > maxDNLength {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidDN, maxDNLength)
	}
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrInvalidDN)
	}
	if strings.TrimSpace(s) == "" {
		return DN{}, nil
	}
	var dn DN
	i := 0
	for {
		// attribute type
		for i < len(s) && s[i] == ' ' {
			i++
		}
		start := i
		for i < len(s) && (isAlnum(s[i]) || s[i] == '-' || s[i] == '.') {
			i++
		}
		typ := s[start:i]
		if typ == "" {
			return nil, fmt.Errorf("%w: missing attribute type at offset %d", ErrInvalidDN, start)
		}
		if !validAttrType(typ) {
			return nil, fmt.Errorf("%w: bad attribute type %q", ErrInvalidDN, typ)
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) || s[i] != '=' {
			return nil, fmt.Errorf("%w: expected '=' after %q", ErrInvalidDN, typ)
		}
		i++
		for i < len(s) && s[i] == ' ' {
			i++
		}
		val, next, err := parseDNValue(s, i)
		if err != nil {
			return nil, err
		}
		if val == "" {
			return nil, fmt.Errorf("%w: empty value for %q", ErrInvalidDN, typ)
		}
		dn = append(dn, RDN{Type: typ, Value: val})
		i = next
		if i >= len(s) {
			return dn, nil
		}
		switch s[i] {
		case ',', ';':
			i++
			if i >= len(s) {
				return nil, fmt.Errorf("%w: trailing separator", ErrInvalidDN)
			}
		case '+':
			return nil, fmt.Errorf("%w: multi-valued RDNs are not supported", ErrInvalidDN)
		default:
			return nil, fmt.Errorf("%w: unexpected %q at offset %d", ErrInvalidDN, s[i], i)
		}
	}
}

func parseDNValue(s string, i int) (string, int, error) {
	if i < len(s) && s[i] == '#' {
		j := i + 1
		for j < len(s) && isHex(s[j]) {
			j++
		}
		raw := s[i+1 : j]
		if raw == "" || len(raw)%2 != 0 {
			return "", 0, fmt.Errorf("%w: bad #hex value", ErrInvalidDN)
		}
		b, err := hex.DecodeString(raw)
		if err != nil {
			return "", 0, fmt.Errorf("%w: bad #hex value: %v", ErrInvalidDN, err)
		}
		for j < len(s) && s[j] == ' ' {
			j++
		}
		return checkedValue(string(b), j)
	}
	if i < len(s) && s[i] == '"' {
		return "", 0, fmt.Errorf("%w: quoted values are not supported", ErrInvalidDN)
	}
	var b strings.Builder
	trailingSpaces := 0 // unescaped spaces at the end of b, trimmed at the end
	for i < len(s) {
		c := s[i]
		switch {
		case c == ',' || c == ';' || c == '+':
			v := b.String()
			return checkedValue(v[:len(v)-trailingSpaces], i)
		case c == '\\':
			if i+1 >= len(s) {
				return "", 0, fmt.Errorf("%w: dangling escape", ErrInvalidDN)
			}
			n := s[i+1]
			if isHex(n) {
				if i+2 >= len(s) || !isHex(s[i+2]) {
					return "", 0, fmt.Errorf("%w: bad hex escape", ErrInvalidDN)
				}
				x, _ := hex.DecodeString(s[i+1 : i+3])
				b.WriteByte(x[0])
				i += 3
			} else if strings.IndexByte(`,+"\<>;= #`, n) >= 0 {
				b.WriteByte(n)
				i += 2
			} else {
				return "", 0, fmt.Errorf("%w: bad escape \\%c", ErrInvalidDN, n)
			}
			trailingSpaces = 0
		case c == '"' || c == '<' || c == '>' || c == 0:
			return "", 0, fmt.Errorf("%w: unescaped %q in value", ErrInvalidDN, c)
		case c == ' ':
			b.WriteByte(c)
			trailingSpaces++
			i++
		default:
			b.WriteByte(c)
			trailingSpaces = 0
			i++
		}
	}
	v := b.String()
	return checkedValue(v[:len(v)-trailingSpaces], i)
}

// checkedValue refuses attribute values that are not UTF-8, however they
// were written (\XX escapes or #hex): DN values in AD are UTF-8 strings, and
// a value String() could not print back must not get in (found by FuzzParseDN).
func checkedValue(v string, next int) (string, int, error) {
	if !utf8.ValidString(v) {
		return "", 0, fmt.Errorf("%w: escaped value is not UTF-8", ErrInvalidDN)
	}
	return v, next, nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// validAttrType accepts a descriptor (letter, then letters, digits, '-') or
// a numeric OID (RFC 4512 1.4).
func validAttrType(t string) bool {
	if t[0] >= '0' && t[0] <= '9' {
		parts := strings.Split(t, ".")
		for _, p := range parts {
			if p == "" {
				return false
			}
			for i := 0; i < len(p); i++ {
				if p[i] < '0' || p[i] > '9' {
					return false
				}
			}
		}
		return true
	}
	if !(t[0] >= 'a' && t[0] <= 'z' || t[0] >= 'A' && t[0] <= 'Z') {
		return false
	}
	return !strings.Contains(t, ".")
}

// upperTypes are printed upper-case, as AD and Samba print them (B.6).
var upperTypes = map[string]string{"cn": "CN", "ou": "OU", "dc": "DC", "o": "O", "c": "C", "l": "L", "st": "ST"}

// Parent returns the DN without its first RDN (nil for the empty DN).
func (dn DN) Parent() DN {
	if len(dn) == 0 {
		return nil
	}
	return dn[1:]
}

// IsDescendantOf reports whether dn is strictly below anc.
func (dn DN) IsDescendantOf(anc DN) bool {
	if len(dn) <= len(anc) {
		return false
	}
	return dn[len(dn)-len(anc):].Norm() == anc.Norm()
}

// normDN normalises a DN string, or returns an error.
func normDN(s string) (string, error) {
	dn, err := ParseDN(s)
	if err != nil {
		return "", err
	}
	return dn.Norm(), nil
}
