package mockgraph_test

import (
	"crypto/ed25519"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
)

// testHash is the hardware hash importDevice registers.
const testHash = "aGFzaA=="

// privCreds are the credentials the simulated clients of the private
// channels hold in these specs: what enrollment, installation and the sync
// account issued (creds.go).
type privCreds struct {
	hashes    map[string]string // serial → hardware hash, when not testHash
	devices   map[string]string // ODJ request id → the enrolled device's credential
	connector map[string]string // connector id → installation credential
	sync      string
}

// connectorDomain is the domain each spec connector is installed for.
func connectorDomain(id string) string {
	if id == "c-other" {
		return "other.contoso.com"
	}
	return "corp.contoso.com"
}

// priv calls a private endpoint as its legitimate client would: with the
// hardware hash, the device's, connector's or sync account's credential, or
// the admin token, as the route needs.
func (w *world) priv(method, path string, body any) reply {
	c := &w.creds
	if c.devices == nil {
		c.hashes, c.devices, c.connector = map[string]string{}, map[string]string{}, map[string]string{}
	}
	token := ""
	m, _ := body.(map[string]any)
	rest := strings.TrimPrefix(path, "/_private/")
	switch {
	case strings.HasPrefix(rest, "requests"), rest == "enrollment/v1/existing", rest == "enrollment/v1/previous":
		token = w.token
		if m != nil {
			if h, ok := m["hardwareHash"].(string); ok && h != testHash {
				c.hashes[strings.ToLower(m["serialNumber"].(string))] = h
			}
		}
	case rest == "autopilot/v1/profile", rest == "enrollment/v1/enroll":
		if m != nil {
			if _, ok := m["hardwareHash"]; !ok {
				serial, _ := m["serialNumber"].(string)
				h := testHash
				if x, ok := c.hashes[strings.ToLower(serial)]; ok {
					h = x
				}
				m["hardwareHash"] = h
			}
		}
	case strings.HasPrefix(rest, "odj/v1/connectors/"):
		token = w.connectorCred(strings.Split(rest, "/")[3])
	case strings.HasPrefix(rest, "odj/v1/requests/") && strings.HasSuffix(rest, "/result"):
		id, _ := m["connectorId"].(string)
		token = w.connectorCred(id)
	case strings.HasPrefix(rest, "odj/v1/requests/"):
		token = c.devices[strings.TrimPrefix(rest, "odj/v1/requests/")]
	case strings.HasPrefix(rest, "sync/"):
		if c.sync == "" {
			c.sync = w.srv.IssueSyncCredential("Sync_SERVER01")
		}
		token = c.sync
	}
	var r reply
	if token == w.token && token != "" {
		r = w.do(method, path, body) // refreshes the admin token
	} else {
		r = w.doAs(token, method, path, body)
	}
	if rest == "enrollment/v1/enroll" && r.status == http.StatusCreated {
		if id, ok := r.body["odjRequestId"].(string); ok {
			c.devices[id] = r.body["deviceCredential"].(string)
		}
	}
	return r
}

func (w *world) connectorCred(id string) string {
	if cred, ok := w.creds.connector[id]; ok {
		return cred
	}
	cred, err := w.srv.InstallConnector(id, connectorDomain(id))
	Expect(err).NotTo(HaveOccurred())
	w.creds.connector[id] = cred
	return cred
}

func (w *world) fetchProfile(serial string) reply {
	return w.priv("POST", "/_private/autopilot/v1/profile", map[string]any{"serialNumber": serial})
}

// deviceCert is a device's self-signed certificate (subject CN = its device
// id, as Automatic-Device-Join makes it), its SHA-1 thumbprint and key.
func deviceCert(deviceID string) (der []byte, thumbprint string, key ed25519.PrivateKey) {
	_, key, err := ed25519.GenerateKey(nil)
	Expect(err).NotTo(HaveOccurred())
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: deviceID},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err = x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	Expect(err).NotTo(HaveOccurred())
	sum := sha1.Sum(der)
	return der, strings.ToUpper(hex.EncodeToString(sum[:])), key
}

// drsBody is a DRS registration that proves possession of key.
func drsBody(deviceID string, der []byte, key ed25519.PrivateKey) map[string]any {
	sum := sha1.Sum(der)
	return map[string]any{"deviceId": deviceID, "certificateThumbprint": strings.ToUpper(hex.EncodeToString(sum[:])),
		"certificate": base64.StdEncoding.EncodeToString(der),
		"signature":   base64.StdEncoding.EncodeToString(ed25519.Sign(key, mockgraph.DRSProofMessage(deviceID)))}
}
