package ldapclient

import (
	"github.com/go-ldap/ldap/v3"

	"github.com/autopilotsim/autopilotsim/internal/tlv"
)

// BER identifiers (X.690 §8.1.2) of what the client writes.
const (
	tagBoolean     = 0x01
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagEnumerated  = 0x0a
	tagSequence    = 0x30
	tagSet         = 0x31
	tagContext0    = 0x80 // [0] primitive: simple bind password, extended requestName
	tagControls    = 0xa0 // [0] constructed: an LDAPMessage's controls

	appBindRequest     = 0x60 // [APPLICATION 0] constructed
	appSearchRequest   = 0x63
	appModifyRequest   = 0x66
	appAddRequest      = 0x68
	appExtendedRequest = 0x77 // [APPLICATION 23]
)

// encoder appends BER elements as internal/tlv writes them (the way
// go-asn1-ber's Packet.Bytes does), so a request is the bytes go-ldap
// sends; true is 0x01, as the library writes it.
type encoder struct{ b []byte }

// open starts a constructed element; close(open(tag)) ends it.
func (e *encoder) open(tag byte) int {
	e.b = append(e.b, tag, 0)
	return len(e.b)
}

// close writes the length of the element whose content starts at start,
// moving the content up when the length needs the long form.
func (e *encoder) close(start int) {
	n := len(e.b) - start
	if n <= 127 {
		e.b[start-1] = byte(n)
		return
	}
	l := tlv.LengthSize(n)
	for range l - 1 {
		e.b = append(e.b, 0)
	}
	copy(e.b[start+l-1:], e.b[start:start+n])
	tlv.AppendLength(e.b[:start-1], n)
}

func (e *encoder) str(tag byte, s string) { e.b = tlv.AppendString(e.b, tag, s) }

func (e *encoder) bytes(tag byte, s []byte) { e.b = tlv.Append(e.b, tag, s) }

func (e *encoder) int(tag byte, v int64) { e.b = tlv.AppendInteger(e.b, tag, v) }

func (e *encoder) bool(v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	e.b = append(e.b, tagBoolean, 1, b)
}

// message writes an LDAPMessage (RFC 4511 §4.1.1): the ID, the operation
// body writes, and the controls when there are any.
func (e *encoder) message(id int64, op func(*encoder) error, controls []ldap.Control) error {
	m := e.open(tagSequence)
	e.int(tagInteger, id)
	if err := op(e); err != nil {
		return err
	}
	if len(controls) > 0 {
		c := e.open(tagControls)
		for _, ctl := range controls {
			e.control(ctl)
		}
		e.close(c)
	}
	e.close(m)
	return nil
}

// control writes a control as go-ldap's Encode does; the paged-results
// control, the one the simulated clients send, without go-ldap's packet
// tree.
func (e *encoder) control(ctl ldap.Control) {
	if p, ok := ctl.(*ldap.ControlPaging); ok {
		s := e.open(tagSequence)
		e.str(tagOctetString, ldap.ControlTypePaging)
		v := e.open(tagOctetString)
		q := e.open(tagSequence)
		e.int(tagInteger, int64(p.PagingSize))
		e.bytes(tagOctetString, p.Cookie)
		e.close(q)
		e.close(v)
		e.close(s)
		return
	}
	e.b = append(e.b, ctl.Encode().Bytes()...)
}

func bindOp(user, password string) func(*encoder) error {
	return func(e *encoder) error {
		s := e.open(appBindRequest)
		e.int(tagInteger, 3)
		e.str(tagOctetString, user)
		e.str(tagContext0, password)
		e.close(s)
		return nil
	}
}

// startTLSOID is the StartTLS extended request's name (RFC 4511 §4.14.1).
const startTLSOID = "1.3.6.1.4.1.1466.20037"

func startTLSOp(e *encoder) error {
	s := e.open(appExtendedRequest)
	e.str(tagContext0, startTLSOID)
	e.close(s)
	return nil
}

func searchOp(r *ldap.SearchRequest) func(*encoder) error {
	return func(e *encoder) error {
		filter, err := compiledFilter(r.Filter)
		if err != nil {
			return err
		}
		s := e.open(appSearchRequest)
		e.str(tagOctetString, r.BaseDN)
		e.int(tagEnumerated, int64(r.Scope))
		e.int(tagEnumerated, int64(r.DerefAliases))
		e.int(tagInteger, int64(r.SizeLimit))
		e.int(tagInteger, int64(r.TimeLimit))
		e.bool(r.TypesOnly)
		e.b = append(e.b, filter...)
		a := e.open(tagSequence)
		for _, name := range r.Attributes {
			e.str(tagOctetString, name)
		}
		e.close(a)
		e.close(s)
		return nil
	}
}

func addOp(r *ldap.AddRequest) func(*encoder) error {
	return func(e *encoder) error {
		s := e.open(appAddRequest)
		e.str(tagOctetString, r.DN)
		l := e.open(tagSequence)
		for _, a := range r.Attributes {
			e.attribute(a.Type, a.Vals)
		}
		e.close(l)
		e.close(s)
		return nil
	}
}

func modifyOp(r *ldap.ModifyRequest) func(*encoder) error {
	return func(e *encoder) error {
		s := e.open(appModifyRequest)
		e.str(tagOctetString, r.DN)
		l := e.open(tagSequence)
		for _, c := range r.Changes {
			ch := e.open(tagSequence)
			e.int(tagEnumerated, int64(c.Operation))
			e.attribute(c.Modification.Type, c.Modification.Vals)
			e.close(ch)
		}
		e.close(l)
		e.close(s)
		return nil
	}
}

// attribute writes SEQUENCE { type, SET OF value } (an Attribute and a
// PartialAttribute encode alike).
func (e *encoder) attribute(name string, vals []string) {
	s := e.open(tagSequence)
	e.str(tagOctetString, name)
	set := e.open(tagSet)
	for _, v := range vals {
		e.str(tagOctetString, v)
	}
	e.close(set)
	e.close(s)
}

// compiledFilter is the filter as go-ldap's compiler writes it (RFC 4515
// text to RFC 4511 §4.5.1 BER). The simulated clients search two or three
// times a device, so its packet tree is not worth a cache.
func compiledFilter(f string) ([]byte, error) {
	p, err := ldap.CompileFilter(f)
	if err != nil {
		return nil, err
	}
	return p.Bytes(), nil
}
