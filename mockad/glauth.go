package mockad

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"sync"

	"github.com/glauth/glauth/v2/pkg/config"
	gldap "github.com/glauth/ldap"
	ber "github.com/go-asn1-ber/asn1-ber"
	goldap "github.com/go-ldap/ldap/v3"
)

// GlauthHandler lets the directory serve behind a stock glauth server: it
// has the method set of glauth's handler.Handler (github.com/glauth/glauth/v2/pkg/handler),
// so a glauth plugin backend can return it, or code that wires a
// gldap.Server the way glauth does (BindFunc/SearchFunc/AddFunc/ModifyFunc/
// DeleteFunc/CloseFunc with base "") can register it. It is declared
// structurally so importing mockad does not pull in glauth's handler
// package and its dependencies.
//
// Without our connection seam it works from glauth's parsed requests, so it
// is less faithful than Server (see COVERAGE.md): result codes are AD's but
// diagnostic messages are glauth's generic texts; a failed search closes
// the connection (glauth's behaviour); sizeLimitExceeded cannot be
// signalled (results stop at MaxPageSize silently); search filters come
// from glauth's string round trip, so extensible-match filters never reach
// us and only one substring component survives; Modify applies adds, then
// deletes, then replaces (glauth groups them); no paging control.
type GlauthHandler struct {
	dir *Directory
	mu  sync.Mutex
	ids map[net.Conn]*entry
}

// NewGlauthHandler returns the adapter for dir.
func NewGlauthHandler(dir *Directory) *GlauthHandler {
	return &GlauthHandler{dir: dir, ids: map[net.Conn]*entry{}}
}

func (h *GlauthHandler) who(conn net.Conn) principal {
	h.mu.Lock()
	defer h.mu.Unlock()
	return principal{who: h.ids[conn], secure: true}
}

// Bind implements ldap.Binder.
func (h *GlauthHandler) Bind(bindDN, pw string, conn net.Conn) (gldap.LDAPResultCode, error) {
	who, e := h.dir.bind(bindDN, pw)
	h.mu.Lock()
	if who == nil {
		delete(h.ids, conn)
	} else {
		h.ids[conn] = who
	}
	h.mu.Unlock()
	if e != nil {
		return e.Code, nil
	}
	return gldap.LDAPResultSuccess, nil
}

// Close implements ldap.Closer.
func (h *GlauthHandler) Close(_ string, conn net.Conn) error {
	h.mu.Lock()
	delete(h.ids, conn)
	h.mu.Unlock()
	return nil
}

// Search implements ldap.Searcher.
func (h *GlauthHandler) Search(_ string, req gldap.SearchRequest, conn net.Conn) (gldap.ServerSearchResult, error) {
	fail := func(code gldap.LDAPResultCode, err error) (gldap.ServerSearchResult, error) {
		return gldap.ServerSearchResult{ResultCode: code}, err
	}
	pkt, err := goldap.CompileFilter(req.Filter)
	if err != nil {
		return fail(gldap.LDAPResultProtocolError, err)
	}
	decoded, err := ber.DecodePacketErr(pkt.Bytes())
	if err != nil {
		return fail(gldap.LDAPResultProtocolError, err)
	}
	f, err := decodeFilter(decoded)
	if err != nil {
		return fail(gldap.LDAPResultProtocolError, err)
	}
	if req.BaseDN == "" && req.Scope == scopeBase {
		return gldap.ServerSearchResult{Entries: []*gldap.Entry{h.dir.rootDSE(req.Attributes, req.TypesOnly)}}, nil
	}
	sr := searchReq{base: req.BaseDN, scope: req.Scope, sizeLimit: req.SizeLimit, typesOnly: req.TypesOnly, filter: f, attrs: req.Attributes}
	found, e := h.dir.findEntries(h.who(conn), sr)
	if e != nil {
		return fail(e.Code, e)
	}
	limit := maxPageSize
	if sr.sizeLimit > 0 && sr.sizeLimit < limit {
		limit = sr.sizeLimit
	}
	if len(found) > limit {
		found = found[:limit]
	}
	return gldap.ServerSearchResult{Entries: h.dir.renderAll(found, sr.attrs, sr.typesOnly)}, nil
}

