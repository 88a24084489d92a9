package mockgraph

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autopilotsim/autopilotsim/sim"
)

// The stateful fuzz targets (fuzz_private_test.go, fuzz_writes_test.go)
// run every input against a pristine seeded tenant, so a crasher replays
// alone from its corpus file: a fresh one, or the previous input's when
// that input was refused and so (as the targets check) changed nothing.
// Building a tenant costs far more than one request (mostly the router's
// regexps), and most fuzzed inputs are refused. The tenant is built through the same
// endpoints its clients use; only the signing key, the admin token and
// the device's certificate are made once per process (they are the slow
// part and do not depend on the input).

const (
	fwTenant   = "11111111-2222-4333-8444-555555555555"
	fwDomain   = "corp.contoso.com"
	fwHash     = "aGFzaA=="
	fwSyncedID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" // the synced device's deviceId (subject CN of fwCert)
	fwOID      = "oid-1"                                // its on-premises object id (source anchor)
)

var fwRoles = []string{
	"DeviceManagementServiceConfig.ReadWrite.All", "DeviceManagementConfiguration.ReadWrite.All",
	"DeviceManagementManagedDevices.ReadWrite.All", "Device.ReadWrite.All", "Group.ReadWrite.All", "GroupMember.ReadWrite.All",
}

// fwShared is what every fuzz world reuses.
var fwShared struct {
	once               sync.Once
	key                *rsa.PrivateKey
	admin, reader      string // tokens: all roles; Device.Read.All only
	certDER            []byte // the synced device's certificate (Ed25519, fixed seed)
	certB64, signature string
	thumbprint         string
}

func fwConfig(sched *sim.Scheduler) Config {
	return Config{Clock: sched, Rand: mrand.New(mrand.NewPCG(7, 7)), TenantID: fwTenant, TenantDomain: "contoso.onmicrosoft.com",
		SigningKey: fwShared.key, ODJMaxRetries: 1, LogRequests: true, RequestLogLimit: 50,
		Apps: []App{{ClientID: "admin", ClientSecret: "s", Roles: fwRoles}, {ClientID: "reader", ClientSecret: "r", Roles: []string{"Device.Read.All"}}}}
}

func fwInit(tb testing.TB) {
	fwShared.once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			tb.Fatal(err)
		}
		fwShared.key = key
		srv, err := New(fwConfig(sim.NewScheduler(time.Time{}, nil)))
		if err != nil {
			tb.Fatal(err)
		}
		fwShared.admin, fwShared.reader = fwToken(tb, srv, "admin", "s"), fwToken(tb, srv, "reader", "r")
		// Ed25519 signatures are deterministic, so the seed corpus can hold a
		// valid registration for this device.
		dk := ed25519.NewKeyFromSeed([]byte("autopilotsim fuzz device key 32B"))
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: fwSyncedID},
			NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)}
		der, err := x509.CreateCertificate(nil, tmpl, tmpl, dk.Public(), dk)
		if err != nil {
			tb.Fatal(err)
		}
		sum := sha1.Sum(der)
		fwShared.certDER, fwShared.certB64 = der, base64.StdEncoding.EncodeToString(der)
		fwShared.thumbprint = strings.ToUpper(hex.EncodeToString(sum[:]))
		fwShared.signature = base64.StdEncoding.EncodeToString(ed25519.Sign(dk, DRSProofMessage(fwSyncedID)))
	})
	if fwShared.admin == "" {
		tb.Fatal("fuzz world set-up failed earlier")
	}
}

func fwToken(tb testing.TB, srv *Server, id, secret string) string {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default"}}
	req := httptest.NewRequest("POST", "/"+fwTenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		tb.Fatalf("token: %v %s", err, rec.Body.String())
	}
	return tok.AccessToken
}

// fuzzWorld is a small hybrid-join tenant in mid-flow: two groups (one
// dynamic), two imported devices enrolled (A1's ODJ request claimed by
// connector c1, B1's pending), a hybrid profile, a Domain Join
// configuration, an ESP, an OMA-URI profile, and a device synced by Entra
// Connect with its certificate.
type fuzzWorld struct {
	srv   *Server
	sched *sim.Scheduler
	ids   map[string]string
	// Private channel credentials: A1's and B1's device credentials,
	// connectors c1 (fwDomain, registered) and c2 (other.contoso.com, never
	// heard from), the sync account.
	devA, devB, connA, connB, sync string
	last                           *httptest.ResponseRecorder // the latest answer
}

