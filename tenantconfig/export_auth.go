package tenantconfig

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// graphScope asks for the app's Graph application permissions
// (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow).
const graphScope = "https://graph.microsoft.com/.default"

// signIn gets an access token with the client credentials grant, with a
// secret or a certificate's client assertion.
func (e *exporter) signIn() (string, error) {
	o := e.opts
	endpoint := o.Authority + "/" + url.PathEscape(o.Tenant) + "/oauth2/v2.0/token"
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {o.ClientID}, "scope": {graphScope}}
	if o.CertificateFile != "" {
		assertion, err := clientAssertion(o.CertificateFile, o.ClientID, endpoint, o.Now().Unix())
		if err != nil {
			return "", err
		}
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", assertion)
	} else {
		form.Set("client_secret", o.ClientSecret)
	}
	req, err := http.NewRequestWithContext(e.ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("tenantconfig: export: sign in: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", o.UserAgent)
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("tenantconfig: export: sign in at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("tenantconfig: export: sign in at %s: %w", endpoint, err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &tok)
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		msg := tok.Error
		if tok.Description != "" {
			msg += ": " + tok.Description
		}
		if msg == "" {
			msg = strings.TrimSpace(string(body))
		}
		// The secret is in the request only; nothing of it is repeated.
		return "", fmt.Errorf("tenantconfig: export: sign in at %s as %s: %d %s", endpoint, o.ClientID, resp.StatusCode, msg)
	}
	return tok.AccessToken, nil
}

// clientAssertion signs the JWT that stands for a client secret:
// PS256, the certificate named by x5t#S256 (its SHA-256 thumbprint,
// base64url), aud the token endpoint, iss and sub the client id
// (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials#assertion-format).
func clientAssertion(file, clientID, aud string, now int64) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("tenantconfig: export: certificate: %w", err)
	}
	cert, key, err := parseCertAndKey(b)
	if err != nil {
		return "", fmt.Errorf("tenantconfig: export: certificate %s: %w", file, err)
	}
	thumb := sha256.Sum256(cert.Raw)
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("tenantconfig: export: %w", err)
	}
	header, _ := json.Marshal(map[string]string{"alg": "PS256", "typ": "JWT", "x5t#S256": base64.RawURLEncoding.EncodeToString(thumb[:])})
	claims, _ := json.Marshal(map[string]any{"aud": aud, "iss": clientID, "sub": clientID, "jti": hex.EncodeToString(jti),
		"nbf": now, "iat": now, "exp": now + 600})
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	if err != nil {
		return "", fmt.Errorf("tenantconfig: export: sign the client assertion: %w", err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// parseCertAndKey finds the first certificate whose public key matches an
// RSA private key in the PEM data.
func parseCertAndKey(b []byte) (*x509.Certificate, *rsa.PrivateKey, error) {
	var certs []*x509.Certificate
	var key *rsa.PrivateKey
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		switch blk.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("CERTIFICATE block: %w", err)
			}
			certs = append(certs, c)
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("RSA PRIVATE KEY block: %w", err)
			}
			key = k
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("PRIVATE KEY block: %w", err)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, nil, errors.New("the private key is not RSA (Entra certificate credentials here use RSA)")
			}
			key = rk
		}
	}
	if key == nil {
		return nil, nil, errors.New("no private key (RSA PRIVATE KEY or PRIVATE KEY block)")
	}
	for _, c := range certs {
		if pub, ok := c.PublicKey.(*rsa.PublicKey); ok && pub.Equal(&key.PublicKey) {
			return c, key, nil
		}
	}
	return nil, nil, errors.New("no CERTIFICATE block matches the private key")
}
