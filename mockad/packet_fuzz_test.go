package mockad

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"

	"github.com/autopilotsim/autopilotsim/sim"
)

// bindRequest is an LDAP simple bind (RFC 4511 section 4.2) as raw BER.
func bindRequest(id int64, name, password string) []byte {
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAPMessage")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "messageID"))
	b := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationBindRequest, nil, "BindRequest")
	b.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 3, "version"))
	b.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, name, "name"))
	b.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, password, "simple"))
	p.AppendChild(b)
	return p.Bytes()
}

func packetDirectory(f *testing.F) *Directory {
	dir, err := NewDirectory(DomainConfig{DNSName: "corp.contoso.com", NetBIOSName: "CORP", MachineAccountQuota: 10,
		OUs: []string{"OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com"}}, sim.NewScheduler(sim.Epoch, nil), rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := dir.AddUser("alice", "alice-pw", "alice@corp.contoso.com", false); err != nil {
		f.Fatal(err)
	}
	return dir
}

// addPacketSeeds adds the corpus both packet fuzzers start from.
func addPacketSeeds(f *testing.F) {
	search := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAPMessage")
	search.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 2, "messageID"))
	sr := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationSearchRequest, nil, "SearchRequest")
	sr.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "base"))
	sr.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 0, "scope"))
	sr.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 0, "deref"))
	sr.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 0, "sizeLimit"))
	sr.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 0, "timeLimit"))
	sr.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, false, "typesOnly"))
	sr.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 7, "objectClass", "present"))
	sr.AppendChild(ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attributes"))
	search.AppendChild(sr)
	f.Add(false, search.Bytes())
	f.Add(true, search.Bytes())
	f.Add(false, bindRequest(1, "alice@corp.contoso.com", "wrong"))
	f.Add(true, []byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})        // a 4 GB length
	f.Add(false, []byte{0x30, 0x05, 0x02, 0x01, 0x01, 0x42, 0x00}) // unbind
	f.Add(true, append(search.Bytes()[:len(search.Bytes())-3], 0x30))
}

// FuzzLDAPPackets sends arbitrary bytes to a running DC over a real socket,
// on a fresh connection (before any bind) or after a successful bind, and
// requires that the server answers or hangs up within the limits and keeps
// serving other clients: no panic, no wedged server, whatever arrives.
func FuzzLDAPPackets(f *testing.F) {
	dir := packetDirectory(f)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	srv := NewServer(dir, ServerOptions{})
	go func() { _ = srv.Serve(ln) }()
	f.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().String()

	addPacketSeeds(f)

	f.Fuzz(func(t *testing.T, bound bool, data []byte) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// A deadline only against a wedged server: a healthy one answers or
		// hangs up as soon as the client's side is closed.
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if bound {
			if _, err := c.Write(bindRequest(1, "alice@corp.contoso.com", "alice-pw")); err != nil {
				t.Fatal(err)
			}
		}
		_, _ = c.Write(data) // the server may already have hung up
		_ = c.(*net.TCPConn).CloseWrite()
		if _, err := io.Copy(io.Discard, c); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("server neither answered nor hung up within 10 s (bound=%v, %d bytes)", bound, len(data))
			}
		}
		// The server still serves another client.
		lc, err := ldap.DialURL("ldap://" + addr)
		if err != nil {
			t.Fatalf("server no longer accepts connections: %v", err)
		}
		defer lc.Close()
		if _, err := lc.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=*)", []string{"defaultNamingContext"}, nil)); err != nil {
			t.Fatalf("rootDSE search after the hostile client: %v", err)
		}
	})
}

// FuzzInlinePackets sends arbitrary bytes over DialInline, where glauth's
// loop runs as a coroutine of the client: a panic in it would be raised
// here, and a wedged loop would keep the client's Close from returning.
// Whatever arrives, Close returns, and the server serves the next client.
func FuzzInlinePackets(f *testing.F) {
	srv := NewServer(packetDirectory(f), ServerOptions{})
	f.Cleanup(func() { _ = srv.Close() })
	addPacketSeeds(f)

	f.Fuzz(func(t *testing.T, bound bool, data []byte) {
		ctx := context.Background()
		c, err := srv.DialInline(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if bound {
			if _, err := c.Write(bindRequest(1, "alice@corp.contoso.com", "alice-pw")); err != nil {
				t.Fatal(err)
			}
		}
		_, _ = c.Write(data) // the server may already have hung up
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		nc, err := srv.DialInline(ctx)
		if err != nil {
			t.Fatalf("server no longer accepts connections: %v", err)
		}
		lc := ldap.NewConn(nc, false)
		lc.Start()
		defer lc.Close()
		if _, err := lc.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=*)", []string{"defaultNamingContext"}, nil)); err != nil {
			t.Fatalf("rootDSE search after the hostile client: %v", err)
		}
	})
}
