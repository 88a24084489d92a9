package mockad

import (
	gldap "github.com/glauth/ldap"

	"github.com/autopilotsim/autopilotsim/internal/tlv"
)

// The BER the seam writes itself. The library builds a message as a tree of
// packets, each holding its content in a bytes.Buffer into which every
// child's encoding is copied again, level after level; glauth does that for
// every search entry it sends, and the seam did it for every request it
// handed glauth and every result it rewrote: together about a tenth of all
// the bytes a fleet allocated. The functions here write the same bytes
// straight into one slice, and each is checked against the library's path
// it replaces (leanwrite_test.go, FuzzLeanRewriteResult,
// FuzzLeanSearchForGlauth, FuzzEncodeSearchEntry). Where their input is not
// in the shortest form leanDecode accepts, they report it and the caller
// takes the library's path, as decodePacket does.

// searchEntrySizes returns the content length of each attribute's value
// SET and of the whole attribute list.
func searchEntrySizes(e *gldap.Entry, scratch []int) ([]int, int) {
	sizes := scratch[:0]
	list := 0
	for _, a := range e.Attributes {
		vals := 0
		for _, v := range a.Values {
			vals += tlv.Size(len(v))
		}
		sizes = append(sizes, vals)
		list += tlv.Size(tlv.Size(len(a.Name)) + tlv.Size(vals))
	}
	return sizes, list
}

// appendSearchEntry appends the LDAPMessage holding e as a
// SearchResultEntry (RFC 4511 §4.5.2), byte for byte what glauth's
// encodeSearchResponse writes: messageID, then [APPLICATION 4] { objectName,
// attributes SEQUENCE OF { type, vals SET OF value } }, no controls. scratch
// is reused for the attributes' sizes and returned.
func appendSearchEntry(b []byte, messageID int64, e *gldap.Entry, scratch []int) ([]byte, []int) {
	sizes, list := searchEntrySizes(e, scratch)
	entry := tlv.Size(len(e.DN)) + tlv.Size(list)
	var id [10]byte
	msg := len(tlv.AppendInteger(id[:0], 0x02, messageID)) + tlv.Size(entry)

	b = tlv.AppendLength(append(b, 0x30), msg)
	b = tlv.AppendInteger(b, 0x02, messageID)
	b = tlv.AppendLength(append(b, 0x60|byte(gldap.ApplicationSearchResultEntry)), entry)
	b = tlv.AppendString(b, 0x04, e.DN)
	b = tlv.AppendLength(append(b, 0x30), list)
	for i, a := range e.Attributes {
		b = tlv.AppendLength(append(b, 0x30), tlv.Size(len(a.Name))+tlv.Size(sizes[i]))
		b = tlv.AppendString(b, 0x04, a.Name)
		b = tlv.AppendLength(append(b, 0x31), sizes[i])
		for _, v := range a.Values {
			b = tlv.AppendString(b, 0x04, v)
		}
	}
	return b, sizes
}

// leanChildren returns the offsets of the children of the constructed
// element whose content is raw[c:c+n] (already checked by leanScan).
func leanChildren(raw []byte, c, n int, out []int) []int {
	for j := c; j < c+n; {
		out = append(out, j)
		_, j = leanSkip(raw, j)
	}
	return append(out, c+n)
}

