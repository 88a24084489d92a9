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
