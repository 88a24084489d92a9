package devicesim

import (
	"crypto/ed25519"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/sim"
)

// selfSignedCert makes the certificate Automatic-Device-Join writes into the
// computer object's userCertificate: self-signed, subject CN = the device id
// (a GUID) that Entra Connect and DRS key the hybrid device on (S19). Ed25519
// is used because its keys derive from a seed and its signatures are
// deterministic, so the same scenario and seed give the same bytes (real
// devices use an RSA/TPM-bound key; the key type does not matter to sync).
func selfSignedCert(rnd *rand.Rand, now time.Time) (der []byte, thumbprint, deviceID string, err error) {
	var seed [ed25519.SeedSize]byte
	for i := range seed {
		seed[i] = byte(rnd.UintN(256))
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
		return nil, "", "", fmt.Errorf("devicesim: self-signed certificate: %w", err)
	}
	sum := sha1.Sum(der)
	return der, strings.ToUpper(hex.EncodeToString(sum[:])), deviceID, nil
}
