package mockgraph

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/autopilotsim/autopilotsim/sim"
)

func fuzzServer(tb testing.TB) (*Server, string) {
	srv, err := New(Config{Clock: sim.NewScheduler(time.Time{}, nil), Rand: mrand.New(mrand.NewPCG(7, 7)),
		TenantID: "11111111-2222-4333-8444-555555555555", TenantDomain: "contoso.onmicrosoft.com",
		Apps: []App{{ClientID: "a", ClientSecret: "s", Roles: []string{"Group.ReadWrite.All", "DeviceManagementServiceConfig.ReadWrite.All", "DeviceManagementConfiguration.ReadWrite.All",
			"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"}}}})
	if err != nil {
		tb.Fatal(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"a"}, "client_secret": {"s"}, "scope": {"https://graph.microsoft.com/.default"}}
	req := httptest.NewRequest("POST", "/11111111-2222-4333-8444-555555555555/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		tb.Fatalf("token: %v %s", err, rec.Body.String())
	}
	return srv, tok.AccessToken
}

// FuzzCreateBodies: Graph JSON bodies are parser input too. Any body sent
// to the create endpoints (and to the sign-in channel, which has no
// registered device here) gets 201 or a 4xx Graph error with a message,
// never a panic or a 5xx.
func FuzzCreateBodies(f *testing.F) {
	srv, token := fuzzServer(f)
	paths := []string{"/v1.0/groups", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles",
		"/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", "/beta/deviceManagement/deviceConfigurations",
		"/beta/deviceManagement/deviceEnrollmentConfigurations", "/_private/enrollment/v1/existing",
		"/_private/enrollment/v1/previous", "/v1.0/identity/conditionalAccess/policies", "/_private/signin/v1/access"}
	for _, s := range []string{
		`{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`,
		`{"@odata.type":"#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile","displayName":"P","hybridAzureADJoinSkipConnectivityCheck":true}`,
		`{"serialNumber":"S","hardwareIdentifier":"aGFzaA==","state":{"deviceImportStatus":"pending"}}`,
		`{"@odata.type":"#microsoft.graph.windowsDomainJoinConfiguration","displayName":"D","activeDirectoryDomainName":"a.b","computerNameSuffixRandomCharCount":"5"}`,
		`{"@odata.type":"#microsoft.graph.windows10EnrollmentCompletionPageConfiguration","displayName":"E","installProgressTimeoutInMinutes":"60"}`,
		`{"serialNumber":"C1","hardwareHash":"aGFzaA==","deviceName":"CORP-1","ownership":"company","joinType":"hybridAzureADJoined"}`,
		`{"serialNumber":"R1","hardwareHash":"aGFzaA==","deviceName":"AP-OLD1","userPrincipalName":"a@b"}`,
		`{"deviceId":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","userPrincipalName":"a@b","userSignIn":true,"certificate":"AA==","signature":"AA=="}`,
		`{"displayName":"CA","state":"enabled","conditions":{},"grantControls":{"operator":"OR","builtInControls":["compliantDevice","domainJoinedDevice"]}}`,
		`{`, `[]`, `null`, `{"displayName":1e999}`, `{"outOfBoxExperienceSettings":[1]}`,
	} {
		for p := range len(paths) {
			f.Add(uint8(p), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		req := httptest.NewRequest("POST", paths[int(which)%len(paths)], strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated && (rec.Code < 400 || rec.Code >= 500) {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		if rec.Code >= 400 {
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("error body without code/message for %q: %s", body, rec.Body.String())
			}
		}
	})
}

// FuzzClientAssertion: the token endpoint's certificate path parses a JWT
// from the form. Any client_id, client_assertion_type, client_assertion
// (and an optional secret, form or Basic) gets 200 with a token or a 4xx
// with error, error_description and error_codes, never a panic or a 5xx.
func FuzzClientAssertion(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	now := sim.Epoch
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fuzz"}, NotBefore: now, NotAfter: now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		f.Fatal(err)
	}
	const tenant = "11111111-2222-4333-8444-555555555555"
	srv, err := New(Config{Clock: sim.NewScheduler(now, nil), Rand: mrand.New(mrand.NewPCG(7, 7)),
		TenantID: tenant, TenantDomain: "contoso.onmicrosoft.com",
		Apps: []App{{ClientID: "c", Certificates: []*x509.Certificate{cert}, Roles: []string{"Device.Read.All"}},
			{ClientID: "b", ClientSecret: "s", Certificates: []*x509.Certificate{cert}}}})
	if err != nil {
		f.Fatal(err)
	}
	endpoint := "/" + tenant + "/oauth2/v2.0/token"
	sign := func(m jwt.SigningMethod, hdr map[string]any, c jwt.MapClaims) string {
		t := jwt.NewWithClaims(m, c)
		for k, v := range hdr {
			t.Header[k] = v
		}
		out, err := t.SignedString(key)
		if err != nil {
			f.Fatal(err)
		}
		return out
	}
	s256 := sha256.Sum256(cert.Raw)
	s1 := sha1.Sum(cert.Raw)
	claims := jwt.MapClaims{"aud": "http://example.com" + endpoint, "iss": "c", "sub": "c", "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
	good := sign(jwt.SigningMethodPS256, map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(s256[:])}, claims)
	rs := sign(jwt.SigningMethodRS256, map[string]any{"x5t": base64.RawURLEncoding.EncodeToString(s1[:])}, claims)
	const typ = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	for _, a := range []string{good, rs, "", "a.b.c", "not-a-jwt", "e30.e30.", "eyJhbGciOiJub25lIn0.e30.", good + "x", strings.Replace(good, ".", "..", 1),
		"eyJhbGciOiJQUzI1NiIsIng1dCNTMjU2Ijp7fX0.eyJleHAiOiJ4In0.c2ln", "eyJhbGciOiJQUzI1NiIsIng1dCI6MX0.eyJhdWQiOlsxXX0.c2ln"} {
		f.Add("c", typ, a, "", uint8(0))
		f.Add("b", typ, a, "s", uint8(1))
	}
	f.Add("c", "", good, "", uint8(0))
	f.Add("c", "urn:x", good, "", uint8(2))
	f.Add("", typ, good, "", uint8(4))
	f.Fuzz(func(t *testing.T, clientID, assertionType, assertion, secret string, flags uint8) {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}, "client_id": {clientID}}
		if flags&4 == 0 {
			form.Set("client_assertion_type", assertionType)
			form.Set("client_assertion", assertion)
		}
		if flags&1 != 0 {
			form.Set("client_secret", secret)
		}
		req := httptest.NewRequest("POST", "http://example.com"+endpoint, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if flags&2 != 0 {
			req.SetBasicAuth(clientID, secret)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		var body struct {
			AccessToken string `json:"access_token"`
			Error       string `json:"error"`
			Description string `json:"error_description"`
			Codes       []int  `json:"error_codes"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("status %d, body not JSON: %v: %s", rec.Code, err, rec.Body.String())
		}
		switch {
		case rec.Code == http.StatusOK:
			if body.AccessToken == "" {
				t.Fatalf("200 without access_token: %s", rec.Body.String())
			}
		case rec.Code >= 400 && rec.Code < 500:
			if body.Error == "" || body.Description == "" || len(body.Codes) != 1 {
				t.Fatalf("%d without error, error_description and error_codes: %s", rec.Code, rec.Body.String())
			}
		default:
			t.Fatalf("status %d for assertion %q: %s", rec.Code, assertion, rec.Body.String())
		}
	})
}
