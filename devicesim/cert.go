package devicesim

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	crand "crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"strings"
	"time"

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
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetUint64(rnd.Uint64()),
		Subject:      pkix.Name{CommonName: deviceID},
		NotBefore:    now.Add(-5 * time.Minute),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err = x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
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
