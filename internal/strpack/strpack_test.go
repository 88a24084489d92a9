package strpack_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"unsafe"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/internal/strpack"
)

// start is where a string's bytes begin.
func start(s string) uintptr { return uintptr(unsafe.Pointer(unsafe.StringData(s))) }

var _ = Describe("Pack", func() {
	DescribeTable("keeps every value and puts the non-empty ones side by side in one allocation",
		func(in []string) {
			ps := make([]*string, len(in))
			got := make([]string, len(in))
			for i := range in {
				got[i] = strings.Clone(in[i])
				ps[i] = &got[i]
			}
			strpack.Pack(ps...)
			Expect(got).To(Equal(in))
			var next uintptr
			for _, s := range got {
				if s == "" {
					continue
				}
				if next != 0 {
					Expect(start(s)).To(Equal(next), "each copy follows the one before it")
				}
				next = start(s) + uintptr(len(s))
			}
		},
		Entry("nothing", []string{}),
		Entry("only empty strings", []string{"", ""}),
		Entry("one", []string{"ODJCONN001"}),
		Entry("a blob's fields, an empty one among them", []string{"corp.contoso.com", "CORP", "", "AP-0001", "CN=AP-0001,OU=Autopilot,DC=corp,DC=contoso,DC=com"}),
		Entry("multi-byte and control characters", []string{"é\x00", "\u2028", "\xff"}),
	)

	It("packs a slice in place as it packs pointers to its strings", func() {
		in := []string{"CN=AP-0001", "", "host/AP-0001.corp.contoso.com", "é"}
		got := make([]string, len(in))
		for i := range in {
			got[i] = strings.Clone(in[i])
		}
		strpack.PackSlice(got)
		Expect(got).To(Equal(in))
		Expect(start(got[2])).To(Equal(start(got[0])+uintptr(len(got[0]))), "side by side, the empty one skipped")
		strpack.PackSlice(nil)
	})

	It("packs a field of each element through PackFunc, as mockad packs a DN's values", func() {
		type rdn struct{ Type, Value string }
		in := []rdn{{"CN", "AP-0001"}, {"OU", "Autopilot"}, {"DC", ""}, {"DC", "contoso"}}
		got := make([]rdn, len(in))
		for i, r := range in {
			got[i] = rdn{r.Type, strings.Clone(r.Value)}
		}
		strpack.PackFunc(len(got), func(i int) *string { return &got[i].Value })
		Expect(got).To(Equal(in))
		Expect(start(got[1].Value)).To(Equal(start(got[0].Value)+uintptr(len(got[0].Value))), "side by side")
		Expect(start(got[3].Value)).To(Equal(start(got[1].Value)+uintptr(len(got[1].Value))), "the empty one skipped")
		strpack.PackFunc(0, nil)
	})

	It("leaves the same string pointed to twice the same value", func() {
		s := strings.Clone("shared")
		strpack.Pack(&s, &s)
		Expect(s).To(Equal("shared"))
	})
})

// FuzzPack: whatever the strings, each keeps its value.
func FuzzPack(f *testing.F) {
	f.Add("corp.contoso.com", "", "CN=AP-1,DC=corp")
	f.Add("", "", "")
	f.Add("\x00\xff", "é", "a")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		x, y, z := strings.Clone(a), strings.Clone(b), strings.Clone(c)
		strpack.Pack(&x, &y, &z, &x)
		if x != a || y != b || z != c {
			t.Fatalf("Pack changed a value: %q %q %q -> %q %q %q", a, b, c, x, y, z)
		}
		ss := []string{strings.Clone(c), strings.Clone(a), strings.Clone(b)}
		strpack.PackSlice(ss)
		if ss[0] != c || ss[1] != a || ss[2] != b {
			t.Fatalf("PackSlice changed a value: %q %q %q -> %q", c, a, b, ss)
		}
	})
}

var _ = Describe("Base64", func() {
	DescribeTable("writes what EncodeToString writes, padding included",
		func(n int) {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(i*37 + 11)
			}
			Expect(strpack.Base64(b)).To(Equal(base64.StdEncoding.EncodeToString(b)))
		},
		Entry("nothing", 0),
		Entry("one byte (two pad characters)", 1),
		Entry("two bytes (one pad character)", 2),
		Entry("three bytes (no padding)", 3),
		Entry("a hardware hash's 3,072 bytes", 3072),
	)
})

var _ = Describe("Arena", func() {
	It("keeps every value, and packs the strings of many calls into one chunk", func() {
		var a strpack.Arena
		var kept []string
		for i := range 200 {
			x, y, empty := strings.Repeat("x", i%7+1), strings.Clone("device-"+strings.Repeat("9", i%3)), ""
			a.Pack(&x, &empty, &y)
			Expect(empty).To(BeEmpty())
			g := a.String([]byte("guid-" + x))
			kept = append(kept, x, y, g)
			Expect(x).To(Equal(strings.Repeat("x", i%7+1)))
			Expect(y).To(Equal("device-" + strings.Repeat("9", i%3)))
			Expect(g).To(Equal("guid-" + x))
		}
		// 200 rounds of under 40 bytes fit in one 16 KB chunk: every
		// string follows the one before it.
		for i := 1; i < len(kept); i++ {
			Expect(start(kept[i])).To(Equal(start(kept[i-1])+uintptr(len(kept[i-1]))), "string %d", i)
		}
	})

	It("starts a new chunk when one is full, and gives a large string an allocation of its own", func() {
		var a strpack.Arena
		small := a.String([]byte("a"))
		big := strings.Repeat("b", 5000)
		got := a.String([]byte(big))
		Expect(got).To(Equal(big))
		after := a.String([]byte("c"))
		Expect(start(after)).To(Equal(start(small)+1), "the large string did not take the chunk's room")
		for range 20 {
			a.String([]byte(strings.Repeat("d", 1000)))
		}
		s := a.String([]byte("e"))
		Expect(s).To(Equal("e"))
	})

	It("packs as Pack and copies as string() when nil", func() {
		var a *strpack.Arena
		x := strings.Clone("x")
		a.Pack(&x)
		Expect(x).To(Equal("x"))
		Expect(a.String([]byte("y"))).To(Equal("y"))
		Expect(a.String(nil)).To(BeEmpty())
	})

	It("is safe for concurrent use", func() {
		var a strpack.Arena
		done := make(chan []string)
		for g := range 4 {
			go func() {
				var out []string
				for i := range 500 {
					out = append(out, a.String([]byte(strings.Repeat(string(rune('a'+g)), i%50+1))))
				}
				done <- out
			}()
		}
		for range 4 {
			out := <-done
			for i, s := range out {
				Expect(s).To(HaveLen(i%50 + 1))
				Expect(strings.Count(s, s[:1])).To(Equal(len(s)))
			}
		}
	})
})
