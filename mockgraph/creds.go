package mockgraph

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Credentials of the private channels (PRIVATE_API.md "Authentication").
// Each channel is authenticated the way the real service authenticates its
// client, with a stand-in for the real credential:
//
//   - a device: its hardware hash (the Autopilot service's device identity,
//     TPM attestation stands behind it) for profile download and
//     enrollment; then the credential enrollment issues it (the MDM device
//     certificate) for its ODJ request; then its own device certificate
//     (the userCertificate Entra Connect synced) for DRS registration;
//   - an Intune Connector: the credential it got at installation, bound to
//     its id and domain;
//   - Entra Connect: its sync account's credential;
//   - lab internals (request log, pre-existing enrollments): a Graph app
//     token with DeviceManagementServiceConfig.ReadWrite.All.
//
// Credentials are drawn from crypto/rand, never from the seeded stream: a
// lab's seed is printed, and results never contain them, so seeded runs
// stay byte-identical. Only their SHA-256 is kept.

type credKind string

const (
	credDevice    credKind = "device"
	credConnector credKind = "connector"
	credSync      credKind = "sync"
)

// credential is what a secret stands for.
type credential struct {
	kind   credKind
	id     string // managed device id, connector id, sync account name
	domain string // connectors: the domain they serve
}

// newSecret draws a credential secret: prefix + 32 random bytes.
func newSecret(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("mockgraph: crypto/rand: %v", err)) // the runtime guarantees Read does not fail
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

func secretKey(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// issue records a new secret for c. Callers hold s.mu.
func (s *Server) issue(c credential, prefix string) string {
	if s.creds == nil {
		s.creds = map[[32]byte]credential{}
	}
	secret := newSecret(prefix)
	s.creds[secretKey(secret)] = c
	return secret
}

// InstallConnector is the Intune Connector's installation (the admin signs
// in on the server and the service issues the connector its credential):
// the connector with this id may then serve domain on the connector
// channel. The same is served over the wire at POST
// /_private/odj/v1/connectors for an admin token.
func (s *Server) InstallConnector(id, domain string) (string, error) {
	if strings.TrimSpace(id) == "" || strings.TrimSpace(domain) == "" {
		return "", errors.New("mockgraph: install connector: id and domain are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issue(credential{kind: credConnector, id: id, domain: domain}, "odjc_"), nil
}

// IssueSyncCredential is the credential of Entra Connect's sync account
// (the account its installation creates in the tenant), for the sync
// channel.
func (s *Server) IssueSyncCredential(account string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issue(credential{kind: credSync, id: account}, "sync_")
}

// presented returns the credential of the request's bearer secret, or an
// error answer. Callers hold s.mu.
func (s *Server) presented(r *http.Request, kind credKind) (credential, *apiError) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || secret == "" {
		return credential{}, errUnauthenticated(fmt.Sprintf("This channel needs the %s's credential (Authorization: Bearer …).", kind))
	}
	c, ok := s.creds[secretKey(secret)]
	if !ok || c.kind != kind {
		return credential{}, errUnauthenticated(fmt.Sprintf("The credential is not a valid %s credential.", kind))
	}
	return c, nil
}

func errUnauthenticated(msg string) *apiError { return dirErr(401, "Unauthorized", msg) }

func errForbidden(msg string) *apiError { return dirErr(403, "Forbidden", msg) }

// DRSProofMessage is what a device signs with its device certificate's key
// to register (Device Registration Service, S12): the service checks that
// the caller holds the key of the certificate Entra Connect synced.
func DRSProofMessage(deviceID string) []byte {
	return []byte("autopilotsim-drs-register:" + strings.ToLower(deviceID))
}

// checkDeviceProof verifies a DRS registration: the certificate is the one
// synced for the device (SHA-1 thumbprint, subject CN = device id) and the
// signature over DRSProofMessage verifies with its key.
func checkDeviceProof(d *entraDevice, certB64, sigB64 string) *apiError {
	return checkDeviceKey(d, certB64, sigB64, DRSProofMessage(d.DeviceID))
}

// checkDeviceKey verifies that the caller holds the key of d's synced
// certificate: sigB64 signs msg (DRS registration, the sign-in channel).
func checkDeviceKey(d *entraDevice, certB64, sigB64 string, msg []byte) *apiError {
	der, err := base64.StdEncoding.DecodeString(certB64)
	if err != nil || len(der) == 0 {
		return errUnauthenticated("DRS needs the device certificate (certificate: base64 DER).")
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil || len(sig) == 0 {
		return errUnauthenticated("DRS needs the proof of the device key (signature: base64).")
	}
	sum := sha1.Sum(der)
	if d.CertificateThumbprint == "" || !strings.EqualFold(hex.EncodeToString(sum[:]), d.CertificateThumbprint) {
		return errUnauthenticated("The certificate is not the one synced for this device.")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return errUnauthenticated("The device certificate does not parse: " + err.Error())
	}
	if !strings.EqualFold(cert.Subject.CommonName, d.DeviceID) {
		return errUnauthenticated("The certificate's subject is not this device.")
	}
	ok := false
	switch k := cert.PublicKey.(type) {
	case ed25519.PublicKey:
		ok = ed25519.Verify(k, msg, sig)
	case *rsa.PublicKey:
		h := sha256.Sum256(msg)
		ok = rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) == nil
	case *ecdsa.PublicKey:
		h := sha256.Sum256(msg)
		ok = ecdsa.VerifyASN1(k, h[:], sig)
	}
	if !ok {
		return errUnauthenticated("The signature does not verify with the device certificate's key.")
	}
	return nil
}