// leanRewriteResult is rewriteResult(decodePacket(p), r).Bytes() for a
// response in the shortest form: the LDAPResult's resultCode, matchedDN and
// diagnosticMessage replaced, the operation's other fields (a bind's SASL
// credentials, an extended response's name and value) and the messageID as
// glauth wrote them, and the controls replaced when r has any. !ok when p
// is not in that form or not a message of two elements or more; the caller
// then takes the library's path.
func leanRewriteResult(p []byte, r *result) ([]byte, bool) {
	var cnt berCount
	end, ok := leanScan(p, 0, len(p), 0, &cnt)
	if !ok || p[0]&0x20 == 0 {
		return nil, false
	}
	c, n, _ := leanHeader(p, 0, end)
	var kidsBuf [8]int
	kids := leanChildren(p, c, n, kidsBuf[:0]) // offsets, then the end
	if len(kids) < 3 {
		return nil, false
	}
	msgID := p[kids[0]:kids[1]]
	opAt := kids[1]
	oc, on, _ := leanHeader(p, opAt, end)
	rest := p[oc+on : oc+on] // the operation's fields after the third
	if p[opAt]&0x20 != 0 {
		var opBuf [8]int
		opKids := leanChildren(p, oc, on, opBuf[:0])
		if len(opKids) > 4 {
			rest = p[opKids[3]:opKids[len(opKids)-1]]
		}
	}
	var controls []byte
	switch {
	case r.controls != nil:
		if len(r.controls) > 0 {
			var inner []byte
			for _, ctl := range r.controls {
				inner = append(inner, ctl.Bytes()...)
			}
			controls = tlv.Append(nil, 0xa0, inner)
		}
	case len(kids) > 3:
		controls = p[kids[2]:kids[3]]
	}
	var num [10]byte
	code := len(tlv.AppendInteger(num[:0], 0x0a, int64(r.code)))
	opLen := code + tlv.Size(len(r.matchedDN)) + tlv.Size(len(r.diag)) + len(rest)
	msgLen := len(msgID) + tlv.Size(opLen) + len(controls)
	out := make([]byte, 0, tlv.Size(msgLen))
	out = tlv.AppendLength(append(out, 0x30), msgLen)
	out = append(out, msgID...)
	out = tlv.AppendLength(append(out, 0x60|p[opAt]&0x1f), opLen)
	out = tlv.AppendInteger(out, 0x0a, int64(r.code))
	out = tlv.AppendString(out, 0x04, r.matchedDN)
	out = tlv.AppendString(out, 0x04, r.diag)
	out = append(out, rest...)
	return append(out, controls...), true
}

// presentObjectClass is the filter glauth is handed for every search:
// (objectClass=*), a [7] present match (RFC 4511 §4.5.1.7.5).
var presentObjectClass = []byte{0x87, 11, 'o', 'b', 'j', 'e', 'c', 't', 'C', 'l', 'a', 's', 's'}

// leanSearchForGlauth is searchForGlauth's bytes for a request in the
// shortest form: messageID and the first six fields as sent, the filter
// replaced by (objectClass=*), the attribute list emptied when keepAttrs
// is false, controls dropped. !ok when raw is not in that form or its
// operation does not have eight fields.
func leanSearchForGlauth(raw []byte, keepAttrs bool) ([]byte, bool) {
	var cnt berCount
	end, ok := leanScan(raw, 0, len(raw), 0, &cnt)
	if !ok || raw[0]&0x20 == 0 {
		return nil, false
	}
	c, n, _ := leanHeader(raw, 0, end)
	var kidsBuf [8]int
	kids := leanChildren(raw, c, n, kidsBuf[:0])
	if len(kids) < 3 || raw[kids[1]]&0x20 == 0 {
		return nil, false
	}
	oc, on, _ := leanHeader(raw, kids[1], end)
	var opBuf [12]int
	fields := leanChildren(raw, oc, on, opBuf[:0])
	if len(fields) != 9 {
		return nil, false
	}
	attrs := []byte{0x30, 0x00}
	if keepAttrs {
		attrs = raw[fields[7]:fields[8]]
	}
	msgID, head := raw[kids[0]:kids[1]], raw[fields[0]:fields[6]]
	opLen := len(head) + len(presentObjectClass) + len(attrs)
	msgLen := len(msgID) + tlv.Size(opLen)
	out := make([]byte, 0, tlv.Size(msgLen))
	out = tlv.AppendLength(append(out, 0x30), msgLen)
	out = append(out, msgID...)
	out = tlv.AppendLength(append(out, 0x60|byte(opSearchRequest)), opLen)
	out = append(out, head...)
	out = append(out, presentObjectClass...)
	return append(out, attrs...), true
}
