package entrasync

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// HybridCert is the certificate a computer's userCertificate carries for
// hybrid join: written by Automatic-Device-Join, self-signed, subject
// CN=<device id> (S19).
type HybridCert struct {
	DeviceID   string // lower-case GUID from the subject CN
	Thumbprint string // SHA-1 of the DER, upper-case hex, as Windows shows it
	NotBefore  time.Time
	NotAfter   time.Time
}

// Thumbprint is the SHA-1 of der in upper-case hex (Windows' certificate
// thumbprint; SHA-1 is what the thumbprint is, not a security choice).
func Thumbprint(der []byte) string {
	sum := sha1.Sum(der)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// SelectHybridCert picks the valid hybrid certificate among the values of a
// multi-valued userCertificate. A value qualifies when it parses as X.509
// DER, its subject CN is a GUID (the device id) and now lies within
// [NotBefore, NotAfter] — the Connect ≥ 1.4 "cloudfilter" rule (S24). When
// several qualify, the most recently issued wins (latest NotBefore, then the
// smallest thumbprint, for determinism) [INF]. When none does, reason says
// why, value by value, for the cycle's notes.
func SelectHybridCert(values [][]byte, now time.Time) (cert HybridCert, ok bool, reason string) {
	var valid []HybridCert
	var why []string
	for i, der := range values {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			why = append(why, fmt.Sprintf("value %d: not an X.509 certificate", i))
			continue
		}
		id, err := ParseGUID(c.Subject.CommonName)
		if err != nil {
			why = append(why, fmt.Sprintf("value %d: subject CN %q is not a device id", i, c.Subject.CommonName))
			continue
		}
		if now.Before(c.NotBefore) {
			why = append(why, fmt.Sprintf("value %d: not valid before %s", i, c.NotBefore.UTC().Format(time.RFC3339)))
			continue
		}
		if now.After(c.NotAfter) {
			why = append(why, fmt.Sprintf("value %d: expired %s", i, c.NotAfter.UTC().Format(time.RFC3339)))
			continue
		}
		valid = append(valid, HybridCert{DeviceID: id, Thumbprint: Thumbprint(der), NotBefore: c.NotBefore, NotAfter: c.NotAfter})
	}
	if len(valid) == 0 {
		if len(why) == 0 {
			why = append(why, "no userCertificate value")
		}
		return HybridCert{}, false, strings.Join(why, "; ")
	}
	sort.Slice(valid, func(i, j int) bool {
		if !valid[i].NotBefore.Equal(valid[j].NotBefore) {
			return valid[i].NotBefore.After(valid[j].NotBefore)
		}
		return valid[i].Thumbprint < valid[j].Thumbprint
	})
	return valid[0], true, ""
}
