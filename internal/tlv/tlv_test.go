package tlv_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/internal/tlv"
)

// library is what go-asn1-ber writes for the same elements.
func libraryString(s string) []byte {
	return ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, s, "").Bytes()
}

func libraryInteger(v int64) []byte {
	return ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, v, "").Bytes()
}

var _ = Describe("tlv", func() {
	DescribeTable("writes a string as go-asn1-ber does, at every length boundary",
		func(n int) {
			s := strings.Repeat("x", n)
			Expect(tlv.AppendString(nil, 0x04, s)).To(Equal(libraryString(s)))
			Expect(tlv.Append(nil, 0x04, []byte(s))).To(Equal(libraryString(s)))
			Expect(tlv.Size(n)).To(Equal(len(libraryString(s))))
		},
		Entry("empty", 0), Entry("1", 1), Entry("127", 127), Entry("128: the long form", 128), Entry("255", 255),
		Entry("256: two length octets", 256), Entry("65535", 65535), Entry("65536: three", 65536), Entry("1 MiB", 1<<20),
	)

	DescribeTable("writes an integer as go-asn1-ber does, at every width boundary",
		func(v int64) { Expect(tlv.AppendInteger(nil, 0x0a, v)).To(Equal(libraryInteger(v))) },
		Entry("0", int64(0)), Entry("1", int64(1)), Entry("-1", int64(-1)), Entry("127", int64(127)), Entry("128", int64(128)),
		Entry("-128", int64(-128)), Entry("-129", int64(-129)), Entry("32768", int64(32768)), Entry("2^31", int64(1)<<31),
		Entry("the smallest", int64(math.MinInt64)), Entry("the largest", int64(math.MaxInt64)),
	)
})

// FuzzLikeTheLibrary: any string and any integer encode as the library
// encodes them.
func FuzzLikeTheLibrary(f *testing.F) {
	f.Add("", int64(0))
	f.Add(strings.Repeat("y", 300), int64(-129))
	f.Fuzz(func(t *testing.T, s string, v int64) {
		if got, want := tlv.AppendString([]byte{0xff}, 0x04, s), append([]byte{0xff}, libraryString(s)...); !bytes.Equal(got, want) {
			t.Fatalf("string %q", s)
		}
		if got, want := tlv.AppendInteger(nil, 0x0a, v), libraryInteger(v); !bytes.Equal(got, want) {
			t.Fatalf("integer %d: % x, want % x", v, got, want)
		}
	})
}
