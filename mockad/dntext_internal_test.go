package mockad

import (
	"fmt"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The DN text as it was written before dntext.go wrote it with append
// (strings.Builder, concatenation and Join): the reference the fuzz target
// holds the new code to, byte for byte.
func refEscape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case strings.IndexByte(`,+"\<>;`, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '#' && i == 0, c == ' ' && (i == 0 || i == len(v)-1):
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func refString(dn DN) string {
	parts := make([]string, len(dn))
	for i, r := range dn {
		t := r.Type
		if u, ok := upperTypes[strings.ToLower(t)]; ok {
			t = u
		}
		parts[i] = t + "=" + refEscape(r.Value)
	}
	return strings.Join(parts, ",")
}

func refNorm(dn DN) string {
	parts := make([]string, len(dn))
	for i, r := range dn {
		parts[i] = strings.ToLower(r.Type) + "=" + strings.ToLower(refEscape(r.Value))
	}
	return strings.Join(parts, ",")
}

// FuzzDNText: String, Norm and EscapeDNValue write what the reference
// wrote for any types and values, ASCII or not; and a search's attribute
// selection matches a name exactly when strings.ToLower says so.
func FuzzDNText(f *testing.F) {
	for _, s := range [][3]string{{"CN", "PC001", "DC"}, {"cn", `a,b+c"d\e<f>g;h`, "dc"}, {"Ou", "#x ", "o"},
		{"ST", " lead", "l"}, {"cn", "ctl\x00\x1f\x7f", "c"}, {"CN", "É\u2028ſ", "KN"}, {"2.5.4.3", "", "objectGUID"},
		{"ｃｎ", "\xff\xfe", "İ"}, {"sAMAccountName", "x", "SAMACCOUNTNAME"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, typ, val, other string) {
		dn := DN{{Type: typ, Value: val}, {Type: other, Value: typ}, {Type: "DC", Value: other}}
		if got, want := dn.String(), refString(dn); got != want {
			t.Fatalf("String %q, the reference wrote %q", got, want)
		}
		if got, want := dn.Norm(), refNorm(dn); got != want {
			t.Fatalf("Norm %q, the reference wrote %q", got, want)
		}
		if got, want := EscapeDNValue(val), refEscape(val); got != want {
			t.Fatalf("EscapeDNValue %q, the reference wrote %q", got, want)
		}
		sel := selectAttrs([]string{other})
		want := other != "*" && other != "+" && other != "1.1" && other != "" && strings.ToLower(typ) == strings.ToLower(other)
		if got := sel.wants(typ); got != want {
			t.Fatalf("selection of %q wants %q: %v, strings.ToLower says %v", other, typ, got, want)
		}
	})
}

var _ = ginkgo.Describe("canonType (the printed form of an RDN type)", func() {
	ginkgo.It("has room for every upper-cased type: each key of upperTypes is lower-case ASCII of at most maxUpperType bytes", func() {
		for k, u := range upperTypes {
			Expect(len(k)).To(BeNumerically("<=", maxUpperType), k)
			Expect(isASCII(k)).To(BeTrue(), k)
			Expect(canonType(k)).To(Equal(u))
			Expect(canonType(u)).To(Equal(u))
		}
		Expect(canonType("sAMAccountName")).To(Equal("sAMAccountName"), "a type longer than the buffer keeps its case")
		Expect(canonType("Ou")).To(Equal("OU"))
	})
})
