package entrasync_test

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"time"
)

var t0 = time.Date(2026, time.January, 5, 8, 0, 0, 0, time.UTC)

// selfSigned returns a deterministic self-signed certificate (ed25519
// signatures are deterministic) with subject CN cn, valid [from, to].
func selfSigned(cn string, from, to time.Time, serial int64) []byte {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, cn)
	key := ed25519.NewKeyFromSeed(seed)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    from,
		NotAfter:     to,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(err)
	}
	return der
}

// hybridCert is a certificate like Automatic-Device-Join writes: CN = the
// device id, valid from one hour before t0 for a year.
func hybridCert(deviceID string) []byte {
	return selfSigned(deviceID, t0.Add(-time.Hour), t0.AddDate(1, 0, 0), 1)
}
