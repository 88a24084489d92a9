package mockgraph

import (
	"encoding/base64"
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
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	if id == "" {
		s.aadError(w, 400, "invalid_request", "The request body must contain the following parameter: 'client_id'.", 900144)
		return
	}
	scope := r.PostForm.Get("scope")
	if scope != graphAudience+"/.default" && scope != graphAudienceID+"/.default" {
		s.aadError(w, 400, "invalid_scope", fmt.Sprintf("The provided value for scope %q is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.", scope), 1002012)
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
	if secret != app.ClientSecret {
		s.aadError(w, 401, "invalid_client", fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", id), 7000215)
		return
	}
	now := s.now()
	s.mu.Lock()
	jti := s.newID()
	s.mu.Unlock()
	claims := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer(),
			Subject:   app.ClientID,
			ExpiresAt: jwt.NewNumericDate(now.Add(tokenLifetime)),
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
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
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
// clock), for another audience or another tenant (§1.3, issue #3 item 4).
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
