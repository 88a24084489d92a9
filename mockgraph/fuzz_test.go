package mockgraph

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/autopilotsim/autopilotsim/sim"
)

func fuzzServer(tb testing.TB) (*Server, string) {
	srv, err := New(Config{Clock: sim.NewScheduler(time.Time{}, nil), Rand: rand.New(rand.NewPCG(7, 7)),
		TenantID: "11111111-2222-4333-8444-555555555555", TenantDomain: "contoso.onmicrosoft.com",
		Apps: []App{{ClientID: "a", ClientSecret: "s", Roles: []string{"Group.ReadWrite.All", "DeviceManagementServiceConfig.ReadWrite.All", "DeviceManagementConfiguration.ReadWrite.All"}}}})
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
// to the create endpoints gets 201 or a 4xx Graph error with a message,
// never a panic or a 5xx.
func FuzzCreateBodies(f *testing.F) {
	srv, token := fuzzServer(f)
	paths := []string{"/v1.0/groups", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles",
		"/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", "/beta/deviceManagement/deviceConfigurations",
		"/beta/deviceManagement/deviceEnrollmentConfigurations", "/_private/enrollment/v1/existing"}
	for _, s := range []string{
		`{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`,
		`{"@odata.type":"#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile","displayName":"P","hybridAzureADJoinSkipConnectivityCheck":true}`,
		`{"serialNumber":"S","hardwareIdentifier":"aGFzaA==","state":{"deviceImportStatus":"pending"}}`,
		`{"@odata.type":"#microsoft.graph.windowsDomainJoinConfiguration","displayName":"D","activeDirectoryDomainName":"a.b","computerNameSuffixRandomCharCount":"5"}`,
		`{"@odata.type":"#microsoft.graph.windows10EnrollmentCompletionPageConfiguration","displayName":"E","installProgressTimeoutInMinutes":"60"}`,
		`{"serialNumber":"C1","hardwareHash":"aGFzaA==","deviceName":"CORP-1","ownership":"company","joinType":"hybridAzureADJoined"}`,
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
