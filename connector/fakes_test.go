package connector_test

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	gldap "github.com/glauth/ldap"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/transport"
)

func newRand() *rand.Rand { return rand.New(rand.NewPCG(42, 42)) }

// fakeGraph implements the three connector endpoints of PRIVATE_API.md and
// records what it is sent.
type fakeGraph struct {
	mu         sync.Mutex
	registered map[string]map[string]any // connector id → heartbeat body
	heartbeats int
	claims     int
	pending    []connector.ClaimedRequest
	inProgress map[string]bool
	results    map[string][]map[string]any
	maxRetries int
}

func newFakeGraph() *fakeGraph {
	return &fakeGraph{registered: map[string]map[string]any{}, inProgress: map[string]bool{}, results: map[string][]map[string]any{}, maxRetries: 0}
}

func (g *fakeGraph) queue(r connector.ClaimedRequest) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending = append(g.pending, r)
}

func (g *fakeGraph) resultsFor(id string) []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]map[string]any(nil), g.results[id]...)
}

func (g *fakeGraph) counts() (heartbeats, claims int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.heartbeats, g.claims
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (g *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/_private/odj/v1/"), "/")
	switch {
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "connectors" && parts[2] == "heartbeat":
		g.heartbeats++
		g.registered[parts[1]] = body
		writeJSON(w, 200, map[string]string{"id": parts[1], "state": "active"})
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "connectors" && parts[2] == "claim":
		g.claims++
		if _, ok := g.registered[parts[1]]; !ok {
			writeJSON(w, 404, map[string]any{"error": map[string]string{"code": "ConnectorNotRegistered", "message": "unknown connector"}})
			return
		}
		out := g.pending
		g.pending = nil
		for _, p := range out {
			g.inProgress[p.ID] = true
		}
		if out == nil {
			out = []connector.ClaimedRequest{}
		}
		writeJSON(w, 200, map[string]any{"requests": out})
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "requests" && parts[2] == "result":
		if !g.inProgress[parts[1]] {
			writeJSON(w, 409, map[string]any{"error": map[string]string{"code": "Conflict", "message": "not inProgress"}})
			return
		}
		delete(g.inProgress, parts[1])
		g.results[parts[1]] = append(g.results[parts[1]], body)
		w.WriteHeader(204)
	default:
		writeJSON(w, 400, map[string]any{"error": map[string]string{"code": "BadRequest", "message": r.URL.Path}})
	}
}

// addRecord is one add the fake DC received.
type addRecord struct {
	Secure  bool // arrived over TLS (StartTLS)
	BoundDN string
	DN      string
	Attrs   map[string][]string
}

// fakeDC is a glauth-based LDAP server that records binds and adds and
// answers adds with queued result codes (success when the queue is empty).
type fakeDC struct {
	mu       sync.Mutex
	binds    []string
	password string
	adds     []addRecord
	results  []gldap.LDAPResultCode
	rootDSE  bool
	listener *transport.PipeListener
	server   *gldap.Server
}

func newFakeDC(password string) *fakeDC { return newFakeDCWithTLS(password, nil) }

// newFakeDCWithTLS serves StartTLS with tlsConfig when it is not nil.
func newFakeDCWithTLS(password string, tlsConfig *tls.Config) *fakeDC {
	dc := &fakeDC{password: password, rootDSE: true, listener: transport.NewPipeListener("dc1")}
	s := gldap.NewServer()
	s.TLSConfig = tlsConfig
	s.BindFunc("", dc)
	s.AddFunc("", dc)
	s.SearchFunc("", dc)
	dc.server = s
	go func() { _ = s.Serve(dc.listener) }()
	return dc
}

func (dc *fakeDC) dial(ctx context.Context) (net.Conn, error) { return dc.listener.DialContext(ctx) }

func (dc *fakeDC) close() { dc.server.Close() }

func (dc *fakeDC) answer(codes ...gldap.LDAPResultCode) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	dc.results = append(dc.results, codes...)
}

func (dc *fakeDC) recorded() ([]string, []addRecord) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	return append([]string(nil), dc.binds...), append([]addRecord(nil), dc.adds...)
}

func (dc *fakeDC) Bind(bindDN, pw string, _ net.Conn) (gldap.LDAPResultCode, error) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	dc.binds = append(dc.binds, bindDN)
	if pw != dc.password {
		return gldap.LDAPResultInvalidCredentials, nil
	}
	return gldap.LDAPResultSuccess, nil
}

// Add reads glauth's AddRequest, whose fields are unexported, by reflection.
func (dc *fakeDC) Add(boundDN string, req gldap.AddRequest, conn net.Conn) (gldap.LDAPResultCode, error) {
	v := reflect.ValueOf(req)
	_, secure := conn.(*tls.Conn)
	rec := addRecord{Secure: secure, BoundDN: boundDN, DN: v.FieldByName("dn").String(), Attrs: map[string][]string{}}
	attrs := v.FieldByName("attributes")
	for i := 0; i < attrs.Len(); i++ {
		a := attrs.Index(i)
		vals := a.FieldByName("attrVals")
		for j := 0; j < vals.Len(); j++ {
			rec.Attrs[a.FieldByName("attrType").String()] = append(rec.Attrs[a.FieldByName("attrType").String()], vals.Index(j).String())
		}
	}
	dc.mu.Lock()
	defer dc.mu.Unlock()
	dc.adds = append(dc.adds, rec)
	if len(dc.results) == 0 {
		return gldap.LDAPResultSuccess, nil
	}
	code := dc.results[0]
	dc.results = dc.results[1:]
	return code, nil
}

func (dc *fakeDC) Search(_ string, req gldap.SearchRequest, _ net.Conn) (gldap.ServerSearchResult, error) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if req.BaseDN == "" && dc.rootDSE {
		return gldap.ServerSearchResult{Entries: []*gldap.Entry{{DN: "", Attributes: []*gldap.EntryAttribute{{Name: "dnsHostName", Values: []string{"dc1.corp.contoso.com"}}}}}}, nil
	}
	return gldap.ServerSearchResult{ResultCode: gldap.LDAPResultNoSuchObject}, nil
}

// tlsPair returns a server config for dc1.corp.contoso.com and a client
// config that trusts it.
func tlsPair() (server, client *tls.Config) {
	seed := make([]byte, ed25519.SeedSize)
	key := ed25519.NewKeyFromSeed(seed)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dc1.corp.contoso.com"},
		DNSNames:  []string{"dc1.corp.contoso.com"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool, ServerName: "dc1.corp.contoso.com"}
	return server, client
}
