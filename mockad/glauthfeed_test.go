package mockad

import (
	"bytes"
	"net"
	"testing"

	gldap "github.com/glauth/ldap"
	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// calledBack records whether glauth called the handler.
type calledBack struct{ called bool }

func (c *calledBack) Add(string, gldap.AddRequest, net.Conn) (gldap.LDAPResultCode, error) {
	c.called = true
	return gldap.LDAPResultSuccess, nil
}

func (c *calledBack) Modify(string, gldap.ModifyRequest, net.Conn) (gldap.LDAPResultCode, error) {
	c.called = true
	return gldap.LDAPResultSuccess, nil
}

// glauthCalls reports whether glauth's own dispatch of the LDAPMessage
// raw reaches the add or modify handler.
func glauthCalls(t *testing.T, raw []byte) bool {
	pkt, err := ber.DecodePacketErr(raw)
	if err != nil || len(pkt.Children) < 2 {
		return false
	}
	cb := &calledBack{}
	switch op := pkt.Children[1]; op.Tag {
	case opAddRequest:
		gldap.HandleAddRequest(op, "", map[string]gldap.Adder{"": cb}, nil)
	case opModifyRequest:
		gldap.HandleModifyRequest(op, "", map[string]gldap.Modifier{"": cb}, nil)
	}
	return cb.called
}

func addAndModifyRequests() [][]byte {
	add := ldap.NewAddRequest("CN=AP-0001,OU=Autopilot,DC=corp,DC=contoso,DC=com", []ldap.Control{ldap.NewControlManageDsaIT(true)})
	add.Attribute("objectClass", []string{"top", "computer"})
	add.Attribute("sAMAccountName", []string{"AP-0001$"})
	add.Attribute("description", []string{string(bytes.Repeat([]byte("x"), 300))})
	mod := ldap.NewModifyRequest("CN=AP-0001,OU=Autopilot,DC=corp,DC=contoso,DC=com", nil)
	mod.Replace("unicodePwd", []string{"\"\x00P\x00\"\x00"})
	mod.Add("servicePrincipalName", []string{"HOST/AP-0001", "HOST/AP-0001.corp.contoso.com"})
	mod.Delete("description", nil)
	var out [][]byte
	for i, op := range []*ber.Packet{encodeAdd(add), encodeModify(mod)} {
		env := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAPMessage")
		env.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(i+7), "messageID"))
		env.AppendChild(op)
		out = append(out, env.Bytes())
		if i == 0 { // with controls
			ctl := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
			ctl.AppendChild(add.Controls[0].Encode())
			env.AppendChild(ctl)
			out = append(out, env.Bytes())
		}
	}
	return out
}

func encodeAdd(r *ldap.AddRequest) *ber.Packet {
	p := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationAddRequest, nil, "Add Request")
	p.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, r.DN, "DN"))
	attrs := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attributes")
	for _, a := range r.Attributes {
		seq := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attribute")
		seq.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, a.Type, "Type"))
		set := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "AttributeValue")
		for _, v := range a.Vals {
			set.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, v, "Vals"))
		}
		seq.AppendChild(set)
		attrs.AppendChild(seq)
	}
	p.AppendChild(attrs)
	return p
}

func encodeModify(r *ldap.ModifyRequest) *ber.Packet {
	p := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationModifyRequest, nil, "Modify Request")
	p.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, r.DN, "DN"))
	changes := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Changes")
	for _, c := range r.Changes {
		ch := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Change")
		ch.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, uint64(c.Operation), "Operation"))
		attr := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Modification")
		attr.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, c.Modification.Type, "Type"))
		set := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "Vals")
		for _, v := range c.Modification.Vals {
			set.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, v, "Val"))
		}
		attr.AppendChild(set)
		ch.AppendChild(attr)
		changes.AppendChild(ch)
	}
	p.AppendChild(changes)
	return p
}

// FuzzGlauthFeed: the seam hands glauth a shortened add or modify exactly
// when glauth would accept the request as sent; glauth accepts the
// shortened one, whose messageID, DN and controls are those sent.
func FuzzGlauthFeed(f *testing.F) {
	for _, m := range addAndModifyRequests() {
		f.Add(m)
		for i := 0; i < len(m); i += 3 {
			for _, x := range []byte{0x01, 0x04, 0x20, 0x80} {
				mutated := append([]byte(nil), m...)
				mutated[i] ^= x
				f.Add(mutated)
			}
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		n, ok, err := berLength(raw, DefaultLimits().MaxReceiveBuffer)
		if err != nil || !ok {
			return
		}
		raw = raw[:n]
		c := &seamConn{}
		out := c.intercept(raw)
		if c.cur == nil || len(c.cur.Children) < 2 {
			return
		}
		tag := c.cur.Children[1].Tag
		if tag != opAddRequest && tag != opModifyRequest {
			return
		}
		shortened := !bytes.Equal(out, raw)
		accepts := glauthCalls(t, raw)
		if shortened && !accepts {
			t.Fatalf("%x: shortened for glauth, which refuses it as sent", raw)
		}
		if !shortened {
			return
		}
		if !glauthCalls(t, out) {
			t.Fatalf("%x: glauth refuses the shortened %x", raw, out)
		}
		sent, _ := ber.DecodePacketErr(raw)
		got, err := ber.DecodePacketErr(out)
		if err != nil || len(got.Children) != len(sent.Children) || got.Children[1].Tag != tag ||
			!bytes.Equal(got.Children[0].Bytes(), sent.Children[0].Bytes()) ||
			!bytes.Equal(got.Children[1].Children[0].Bytes(), sent.Children[1].Children[0].Bytes()) ||
			len(got.Children[1].Children[1].Children) != 0 ||
			(len(sent.Children) > 2 && !bytes.Equal(got.Children[2].Bytes(), sent.Children[2].Bytes())) {
			t.Fatalf("%x: shortened to %x", raw, out)
		}
	})
}

// TestGlauthFeedShortens: the adds and modifies clients send are shortened.
func TestGlauthFeedShortens(t *testing.T) {
	for i, m := range addAndModifyRequests() {
		c := &seamConn{}
		if out := c.intercept(m); len(out) >= len(m) {
			t.Errorf("request %d handed to glauth as sent (%d bytes)", i, len(out))
		}
	}
}
