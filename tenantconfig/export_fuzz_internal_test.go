package tenantconfig

import "testing"

// FuzzParseCertAndKey: the certificate file Export reads never panics the
// parser; whatever it accepts is a certificate whose key it holds.
func FuzzParseCertAndKey(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("not a pem"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cert, key, err := parseCertAndKey(b)
		if err == nil && (cert == nil || key == nil) {
			t.Fatal("no error and no certificate or key")
		}
	})
}
