package entrasync_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"

	gldap "github.com/glauth/ldap"

	"github.com/autopilotsim/autopilotsim/entrasync"
	"github.com/autopilotsim/autopilotsim/transport"
)

// fakeGraph implements the two sync endpoints and records the calls.
type fakeGraph struct {
	mu      sync.Mutex
	devices map[string]entrasync.Device
	calls   []string // "PUT id" / "DELETE id"
	failPut bool
}

func newFakeGraph() *fakeGraph { return &fakeGraph{devices: map[string]entrasync.Device{}} }

func (g *fakeGraph) snapshot() (map[string]entrasync.Device, []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	m := map[string]entrasync.Device{}
	for k, v := range g.devices {
		m[k] = v
	}
	return m, append([]string(nil), g.calls...)
}

func (g *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	id, ok := strings.CutPrefix(r.URL.Path, "/_private/sync/v1/devices/")
	if !ok || id == "" {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	g.calls = append(g.calls, r.Method+" "+id)
	switch r.Method {
	case http.MethodPut:
		if g.failPut {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var d entrasync.Device
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_, existed := g.devices[id]
		g.devices[id] = d
		w.Header().Set("Content-Type", "application/json")
		if existed {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusCreated)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "x", "deviceId": d.DeviceID, "trustType": "ServerAd"})
	case http.MethodDelete:
		if _, ok := g.devices[id]; !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		delete(g.devices, id)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// search is one search the fake DC received.
type search struct {
	BaseDN     string
	Filter     string
	Attributes []string
	PageSize   uint32
}

// fakeDC serves computers from a list over glauth, honouring the base DN
// (subtree), the existence of OUs, and recording searches.
type fakeDC struct {
	mu        sync.Mutex
	password  string
	ous       map[string]bool // lower-case DNs that exist
	computers []*gldap.Entry
	searches  []search
	binds     []string
	listener  *transport.PipeListener
	server    *gldap.Server
}

func newFakeDC(password string, ous ...string) *fakeDC {
	dc := &fakeDC{password: password, ous: map[string]bool{}, listener: transport.NewPipeListener("dc1")}
	for _, o := range ous {
		dc.ous[strings.ToLower(o)] = true
	}
	s := gldap.NewServer()
	s.BindFunc("", dc)
	s.SearchFunc("", dc)
	dc.server = s
	go func() { _ = s.Serve(dc.listener) }()
	return dc
}

func (dc *fakeDC) dial(ctx context.Context) (net.Conn, error) { return dc.listener.DialContext(ctx) }
func (dc *fakeDC) close()                                     { dc.server.Close() }

func (dc *fakeDC) setComputers(entries ...*gldap.Entry) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	dc.computers = entries
}

func (dc *fakeDC) recorded() ([]string, []search) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	return append([]string(nil), dc.binds...), append([]search(nil), dc.searches...)
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

func (dc *fakeDC) Search(_ string, req gldap.SearchRequest, _ net.Conn) (gldap.ServerSearchResult, error) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	rec := search{BaseDN: req.BaseDN, Filter: req.Filter, Attributes: req.Attributes}
	for _, c := range req.Controls {
		if p, ok := c.(*gldap.ControlPaging); ok {
			rec.PageSize = p.PagingSize
		}
	}
	dc.searches = append(dc.searches, rec)
	base := strings.ToLower(req.BaseDN)
	if !dc.ous[base] {
		return gldap.ServerSearchResult{ResultCode: gldap.LDAPResultNoSuchObject}, errors.New("no such object")
	}
	var out []*gldap.Entry
	for _, e := range dc.computers {
		if strings.HasSuffix(strings.ToLower(e.DN), ","+base) {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DN < out[j].DN })
	return gldap.ServerSearchResult{Entries: out, ResultCode: gldap.LDAPResultSuccess}, nil
}

// computerEntry builds a directory entry as mockad would return it.
func computerEntry(dn, name, guid, sid string, certs ...[]byte) *gldap.Entry {
	g, err := entrasync.EncodeGUID(guid)
	if err != nil {
		panic(err)
	}
	s, err := entrasync.EncodeSID(sid)
	if err != nil {
		panic(err)
	}
	var cv []string
	for _, c := range certs {
		cv = append(cv, string(c))
	}
	return &gldap.Entry{DN: dn, Attributes: []*gldap.EntryAttribute{
		{Name: "objectClass", Values: []string{"top", "person", "organizationalPerson", "user", "computer"}},
		{Name: "cn", Values: []string{name}},
		{Name: "sAMAccountName", Values: []string{name + "$"}},
		{Name: "distinguishedName", Values: []string{dn}},
		{Name: "objectGUID", Values: []string{string(g)}},
		{Name: "objectSid", Values: []string{string(s)}},
		{Name: "userCertificate", Values: cv},
	}}
}
