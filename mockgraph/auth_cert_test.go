package mockgraph_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

// certKeys is a registered certificate with its key, plus a second key
// pair whose certificate is not registered.
type certKeys struct {
	key, otherKey   *rsa.PrivateKey
	cert, otherCert *x509.Certificate
	// rolled is a third registered certificate, listed before cert, so the
	// specs show the thumbprint picks among several.
	rolled *x509.Certificate
}

var (
	certOnce sync.Once
	certs    certKeys
)

// testCerts makes the RSA keys and self-signed certificates once: RSA key
// generation is slow, and the specs only read them.
func testCerts() certKeys {
	certOnce.Do(func() {
		certs.key, certs.cert = selfSigned("ci-pipeline")
		certs.otherKey, certs.otherCert = selfSigned("someone-else")
		_, certs.rolled = selfSigned("rolled-over")
	})
	return certs
}

// selfSigned makes an RSA key and a self-signed certificate for it. The
// certificate is re-issued (new serial, same key) until both its SHA-1 and
// SHA-256 thumbprints hold '+' or '/' in standard base64, so the specs that
// send that alphabet (as MSAL Go does) cannot pass by base64url luck.
func selfSigned(cn string) (*rsa.PrivateKey, *x509.Certificate) {
	GinkgoHelper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	Expect(err).NotTo(HaveOccurred())
	for serial := int64(1); ; serial++ {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: sim.Epoch.Add(-24 * time.Hour), NotAfter: sim.Epoch.Add(365 * 24 * time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		Expect(err).NotTo(HaveOccurred())
		s1, s256 := sha1.Sum(der), sha256.Sum256(der)
		if !strings.ContainsAny(base64.StdEncoding.EncodeToString(s1[:]), "+/") ||
			!strings.ContainsAny(base64.StdEncoding.EncodeToString(s256[:]), "+/") {
			continue
		}
		cert, err := x509.ParseCertificate(der)
		Expect(err).NotTo(HaveOccurred())
		return key, cert
	}
}

func x5t(c *x509.Certificate) string {
	d := sha1.Sum(c.Raw)
	return base64.RawURLEncoding.EncodeToString(d[:])
}

func x5tS256(c *x509.Certificate) string {
	d := sha256.Sum256(c.Raw)
	return base64.RawURLEncoding.EncodeToString(d[:])
}

const (
	certApp     = "11111111-aaaa-4bbb-8ccc-000000000c01"
	tokenURL    = base + "/" + tenantID + "/oauth2/v2.0/token"
	assertionTy = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// assertion describes one client assertion: the signing method and key,
// the header fields and the claims (nil drops a claim).
type assertion struct {
	method jwt.SigningMethod
	key    any
	header map[string]any
	claims jwt.MapClaims
}

// goodAssertion is what the certificate credentials page asks for: PS256,
// x5t#S256, aud = token endpoint, iss = sub = client id, nbf now, exp in
// ten minutes, a jti.
func goodAssertion(now time.Time) assertion {
	c := testCerts()
	return assertion{
		method: jwt.SigningMethodPS256, key: c.key,
		header: map[string]any{"x5t#S256": x5tS256(c.cert)},
		claims: jwt.MapClaims{
			"aud": tokenURL, "iss": certApp, "sub": certApp, "jti": "00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
			"nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		},
	}
}

func (a assertion) sign() string {
	GinkgoHelper()
	t := jwt.NewWithClaims(a.method, a.claims)
	for k, v := range a.header {
		t.Header[k] = v
	}
	s, err := t.SignedString(a.key)
	Expect(err).NotTo(HaveOccurred())
	return s
}

// newCertWorld is a tenant on a clock at sim.Epoch with the cert app
// (certificate only), the cert+secret app "both" and the secret-only admin.
func newCertWorld() *world {
	c := testCerts()
	sched := sim.NewScheduler(sim.Epoch, nil)
	srv, err := mockgraph.New(mockgraph.Config{
		Clock: sched, Rand: mrand.New(mrand.NewPCG(3, 4)), TenantID: tenantID, TenantDomain: "contoso.onmicrosoft.com",
		Apps: []mockgraph.App{
			{ClientID: "admin", ClientSecret: "s3cret", DisplayName: "Admin", Roles: allRoles},
			{ClientID: certApp, DisplayName: "CI pipeline", Roles: allRoles, Certificates: []*x509.Certificate{c.rolled, c.cert}},
			{ClientID: "both", ClientSecret: "b", DisplayName: "Both", Roles: allRoles, Certificates: []*x509.Certificate{c.cert}},
		},
		RuleCompiler: stubCompiler,
	})
	Expect(err).NotTo(HaveOccurred())
	client, stop := transport.ServeHTTPMemory(srv.Handler())
	DeferCleanup(stop)
	return &world{sched: sched, srv: srv, client: client, stop: stop}
}

type tokenReply struct {
	status int
	body   map[string]any
}

func (r tokenReply) aadsts() float64 {
	codes, _ := r.body["error_codes"].([]any)
	if len(codes) != 1 {
		return 0
	}
	n, _ := codes[0].(float64)
	return n
}

func (w *world) postToken(form url.Values, basic ...string) tokenReply {
	GinkgoHelper()
	if form.Get("grant_type") == "" {
		form.Set("grant_type", "client_credentials")
	}
	if form.Get("scope") == "" {
		form.Set("scope", "https://graph.microsoft.com/.default")
	}
	req, err := http.NewRequest("POST", tokenURL, strings.NewReader(form.Encode()))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := w.client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	out := tokenReply{status: resp.StatusCode}
	Expect(json.NewDecoder(resp.Body).Decode(&out.body)).To(Succeed())
	return out
}

func assertionForm(clientID, jwtText string) url.Values {
	return url.Values{"client_id": {clientID}, "client_assertion_type": {assertionTy}, "client_assertion": {jwtText}}
}

var _ = Describe("certificate credentials (client_assertion)", func() {
	var w *world
	BeforeEach(func() { w = newCertWorld() })

	DescribeTable("accepted assertions give a token that works on Graph",
		func(mutate func(a *assertion)) {
			a := goodAssertion(w.sched.Now())
			mutate(&a)
			r := w.postToken(assertionForm(certApp, a.sign()))
			Expect(r.status).To(Equal(200), "%v", r.body)
			Expect(r.body["token_type"]).To(Equal("Bearer"))
			Expect(r.body["expires_in"]).To(BeNumerically("==", 3599))
			tok := r.body["access_token"].(string)
			g := w.doAs(tok, "GET", "/v1.0/devices", nil)
			Expect(g.status).To(Equal(200), g.raw)
			// The token is the app's: appid is the certificate app.
			parts := strings.Split(tok, ".")
			payload, err := base64.RawURLEncoding.DecodeString(parts[1])
			Expect(err).NotTo(HaveOccurred())
			Expect(string(payload)).To(ContainSubstring(`"appid":"` + certApp + `"`))
		},
		Entry("PS256 with x5t#S256 (the page's current form)", func(*assertion) {}),
		Entry("RS256 with x5t (SHA-1, the older form)", func(a *assertion) {
			a.method = jwt.SigningMethodRS256
			a.header = map[string]any{"x5t": x5t(testCerts().cert)}
		}),
		Entry("RS256 with x5t#S256", func(a *assertion) { a.method = jwt.SigningMethodRS256 }),
		Entry("PS256 with x5t", func(a *assertion) { a.header = map[string]any{"x5t": x5t(testCerts().cert)} }),
		Entry("x5t#S256 in standard base64 with padding (as MSAL Go sends it)", func(a *assertion) {
			d := sha256.Sum256(testCerts().cert.Raw)
			a.header = map[string]any{"x5t#S256": base64.StdEncoding.EncodeToString(d[:])}
		}),
		Entry("x5t in standard base64 with padding", func(a *assertion) {
			a.method = jwt.SigningMethodRS256
			d := sha1.Sum(testCerts().cert.Raw)
			a.header = map[string]any{"x5t": base64.StdEncoding.EncodeToString(d[:])}
		}),
		Entry("x5t#S256 preferred when both thumbprints are sent", func(a *assertion) {
			a.header = map[string]any{"x5t#S256": x5tS256(testCerts().cert), "x5t": "bm9wZQ"}
		}),
		Entry("aud = login.microsoftonline.com/{tenant id}/oauth2/v2.0/token", func(a *assertion) {
			a.claims["aud"] = "https://login.microsoftonline.com/" + tenantID + "/oauth2/v2.0/token"
		}),
		Entry("aud = login.microsoftonline.com/{tenant domain}/oauth2/v2.0/token", func(a *assertion) {
			a.claims["aud"] = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
		}),
		Entry("aud as a list holding the token endpoint", func(a *assertion) {
			a.claims["aud"] = []string{"https://example.com", tokenURL}
		}),
		Entry("no nbf, jti or iat (not required by the page)", func(a *assertion) {
			delete(a.claims, "nbf")
			delete(a.claims, "jti")
			delete(a.claims, "iat")
		}),
		Entry("exp far in the future (Entra places no limit on exp)", func(a *assertion) {
			a.claims["exp"] = w.sched.Now().Add(24 * 365 * time.Hour).Unix()
		}),
		Entry("nbf exactly now", func(a *assertion) { a.claims["nbf"] = w.sched.Now().Unix() }),
	)

	DescribeTable("refused assertions: status, error, AADSTS code and message, never 5xx",
		func(mutate func(w *world, a *assertion) url.Values, status int, code string, aadsts int, msg string) {
			a := goodAssertion(w.sched.Now())
			form := mutate(w, &a)
			if form == nil {
				form = assertionForm(certApp, a.sign())
			}
			r := w.postToken(form)
			Expect(r.status).To(Equal(status), "%v", r.body)
			Expect(r.body["error"]).To(Equal(code))
			Expect(r.aadsts()).To(BeNumerically("==", aadsts))
			Expect(r.body["error_description"]).To(HavePrefix("AADSTS%d: ", aadsts))
			Expect(r.body["error_description"]).To(ContainSubstring(msg))
		},
		Entry("signed by another key (right thumbprint)", func(_ *world, a *assertion) url.Values {
			a.key = testCerts().otherKey
			return nil
		}, 401, "invalid_client", 700027, "Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify the signature failed."),
		Entry("tampered payload", func(_ *world, a *assertion) url.Values {
			p := strings.Split(a.sign(), ".")
			claims, _ := json.Marshal(map[string]any{"aud": tokenURL, "iss": certApp, "sub": certApp, "exp": sim.Epoch.Add(time.Hour).Unix(), "roles": "x"})
			return assertionForm(certApp, p[0]+"."+base64.RawURLEncoding.EncodeToString(claims)+"."+p[2])
		}, 401, "invalid_client", 700027, "Key was found, but use of the key to verify the signature failed."),
		Entry("unknown thumbprint (unregistered certificate)", func(_ *world, a *assertion) url.Values {
			a.key = testCerts().otherKey
			a.header = map[string]any{"x5t#S256": x5tS256(testCerts().otherCert)}
			return nil
		}, 401, "invalid_client", 700027, "[Reason - The key was not found., Thumbprint of key used by client: '"),
		Entry("thumbprint not base64url", func(_ *world, a *assertion) url.Values {
			a.header = map[string]any{"x5t": "%%%"}
			return nil
		}, 401, "invalid_client", 700027, "Thumbprint of key used by client: '%%%'"),
		Entry("x5t#S256 not a string (a JSON number)", func(_ *world, a *assertion) url.Values {
			a.header = map[string]any{"x5t#S256": 42}
			return nil
		}, 401, "invalid_client", 700027, "[Reason - The key was not found., Thumbprint of key used by client: ''"),
		Entry("alg not a string", func(_ *world, a *assertion) url.Values {
			a.header["alg"] = []string{"PS256"}
			return nil
		}, 401, "invalid_client", 5002738, "Invalid JWT token. '' is not a supported signature algorithm."),
		Entry("only a kid (keyCredential ids are not modelled)", func(_ *world, a *assertion) url.Values {
			a.header = map[string]any{"kid": "abc"}
			return nil
		}, 401, "invalid_client", 700027, "The key was not found."),
		Entry("no thumbprint at all", func(_ *world, a *assertion) url.Values {
			a.header = nil
			return nil
		}, 401, "invalid_client", 5002723, "Invalid JWT token. No certificate SHA-1 thumbprint, certificate SHA-256 thumbprint, nor keyId specified in token header."),
		Entry("HS256", func(_ *world, a *assertion) url.Values {
			a.method, a.key = jwt.SigningMethodHS256, []byte("secret")
			return nil
		}, 401, "invalid_client", 5002738, "Invalid JWT token. 'HS256' is not a supported signature algorithm. Supported signing algorithms are: 'RS256,PS256'"),
		Entry("alg none", func(_ *world, a *assertion) url.Values {
			a.method, a.key = jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType
			return nil
		}, 401, "invalid_client", 5002738, "'none' is not a supported signature algorithm"),
		Entry("wrong aud (another tenant)", func(_ *world, a *assertion) url.Values {
			a.claims["aud"] = "https://login.microsoftonline.com/99999999-2222-4333-8444-555555555555/oauth2/v2.0/token"
			return nil
		}, 401, "invalid_client", 700023, "Client assertion audience claim does not match Realm issuer."),
		Entry("wrong aud (the v1 endpoint)", func(_ *world, a *assertion) url.Values {
			a.claims["aud"] = "https://login.microsoftonline.com/" + tenantID + "/oauth2/token"
			return nil
		}, 401, "invalid_client", 700023, "audience claim"),
		Entry("no aud", func(_ *world, a *assertion) url.Values {
			delete(a.claims, "aud")
			return nil
		}, 401, "invalid_client", 700023, "audience claim"),
		Entry("iss = sub, but another app", func(_ *world, a *assertion) url.Values {
			a.claims["iss"], a.claims["sub"] = "admin", "admin"
			return nil
		}, 401, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter."),
		Entry("iss differs from sub", func(_ *world, a *assertion) url.Values {
			a.claims["iss"] = "admin"
			return nil
		}, 401, "invalid_client", 50048, "Subject mismatches Issuer claim in the client assertion."),
		Entry("expired on the virtual clock", func(w *world, a *assertion) url.Values {
			signed := a.sign()
			w.run(11 * time.Minute) // past exp (now+10m)
			return assertionForm(certApp, signed)
		}, 401, "invalid_client", 700024, "Client assertion is not within its valid time range. Current time: 2026-01-05T08:11:00.0000000Z, assertion valid from 2026-01-05T08:00:00.0000000Z, expiry time of assertion 2026-01-05T08:10:00.0000000Z."),
		Entry("exp exactly now (must not be accepted on or after)", func(w *world, a *assertion) url.Values {
			signed := a.sign()
			w.run(10 * time.Minute)
			return assertionForm(certApp, signed)
		}, 401, "invalid_client", 700024, "not within its valid time range"),
		Entry("nbf in the future", func(w *world, a *assertion) url.Values {
			a.claims["nbf"] = w.sched.Now().Add(time.Minute).Unix()
			return nil
		}, 401, "invalid_client", 700024, "assertion valid from 2026-01-05T08:01:00.0000000Z"),
		Entry("no exp", func(_ *world, a *assertion) url.Values {
			delete(a.claims, "exp")
			return nil
		}, 401, "invalid_client", 700024, "expiry time of assertion 1970-01-01T00:00:00.0000000Z"),
		Entry("a secret-only app has no certificate", func(_ *world, a *assertion) url.Values {
			a.claims["iss"], a.claims["sub"] = "admin", "admin"
			return assertionForm("admin", a.sign())
		}, 401, "invalid_client", 700027, "The key was not found."),
		Entry("both a secret and an assertion", func(_ *world, a *assertion) url.Values {
			f := assertionForm("both", a.sign())
			f.Set("client_secret", "b")
			return f
		}, 400, "invalid_request", 7000216, "either 'client_secret' or 'client_assertion'"),
		Entry("neither a secret nor an assertion", func(*world, *assertion) url.Values {
			return url.Values{"client_id": {certApp}}
		}, 400, "invalid_request", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type."),
		Entry("client_assertion_type missing", func(_ *world, a *assertion) url.Values {
			return url.Values{"client_id": {certApp}, "client_assertion": {a.sign()}}
		}, 400, "invalid_request", 900144, "'client_assertion_type'"),
		Entry("client_assertion_type wrong", func(_ *world, a *assertion) url.Values {
			f := assertionForm(certApp, a.sign())
			f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
			return f
		}, 400, "invalid_request", 90100, "'client_assertion_type' is empty or not valid"),
		Entry("client_assertion empty", func(*world, *assertion) url.Values {
			return assertionForm(certApp, "")
		}, 400, "invalid_request", 900144, "'client_assertion'"),
		Entry("malformed: not a JWT", func(*world, *assertion) url.Values {
			return assertionForm(certApp, "not-a-jwt")
		}, 400, "invalid_request", 50027, "JWT token is invalid or malformed. [Reason - token is malformed"),
		Entry("malformed: header not JSON", func(*world, *assertion) url.Values {
			return assertionForm(certApp, base64.RawURLEncoding.EncodeToString([]byte("{"))+".e30.c2ln")
		}, 400, "invalid_request", 50027, "JWT token is invalid or malformed."),
		Entry("malformed: exp is text", func(_ *world, a *assertion) url.Values {
			a.claims["exp"] = "tomorrow"
			return nil
		}, 400, "invalid_request", 50027, "JWT token is invalid or malformed."),
	)

	It("refuses a certificate-only app that sends a secret, even an empty one", func() {
		for _, secret := range []string{"", "guess"} {
			r := w.postToken(url.Values{"client_id": {certApp}, "client_secret": {secret}})
			Expect(r.status).To(Equal(401))
			Expect(r.aadsts()).To(BeNumerically("==", 7000215))
		}
	})

	It("lets an app with a secret and a certificate use either, one at a time", func() {
		Expect(w.postToken(url.Values{"client_id": {"both"}, "client_secret": {"b"}}).status).To(Equal(200))
		a := goodAssertion(w.sched.Now())
		a.claims["iss"], a.claims["sub"] = "both", "both"
		Expect(w.postToken(assertionForm("both", a.sign())).status).To(Equal(200))
	})

	It("counts a secret in the Basic header as a secret (both → 400)", func() {
		a := goodAssertion(w.sched.Now())
		a.claims["iss"], a.claims["sub"] = "both", "both"
		r := w.postToken(assertionForm("both", a.sign()), "both", "b")
		Expect(r.status).To(Equal(400))
		Expect(r.body["error"]).To(Equal("invalid_request"))
	})

	It("accepts an assertion that becomes valid once the virtual clock reaches nbf", func() {
		a := goodAssertion(w.sched.Now())
		a.claims["nbf"] = w.sched.Now().Add(5 * time.Minute).Unix()
		signed := a.sign()
		Expect(w.postToken(assertionForm(certApp, signed)).aadsts()).To(BeNumerically("==", 700024))
		w.run(5 * time.Minute)
		Expect(w.postToken(assertionForm(certApp, signed)).status).To(Equal(200))
	})

	DescribeTable("scope: the OpenID Connect scopes MSAL adds are ignored, one resource/.default must remain",
		func(scope string, status int) {
			r := w.postToken(url.Values{"client_id": {"admin"}, "client_secret": {"s3cret"}, "scope": {scope}})
			Expect(r.status).To(Equal(status), "%v", r.body)
			if status != 200 {
				Expect(r.body["error"]).To(Equal("invalid_scope"))
			}
		},
		Entry("as MSAL sends it", "https://graph.microsoft.com/.default openid offline_access profile", 200),
		Entry("app id form", "00000003-0000-0000-c000-000000000000/.default", 200),
		Entry("only OIDC scopes", "openid offline_access profile", 400),
		Entry("two resources", "https://graph.microsoft.com/.default https://vault.azure.net/.default", 400),
		Entry("a delegated scope", "https://graph.microsoft.com/User.Read", 400),
	)

	It("advertises private_key_jwt in the discovery document", func() {
		r := w.doAs("", "GET", "/"+tenantID+"/v2.0/.well-known/openid-configuration", nil)
		Expect(r.body["token_endpoint_auth_methods_supported"]).To(ContainElement("private_key_jwt"))
	})
})

var _ = Describe("App certificate validation in New", func() {
	DescribeTable("refuses",
		func(app mockgraph.App, msg string) {
			_, err := mockgraph.New(mockgraph.Config{Clock: sim.NewScheduler(sim.Epoch, nil), Rand: mrand.New(mrand.NewPCG(1, 1)),
				TenantID: tenantID, TenantDomain: "contoso.onmicrosoft.com", Apps: []mockgraph.App{app}})
			Expect(err).To(MatchError(ContainSubstring(msg)))
		},
		Entry("no secret and no certificate", mockgraph.App{ClientID: "x", DisplayName: "X"},
			`mockgraph: app "X" (x) needs a ClientSecret or at least one certificate`),
		Entry("no client id", mockgraph.App{ClientSecret: "s", DisplayName: "X"}, `mockgraph: app "X" needs a ClientID`),
		Entry("a nil certificate", mockgraph.App{ClientID: "x", DisplayName: "X", Certificates: []*x509.Certificate{nil}},
			`mockgraph: app "X" (x): certificate 0 is nil`),
		Entry("an ECDSA certificate", mockgraph.App{ClientID: "x", DisplayName: "X", Certificates: []*x509.Certificate{ecCert()}},
			`mockgraph: app "X" (x): certificate 0 (CN=ec): the key is ECDSA; client assertions are RS256/PS256, which need an RSA key`),
	)
})

func ecCert() *x509.Certificate {
	GinkgoHelper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "ec"}, NotBefore: sim.Epoch, NotAfter: sim.Epoch.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred())
	c, err := x509.ParseCertificate(der)
	Expect(err).NotTo(HaveOccurred())
	return c
}

// A registered certificate past its notAfter no longer signs in, as an
// expired keyCredential in Entra ID (AADSTS700027 "The key used is
// expired.", microsoft/azure-tools-for-java#2785); up to notAfter it does.
var _ = Describe("an expired registered certificate", func() {
	It("is refused with AADSTS700027 once the virtual clock passes notAfter", func() {
		c := testCerts()
		// The same key as the good assertion, on a certificate that ends an
		// hour after sim.Epoch.
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "short-lived"},
			NotBefore: sim.Epoch.Add(-time.Hour), NotAfter: sim.Epoch.Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &c.key.PublicKey, c.key)
		Expect(err).NotTo(HaveOccurred())
		short, err := x509.ParseCertificate(der)
		Expect(err).NotTo(HaveOccurred())
		sched := sim.NewScheduler(sim.Epoch, nil)
		srv, err := mockgraph.New(mockgraph.Config{
			Clock: sched, Rand: mrand.New(mrand.NewPCG(3, 4)), TenantID: tenantID, TenantDomain: "contoso.onmicrosoft.com",
			Apps:         []mockgraph.App{{ClientID: certApp, DisplayName: "CI pipeline", Roles: allRoles, Certificates: []*x509.Certificate{short}}},
			RuleCompiler: stubCompiler,
		})
		Expect(err).NotTo(HaveOccurred())
		client, stop := transport.ServeHTTPMemory(srv.Handler())
		DeferCleanup(stop)
		w := &world{sched: sched, srv: srv, client: client, stop: stop}
		post := func() tokenReply {
			a := goodAssertion(w.sched.Now())
			a.header = map[string]any{"x5t#S256": x5tS256(short)}
			return w.postToken(assertionForm(certApp, a.sign()))
		}

		w.run(time.Hour) // exactly notAfter: still valid (X.509 notAfter is inclusive)
		Expect(post().status).To(Equal(200))
		w.run(time.Second)
		r := post()
		Expect(r.status).To(Equal(401))
		Expect(r.body["error"]).To(Equal("invalid_client"))
		Expect(r.aadsts()).To(BeNumerically("==", 700027))
		Expect(r.body["error_description"]).To(ContainSubstring("Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '" +
			strings.ToUpper(hex.EncodeToString(func() []byte { d := sha256.Sum256(der); return d[:] }())) +
			"', Found key 'Start=01/05/2026 07:00:00, End=01/05/2026 09:00:00']"))
	})
})
