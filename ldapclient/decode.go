package ldapclient

import (
	"errors"
	"fmt"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// Response operations (RFC 4511 §4.2–4.12), [APPLICATION n] constructed.
const (
	appBindResponse     = 0x61
	appSearchEntry      = 0x64
	appSearchDone       = 0x65
	appModifyResponse   = 0x67
	appAddResponse      = 0x69
	appSearchReference  = 0x73 // [APPLICATION 19]
	appExtendedResponse = 0x78 // [APPLICATION 24]
)

// errMalformed is wrapped by every error about an answer that is not BER
// or not an LDAPMessage.
var errMalformed = errors.New("ldapclient: malformed answer")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// element reads one BER element (X.690 §8.1) from b: its identifier, its
// content and what follows it. Low tag numbers and definite lengths only,
// which is all LDAP uses (RFC 4511 §5.1).
func element(b []byte) (tag byte, content, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, malformed("truncated element")
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, malformed("high tag number")
	}
	n, i := int(b[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 {
			return 0, nil, nil, malformed("length of %d bytes", k)
		}
		if len(b) < 2+k {
			return 0, nil, nil, malformed("truncated length")
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		i = 2 + k
	}
	if n > len(b)-i {
		return 0, nil, nil, malformed("element of %d bytes with %d left", n, len(b)-i)
	}
	return tag, b[i : i+n], b[i+n:], nil
}

// integer decodes a two's complement INTEGER or ENUMERATED of at most 8
// bytes.
func integer(c []byte) (int64, error) {
	if len(c) == 0 || len(c) > 8 {
		return 0, malformed("integer of %d bytes", len(c))
	}
	v := int64(int8(c[0]))
	for _, x := range c[1:] {
		v = v<<8 | int64(x)
	}
	return v, nil
}

// message is an LDAPMessage as received (RFC 4511 §4.1.1). Its slices point
// into the connection's read buffer: what outlives the next read is copied.
type message struct {
	id       int64
	op       byte   // the protocolOp's identifier
	body     []byte // its content
	controls []byte // the content of [0] Controls; nil when absent
}

func parseMessage(b []byte) (message, error) {
	var m message
	tag, id, rest, err := element(b)
	if err != nil {
		return m, err
	}
	if tag != tagInteger {
		return m, malformed("message ID tagged %#x", tag)
	}
	if m.id, err = integer(id); err != nil {
		return m, err
	}
	if m.op, m.body, rest, err = element(rest); err != nil {
		return m, err
	}
	if len(rest) > 0 {
		var ctag byte
		if ctag, m.controls, rest, err = element(rest); err != nil {
			return m, err
		}
		if ctag != tagControls || len(rest) > 0 {
			return m, malformed("trailing element %#x after the operation", ctag)
		}
	}
	return m, nil
}

// result is an LDAPResult (RFC 4511 §4.1.9) turned into go-ldap's error,
// nil for success, worded as go-ldap's GetLDAPError words it: a code and
// the server's diagnostic message, or ErrorNetwork "invalid packet format"
// for a result without its three first elements.
func result(body []byte) error {
	invalid := &ldap.Error{ResultCode: ldap.ErrorNetwork, Err: errors.New("invalid packet format")}
	ctag, code, rest, err := element(body)
	if err != nil || (ctag != tagEnumerated && ctag != tagInteger) {
		return invalid
	}
	rc, err := integer(code)
	if err != nil || rc < 0 || rc > 0xffff { // resultCode is ENUMERATED 0..4096 and up (RFC 4511 §4.1.9)
		return &ldap.Error{ResultCode: ldap.ErrorNetwork, Err: errors.New("invalid result code in packet")}
	}
	mtag, matched, rest, err := element(rest)
	if err != nil {
		return invalid
	}
	dtag, diag, _, err := element(rest)
	if err != nil {
		return invalid
	}
	if rc == 0 {
		return nil
	}
	if mtag != tagOctetString || dtag != tagOctetString {
		return invalid
	}
	return &ldap.Error{ResultCode: uint16(rc), MatchedDN: string(matched), Err: errors.New(string(diag))}
}

// entry decodes a SearchResultEntry (RFC 4511 §4.5.2) into go-ldap's Entry,
// copying out of the read buffer: each attribute's values as strings and,
// sharing one copy of the bytes, as byte slices.
func entry(body []byte) (*ldap.Entry, error) {
	tag, dn, rest, err := element(body)
	if err != nil {
		return nil, err
	}
	if tag != tagOctetString {
		return nil, malformed("entry name tagged %#x", tag)
	}
	tag, list, _, err := element(rest)
	if err != nil {
		return nil, err
	}
	if tag != tagSequence {
		return nil, malformed("attribute list tagged %#x", tag)
	}
	e := &ldap.Entry{DN: string(dn), Attributes: []*ldap.EntryAttribute{}}
	for len(list) > 0 {
		var one []byte
		if tag, one, list, err = element(list); err != nil {
			return nil, err
		}
		if tag != tagSequence {
			return nil, malformed("attribute tagged %#x", tag)
		}
		ntag, name, vals, err := element(one)
		if err != nil {
			return nil, err
		}
		stag, set, _, err := element(vals)
		if err != nil {
			return nil, err
		}
		if ntag != tagOctetString || stag != tagSet {
			return nil, malformed("attribute %q: type tagged %#x, values tagged %#x", name, ntag, stag)
		}
		a := &ldap.EntryAttribute{Name: string(name)}
		for len(set) > 0 {
			var v []byte
			var vtag byte
			if vtag, v, set, err = element(set); err != nil {
				return nil, err
			}
			if vtag != tagOctetString {
				return nil, malformed("attribute %q: value tagged %#x", a.Name, vtag)
			}
			a.Values = append(a.Values, string(v))
			a.ByteValues = append(a.ByteValues, append([]byte(nil), v...))
		}
		if a.Values == nil {
			a.Values, a.ByteValues = []string{}, [][]byte{}
		}
		e.Attributes = append(e.Attributes, a)
	}
	return e, nil
}

// controls decodes a message's controls (RFC 4511 §4.1.11): the paged
// results control directly (RFC 2696), any other through go-ldap.
func controls(b []byte) ([]ldap.Control, error) {
	var out []ldap.Control
	for len(b) > 0 {
		tag, one, rest, err := element(b)
		if err != nil {
			return nil, err
		}
		if tag != tagSequence {
			return nil, malformed("control tagged %#x", tag)
		}
		ttag, typ, vrest, err := element(one)
		if err != nil || ttag != tagOctetString {
			return nil, malformed("control without a type")
		}
		if string(typ) == ldap.ControlTypePaging {
			c, err := pagingControl(vrest)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		} else {
			raw := b[:len(b)-len(rest)]
			c, err := ldap.DecodeControl(ber.DecodePacket(raw))
			if err != nil {
				return nil, fmt.Errorf("failed to decode child control: %w", err)
			}
			out = append(out, c)
		}
		b = rest
	}
	return out, nil
}

// pagingControl reads what follows the paged results control's type:
// criticality (optional) and the value, realSearchControlValue ::= SEQUENCE
// { size INTEGER, cookie OCTET STRING }.
func pagingControl(b []byte) (*ldap.ControlPaging, error) {
	tag, v, rest, err := element(b)
	if err == nil && tag == tagBoolean {
		tag, v, rest, err = element(rest)
	}
	if err != nil || tag != tagOctetString || len(rest) > 0 {
		return nil, malformed("paged results control without its value")
	}
	tag, seq, _, err := element(v)
	if err != nil || tag != tagSequence {
		return nil, malformed("paged results control value")
	}
	tag, size, rest, err := element(seq)
	if err != nil || tag != tagInteger {
		return nil, malformed("paged results control size")
	}
	n, err := integer(size)
	if err != nil {
		return nil, err
	}
	tag, cookie, _, err := element(rest)
	if err != nil || tag != tagOctetString {
		return nil, malformed("paged results control cookie")
	}
	return &ldap.ControlPaging{PagingSize: uint32(n), Cookie: append([]byte(nil), cookie...)}, nil
}
