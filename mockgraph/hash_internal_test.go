package mockgraph

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("what the tenant keeps of a hardware hash", func() {
	DescribeTable("an import record gives back the hash as it was posted",
		func(posted string, keptDecoded bool) {
			h := keepHash(posted)
			Expect(h.String()).To(Equal(posted))
			Expect(h.raw != nil).To(Equal(keptDecoded))
		},
		Entry("standard base64, kept decoded", "aGFyZHdhcmUtaGFzaA==", true),
		Entry("base64 with a line break, kept as text", "aGFyZHdh\ncmUtaGFzaA==", false),
		Entry("stray padding bits, kept as text", "aGFyZHdhcmUtaGFzaB==", false),
		Entry("not base64, kept as text", "not base64!", false),
		Entry("empty", "", false),
	)

	DescribeTable("a device is recognised by the hash it presents",
		func(kept, presented string, match bool) {
			Expect(digestOf(kept).matches(presented)).To(Equal(match))
			Expect(keepHash(kept).digest.matches(presented)).To(Equal(match))
		},
		Entry("the same hash", "aGFzaA==", "aGFzaA==", true),
		Entry("another hash", "aGFzaA==", "aGFzaB==", false),
		Entry("no hash kept matches nothing", "", "", false),
		Entry("an empty presented hash matches nothing", "aGFzaA==", "", false),
	)
})
