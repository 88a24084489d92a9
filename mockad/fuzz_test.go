package mockad

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"

	"github.com/autopilotsim/autopilotsim/sim"
)

// FuzzParseDN: ParseDN never panics, and what it accepts round-trips.
func FuzzParseDN(f *testing.F) {
	for _, s := range []string{"", "CN=PC001,OU=Autopilot,DC=corp,DC=contoso,DC=com", `CN=PC\2C031,DC=x`, `CN=\#a\ ,DC=x`,
		"cn=a;dc=b", "CN=#414243", "2.5.4.3=x", "CN=a+SN=b", `CN=a\`, "CN= x ,DC=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dn, err := ParseDN(s)
		if err != nil {
			return
		}
		again, err := ParseDN(dn.String())
		if err != nil {
			t.Fatalf("ParseDN(%q) ok but its String %q does not parse: %v", s, dn.String(), err)
		}
		if again.Norm() != dn.Norm() {
			t.Fatalf("round trip changed %q: %q vs %q", s, dn.Norm(), again.Norm())
		}
	})
}

func fuzzDirectory(t testing.TB) (*Directory, *entry) {
	d, err := NewDirectory(DomainConfig{DNSName: "corp.contoso.com", NetBIOSName: "CORP", MachineAccountQuota: 10},
		sim.NewScheduler(sim.Epoch, nil), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	dn, err := d.AddComputer("PC001", d.ComputersDN())
	if err != nil {
		t.Fatal(err)
	}
	n, _ := normDN(dn)
	return d, d.byDN[n]
}

// FuzzFilter: any filter go-ldap can compile decodes and evaluates without
// panicking; so does any BER the client could send instead.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{"(objectClass=*)", "(&(objectCategory=computer)(userAccountControl:1.2.840.113556.1.4.803:=2))",
		"(|(cn=PC*)(!(sAMAccountName=x)))", "(cn=*a*b*c)", "(objectSid=S-1-5-21-1-2-3-4)", "(uSNCreated>=3)", "(cn~=pc001)",
		"(:dn:2.5.13.5:=x)", "(objectGUID=\\00\\ff)"} {
		f.Add(s, []byte(nil))
	}
	f.Add("", []byte{0xa0, 0x03, 0x87, 0x01, 0x41})
	d, e := fuzzDirectory(f)
	f.Fuzz(func(t *testing.T, s string, raw []byte) {
		var pkt *ber.Packet
		if p, err := ldap.CompileFilter(s); err == nil {
			pkt, _ = ber.DecodePacketErr(p.Bytes())
		}
		if raw != nil {
			if p, err := ber.DecodePacketErr(raw); err == nil {
				pkt = p
			}
		}
		if pkt == nil {
			return
		}
		flt, err := decodeFilter(pkt)
		if err != nil {
			return
		}
		d.mu.RLock()
		defer d.mu.RUnlock()
		_ = d.match(flt, func(a string) []string { return d.valuesOf(e, a) })
	})
}

// FuzzSeamIntercept: the request reader never panics on client bytes.
func FuzzSeamIntercept(f *testing.F) {
	f.Add([]byte{0x30, 0x05, 0x02, 0x01, 0x01, 0x50, 0x00})
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		n, ok, err := berLength(b, DefaultLimits().MaxReceiveBuffer)
		if err != nil || !ok {
			return
		}
		if n > len(b) {
			t.Fatalf("berLength %d beyond %d bytes", n, len(b))
		}
		if _, err := berElements(b[:n], 16); errors.Is(err, errTooComplex) {
			_, _ = limitSubstitute(b[:n])
		}
		c := &seamConn{}
		_ = c.intercept(b[:n])
		_, _ = c.request()
		_ = strings.TrimSpace("")
	})
}

// FuzzLDIF: the LDIF reader never panics, and an import of anything it
// accepts leaves a directory that still exports.
func FuzzLDIF(f *testing.F) {
	f.Add("version: 1\n\ndn: OU=a,DC=corp,DC=contoso,DC=com\nobjectClass: organizationalUnit\nou: a\n")
	f.Add("dn: CN=x\ncn:: QUJD\n de\n")
	f.Add("# c\n\ndn: CN=PC1,CN=Computers,DC=corp,DC=contoso,DC=com\nobjectClass: computer\nsAMAccountName: PC1$\n")
	f.Fuzz(func(t *testing.T, s string) {
		d, _ := fuzzDirectory(t)
		if _, err := ParseLDIF(strings.NewReader(s)); err != nil {
			return
		}
		_, _ = d.ImportLDIF(strings.NewReader(s))
		var b strings.Builder
		if err := d.ExportLDIF(&b); err != nil {
			t.Fatal(err)
		}
	})
}
