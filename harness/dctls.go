package harness

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// selfSigned makes a TLS identity for the given names: a self-signed
// certificate (its own root) and the server configuration that presents it.
// The key comes from crypto/rand: key material appears in no result, so it
// does not touch the seeded timeline. Validity spans any clock a run or a
// lab may read: TLS checks it against the wall clock, the simulation runs
// on its own.
func selfSigned(dnsNames []string, ips []net.IP) (*tls.Config, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("TLS key: %w", err)
	}
	cn := "autopilotsim"
	if len(dnsNames) > 0 {
		cn = dnsNames[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, DNSNames: dnsNames, IPAddresses: ips,
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("TLS certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("TLS certificate: %w", err)
	}
	server := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}, MinVersion: tls.VersionTLS12}
	return server, cert, nil
}

// clientFor trusts exactly cert.
func clientFor(cert *x509.Certificate, serverName string) *tls.Config {
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &tls.Config{RootCAs: roots, ServerName: serverName, MinVersion: tls.VersionTLS12}
}

// certPEM encodes cert for users who must trust it (curl --cacert).
func certPEM(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

// dcTLS makes a DC's TLS identity for its DNS name. Real AD refuses
// unicodePwd on a connection that is not protected (rules-and-ad.md B.2);
// the real connector's session is sealed by Kerberos, ours runs StartTLS
// (connector.Config.LDAPTLS) with the client configuration returned here.
func dcTLS(host string) (server *tls.Config, client *tls.Config, err error) {
	server, cert, err := selfSigned([]string{host}, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("harness: DC %s: %w", host, err)
	}
	client = clientFor(cert, host)
	// The connector opens one connection per request, so the handshake is
	// paid per device. TLS 1.2 is what a DC before Windows Server 2022
	// negotiates ("Protocols in TLS/SSL (Schannel SSP)",
	// https://learn.microsoft.com/en-us/windows/win32/secauthn/protocols-in-tls-ssl--schannel-ssp-:
	// TLS 1.3 from Windows Server 2022), and a resumed TLS 1.2 session
	// (RFC 5077 ticket) is an abbreviated handshake with no key exchange,
	// where TLS 1.3 resumption still runs ECDHE (RFC 8446 2.2). Full
	// handshakes made a 1,000-device fleet 1.6 times slower; resumed TLS 1.3
	// ones still cost 9% of the CPU of a 10,000-device run, resumed TLS 1.2
	// ones 1.9% (both ends). ldapsearch and other clients still get TLS 1.3.
	client.ClientSessionCache = tls.NewLRUClientSessionCache(8)
	client.MaxVersion = tls.VersionTLS12
	client.CurvePreferences = []tls.CurveID{tls.X25519}
	return server, client, nil
}
