package mockgraph

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// graphAudience is the audience of a Graph access token (graph-api.md §2);
// the app id form of the Graph resource is accepted too.
const (
	graphAudience   = "https://graph.microsoft.com"
	graphAudienceID = "00000003-0000-0000-c000-000000000000"
	tokenLifetime   = 3599 * time.Second
)

type tokenClaims struct {
	jwt.RegisteredClaims
	// Aud is a single string as Entra ID issues it (jwt's ClaimStrings
	// would marshal an array); it shadows RegisteredClaims.Audience.
	Aud      string   `json:"aud"`
	TenantID string   `json:"tid"`
	AppID    string   `json:"appid"`
	IDType   string   `json:"idtyp"`
	Roles    []string `json:"roles"`
}

func (s *Server) issuer() string { return "https://sts.windows.net/" + s.cfg.TenantID + "/" }

func (s *Server) tenantMatches(t string) bool {
	return strings.EqualFold(t, s.cfg.TenantID) || strings.EqualFold(t, s.cfg.TenantDomain) ||
		t == "organizations" || t == "common"
}

// aadError writes the token endpoint's error body (§2), which is not Graph's envelope.
func (s *Server) aadError(w http.ResponseWriter, status int, code, desc string, aadsts int) {
	writeJSON(w, status, map[string]any{
		"error":             code,
		"error_description": fmt.Sprintf("AADSTS%d: %s", aadsts, desc),
		"error_codes":       []int{aadsts},
		"timestamp":         s.now().Format("2006-01-02 15:04:05Z"),
		"trace_id":          info0(),
		"correlation_id":    info0(),
	})
}

func info0() string { return "00000000-0000-0000-0000-000000000000" }

