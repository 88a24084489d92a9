package mockgraph

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/autopilotsim/autopilotsim/sim"
)

// benchTenant builds a tenant with n Autopilot devices, imported through
// the import action and processed on a virtual clock, served over loopback.
func benchTenant(b *testing.B, n int) (*httptest.Server, string, string) {
	sched := sim.NewScheduler(time.Time{}, nil)
	srv, err := New(Config{Clock: sched, Rand: rand.New(rand.NewPCG(3, 4)),
		TenantID: "11111111-2222-4333-8444-555555555555", TenantDomain: "contoso.onmicrosoft.com",
		Apps:                   []App{{ClientID: "a", ClientSecret: "s", Roles: []string{"DeviceManagementServiceConfig.ReadWrite.All"}}},
		LenientAutopilotFilter: false})
	if err != nil {
		b.Fatal(err)
	}
	srv.mu.Lock()
	var ids []string
	for i := 0; i < n; i++ {
		d, _ := srv.newImport(importBody{SerialNumber: fmt.Sprintf("SN%05d", i), GroupTag: "HAADJ"})
		ids = append(ids, d.ID)
	}
	srv.scheduleImport(ids)
	srv.mu.Unlock()
	if err := sched.Run(time.Time{}); err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(ts.Close)
	_, token := fuzzServerToken(b, srv, ts)
	one := srv.AutopilotDevices()[n/2].ID
	return ts, token, one
}

func fuzzServerToken(b *testing.B, srv *Server, ts *httptest.Server) (*Server, string) {
	resp, err := http.PostForm(ts.URL+"/11111111-2222-4333-8444-555555555555/oauth2/v2.0/token",
		map[string][]string{"grant_type": {"client_credentials"}, "client_id": {"a"}, "client_secret": {"s"}, "scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	const key = `"access_token":"`
	i := indexOf(string(body), key)
	if i < 0 {
		b.Fatalf("no token: %s", body)
	}
	rest := string(body)[i+len(key):]
	return srv, rest[:indexOf(rest, `"`)]
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func benchGET(b *testing.B, url, token string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkGraph compares, over loopback in one run: a filtered, paged
// list over 10,000 Autopilot devices (second page of 100), the same with a
// filter the list cache cannot serve, a single-entity GET, and a minimal
// net/http handler returning a fixed JSON body.
func BenchmarkGraph(b *testing.B) {
	ts, token, one := benchTenant(b, 10_000)
	b.Run("ListFilterPaged10k", func(b *testing.B) {
		benchGET(b, ts.URL+"/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$filter=contains(serialNumber,'SN0')&$top=100&$skiptoken=MockGraphPage_100", token)
	})
	// groupTag changes in place, so this query cannot use the list cache
	// (listcache.go): every page rescans the 10,000 devices.
	b.Run("ListFilterPaged10kUncached", func(b *testing.B) {
		benchGET(b, ts.URL+"/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$filter=groupTag%20eq%20'HAADJ'&$top=100&$skiptoken=MockGraphPage_100", token)
	})
	b.Run("GetOne", func(b *testing.B) {
		benchGET(b, ts.URL+"/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/"+one, token)
	})
	b.Run("BaselineFixedJSON", func(b *testing.B) {
		fixed := []byte(`{"@odata.context":"x","id":"1","serialNumber":"SN00001"}`)
		base := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(fixed)
		}))
		defer base.Close()
		benchGET(b, base.URL+"/", "")
	})
}

// BenchmarkConvert10k: "Convert all targeted devices" over 10,000 devices
// enrolled before Autopilot, all in one dynamic group (a displayName rule)
// that a converting profile targets: enrollment, group evaluation,
// conversion within 48 h and profile assignment, on the virtual clock, in
// process. Reported: devices/s through the whole chain.
func BenchmarkConvert10k(b *testing.B) {
	const n = 10_000
	for b.Loop() {
		sched := sim.NewScheduler(time.Time{}, nil)
		srv, err := New(Config{Clock: sched, Rand: rand.New(rand.NewPCG(5, 6)), TenantID: "11111111-2222-4333-8444-555555555555",
			TenantDomain: "contoso.onmicrosoft.com", Apps: []App{{ClientID: "a", ClientSecret: "s", Roles: []string{"DeviceManagementServiceConfig.ReadWrite.All"}}},
			Delays: Delays{GroupEvaluation: 5 * time.Minute, ProfileAssignment: 15 * time.Minute, ConversionMin: time.Hour, ConversionMax: 48 * time.Hour}})
		if err != nil {
			b.Fatal(err)
		}
		// The enrollment channel is a lab-internal one: it takes an app
		// token that may administer the Intune service (routes.go pLab).
		tok := httptest.NewRecorder()
		treq := httptest.NewRequest("POST", "/11111111-2222-4333-8444-555555555555/oauth2/v2.0/token",
			strings.NewReader("grant_type=client_credentials&client_id=a&client_secret=s&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"))
		treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		srv.Handler().ServeHTTP(tok, treq)
		const key = `"access_token":"`
		body := tok.Body.String()
		i := indexOf(body, key)
		if i < 0 {
			b.Fatalf("no token: %d %s", tok.Code, body)
		}
		rest := body[i+len(key):]
		token := rest[:indexOf(rest, `"`)]
		post := func(path, body string) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code >= 300 {
				b.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
			}
		}
		srv.mu.Lock()
		g := &group{ID: srv.newID(), DisplayName: "Corp", GroupTypes: []string{"DynamicMembership"}, MembershipRule: `(device.displayName -startsWith "CORP-")`,
			ProcessingState: "On", Members: map[string]bool{}, seq: srv.st.nextSeq()}
		if g.matcher, err = srv.compile(g.MembershipRule); err != nil {
			b.Fatal(err)
		}
		srv.st.groups.put(g.ID, g)
		p := &deploymentProfile{ID: srv.newID(), ODataType: typeHybridProfile, Props: map[string]any{"displayName": "Convert", "extractHardwareHash": true},
			Assignments: []*assignment{{ID: "a", Target: target{ODataType: tGroup, GroupID: g.ID}}}, seq: srv.st.nextSeq()}
		srv.st.profiles.put(p.ID, p)
		srv.mu.Unlock()
		for i := range n {
			post("/_private/enrollment/v1/existing", fmt.Sprintf(`{"serialNumber":"S%05d","hardwareHash":"aGFzaA==","deviceName":"CORP-%05d","ownership":"company","joinType":"azureADJoined"}`, i, i))
		}
		if err := sched.Run(sched.Now().Add(72 * time.Hour)); err != nil {
			b.Fatal(err)
		}
		if got := len(srv.AutopilotDevices()); got != n {
			b.Fatalf("%d of %d converted", got, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "devices/s")
}
