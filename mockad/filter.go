package mockad

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	ber "github.com/go-asn1-ber/asn1-ber"
)

// Filter choice tags (RFC 4511 4.5.1).
const (
	fAnd        = 0
	fOr         = 1
	fNot        = 2
	fEquality   = 3
	fSubstrings = 4
	fGreater    = 5
	fLess       = 6
	fPresent    = 7
	fApprox     = 8
	fExtensible = 9
)

// Bitwise matching rules (B.9).
const (
	ruleBitAnd  = "1.2.840.113556.1.4.803"
	ruleBitOr   = "1.2.840.113556.1.4.804"
	ruleInChain = "1.2.840.113556.1.4.1941"
)

// maxFilterDepth bounds nesting so a hostile filter cannot exhaust the stack.
const maxFilterDepth = 64

// filter is a decoded search filter. We decode the BER filter the client
// sent ourselves (glauth's string round trip drops extensible matches and all
// but one substring component, see doc.go).
type filter struct {
	op       int
	children []*filter
	attr     string
	value    string
	initial  string
	any      []string
	final    string
	hasInit  bool
	hasFinal bool
	rule     string
}

var errFilter = errors.New("malformed filter")

// decodeFilter validates and decodes a BER Filter.
func decodeFilter(p *ber.Packet) (*filter, error) { return decodeFilterDepth(p, 0) }

func decodeFilterDepth(p *ber.Packet, depth int) (*filter, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: missing", errFilter)
	}
	if depth > maxFilterDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", errFilter, maxFilterDepth)
	}
	if p.ClassType != ber.ClassContext {
		return nil, fmt.Errorf("%w: not a context-specific tag", errFilter)
	}
	f := &filter{op: int(p.Tag)}
	switch f.op {
	case fAnd, fOr:
		if p.TagType != ber.TypeConstructed {
			return nil, fmt.Errorf("%w: and/or must be constructed", errFilter)
		}
		for _, c := range p.Children {
			cf, err := decodeFilterDepth(c, depth+1)
			if err != nil {
				return nil, err
			}
			f.children = append(f.children, cf)
		}
	case fNot:
		if p.TagType != ber.TypeConstructed || len(p.Children) != 1 {
			return nil, fmt.Errorf("%w: not needs one filter", errFilter)
		}
		cf, err := decodeFilterDepth(p.Children[0], depth+1)
		if err != nil {
			return nil, err
		}
		f.children = []*filter{cf}
	case fEquality, fGreater, fLess, fApprox:
		if p.TagType != ber.TypeConstructed || len(p.Children) != 2 {
			return nil, fmt.Errorf("%w: assertion needs attribute and value", errFilter)
		}
		f.attr = octets(p.Children[0])
		f.value = octets(p.Children[1])
		if f.attr == "" {
			return nil, fmt.Errorf("%w: empty attribute", errFilter)
		}
	case fSubstrings:
		if p.TagType != ber.TypeConstructed || len(p.Children) != 2 {
			return nil, fmt.Errorf("%w: substrings needs attribute and components", errFilter)
		}
		f.attr = octets(p.Children[0])
		comps := p.Children[1].Children
		if f.attr == "" || len(comps) == 0 {
			return nil, fmt.Errorf("%w: empty substrings", errFilter)
		}
		for i, c := range comps {
			if c.ClassType != ber.ClassContext {
				return nil, fmt.Errorf("%w: bad substring component", errFilter)
			}
			v := octets(c)
			switch c.Tag {
			case 0:
				if i != 0 {
					return nil, fmt.Errorf("%w: initial substring not first", errFilter)
				}
				f.initial, f.hasInit = v, true
			case 1:
				f.any = append(f.any, v)
			case 2:
				if i != len(comps)-1 {
					return nil, fmt.Errorf("%w: final substring not last", errFilter)
				}
				f.final, f.hasFinal = v, true
			default:
				return nil, fmt.Errorf("%w: substring tag %d", errFilter, c.Tag)
			}
		}
	case fPresent:
		if p.TagType != ber.TypePrimitive {
			return nil, fmt.Errorf("%w: present must be primitive", errFilter)
		}
		f.attr = octets(p)
		if f.attr == "" {
			return nil, fmt.Errorf("%w: empty attribute", errFilter)
		}
	case fExtensible:
		if p.TagType != ber.TypeConstructed {
			return nil, fmt.Errorf("%w: extensible match must be constructed", errFilter)
		}
		hasValue := false
		for _, c := range p.Children {
			switch c.Tag {
			case 1:
				f.rule = octets(c)
			case 2:
				f.attr = octets(c)
			case 3:
				f.value, hasValue = octets(c), true
			case 4: // dnAttributes: accepted, not applied (AD ignores it too, INFER)
			default:
				return nil, fmt.Errorf("%w: extensible match tag %d", errFilter, c.Tag)
			}
		}
		if !hasValue || (f.rule == "" && f.attr == "") {
			return nil, fmt.Errorf("%w: extensible match needs a value and a rule or type", errFilter)
		}
	default:
		return nil, fmt.Errorf("%w: unknown filter tag %d", errFilter, f.op)
	}
	return f, nil
}

func octets(p *ber.Packet) string {
	if p.Data == nil {
		return ""
	}
	return p.Data.String()
}

