package mockgraph_test

import (
	"bytes"
	"compress/gzip"
	crand "crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

func TestMockgraph(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "mockgraph")
}

const (
	tenantID = "11111111-2222-4333-8444-555555555555"
	base     = "http://graph.test"
)

var allRoles = []string{
	"DeviceManagementServiceConfig.ReadWrite.All", "DeviceManagementConfiguration.ReadWrite.All",
	"DeviceManagementManagedDevices.ReadWrite.All", "Device.ReadWrite.All", "Group.ReadWrite.All", "GroupMember.ReadWrite.All",
	"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess",
}

// stubRule understands the three Autopilot rule forms of the seed
// (graph-api.md §9.2) until mockgraph/rules lands.
type stubRule struct{ op, value string }

var stubRE = regexp.MustCompile(`(?i)^\(?\s*device\.devicePhysicalIds\s+-any\s+\(\s*_\s+-(eq|startsWith)\s+"([^"]*)"\s*\)\s*\)?$`)

func stubCompiler(src string) (mockgraph.Matcher, error) {
	m := stubRE.FindStringSubmatch(strings.TrimSpace(src))
	if m == nil {
		return nil, errors.New("stub: syntax error at position 1: unsupported rule")
	}
	return stubRule{strings.ToLower(m[1]), strings.ToLower(m[2])}, nil
}

func (r stubRule) Match(p rules.Properties) bool {
	ids, _ := p["devicePhysicalIds"].([]string)
	for _, id := range ids {
		id = strings.ToLower(id)
		if r.op == "eq" && id == r.value || r.op == "startswith" && strings.HasPrefix(id, r.value) {
			return true
		}
	}
	return false
}

type world struct {
	sched  *sim.Scheduler
	srv    *mockgraph.Server
	client *http.Client
	stop   func()
	token  string
	tokAt  time.Time
	creds  privCreds // what the simulated clients hold (private_helpers_test.go)
}

// suiteKey is one token-signing key for the suite's servers: a 2048-bit
// RSA key per spec cost about a tenth of a second each under -race.
var suiteKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(crand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func newWorld(d mockgraph.Delays, mutate ...func(*mockgraph.Config)) *world {
	sched := sim.NewScheduler(time.Time{}, nil)
	cfg := mockgraph.Config{
		Clock: sched, Rand: rand.New(rand.NewPCG(1, 2)), TenantID: tenantID, TenantDomain: "contoso.onmicrosoft.com",
		Apps: []mockgraph.App{
			{ClientID: "admin", ClientSecret: "s3cret", DisplayName: "Admin", Roles: allRoles},
			{ClientID: "reader", ClientSecret: "r", DisplayName: "Reader", Roles: []string{"Device.Read.All"}},
		},
		Delays: d, ODJMaxRetries: 2, RuleCompiler: stubCompiler, SigningKey: suiteKey(),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := mockgraph.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	client, stop := transport.ServeHTTPMemory(srv.Handler())
	w := &world{sched: sched, srv: srv, client: client, stop: stop}
	DeferCleanup(stop)
	w.token, w.tokAt = w.getToken("admin", "s3cret"), sched.Now()
	return w
}

func (w *world) getToken(id, secret string) string {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default"}}
	resp, err := w.client.PostForm(base+"/"+tenantID+"/oauth2/v2.0/token", form)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var out map[string]any
	Expect(json.NewDecoder(resp.Body).Decode(&out)).To(Succeed())
	if resp.StatusCode != 200 {
		return ""
	}
	return out["access_token"].(string)
}

type reply struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
}

func (r reply) errCode() string {
	e, _ := r.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (r reply) values() []map[string]any {
	var out []map[string]any
	for _, v := range r.body["value"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func (w *world) do(method, path string, body any, hdr ...string) reply {
	// Tokens live 3599 s of virtual time; refresh like a real client would.
	if w.sched.Now().Sub(w.tokAt) > 30*time.Minute {
		w.token, w.tokAt = w.getToken("admin", "s3cret"), w.sched.Now()
	}
	return w.doAs(w.token, method, path, body, hdr...)
}

func (w *world) doAs(token, method, path string, body any, hdr ...string) reply {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		Expect(err).NotTo(HaveOccurred())
		rd = bytes.NewReader(data)
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = base + path
	}
	// Let specs write readable queries ($filter=a eq 'b'): encode them.
	if i := strings.Index(target, "?"); i >= 0 {
		vals, err := url.ParseQuery(target[i+1:])
		Expect(err).NotTo(HaveOccurred())
		target = target[:i] + "?" + vals.Encode()
	}
	req, err := http.NewRequest(method, target, rd)
	Expect(err).NotTo(HaveOccurred())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return w.send(req)
}

// send performs req and reads the reply (JSON bodies decoded).
func (w *world) send(req *http.Request) reply {
	resp, err := w.client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	r := reply{status: resp.StatusCode, raw: string(data), header: resp.Header}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && len(data) > 0 {
		Expect(json.Unmarshal(data, &r.body)).To(Succeed(), string(data))
	}
	return r
}

// run advances virtual time by d.
func (w *world) run(d time.Duration) {
	Expect(w.sched.Run(w.sched.Now().Add(d))).To(Succeed())
}

// importDevice registers serial through the single-device import and
// processes it.
func (w *world) importDevice(serial, groupTag string) mockgraph.AutopilotDevice {
	r := w.do("POST", "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities", map[string]any{
		"@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity", "serialNumber": serial, "groupTag": groupTag,
		"hardwareIdentifier": "aGFzaA==", "state": map[string]any{"deviceImportStatus": "pending"},
	})
	Expect(r.status).To(Equal(201), r.raw)
	w.run(time.Hour)
	for _, d := range w.srv.AutopilotDevices() {
		if d.SerialNumber == serial {
			return d
		}
	}
	Fail("device " + serial + " was not imported")
	return mockgraph.AutopilotDevice{}
}

func (w *world) createGroup(name, rule string) string {
	body := map[string]any{"displayName": name, "mailEnabled": false, "mailNickname": strings.ReplaceAll(name, " ", ""), "securityEnabled": true}
	if rule != "" {
		body["groupTypes"] = []string{"DynamicMembership"}
		body["membershipRule"] = rule
		body["membershipRuleProcessingState"] = "On"
	}
	r := w.do("POST", "/v1.0/groups", body)
	Expect(r.status).To(Equal(201), r.raw)
	return r.body["id"].(string)
}

func (w *world) createProfile(name string, hybrid, skip bool) string {
	typ := "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile"
	body := map[string]any{"displayName": name, "outOfBoxExperienceSettings": map[string]any{"hideEULA": true, "userType": "standard"}}
	if hybrid {
		typ = "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile"
		body["hybridAzureADJoinSkipConnectivityCheck"] = skip
	}
	body["@odata.type"] = typ
	r := w.do("POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles", body)
	Expect(r.status).To(Equal(201), r.raw)
	return r.body["id"].(string)
}

func groupTarget(kind, groupID string) map[string]any {
	switch kind {
	case "all":
		return map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}
	case "exclude":
		return map[string]any{"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": groupID}
	}
	return map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": groupID}
}

func (w *world) assignProfile(pid, kind, groupID string) {
	r := w.do("POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid+"/assignments", map[string]any{"target": groupTarget(kind, groupID)})
	Expect(r.status).To(Equal(201), r.raw)
}

func gz(s string) *bytes.Buffer {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return &b
}

var _ = fmt.Sprintf
