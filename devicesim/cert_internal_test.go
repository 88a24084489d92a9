package devicesim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"math/rand/v2"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/sim"
)

var _ = Describe("the device key", func() {
	It("signs as the Ed25519 key it holds, and is the key the certificate names", func() {
		der, _, _, signer, err := selfSignedCert(rand.New(rand.NewPCG(1, 2)), time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
		Expect(err).NotTo(HaveOccurred())
		k, ok := signer.(*deviceKey)
		Expect(ok).To(BeTrue())
		msg := drsProofMessage("0b5f4a0e-4d5c-4f3e-9a2b-1c2d3e4f5a6b")
		sig, err := signer.Sign(nil, msg, crypto.Hash(0))
		Expect(err).NotTo(HaveOccurred())
		Expect(sig).To(Equal(ed25519.Sign(ed25519.PrivateKey(k[:]), msg)), "Ed25519 signatures are deterministic")
		again, err := signer.Sign(nil, msg, crypto.Hash(0))
		Expect(err).NotTo(HaveOccurred())
		Expect(again).To(Equal(sig))
		cert, err := x509.ParseCertificate(der)
		Expect(err).NotTo(HaveOccurred())
		Expect(cert.PublicKey).To(Equal(signer.Public()))
		Expect(cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature)).To(Succeed(), "self-signed with it")
		Expect(ed25519.Verify(cert.PublicKey.(ed25519.PublicKey), msg, sig)).To(BeTrue())
	})
})

// deviceCertificate writes what x509.CreateCertificate writes for the same
// template, without its check of the signature it made.
var _ = Describe("the device certificate", func() {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		Expect(err).NotTo(HaveOccurred())
		return t
	}

	DescribeTable("is the bytes x509.CreateCertificate writes",
		func(serial uint64, cn string, notBefore, notAfter time.Time) {
			for _, k := range []ed25519.PrivateKey{key, ed25519.NewKeyFromSeed([]byte("0123456789abcdef0123456789abcdef"))} {
				got, err := deviceCertificate(k, serial, cn, notBefore, notAfter)
				Expect(err).NotTo(HaveOccurred())
				tmpl := deviceCertTemplate(serial, cn, notBefore, notAfter)
				want, err := x509.CreateCertificate(nil, tmpl, tmpl, k.Public(), k)
				Expect(err).NotTo(HaveOccurred())
				Expect(got).To(Equal(want))
			}
		},
		Entry("a device's", uint64(0x1234_5678_9abc), "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c", at("2026-12-07T08:55:00Z"), at("2027-12-07T09:00:00Z")),
		Entry("serial 0", uint64(0), "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c", at("2026-12-07T08:55:00Z"), at("2027-12-07T09:00:00Z")),
		Entry("serial 127 and 128 (a leading zero byte)", uint64(128), "a", at("2026-12-07T08:55:00Z"), at("2027-12-07T09:00:00Z")),
		Entry("the largest serial", ^uint64(0), "a", at("2026-12-07T08:55:00Z"), at("2027-12-07T09:00:00Z")),
		Entry("a top-bit serial", uint64(1)<<63, "A-Z 0'9()+,./:=?", at("2026-12-07T08:55:00Z"), at("2027-12-07T09:00:00Z")),
		Entry("times with nanoseconds and a zone", uint64(7), "x", at("2026-12-07T08:55:00.999999999+02:00"), at("2027-12-07T09:00:00.5-05:00")),
		Entry("a validity past 2049 (GeneralizedTime)", uint64(7), "x", at("2049-06-01T00:00:00Z"), at("2050-06-01T00:00:00Z")),
		Entry("a validity before 1950", uint64(7), "x", at("1949-12-31T23:59:59Z"), at("1950-01-01T00:00:00Z")),
		Entry("a subject that is not a PrintableString", uint64(7), "é*&", at("2026-12-07T08:55:00Z"), at("2027-12-07T09:00:00Z")),
		Entry("an empty subject", uint64(7), "", at("2026-12-07T08:55:00Z"), at("2027-12-07T09:00:00Z")),
		Entry("a long subject (a two-byte length)", uint64(7), strings.Repeat("a", 200), at("2026-12-07T08:55:00Z"), at("2027-12-07T09:00:00Z")),
	)

	It("is the bytes x509 writes for a thousand seeded devices", func() {
		rnd := rand.New(rand.NewPCG(3, 4))
		for range 1000 {
			seed := make([]byte, ed25519.SeedSize)
			for i := range seed {
				seed[i] = byte(rnd.UintN(256))
			}
			k := ed25519.NewKeyFromSeed(seed)
			serial, id := rnd.Uint64(), sim.GUID(rnd)
			now := time.Unix(rnd.Int64N(4e9), rnd.Int64N(1e9)).UTC()
			got, err := deviceCertificate(k, serial, id, now.Add(-5*time.Minute), now.AddDate(1, 0, 0))
			Expect(err).NotTo(HaveOccurred())
			tmpl := deviceCertTemplate(serial, id, now.Add(-5*time.Minute), now.AddDate(1, 0, 0))
			want, err := x509.CreateCertificate(nil, tmpl, tmpl, k.Public(), k)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want), "serial %d, id %s, at %s", serial, id, now)
		}
	})
})