// handleToken is POST /{tenant}/oauth2/v2.0/token, client_credentials (§2).
// The client authenticates with its secret (form or Basic) or with a
// certificate: a signed JWT in client_assertion (checkClientAssertion), as
// the Microsoft identity platform "certificate credentials" page describes.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	tenant := pathVar(r, "tenant")
	if !s.tenantMatches(tenant) {
		s.aadError(w, 400, "invalid_request", fmt.Sprintf("Tenant '%s' not found.", tenant), 90002)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.aadError(w, 400, "invalid_request", "The request body must be application/x-www-form-urlencoded: "+err.Error(), 900144)
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		s.aadError(w, 400, "unsupported_grant_type", fmt.Sprintf("The provided value for the input parameter 'grant_type' is not valid: %q; only client_credentials is supported.", gt), 70003)
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	_, hasSecret := r.PostForm["client_secret"]
	if u, p, ok := r.BasicAuth(); ok {
		id, secret, hasSecret = u, p, true
	}
	if id == "" {
		s.aadError(w, 400, "invalid_request", "The request body must contain the following parameter: 'client_id'.", 900144)
		return
	}
	scope := r.PostForm.Get("scope")
	if res := resourceScopes(scope); len(res) != 1 || res[0] != graphAudience+"/.default" && res[0] != graphAudienceID+"/.default" {
		s.aadError(w, 400, "invalid_scope", fmt.Sprintf("The provided value for scope %q is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.", scope), 1002012)
		return
	}
	_, hasAssertion := r.PostForm["client_assertion"]
	_, hasAssertionType := r.PostForm["client_assertion_type"]
	assertion := hasAssertion || hasAssertionType
	switch {
	case hasSecret && assertion:
		// RFC 6749 §2.3: "The client MUST NOT use more than one
		// authentication method in each request." What Entra ID answers is
		// UNCERTAIN (no documented AADSTS code); the mock refuses with
		// invalid_request and the code of the neither case below.
		s.aadError(w, 400, "invalid_request", "The request must contain exactly one client credential: either 'client_secret' or 'client_assertion' (with 'client_assertion_type'), not both.", 7000216)
		return
	case !hasSecret && !assertion:
		// Entra ID's text for this case (AADSTS7000216, seen in
		// MicrosoftDocs/azure-docs#30777).
		s.aadError(w, 400, "invalid_request", "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.", 7000216)
		return
	}
	var app *App
	for i := range s.cfg.Apps {
		if s.cfg.Apps[i].ClientID == id {
			app = &s.cfg.Apps[i]
		}
	}
	if app == nil {
		s.aadError(w, 400, "unauthorized_client", fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'.", id, s.cfg.TenantDomain), 700016)
		return
	}
	if assertion {
		if e := s.checkClientAssertion(r, app); e != nil {
			s.aadError(w, e.status, e.code, e.desc, e.aadsts)
			return
		}
	} else if app.ClientSecret == "" || secret != app.ClientSecret {
		// A certificate-only app has no secret: no secret (not even "") matches.
		s.aadError(w, 401, "invalid_client", fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", id), 7000215)
		return
	}
	s.issueToken(w, app)
}

// resourceScopes drops the OpenID Connect scopes from a space-separated
// scope list. MSAL (Go: apps/internal/oauth/ops/accesstokens
// AppendDefaultScopes, v1.4.2) adds "openid offline_access profile" to every
// token request, client credentials included, and Entra ID takes it; found
// by the azidentity conformance spec.
func resourceScopes(scope string) []string {
	var out []string
	for _, sc := range strings.Fields(scope) {
		switch sc {
		case "openid", "offline_access", "profile":
		default:
			out = append(out, sc)
		}
	}
	return out
}

// simTokenLifetime is a token's lifetime on the simulated clock: the wall
// lifetime a client reads in expires_in, scaled by a lab's speed
// (Config.TokenClockScale).
func (s *Server) simTokenLifetime() time.Duration {
	if s.cfg.TokenClockScale == nil {
		return tokenLifetime
	}
	scale := s.cfg.TokenClockScale()
	if !(scale >= 1) {
		scale = 1
	}
	return time.Duration(float64(tokenLifetime) * scale)
}

// issueToken answers a successful client-credentials request for app.
func (s *Server) issueToken(w http.ResponseWriter, app *App) {
	now := s.now()
	s.mu.Lock()
	var jti string
	if s.cfg.TokenIDsApart {
		jti = s.reqID()
	} else {
		jti = s.newID()
	}
	s.mu.Unlock()
	claims := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer(),
			Subject:   app.ClientID,
			ExpiresAt: jwt.NewNumericDate(now.Add(s.simTokenLifetime())),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
		Aud: graphAudience, TenantID: s.cfg.TenantID, AppID: app.ClientID, IDType: "app", Roles: append([]string{}, app.Roles...),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = s.keyID
	signed, err := tok.SignedString(s.key)
	if err != nil {
		s.aadError(w, 500, "server_error", "mockgraph: sign token: "+err.Error(), 50000)
		return
	}
	writeJSON(w, 200, map[string]any{
		"token_type": "Bearer", "expires_in": int(tokenLifetime / time.Second),
		"ext_expires_in": int(tokenLifetime / time.Second), "access_token": signed,
	})
}

// Certificate credentials (Microsoft identity platform "application
// authentication certificate credentials", learn.microsoft.com
// entra/identity-platform/certificate-credentials; RFC 7523 §2.2).
const (
	clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	certCredentialsDoc  = "Review the documentation at https://learn.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials ."
	// assertionTimeFormat is how Entra ID prints times in AADSTS700024
	// (seen in MSAL.NET's test fixtures of real answers).
	assertionTimeFormat = "2006-01-02T15:04:05.0000000Z"
)

// assertionAlgs are the signature algorithms accepted: the page names
// RS256 (older revisions, SHA-1 x5t) and PS256 (current, x5t#S256).
var assertionAlgs = []string{"RS256", "PS256"}

type tokenError struct {
	status     int
	code, desc string
	aadsts     int
}

func clientErr(aadsts int, desc string) *tokenError {
	return &tokenError{status: 401, code: "invalid_client", desc: desc, aadsts: aadsts}
}

// checkClientAssertion authenticates app by the JWT in client_assertion.
// Checks, in order: the form fields, the JWT's syntax, alg, the thumbprint
// naming one of the app's certificates, the signature, then the claims:
// aud (the token endpoint), iss = sub = client_id, exp/nbf against the
// simulation clock. The AADSTS codes and texts are Entra ID's where a
// source shows them (cited at each); the order of the checks is the mock's.
func (s *Server) checkClientAssertion(r *http.Request, app *App) *tokenError {
	typ, raw := r.PostForm.Get("client_assertion_type"), r.PostForm.Get("client_assertion")
	switch {
	case typ == "":
		return &tokenError{400, "invalid_request", "The request body must contain the following parameter: 'client_assertion_type'.", 900144}
	case typ != clientAssertionType:
		// AADSTS90100 InvalidRequestParameter (error code reference).
		return &tokenError{400, "invalid_request", fmt.Sprintf("The parameter 'client_assertion_type' is empty or not valid: %q; the only supported value is %q.", typ, clientAssertionType), 90100}
	case raw == "":
		return &tokenError{400, "invalid_request", "The request body must contain the following parameter: 'client_assertion'.", 900144}
	}
	var claims jwt.RegisteredClaims
	tok, parts, err := jwt.NewParser().ParseUnverified(raw, &claims)
	if err != nil && (tok == nil || tok.Header == nil || parts == nil || errors.Is(err, jwt.ErrTokenMalformed)) {
		// AADSTS50027 InvalidJwtToken ("JWT token is invalid or malformed.",
		// Azure SDK troubleshooting); the reason is the mock's parser's.
		return &tokenError{400, "invalid_request", "JWT token is invalid or malformed. [Reason - " + err.Error() + "]", 50027}
	}
	alg, _ := tok.Header["alg"].(string)
	if !slices.Contains(assertionAlgs, alg) || tok.Method == nil {
		// AADSTS5002738, text as Entra ID answers (MSAL.NET test fixtures);
		// the list is the mock's.
		return clientErr(5002738, fmt.Sprintf("Invalid JWT token. '%s' is not a supported signature algorithm. Supported signing algorithms are: '%s'", alg, strings.Join(assertionAlgs, ",")))
	}
	cert, thumb, e := findAssertionCert(tok.Header, app)
	if e != nil {
		return e
	}
	now := s.now()
	if now.After(cert.NotAfter) {
		// A registered certificate's keyCredential ends at its notAfter;
		// Entra ID refuses an assertion signed with an expired one with
		// this reason (AADSTS700027, microsoft/azure-tools-for-java#2785).
		// A certificate not yet valid (before notBefore) is not checked:
		// what Entra ID answers is UNCERTAIN.
		return clientErr(700027, invalidSignature("The key used is expired.", thumb, cert))
	}
	sig, err := jwt.NewParser().DecodeSegment(parts[2])
	if err == nil {
		err = tok.Method.Verify(parts[0]+"."+parts[1], sig, cert.PublicKey)
	}
	if err != nil {
		// Reason text as Entra ID gave it for a found key that failed to
		// verify (msgraph-sdk-php#1585, under AADSTS50013 for an OBO
		// assertion); the code is the client-assertion one (700027).
		return clientErr(700027, invalidSignature("Key was found, but use of the key to verify the signature failed.", thumb, cert))
	}
	if !s.assertionAudienceOK(r, claims.Audience) {
		// AADSTS700023 for the audience: Azure SDK for Java's troubleshooting
		// table of ClientAssertionCredential (the AADSTS reference lists
		// 700023 as InvalidResourcelessScope; UNCERTAIN, the SDK's is used).
		return clientErr(700023, "Client assertion audience claim does not match Realm issuer. "+certCredentialsDoc)
	}
	if claims.Issuer != claims.Subject {
		// AADSTS50048 SubjectMismatchesIssuer (error code reference).
		return clientErr(50048, "Subject mismatches Issuer claim in the client assertion.")
	}
	if claims.Subject != app.ClientID {
		// AADSTS700021, text as Entra ID answers (MSAL.NET test fixtures).
		return clientErr(700021, "Client assertion application identifier doesn't match 'client_id' parameter. "+certCredentialsDoc)
	}
	// exp is required ("must not be accepted on or after"); nbf, when
	// present, must have passed. No clock skew is allowed, and no limit is
	// put on exp: the page says "Microsoft Entra ID doesn't place
	// restrictions on the exp time currently". jti and iat are listed but
	// not said to be required, so they are not checked.
	epoch := time.Unix(0, 0).UTC() // how a missing nbf/exp prints (below)
	from, until := epoch, epoch
	if claims.NotBefore != nil {
		from = claims.NotBefore.UTC()
	}
	if claims.ExpiresAt != nil {
		until = claims.ExpiresAt.UTC()
	}
	if claims.ExpiresAt == nil || !now.Before(until) || (claims.NotBefore != nil && now.Before(from)) {
		// AADSTS700024, text as Entra ID answers (MSAL.NET test fixtures,
		// where an assertion without exp prints its expiry as the epoch).
		return clientErr(700024, fmt.Sprintf("Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. %s",
			now.Format(assertionTimeFormat), from.Format(assertionTimeFormat), until.Format(assertionTimeFormat), certCredentialsDoc))
	}
	return nil
}

// invalidSignature is the AADSTS700027 text for a key that was found but
// not usable: the reason, the client's thumbprint and the key's validity
// as Entra ID prints them.
func invalidSignature(reason, thumb string, c *x509.Certificate) string {
	const keyTime = "01/02/2006 15:04:05"
	return fmt.Sprintf("Client assertion contains an invalid signature. [Reason - %s, Thumbprint of key used by client: '%s', Found key 'Start=%s, End=%s']",
		reason, thumb, c.NotBefore.UTC().Format(keyTime), c.NotAfter.UTC().Format(keyTime))
}

// findAssertionCert picks the app's certificate named by the header's
// x5t#S256 (base64url SHA-256 of the DER) or x5t (base64url SHA-1). It also
// returns the thumbprint as Entra ID prints it (upper-case hex).
func findAssertionCert(h map[string]any, app *App) (*x509.Certificate, string, *tokenError) {
	s256, has256 := h["x5t#S256"]
	s1, has1 := h["x5t"]
	if !has256 && !has1 {
		if _, kid := h["kid"]; !kid {
			// AADSTS5002723, text as Entra ID answers (MSAL.NET test fixtures).
			return nil, "", clientErr(5002723, "Invalid JWT token. No certificate SHA-1 thumbprint, certificate SHA-256 thumbprint, nor keyId specified in token header.")
		}
		// keyCredential key ids are not modelled: a kid alone finds no key.
	}
	val, sum := s1, func(der []byte) []byte { d := sha1.Sum(der); return d[:] }
	if has256 {
		val, sum = s256, func(der []byte) []byte { d := sha256.Sum256(der); return d[:] }
	}
	str, _ := val.(string)
	// The page says base64url, but MSAL Go (apps/internal/oauth/ops/
	// accesstokens, v1.4.2) sends standard base64 with padding, and Entra
	// ID takes it; both alphabets are accepted, padded or not.
	trimmed := strings.TrimRight(str, "=")
	want, err := base64.RawURLEncoding.DecodeString(trimmed)
	if err != nil {
		want, err = base64.RawStdEncoding.DecodeString(trimmed)
	}
	thumb := strings.ToUpper(hex.EncodeToString(want))
	if err != nil {
		thumb = str
	}
	if err == nil && len(want) > 0 {
		for _, c := range app.Certificates {
			if subtle.ConstantTimeCompare(sum(c.Raw), want) == 1 {
				return c, thumb, nil
			}
		}
	}
	// Reason text as Entra ID answers (pnp/cli-microsoft365#1621).
	return nil, thumb, clientErr(700027, fmt.Sprintf("Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]", thumb, app.ClientID))
}

// assertionAudienceOK accepts the token endpoint as Entra ID names it
// (https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token, tenant by
// id or domain) and as this request reached the mock (its scheme and Host,
// as nextLinks and the discovery document are built), which is what a
// client that read token_endpoint from the discovery document signs.
func (s *Server) assertionAudienceOK(r *http.Request, aud jwt.ClaimStrings) bool {
	own := baseURL(r) + r.URL.Path
	for _, a := range aud {
		if a == own {
			return true
		}
		t, ok := strings.CutPrefix(a, "https://login.microsoftonline.com/")
		if !ok {
			continue
		}
		t, ok = strings.CutSuffix(t, "/oauth2/v2.0/token")
		if ok && (strings.EqualFold(t, s.cfg.TenantID) || strings.EqualFold(t, s.cfg.TenantDomain)) {
			return true
		}
	}
	return false
}

// handleOpenID is GET /{tenant}/v2.0/.well-known/openid-configuration (§2: MSAL reads it first).
func (s *Server) handleOpenID(w http.ResponseWriter, r *http.Request) {
	tenant := pathVar(r, "tenant")
	if !s.tenantMatches(tenant) {
		s.aadError(w, 400, "invalid_tenant", fmt.Sprintf("Tenant '%s' not found.", tenant), 90002)
		return
	}
	base := baseURL(r) + "/" + tenant
	writeJSON(w, 200, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"issuer":                                base + "/v2.0",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"tenant_region_scope":                   "WW",
	})
}

// handleJWKS is GET /{tenant}/discovery/v2.0/keys.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	pub := s.key.PublicKey
	enc := base64.RawURLEncoding
	writeJSON(w, 200, map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "use": "sig", "kid": s.keyID, "alg": "RS256",
		"n": enc.EncodeToString(pub.N.Bytes()),
		"e": enc.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// authenticate validates the bearer token: 401 InvalidAuthenticationToken
// when it is missing, malformed, tampered, expired (by the simulation
// clock), for another audience or another tenant (§1.3).
func (s *Server) authenticate(r *http.Request) (*tokenClaims, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, dirErr(401, "InvalidAuthenticationToken", "Access token is empty.")
	}
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		raw, ok = strings.CutPrefix(h, "bearer ")
	}
	if !ok || raw == "" {
		return nil, dirErr(401, "InvalidAuthenticationToken", "Access token validation failure. The Authorization header must use the Bearer scheme.")
	}
	// Verified tokens are cached (RSA verification dominates a small GET);
	// expiry is still checked against the clock on every use.
	s.mu.Lock()
	cached, hit := s.tokCache[raw]
	s.mu.Unlock()
	if hit {
		if !s.now().Before(cached.ExpiresAt.Time) {
			return nil, dirErr(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
		}
		return cached, nil
	}
	claims := &tokenClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) { return &s.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithTimeFunc(s.now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(s.issuer()),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, dirErr(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return nil, dirErr(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid signature.")
	case err != nil:
		return nil, dirErr(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience or malformed token: "+err.Error())
	}
	if a := claims.Aud; a != graphAudience && a != graphAudience+"/" && a != graphAudienceID {
		return nil, dirErr(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
	}
	if !strings.EqualFold(claims.TenantID, s.cfg.TenantID) {
		return nil, dirErr(401, "InvalidAuthenticationToken", "Access token validation failure. The token was issued for another tenant.")
	}
	s.mu.Lock()
	if len(s.tokCache) >= 4096 {
		s.tokCache = map[string]*tokenClaims{}
	}
	s.tokCache[raw] = claims
	s.mu.Unlock()
	return claims, nil
}

// perm is the permission an endpoint needs: every group in allOf must be
// satisfied by at least one role in it (graph-api.md §3). Intune endpoints
// answer 403 in Intune's shape, directory ones Authorization_RequestDenied.
type perm struct {
	allOf  [][]string
	intune bool
}

func (p perm) check(c *tokenClaims) *apiError {
	for _, anyOf := range p.allOf {
		ok := false
		for _, r := range anyOf {
			if slices.Contains(c.Roles, r) {
				ok = true
				break
			}
		}
		if !ok {
			if p.intune {
				// §1.3 [obs]: Intune's 403 is code Forbidden with the scopes in the inner Message.
				return intuneErr(403, "Forbidden", "Application is not authorized to perform this operation. Application must have one of the following scopes: "+strings.Join(anyOf, ", "))
			}
			return dirErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		}
	}
	return nil
}

// Permission sets (graph-api.md §3).
var (
	svcRead    = []string{"DeviceManagementServiceConfig.Read.All", "DeviceManagementServiceConfig.ReadWrite.All"}
	svcWrite   = []string{"DeviceManagementServiceConfig.ReadWrite.All"}
	assignW    = []string{"DeviceManagementServiceConfig.ReadWrite.All", "DeviceManagementConfiguration.ReadWrite.All"}
	cfgRead    = []string{"DeviceManagementConfiguration.Read.All", "DeviceManagementConfiguration.ReadWrite.All"}
	cfgWrite   = []string{"DeviceManagementConfiguration.ReadWrite.All"}
	mdRead     = []string{"DeviceManagementManagedDevices.Read.All", "DeviceManagementManagedDevices.ReadWrite.All"}
	mdWrite    = []string{"DeviceManagementManagedDevices.ReadWrite.All"}
	devRead    = []string{"Device.Read.All", "Device.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	devWrite   = []string{"Device.ReadWrite.All", "Directory.ReadWrite.All"}
	grpRead    = []string{"Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "GroupMember.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	grpCreate  = []string{"Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
	grpWrite   = []string{"Group.ReadWrite.All", "Directory.ReadWrite.All"}
	memberW    = []string{"GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
	pSvcRead   = perm{allOf: [][]string{svcRead}, intune: true}
	pSvcWrite  = perm{allOf: [][]string{svcWrite}, intune: true}
	pAssign    = perm{allOf: [][]string{assignW}, intune: true}
	pCfgRead   = perm{allOf: [][]string{cfgRead}, intune: true}
	pCfgWrite  = perm{allOf: [][]string{cfgWrite}, intune: true}
	pMdRead    = perm{allOf: [][]string{mdRead}, intune: true}
	pMdWrite   = perm{allOf: [][]string{mdWrite}, intune: true}
	pDevRead   = perm{allOf: [][]string{devRead}}
	pDevWrite  = perm{allOf: [][]string{devWrite}}
	pGrpRead   = perm{allOf: [][]string{grpRead}}
	pGrpCreate = perm{allOf: [][]string{grpCreate}}
	pGrpWrite  = perm{allOf: [][]string{grpWrite}}
	// Adding a device to a group needs GroupMember.ReadWrite.All and Device.ReadWrite.All (§3).
	pMemberW = perm{allOf: [][]string{memberW, devWrite}}
)

// Authorize checks a request's bearer token the way Graph's own routes do
// (signature, issuer, audience, tenant, expiry on the clock) and that it
// carries one of roles. It returns the token's app id, or the HTTP status
// (401, 403) and Graph's message. Lab tools beside mockgraph (the lab's
// control API) use it so one token works for both.
func (s *Server) Authorize(r *http.Request, roles ...string) (appID string, status int, err error) {
	c, apiErr := s.authenticate(r)
	if apiErr != nil {
		return "", apiErr.status, errors.New(apiErr.message)
	}
	for _, want := range roles {
		if slices.Contains(c.Roles, want) {
			return c.AppID, 200, nil
		}
	}
	return c.AppID, 403, fmt.Errorf("the token's app has none of the roles %s", strings.Join(roles, ", "))
}
