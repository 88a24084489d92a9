package harness

import (
	"encoding/base64"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("a device's hardware hash, derived when sent", func() {
	keyA, keyB := [32]byte{1}, [32]byte{2}

	It("is 4,096 characters of base64 and the same at every send", func() {
		h := deriveHardwareHash(&keyA, "FLT00001")
		Expect(h).To(HaveLen(4096))
		_, err := base64.StdEncoding.DecodeString(h)
		Expect(err).NotTo(HaveOccurred())
		Expect(deriveHardwareHash(&keyA, "FLT00001")).To(Equal(h))
	})

	DescribeTable("differs when the serial or the run's secret differs",
		func(key *[32]byte, serial string) {
			Expect(deriveHardwareHash(key, serial)).NotTo(Equal(deriveHardwareHash(&keyA, "FLT00001")))
		},
		Entry("another serial", &keyA, "FLT00002"),
		Entry("another run", &keyB, "FLT00001"),
	)
})

var _ = Describe("base64Std", func() {
	DescribeTable("writes what EncodeToString writes, padding included",
		func(n int) {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(i*37 + 11)
			}
			Expect(base64Std(b)).To(Equal(base64.StdEncoding.EncodeToString(b)))
		},
		Entry("nothing", 0),
		Entry("one byte (two pad characters)", 1),
		Entry("two bytes (one pad character)", 2),
		Entry("three bytes (no padding)", 3),
		Entry("a hardware hash's 3,072 bytes", 3072),
	)
})
