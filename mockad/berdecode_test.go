package mockad

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// samePacket says how two decoded trees differ, or "" when every field
// (Data and ByteValue down to being nil or empty) is the same.
func samePacket(a, b *ber.Packet, path string) string {
	switch {
	case a == nil || b == nil:
		if a != b {
			return path + ": one tree is nil"
		}
		return ""
	case a.Identifier != b.Identifier:
		return fmt.Sprintf("%s: identifier %+v, want %+v", path, a.Identifier, b.Identifier)
	case a.Description != b.Description:
		return path + ": description"
	case !sameValue(a.Value, b.Value):
		return fmt.Sprintf("%s: value %#v, want %#v", path, a.Value, b.Value)
	case (a.ByteValue == nil) != (b.ByteValue == nil) || !bytes.Equal(a.ByteValue, b.ByteValue):
		return fmt.Sprintf("%s: byte value %x, want %x", path, a.ByteValue, b.ByteValue)
	case (a.Data == nil) != (b.Data == nil):
		return path + ": Data nil on one side"
	case a.Data != nil && ((a.Data.Bytes() == nil) != (b.Data.Bytes() == nil) || !bytes.Equal(a.Data.Bytes(), b.Data.Bytes())):
		return fmt.Sprintf("%s: data %x, want %x", path, a.Data.Bytes(), b.Data.Bytes())
	case (a.Children == nil) != (b.Children == nil) || len(a.Children) != len(b.Children):
		return fmt.Sprintf("%s: %d children, want %d", path, len(a.Children), len(b.Children))
	}
	for i := range a.Children {
		if d := samePacket(a.Children[i], b.Children[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// sameValue is reflect.DeepEqual but for a REAL's NaN, which both decoders
// give for the special value 0x42 (X.690 §8.5.9) and which never equals itself.
func sameValue(a, b interface{}) bool {
	if x, ok := a.(float64); ok {
		if y, ok := b.(float64); ok && math.IsNaN(x) && math.IsNaN(y) {
			return true
		}
	}
	return reflect.DeepEqual(a, b)
}

// ldapMessages are requests and results as go-ldap and glauth encode them.
func ldapMessages() [][]byte {
	env := func(id int64, op *ber.Packet, controls ...*ber.Packet) []byte {
		p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAPMessage")
		p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "messageID"))
		p.AppendChild(op)
		if len(controls) > 0 {
			cp := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
			for _, c := range controls {
				cp.AppendChild(c)
			}
			p.AppendChild(cp)
		}
		return p.Bytes()
	}
	str := func(s string) *ber.Packet {
		return ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, s, "")
	}
	add := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationAddRequest, nil, "AddRequest")
	add.AppendChild(str("CN=AP-0001,OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com"))
	attrs := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attributes")
	for _, kv := range [][]string{{"objectClass", "top", "person", "computer"}, {"sAMAccountName", "AP-0001$"},
		{"description", string(bytes.Repeat([]byte("long value "), 40))}, {"unicodePwd", "\"\x00P\x00w\x00\"\x00"}} {
		a := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attribute")
		a.AppendChild(str(kv[0]))
		vals := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "values")
		for _, v := range kv[1:] {
			vals.AppendChild(str(v))
		}
		a.AppendChild(vals)
		attrs.AppendChild(a)
	}
	add.AppendChild(attrs)
	search := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationSearchRequest, nil, "SearchRequest")
	search.AppendChild(str("DC=corp,DC=contoso,DC=com"))
	search.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 2, "scope"))
	search.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 0, "deref"))
	search.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 1000, "sizeLimit"))
	search.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 0, "timeLimit"))
	search.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, true, "typesOnly"))
	and := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "and")
	eq := ber.Encode(ber.ClassContext, ber.TypeConstructed, 3, nil, "equalityMatch")
	eq.AppendChild(str("sAMAccountName"))
	eq.AppendChild(str("AP-0001$"))
	and.AppendChild(eq)
	and.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 7, "objectClass", "present"))
	search.AppendChild(and)
	search.AppendChild(ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attributes"))
	paging := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "control")
	paging.AppendChild(str(oidPaged))
	paging.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, false, ""))
	paging.AppendChild(str("\x30\x05\x02\x01\x05\x04\x00"))
	ext := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationExtendedRequest, nil, "ExtendedRequest")
	ext.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, oidStartTLS, "requestName"))
	res := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationAddResponse, nil, "AddResponse")
	res.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 68, "resultCode"))
	res.AppendChild(str(""))
	res.AppendChild(str("00002071: UpdErr: DSID-030502F8, problem 6005 (ENTRY_EXISTS), data 0"))
	null := ber.Encode(ber.ClassUniversal, ber.TypePrimitive, ber.TagNULL, nil, "null")
	return [][]byte{
		bindRequest(1, "alice@corp.contoso.com", "Passw0rd!"),
		bindRequest(70000, "", ""),
		env(2, add), env(3, search, paging), env(4, ext), env(5, res), env(6, null),
		env(-1, ber.NewString(ber.ClassApplication, ber.TypePrimitive, ldap.ApplicationDelRequest, "CN=x,DC=corp", "")),
	}
}