// valueSource gives the filter matcher an entry's values, computed ones included.
type valueSource func(attr string) []string

// match evaluates f. Strings compare case-insensitively (B.6), integers
// numerically, DNs after normalisation, binary values byte for byte.
// Undefined (unknown matching rule, unparsable assertion) counts as false.
func (d *Directory) match(f *filter, vals valueSource) bool {
	switch f.op {
	case fAnd:
		for _, c := range f.children {
			if !d.match(c, vals) {
				return false
			}
		}
		return true
	case fOr:
		for _, c := range f.children {
			if d.match(c, vals) {
				return true
			}
		}
		return false
	case fNot:
		return !d.match(f.children[0], vals)
	case fPresent:
		if strings.EqualFold(f.attr, "objectClass") {
			return true
		}
		return len(vals(f.attr)) > 0
	case fEquality, fApprox: // AD treats approx as equality (INFER)
		want, ok := d.assertion(f.attr, f.value)
		if !ok {
			return false
		}
		for _, v := range vals(f.attr) {
			if compareValues(f.attr, v, want) == 0 {
				return true
			}
		}
		return false
	case fGreater, fLess:
		want, ok := d.assertion(f.attr, f.value)
		if !ok {
			return false
		}
		for _, v := range vals(f.attr) {
			c := compareValues(f.attr, v, want)
			if c == cmpUndefined {
				continue
			}
			if (f.op == fGreater && c >= 0) || (f.op == fLess && c <= 0) {
				return true
			}
		}
		return false
	case fSubstrings:
		for _, v := range vals(f.attr) {
			if substringMatch(f, v) {
				return true
			}
		}
		return false
	case fExtensible:
		switch f.rule {
		case ruleBitAnd, ruleBitOr:
			n, err := strconv.ParseInt(f.value, 10, 64)
			if err != nil {
				return false
			}
			mask := uint64(n) & 0xffffffff // AD's bitwise rules work on 32-bit values (INFER)
			if n < 0 || n > 0xffffffff {
				mask = uint64(n)
			}
			for _, v := range vals(f.attr) {
				x, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					continue
				}
				ux := uint64(x)
				if f.rule == ruleBitAnd && ux&mask == mask {
					return true
				}
				if f.rule == ruleBitOr && ux&mask != 0 {
					return true
				}
			}
			return false
		case "":
			return d.match(&filter{op: fEquality, attr: f.attr, value: f.value}, vals)
		default:
			// Unknown rules (and 1.2.840.113556.1.4.1941, not emulated) are
			// Undefined per RFC 4511 4.5.1.7.7.
			return false
		}
	}
	return false
}

func substringMatch(f *filter, v string) bool {
	v = strings.ToLower(v)
	if f.hasInit {
		p := strings.ToLower(f.initial)
		if !strings.HasPrefix(v, p) {
			return false
		}
		v = v[len(p):]
	}
	for _, a := range f.any {
		a = strings.ToLower(a)
		i := strings.Index(v, a)
		if i < 0 {
			return false
		}
		v = v[i+len(a):]
	}
	if f.hasFinal {
		return strings.HasSuffix(v, strings.ToLower(f.final))
	}
	return true
}

// assertion prepares a filter value for comparison: the objectCategory
// shorthand (B.9) and the S-1-… form for SIDs.
func (d *Directory) assertion(attr, v string) (string, bool) {
	switch syntaxOf(attr) {
	case synDN:
		if strings.EqualFold(attr, "objectCategory") && !strings.Contains(v, "=") {
			cat, ok := categoryShorthand(v)
			if !ok {
				return "", false
			}
			return "CN=" + cat + "," + d.schema.String(), true
		}
	case synSID:
		if len(v) > 4 && strings.EqualFold(v[:4], "S-1-") {
			b, err := ParseSIDString(v)
			if err != nil {
				return "", false
			}
			return string(b), true
		}
	}
	return v, true
}

const cmpUndefined = 2

// compareValues orders a stored value against an assertion by attribute syntax.
func compareValues(attr, stored, want string) int {
	switch syntaxOf(attr) {
	case synInt:
		a, err1 := strconv.ParseInt(stored, 10, 64)
		b, err2 := strconv.ParseInt(want, 10, 64)
		if err1 != nil || err2 != nil {
			return cmpUndefined
		}
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	case synBinary, synSID:
		return bytes.Compare([]byte(stored), []byte(want))
	case synDN:
		a, err1 := normDN(stored)
		b, err2 := normDN(want)
		if err1 != nil || err2 != nil {
			return strings.Compare(strings.ToLower(stored), strings.ToLower(want))
		}
		return strings.Compare(a, b)
	case synTime:
		return strings.Compare(stored, want)
	case synBool:
		return strings.Compare(strings.ToUpper(stored), strings.ToUpper(want))
	}
	return strings.Compare(strings.ToLower(stored), strings.ToLower(want))
}

// indexedSAM returns the sAMAccountName an AND/equality filter pins, so a
// search can use the index instead of walking the tree.
func indexedSAM(f *filter) (string, bool) {
	switch f.op {
	case fEquality:
		if strings.EqualFold(f.attr, "sAMAccountName") {
			return f.value, true
		}
	case fAnd:
		for _, c := range f.children {
			if v, ok := indexedSAM(c); ok {
				return v, true
			}
		}
	}
	return "", false
}