// Add implements ldap.Adder. glauth keeps AddRequest's fields unexported;
// reflection reads them (read-only, no unsafe).
func (h *GlauthHandler) Add(_ string, req gldap.AddRequest, conn net.Conn) (gldap.LDAPResultCode, error) {
	v := reflect.ValueOf(req)
	dnF, attrsF := v.FieldByName("dn"), v.FieldByName("attributes")
	if !dnF.IsValid() || !attrsF.IsValid() || attrsF.Kind() != reflect.Slice {
		return gldap.LDAPResultOther, errors.New("mockad: glauth AddRequest layout changed")
	}
	var attrs []addAttr
	for i := 0; i < attrsF.Len(); i++ {
		a := attrsF.Index(i)
		t, vals := a.FieldByName("attrType"), a.FieldByName("attrVals")
		if !t.IsValid() || !vals.IsValid() {
			return gldap.LDAPResultOther, errors.New("mockad: glauth Attribute layout changed")
		}
		aa := addAttr{name: t.String()}
		for j := 0; j < vals.Len(); j++ {
			aa.vals = append(aa.vals, vals.Index(j).String())
		}
		attrs = append(attrs, aa)
	}
	if e := h.dir.add(h.who(conn), dnF.String(), attrs); e != nil {
		return e.Code, nil
	}
	return gldap.LDAPResultSuccess, nil
}

// Modify implements ldap.Modifier (adds, then deletes, then replaces).
func (h *GlauthHandler) Modify(_ string, req gldap.ModifyRequest, conn net.Conn) (gldap.LDAPResultCode, error) {
	var changes []change
	for _, group := range []struct {
		op    int
		attrs []gldap.PartialAttribute
	}{{modAdd, req.AddAttributes}, {modDelete, req.DeleteAttributes}, {modReplace, req.ReplaceAttributes}} {
		for _, a := range group.attrs {
			changes = append(changes, change{op: group.op, attr: a.AttrType, vals: a.AttrVals})
		}
	}
	if e := h.dir.modify(h.who(conn), req.Dn, changes); e != nil {
		return e.Code, nil
	}
	return gldap.LDAPResultSuccess, nil
}

// Delete implements ldap.Deleter.
func (h *GlauthHandler) Delete(_, deleteDN string, conn net.Conn) (gldap.LDAPResultCode, error) {
	if e := h.dir.del(h.who(conn), deleteDN); e != nil {
		return e.Code, nil
	}
	return gldap.LDAPResultSuccess, nil
}

// FindUser implements glauth's HelperMaker: accounts by sAMAccountName, or
// by userPrincipalName when searchByUPN.
func (h *GlauthHandler) FindUser(_ context.Context, userName string, searchByUPN bool) (bool, config.User, error) {
	h.dir.mu.RLock()
	defer h.dir.mu.RUnlock()
	var e *entry
	if searchByUPN {
		for _, x := range h.dir.bySAM {
			if strings.EqualFold(x.first("userPrincipalName"), userName) {
				e = x
				break
			}
		}
	} else {
		e = h.dir.bySAM[strings.ToLower(userName)]
	}
	if e == nil || e.class == "group" {
		return false, config.User{}, nil
	}
	return true, config.User{
		Name: e.first("sAMAccountName"), Mail: e.first("mail"), GivenName: e.first("givenName"), SN: e.first("sn"),
		Disabled: e.uac()&uacAccountDisable != 0,
	}, nil
}

// FindGroup implements glauth's HelperMaker.
func (h *GlauthHandler) FindGroup(_ context.Context, groupName string) (bool, config.Group, error) {
	h.dir.mu.RLock()
	defer h.dir.mu.RUnlock()
	e := h.dir.bySAM[strings.ToLower(groupName)]
	if e == nil || e.class != "group" {
		return false, config.Group{}, nil
	}
	return true, config.Group{Name: e.first("sAMAccountName")}, nil
}