// oddEncodings are BER the lean path leaves to the library.
var oddEncodings = [][]byte{
	{0x30, 0x81, 0x03, 0x02, 0x01, 0x01},       // long-form length that fits the short form
	{0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x01}, // leading zero length octet
	{0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00}, // indefinite length
	{0x30, 0x05, 0x02, 0x01, 0x01, 0x00, 0x00}, // end-of-contents in a definite length
	{0x30, 0x04, 0x1f, 0x81, 0x00, 0x00},       // high-tag-number form
	{0x30, 0x03, 0x06, 0x01, 0x2a},             // OBJECT IDENTIFIER
	{0x30, 0x03, 0x0c, 0x01, 0xff},             // UTF8String, not UTF-8
	{0x30, 0x03, 0x02, 0x01},                   // truncated
	{0x30, 0x03, 0x02, 0x02, 0x01, 0x01},       // child past its parent
	{0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9},    // INTEGER over 8 octets
	{0x01, 0x00},                               // empty BOOLEAN
	{0x30, 0x00},                               // empty SEQUENCE
	{0x04, 0x00, 0xde, 0xad},                   // trailing bytes
}

// FuzzLeanDecode: decodePacket gives the tree ber.DecodePacketErr gives, or
// the same error, for any bytes.
func FuzzLeanDecode(f *testing.F) {
	for _, m := range append(ldapMessages(), oddEncodings...) {
		f.Add(m)
		for _, cut := range []int{1, len(m) / 2, len(m) - 1} {
			f.Add(m[:cut])
		}
		for i := 0; i < len(m); i += 7 {
			flipped := append([]byte(nil), m...)
			flipped[i] ^= 0x81
			f.Add(flipped)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := ber.DecodePacketErr(b)
		got, gerr := decodePacket(b)
		if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
			t.Fatalf("error %v, want %v", gerr, werr)
		}
		if d := samePacket(got, want, "message"); d != "" {
			t.Fatalf("%x: %s", b, d)
		}
		if got != nil && !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%x: re-encoded %x, want %x", b, got.Bytes(), want.Bytes())
		}
	})
}

// TestLeanDecodeTakesLDAP: the messages clients send take the lean path
// (a change that sent them all to the library would pass the fuzz target).
func TestLeanDecodeTakesLDAP(t *testing.T) {
	for i, m := range ldapMessages() {
		if leanDecode(m) == nil {
			t.Errorf("message %d (%x) left to the library", i, m)
		}
	}
	for i, m := range oddEncodings[:6] {
		if leanDecode(m) != nil {
			t.Errorf("odd encoding %d (%x) decoded by the lean path", i, m)
		}
	}
}
