package mockad

import (
	ber "github.com/go-asn1-ber/asn1-ber"

	"github.com/autopilotsim/autopilotsim/internal/tlv"
)

// What glauth is handed of an add or a modify. glauth decodes every
// request it reads with the BER library, whose reader costs about 2 KB per
// element; an add of a computer is some 40 elements, and glauth's parsed
// attributes and changes are never used: the handlers read the seam's copy
// of the request (doc.go). So a request glauth would accept reaches it
// without them, as the same message with an empty attribute or change
// list: glauth calls the same handler with the same connection and writes
// the same response. A request glauth would refuse (protocolError, before
// any handler) reaches it as sent, and it refuses it as before.

// glauthAcceptsAdd reports whether glauth's HandleAddRequest would call the
// handler: the entry's DN and every attribute type and value decode as
// strings, and every attribute is a type and a value set.
func glauthAcceptsAdd(op *ber.Packet) bool {
	if len(op.Children) != 2 || !isString(op.Children[0]) {
		return false
	}
	for _, a := range op.Children[1].Children {
		if len(a.Children) != 2 || !isString(a.Children[0]) || !allStrings(a.Children[1].Children) {
			return false
		}
	}
	return true
}

// glauthAcceptsModify is glauthAcceptsAdd for HandleModifyRequest: each
// change is an operation glauth knows (add, delete, replace) and an
// attribute of a type and a value set.
func glauthAcceptsModify(op *ber.Packet) bool {
	if len(op.Children) != 2 || !isString(op.Children[0]) {
		return false
	}
	for _, ch := range op.Children[1].Children {
		if len(ch.Children) != 2 {
			return false
		}
		attr := ch.Children[1].Children
		if len(attr) != 2 || !isString(attr[0]) || !allStrings(attr[1].Children) {
			return false
		}
		if kind, ok := ch.Children[0].Value.(int64); !ok || kind < 0 || kind > 2 {
			return false
		}
	}
	return true
}

func isString(p *ber.Packet) bool { _, ok := p.Value.(string); return ok }

func allStrings(ps []*ber.Packet) bool {
	for _, p := range ps {
		if !isString(p) {
			return false
		}
	}
	return true
}

// withoutList returns the LDAPMessage raw with the second element of its
// protocolOp (an add's attributes, a modify's changes) replaced by an empty
// SEQUENCE, messageID and controls as sent; nil when raw does not split
// into elements in the shortest form (the caller then hands raw as is).
func withoutList(raw []byte) []byte {
	c, n, ok := leanHeader(raw, 0, len(raw))
	if !ok {
		return nil
	}
	// messageID, protocolOp, then any controls.
	idEnd, ok := elementEnd(raw, c, c+n)
	if !ok {
		return nil
	}
	opEnd, ok := elementEnd(raw, idEnd, c+n)
	if !ok {
		return nil
	}
	oc, on, ok := leanHeader(raw, idEnd, opEnd)
	if !ok {
		return nil
	}
	dnEnd, ok := elementEnd(raw, oc, oc+on)
	if !ok {
		return nil
	}
	dn, rest := raw[oc:dnEnd], raw[opEnd:c+n]
	opLen := len(dn) + 2
	msgLen := (idEnd - c) + 1 + tlv.LengthSize(opLen) + opLen + len(rest)
	out := make([]byte, 0, 1+tlv.LengthSize(msgLen)+msgLen)
	out = tlv.AppendLength(append(out, raw[0]), msgLen)
	out = append(out, raw[c:idEnd]...)
	out = tlv.AppendLength(append(out, raw[idEnd]), opLen)
	out = append(out, dn...)
	out = append(out, 0x30, 0x00)
	return append(out, rest...)
}

// elementEnd is the offset past the element at i, which must lie within end.
func elementEnd(raw []byte, i, end int) (int, bool) {
	c, n, ok := leanHeader(raw, i, end)
	return c + n, ok
}