func newFuzzWorld(tb testing.TB) *fuzzWorld {
	fwInit(tb)
	sched := sim.NewScheduler(time.Time{}, nil)
	srv, err := New(fwConfig(sched))
	if err != nil {
		tb.Fatal(err)
	}
	w := &fuzzWorld{srv: srv, sched: sched, ids: map[string]string{}}
	must := func(status int, method, path, token string, body any) map[string]any {
		b, _ := json.Marshal(body)
		code, out, raw := w.call(method, path, token, string(b), "")
		if code != status {
			tb.Fatalf("set-up %s %s: %d %s", method, path, code, raw)
		}
		return out
	}
	id := func(m map[string]any) string { s, _ := m["id"].(string); return s }
	adm := fwShared.admin
	w.ids["group"] = id(must(201, "POST", "/v1.0/groups", adm, map[string]any{"displayName": "Assigned", "mailEnabled": false, "mailNickname": "assigned", "securityEnabled": true}))
	w.ids["dyngroup"] = id(must(201, "POST", "/v1.0/groups", adm, map[string]any{"displayName": "Lab devices", "mailEnabled": false, "mailNickname": "lab",
		"securityEnabled": true, "groupTypes": []string{"DynamicMembership"}, "membershipRuleProcessingState": "On",
		"membershipRule": `(device.devicePhysicalIds -any (_ -eq "[OrderID]:Lab"))`}))
	for _, serial := range []string{"A1", "B1"} {
		must(201, "POST", "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities", adm, map[string]any{
			"serialNumber": serial, "groupTag": "Lab", "hardwareIdentifier": fwHash, "state": map[string]any{"deviceImportStatus": "pending"}})
	}
	w.run(tb)
	for _, d := range srv.AutopilotDevices() {
		w.ids["autopilot"+d.SerialNumber] = d.ID
		for _, e := range srv.EntraDevices() {
			if e.DeviceID == d.AzureADDeviceID {
				w.ids["device"+d.SerialNumber] = e.ID
			}
		}
	}
	w.ids["profile"] = id(must(201, "POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles", adm, map[string]any{
		"@odata.type": "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", "displayName": "Hybrid",
		"outOfBoxExperienceSettings": map[string]any{"hideEULA": true, "userType": "standard"}}))
	must(201, "POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+w.ids["profile"]+"/assignments", adm,
		map[string]any{"target": map[string]any{"@odata.type": tGroup, "groupId": w.ids["dyngroup"]}})
	w.ids["dj"] = id(must(201, "POST", "/beta/deviceManagement/deviceConfigurations", adm, map[string]any{
		"@odata.type": typeDomainJoin, "displayName": "DJ", "activeDirectoryDomainName": fwDomain,
		"computerNameStaticPrefix": "AP-", "computerNameSuffixRandomCharCount": 12}))
	must(200, "POST", "/beta/deviceManagement/deviceConfigurations/"+w.ids["dj"]+"/assign", adm,
		map[string]any{"assignments": []any{map[string]any{"target": map[string]any{"@odata.type": tAllDevices}}}})
	w.ids["custom"] = id(must(201, "POST", "/beta/deviceManagement/deviceConfigurations", adm, map[string]any{
		"@odata.type": typeCustomConfig, "displayName": "Skip user ESP", "omaSettings": []any{map[string]any{
			"@odata.type": "#microsoft.graph.omaSettingString", "displayName": "skip", "omaUri": "./Vendor/MSFT/DMClient/Provider/MS DM Server/FirstSyncStatus/SkipUserStatusPage", "value": "True"}}}))
	w.ids["esp"] = id(must(201, "POST", "/beta/deviceManagement/deviceEnrollmentConfigurations", adm, map[string]any{
		"@odata.type": typeESP, "displayName": "ESP", "installProgressTimeoutInMinutes": 60, "showInstallationProgress": true}))
	w.run(tb)
	for _, serial := range []string{"A1", "B1"} {
		out := must(201, "POST", "/_private/enrollment/v1/enroll", "", map[string]any{"serialNumber": serial, "hardwareHash": fwHash, "joinType": "DeviceJoinForDomainJoin"})
		cred, _ := out["deviceCredential"].(string)
		w.ids["odj"+serial], _ = out["odjRequestId"].(string)
		w.ids["managed"+serial], _ = out["managedDeviceId"].(string)
		if serial == "A1" {
			w.devA = cred
		} else {
			w.devB = cred
		}
	}
	if w.ids["odjA1"] == "" || w.ids["odjB1"] == "" {
		tb.Fatalf("set-up: enrollment made no ODJ requests: %v", w.ids)
	}
	if w.connA, err = srv.InstallConnector("c1", fwDomain); err != nil {
		tb.Fatal(err)
	}
	if w.connB, err = srv.InstallConnector("c2", "other.contoso.com"); err != nil {
		tb.Fatal(err)
	}
	w.sync = srv.IssueSyncCredential("Sync_SERVER01")
	must(200, "POST", "/_private/odj/v1/connectors/c1/heartbeat", w.connA, map[string]any{"displayName": "ODJCONN01", "domain": fwDomain, "version": "6.2501.2000.5"})
	must(200, "POST", "/_private/odj/v1/connectors/c1/claim", w.connA, map[string]any{"max": 1})
	must(201, "PUT", "/_private/sync/v1/devices/"+fwOID, w.sync, map[string]any{"displayName": "SYNCED1", "deviceId": fwSyncedID,
		"certificateThumbprint": fwShared.thumbprint, "onPremisesDistinguishedName": "CN=SYNCED1,OU=Autopilot,DC=corp,DC=contoso,DC=com"})
	w.ids["synced"] = srv.st.entraByAnchor(fwOID).ID
	w.run(tb)
	return w
}

