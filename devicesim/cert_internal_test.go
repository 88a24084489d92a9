package devicesim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"math/rand/v2"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
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
