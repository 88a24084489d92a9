package devicesim

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	crand "crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	encasn1 "encoding/asn1"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/autopilotsim/autopilotsim/sim"
)

// selfSignedCert makes the certificate Automatic-Device-Join writes into the
// computer object's userCertificate: self-signed, subject CN = the device id
// (a GUID) that Entra Connect and DRS key the hybrid device on (S19). Its
// key is the device's proof of identity to DRS (PRIVATE_API.md), so it
// comes from crypto/rand, not from the seeded stream a lab prints the seed
// of: no result holds the key, the certificate bytes or the thumbprint, so
// runs stay byte-identical. The seeded stream still gives the device id and
// the serial number, and is drawn exactly as before. (Real devices use an
// RSA/TPM-bound key; the key type does not matter to sync.)
func selfSignedCert(rnd *rand.Rand, now time.Time) (der []byte, thumbprint, deviceID string, signer crypto.Signer, err error) {
	for range ed25519.SeedSize {
		_ = rnd.UintN(256) // formerly the key's seed: keeps the stream's later draws where they were
	}
	var seed [ed25519.SeedSize]byte
	if _, err := crand.Read(seed[:]); err != nil {
		return nil, "", "", nil, fmt.Errorf("devicesim: device key: %w", err)
	}
	key := ed25519.NewKeyFromSeed(seed[:])
	deviceID = sim.GUID(rnd)
	der, err = deviceCertificate(key, rnd.Uint64(), deviceID, now.Add(-5*time.Minute), now.AddDate(1, 0, 0))
	if err != nil {
		return nil, "", "", nil, fmt.Errorf("devicesim: self-signed certificate: %w", err)
	}
	sum := sha1.Sum(der)
	dk := deviceKey(key) // a copy: the key that signed the certificate, and its cache entry, go
	return der, strings.ToUpper(hex.EncodeToString(sum[:])), deviceID, &dk, nil
}

// deviceKey is the device's Ed25519 key held as bytes. An
// ed25519.PrivateKey that has signed keeps its expanded form in the crypto
// library's per-key cache, behind a weak pointer, for as long as the key
// lives: for every device of a fleet, the whole run (about seven objects a
// device the collector visits on every cycle). A device signs about once
// with it (the DRS proof), so each signature expands a copy instead, a few
// microseconds.
type deviceKey [ed25519.PrivateKeySize]byte

// Public implements crypto.Signer.
func (k *deviceKey) Public() crypto.PublicKey { return ed25519.PrivateKey(k[:]).Public() }

// Sign implements crypto.Signer, as ed25519.PrivateKey.Sign.
func (k *deviceKey) Sign(r io.Reader, message []byte, opts crypto.SignerOpts) ([]byte, error) {
	return ed25519.PrivateKey(bytes.Clone(k[:])).Sign(r, message, opts)
}

// deviceCertificate is the DER of the device's self-signed certificate:
// the bytes x509.CreateCertificate writes for the template below (a spec
// compares them; an Ed25519 signature is deterministic), without the check
// CreateCertificate makes of every signature it has just made, which cost
// as much as the signature itself (2.4 % of a fleet's CPU, docs/SCALE.md).
// A subject that is not a PrintableString, which a device id (a GUID)
// always is, goes through CreateCertificate.
func deviceCertificate(key ed25519.PrivateKey, serial uint64, cn string, notBefore, notAfter time.Time) ([]byte, error) {
	if cn == "" || !printable(cn) {
		tmpl := deviceCertTemplate(serial, cn, notBefore, notAfter)
		return x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	}
	algorithm := func(b *cryptobyte.Builder) { // Ed25519, no parameters (RFC 8410 §3)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidEd25519) })
	}
	name := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidCommonName)
					b.AddASN1(cbasn1.PrintableString, func(b *cryptobyte.Builder) { b.AddBytes([]byte(cn)) })
				})
			})
		})
	}
	when := func(b *cryptobyte.Builder, t time.Time) { // as encoding/asn1 chooses (RFC 5280 §4.1.2.5)
		t = t.UTC()
		if t.Year() < 1950 || t.Year() >= 2050 {
			b.AddASN1GeneralizedTime(t)
		} else {
			b.AddASN1UTCTime(t)
		}
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) }) // v3
		b.AddASN1Uint64(serial)
		algorithm(b)
		name(b) // issuer: self-signed
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			when(b, notBefore.Truncate(time.Second))
			when(b, notAfter.Truncate(time.Second))
		})
		name(b)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			algorithm(b)
			b.AddASN1BitString(key.Public().(ed25519.PublicKey))
		})
		b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(keyUsageDigitalSignature)
				b.AddBytes(extKeyUsageClientAuth)
			})
		})
	})
	tbs, err := tb.Bytes()
	if err != nil {
		return nil, err
	}
	var cb cryptobyte.Builder
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		algorithm(b)
		b.AddASN1BitString(ed25519.Sign(key, tbs))
	})
	return cb.Bytes()
}

// deviceCertTemplate is the certificate deviceCertificate writes, as an
// x509 template: digital signature, client authentication.
func deviceCertTemplate(serial uint64, cn string, notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: new(big.Int).SetUint64(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
}

// The certificate's fixed parts, as x509 marshals them (RFC 5280 §4.2.1.3,
// §4.2.1.12; RFC 8410 §3).
var (
	oidEd25519    = encasn1.ObjectIdentifier{1, 3, 101, 112}
	oidCommonName = encasn1.ObjectIdentifier{2, 5, 4, 3}
	// keyUsage, critical: BIT STRING digitalSignature (bit 0).
	keyUsageDigitalSignature = []byte{0x30, 0x0e, 0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01, 0x01, 0xff, 0x04, 0x04, 0x03, 0x02, 0x07, 0x80}
	// extKeyUsage: id-kp-clientAuth (1.3.6.1.5.5.7.3.2).
	extKeyUsageClientAuth = []byte{0x30, 0x13, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x04, 0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02}
)

// printable reports whether encoding/asn1 writes s as a PrintableString
// (X.680 §41.4; asn1 also lets '*' and '&' through, which this leaves to
// CreateCertificate).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(" '()+,-./:=?", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