// worldPool hands out a pristine fuzzWorld per input (one fuzz worker
// runs its inputs one at a time).
type worldPool struct {
	w      *fuzzWorld
	before string
}

// get returns a pristine world and its digest.
func (p *worldPool) get(t *testing.T) (*fuzzWorld, string) {
	if p.w == nil {
		p.w = newFuzzWorld(t)
		p.before = p.w.digest(t)
	}
	return p.w, p.before
}

// done keeps the world for the next input only if this one left it as it
// was.
func (p *worldPool) done(t *testing.T) {
	if p.w != nil && p.w.digest(t) != p.before {
		p.w = nil
	}
}

func (w *fuzzWorld) run(tb testing.TB) {
	if err := w.sched.Run(w.sched.Now().Add(time.Minute)); err != nil {
		tb.Fatal(err)
	}
}

// call sends one request; the body is sent as-is when not empty.
func (w *fuzzWorld) call(method, target, token, body, consistency string) (int, map[string]any, string) {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if consistency != "" {
		req.Header.Set("ConsistencyLevel", consistency)
	}
	rec := httptest.NewRecorder()
	w.srv.Handler().ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	w.last = rec
	return rec.Code, out, rec.Body.String()
}

// digest is the tenant state a refused request must leave alone: every
// entity's exported fields, group membership order, the credentials issued
// and the engine timers pending.
func (w *fuzzWorld) digest(tb testing.TB) string {
	s := w.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	members := map[string][]string{}
	for _, g := range st.groups.items {
		members[g.ID] = g.memberOrder
	}
	queue := map[string][]string{}
	for dom, list := range st.odjPending {
		for _, q := range list {
			queue[dom] = append(queue[dom], q.ID)
		}
	}
	b, err := json.Marshal([]any{st.imported.items, st.autopilot.items, st.entra.items, st.groups.items, members,
		st.profiles.items, st.configs.items, st.enrollConfs.items, st.managed.items, st.odj.items, st.connectors.items,
		st.autopilotSet, len(st.serials), len(st.byEntra), len(st.existing), queue, len(s.creds), w.sched.Pending()})
	if err != nil {
		tb.Fatalf("digest: %v", err)
	}
	return string(b)
}

// answered checks what every answer obeys, whatever the input: a status
// from ok (the endpoint's documented answers), JSON with an error code and
// message on 4xx, WWW-Authenticate on 401, and on any refusal the tenant
// state as it was (Graph refuses a request whole).
func (w *fuzzWorld) answered(t *testing.T, what, before string, ok ...int) {
	t.Helper()
	rec := w.last
	allowed := false
	for _, c := range ok {
		allowed = allowed || rec.Code == c
	}
	if !allowed {
		t.Fatalf("%s: status %d (want one of %v): %s", what, rec.Code, ok, rec.Body.String())
	}
	if rec.Code < 400 {
		if rec.Code != http.StatusNoContent && rec.Code != http.StatusMovedPermanently && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s: %d with a body that is not JSON: %s", what, rec.Code, rec.Body.String())
		}
		return
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("%s: %d without a Graph error code and message: %s", what, rec.Code, rec.Body.String())
	}
	if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("%s: 401 without WWW-Authenticate", what)
	}
	if after := w.digest(t); after != before {
		t.Fatalf("%s: refused with %d but the tenant changed:\nbefore %s\nafter  %s", what, rec.Code, before, after)
	}
}
