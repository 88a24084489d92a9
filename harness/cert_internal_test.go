package harness

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
)

// A scenario app with a certificate file signs in to the lab's mockgraph
// with a client assertion: scenario file → loader → world → mockgraph.
var _ = Describe("an app registration with a certificate", func() {
	It("gets a token with a client assertion and calls Graph with it", func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		Expect(err).NotTo(HaveOccurred())
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ci"},
			NotBefore: sim.Epoch.Add(-time.Hour), NotAfter: sim.Epoch.Add(24 * time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		Expect(err).NotTo(HaveOccurred())

		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "ci.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)).To(Succeed())
		lab, err := os.ReadFile("testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		const clientID = "00000000-0000-0000-0000-00000000ce01"
		doc := strings.Replace(string(lab), "tenant:\n", "tenant:\n  apps:\n    - name: ci\n      clientId: "+clientID+
			"\n      certificate: ci.pem\n      roles: [Device.Read.All]\n", 1)
		Expect(doc).NotTo(Equal(string(lab)))
		Expect(os.WriteFile(filepath.Join(dir, "lab.yaml"), []byte(doc), 0o600)).To(Succeed())
		sc, err := scenarios.Load(filepath.Join(dir, "lab.yaml"))
		Expect(err).NotTo(HaveOccurred())

		l, err := Serve(sc, ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(l.Close)

		// The assertion's times must be the lab's (virtual) clock, which the
		// token endpoint checks nbf/exp against; a client learns it from
		// the Date header of any mockgraph answer (README "Lab mode").
		disc, err := http.Get(l.GraphURL() + "/" + l.TenantID() + "/v2.0/.well-known/openid-configuration")
		Expect(err).NotTo(HaveOccurred())
		var discovery map[string]any
		Expect(json.NewDecoder(disc.Body).Decode(&discovery)).To(Succeed())
		Expect(disc.Body.Close()).To(Succeed())
		now, err := http.ParseTime(disc.Header.Get("Date"))
		Expect(err).NotTo(HaveOccurred())
		Expect(now).To(BeTemporally("~", l.w.sched.Now(), 5*time.Second))
		endpoint := discovery["token_endpoint"].(string)
		Expect(endpoint).To(Equal(l.GraphURL() + "/" + l.TenantID() + "/oauth2/v2.0/token"))
		thumb := sha256.Sum256(der)
		t := jwt.NewWithClaims(jwt.SigningMethodPS256, jwt.MapClaims{
			"aud": endpoint, "iss": clientID, "sub": clientID, "jti": "1",
			"nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		})
		t.Header["x5t#S256"] = base64.RawURLEncoding.EncodeToString(thumb[:])
		assertion, err := t.SignedString(key)
		Expect(err).NotTo(HaveOccurred())

		resp, err := http.PostForm(endpoint, url.Values{
			"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {"https://graph.microsoft.com/.default"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion},
		})
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		var tok map[string]any
		Expect(json.NewDecoder(resp.Body).Decode(&tok)).To(Succeed())
		Expect(resp.StatusCode).To(Equal(200), "%v", tok)

		req, err := http.NewRequest("GET", l.GraphURL()+"/v1.0/devices", nil)
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
		g, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer g.Body.Close()
		Expect(g.StatusCode).To(Equal(200))
	})
})
