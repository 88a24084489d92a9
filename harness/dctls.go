package harness

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"
)

// dcTLS makes a DC's TLS identity: a self-signed certificate for its DNS
// name. Real AD refuses unicodePwd on a connection that is not protected
// (rules-and-ad.md B.2); the real connector's session is sealed by
// Kerberos, ours runs StartTLS (connector.Config.LDAPTLS) against this
// certificate. The key comes from crypto/rand: key material appears in no
// result, so it does not touch the seeded timeline.
func dcTLS(host string) (server *tls.Config, client *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("harness: DC %s: TLS key: %w", host, err)
	}
	// Validity spans any clock a run or a lab may read: TLS checks it
	// against the wall clock, the simulation runs on its own.
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("harness: DC %s: certificate: %w", host, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("harness: DC %s: certificate: %w", host, err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}, MinVersion: tls.VersionTLS12}
	// Resumed sessions skip the certificate exchange and X25519 alone skips
	// the post-quantum share: the connector opens one connection per
	// request, and full default handshakes made a 1,000-device fleet about
	// 1.6 times slower (17% with these two).
	client = &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12, ClientSessionCache: tls.NewLRUClientSessionCache(8),
		CurvePreferences: []tls.CurveID{tls.X25519}}
	return server, client, nil
}
