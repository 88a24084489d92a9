package mockad

import (
	"strconv"
	"strings"

	gldap "github.com/glauth/ldap"
)

// Search scopes (RFC 4511 4.5.1.2).
const (
	scopeBase = 0
	scopeOne  = 1
	scopeSub  = 2
)

// checkScope refuses a scope outside RFC 4511's ENUMERATED { baseObject
// (0), singleLevel (1), wholeSubtree (2) }: the request does not decode as a
// SearchRequest, which AD answers with protocolError (2). AD's diagnostic
// text for it is UNCERTAIN, so none is sent.
func checkScope(scope int) *Error {
	if scope < scopeBase || scope > scopeSub {
		return &Error{Code: gldap.LDAPResultProtocolError}
	}
	return nil
}

// searchReq is a decoded SearchRequest.
type searchReq struct {
	base      string
	scope     int
	sizeLimit int
	typesOnly bool
	filter    *filter
	attrs     []string
}

// findEntries returns the matching entries in tree order (creation order
// within a parent), or an AD error. The rootDSE is handled by rootDSE.
func (d *Directory) findEntries(p principal, req searchReq) ([]*entry, *Error) {
	if e := checkScope(req.scope); e != nil {
		return nil, e
	}
	if p.who == nil {
		return nil, errNeedBind() // AD allows anonymous reads of the rootDSE only (docs/SOURCES.md B.7)
	}
	dn, err := ParseDN(req.base)
	if err != nil {
		return nil, errInvalidDN("")
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	base, ok := d.byDN[dn.Norm()]
	if !ok {
		return nil, errNoObject(d.bestMatch(dn))
	}
	vals := func(e *entry) valueSource { return func(a string) []string { return d.valuesOf(e, a) } }
	var out []*entry
	if sam, ok := indexedSAM(req.filter); ok && req.scope != scopeBase {
		// Indexed lookup: sAMAccountName is unique in the domain.
		if e, ok := d.bySAM[strings.ToLower(sam)]; ok && inScope(e, base, req.scope) && d.match(req.filter, vals(e)) {
			out = append(out, e)
		}
		return out, nil
	}
	var walk func(e *entry, depth int)
	walk = func(e *entry, depth int) {
		if d.match(req.filter, vals(e)) {
			out = append(out, e)
		}
		if req.scope == scopeBase || (req.scope == scopeOne && depth == 1) {
			return
		}
		for _, c := range e.children {
			if c.ncHead {
				continue // another naming context (CN=Configuration): not part of this subtree
			}
			walk(c, depth+1)
		}
	}
	if req.scope == scopeOne {
		for _, c := range base.children {
			if !c.ncHead {
				walk(c, 1)
			}
		}
	} else {
		walk(base, 0)
	}
	return out, nil
}

func inScope(e, base *entry, scope int) bool {
	switch scope {
	case scopeBase:
		return e == base
	case scopeOne:
		return e.parent == base
	}
	if e == base {
		return true
	}
	for x := e.parent; x != nil; x = x.parent {
		if x == base {
			return true
		}
		if x.ncHead && x != base {
			return false
		}
	}
	return false
}

// valuesOf returns stored and computed values of an attribute.
func (d *Directory) valuesOf(e *entry, name string) []string {
	switch strings.ToLower(name) {
	case "memberof":
		var out []string
		for _, g := range d.groups {
			if a := g.get("member"); a != nil {
				for _, m := range a.vals {
					if n, err := normDN(m); err == nil && n == e.ndn {
						out = append(out, g.dn.String())
					}
				}
			}
		}
		return out
	case "createtimestamp":
		return e.valsOf("whenCreated")
	case "modifytimestamp":
		return e.valsOf("whenChanged")
	case "subschemasubentry":
		return []string{"CN=Aggregate," + d.schema.String()}
	case "canonicalname":
		return []string{canonicalName(e.dn)}
	case "msds-user-account-control-computed":
		if e.get("userAccountControl") != nil {
			return []string{"0"}
		}
		return nil
	case "unicodepwd":
		return nil // never readable
	}
	return e.valsOf(name)
}

func (e *entry) valsOf(name string) []string {
	if a := e.get(name); a != nil {
		return a.vals
	}
	return nil
}

// canonicalName renders corp.contoso.com/OU/CN.
func canonicalName(dn DN) string {
	var dom []string
	var rest []string
	for i := len(dn) - 1; i >= 0; i-- {
		if strings.EqualFold(dn[i].Type, "dc") && len(rest) == 0 {
			dom = append([]string{dn[i].Value}, dom...)
			continue
		}
		rest = append(rest, dn[i].Value)
	}
	return strings.Join(dom, ".") + "/" + strings.Join(rest, "/")
}

// selectAttrs applies the requested attribute list: none or "*" → all
// stored attributes (plus memberOf for members); "+" → the constructed
// ones; "1.1" → none; otherwise the named ones, case-insensitively, in the
// entry's order.
func (d *Directory) render(e *entry, req []string, typesOnly bool) *gldap.Entry {
	return d.renderSel(e, selectAttrs(req), typesOnly)
}

// attrSelection is a search's attribute list (RFC 4511 4.5.1.8) read once
// for all the entries it returns: every user attribute ("*" or none
// named), the operational ones ("+"), and the names asked for, lower-cased.
type attrSelection struct {
	all, ops bool
	named    []string
}

func selectAttrs(req []string) attrSelection {
	sel := attrSelection{all: len(req) == 0}
	for _, r := range req {
		switch r {
		case "*":
			sel.all = true
		case "+":
			sel.ops = true
		case "1.1", "":
		default:
			sel.named = append(sel.named, strings.ToLower(r))
		}
	}
	return sel
}

// wants reports whether name was asked for by name: strings.ToLower(name)
// is one of the names, compared without lower-casing name into a new
// string for each attribute of each entry (6 % of what a fleet allocated
// went to render's lower-cased copies and its per-entry set of names).
func (s attrSelection) wants(name string) bool {
	for _, n := range s.named {
		if equalLower(name, n) {
			return true
		}
	}
	return false
}

// renderSel is render with the attribute list read. The entry's
// attributes and their values are copied into two allocations between
// them, not two for each attribute.
func (d *Directory) renderSel(e *entry, sel attrSelection, typesOnly bool) *gldap.Entry {
	out := &gldap.Entry{DN: e.dn.String()}
	type emitted struct {
		name string
		vals []string
	}
	var picked [32]emitted
	list := picked[:0]
	nvals := 0
	emit := func(name string, vals []string) {
		if len(vals) == 0 {
			return
		}
		if typesOnly {
			vals = nil
		}
		list = append(list, emitted{name, vals})
		nvals += len(vals)
	}
	for _, a := range e.attrs {
		if sel.all || sel.wants(a.name) {
			emit(a.name, a.vals)
		}
	}
	if sel.all || sel.wants("memberOf") {
		emit("memberOf", d.valuesOf(e, "memberOf"))
	}
	for _, c := range constructedAttrs {
		if sel.ops || sel.wants(c) {
			emit(c, d.valuesOf(e, c))
		}
	}
	if len(list) == 0 {
		return out
	}
	attrs := make([]gldap.EntryAttribute, len(list))
	ptrs := make([]*gldap.EntryAttribute, len(list))
	vals := make([]string, 0, nvals)
	for i, x := range list {
		attrs[i].Name = x.name
		if len(x.vals) > 0 { // none under typesOnly: Values stays nil, as it was
			start := len(vals)
			vals = append(vals, x.vals...)
			// Full slice expressions: a value list never grows into the next.
			attrs[i].Values = vals[start:len(vals):len(vals)]
		}
		ptrs[i] = &attrs[i]
	}
	out.Attributes = ptrs
	return out
}

// rootDSE builds the rootDSE (B.7) for an anonymous or bound base search.
// Only currentTime and highestCommittedUSN change; the rest is built once
// (rootDSETemplate): every device's DC locator reads the rootDSE, and
// building its twenty attributes each time was 2% of what a fleet
// allocated. render copies the values it returns.
func (d *Directory) rootDSE(req []string, typesOnly bool) *gldap.Entry {
	d.rootOnce.Do(d.buildRootDSETemplate)
	d.mu.RLock()
	defer d.mu.RUnlock()
	e := &entry{attrs: append([]*attr(nil), d.rootTmpl...)}
	e.attrs[rootCurrentTime] = &attr{"currentTime", []string{genTime(d.clock.Now())}}
	e.attrs[rootHighestUSN] = &attr{"highestCommittedUSN", []string{strconv.FormatInt(d.usn, 10)}}
	r := d.render(e, req, typesOnly)
	r.DN = ""
	return r
}

// Positions of the rootDSE attributes that change in rootDSETemplate.
const (
	rootCurrentTime = 0
	rootHighestUSN  = 11
)

// buildRootDSETemplate builds the rootDSE's attributes in their order, with
// placeholders for the two that change (the domain's names never do).
func (d *Directory) buildRootDSETemplate() {
	dom := d.base.String()
	conf := d.config.String()
	host := d.DCHostName()
	server := "CN=" + d.cfg.DCHostName + ",CN=Servers,CN=Default-First-Site-Name,CN=Sites," + conf
	d.rootTmpl = []*attr{
		rootCurrentTime: nil,
		{"subschemaSubentry", []string{"CN=Aggregate," + d.schema.String()}},
		{"dsServiceName", []string{"CN=NTDS Settings," + server}},
		{"namingContexts", []string{dom, conf, d.schema.String(), "DC=DomainDnsZones," + dom, "DC=ForestDnsZones," + dom}},
		{"defaultNamingContext", []string{dom}},
		{"rootDomainNamingContext", []string{dom}},
		{"configurationNamingContext", []string{conf}},
		{"schemaNamingContext", []string{d.schema.String()}},
		{"serverName", []string{server}},
		{"supportedCapabilities", []string{"1.2.840.113556.1.4.800", "1.2.840.113556.1.4.1670", "1.2.840.113556.1.4.1791", "1.2.840.113556.1.4.1935", "1.2.840.113556.1.4.2080", "1.2.840.113556.1.4.2237"}},
		{"isSynchronized", []string{"TRUE"}},
		rootHighestUSN: nil,
		{"dnsHostName", []string{host}},
		{"ldapServiceName", []string{d.cfg.DNSName + ":" + strings.ToLower(d.cfg.DCHostName) + "$@" + strings.ToUpper(d.cfg.DNSName)}},
		{"supportedControl", []string{"1.2.840.113556.1.4.319"}}, // only what the mock implements: paged results
		{"supportedLDAPVersion", []string{"3", "2"}},
		{"supportedLDAPPolicies", []string{"MaxPoolThreads", "MaxPercentDirSyncRequests", "MaxDatagramRecv", "MaxReceiveBuffer", "InitRecvTimeout", "MaxConnections", "MaxConnIdleTime", "MaxPageSize", "MaxBatchReturnMessages", "MaxQueryDuration", "MaxDirSyncDuration", "MaxTempTableSize", "MaxResultSetSize", "MinResultSets", "MaxResultSetsPerConn", "MaxNotificationPerConn", "MaxValRange", "MaxValRangeTransitive", "ThreadMemoryLimit", "SystemMemoryLimitPercent"}},
		{"supportedSASLMechanisms", []string{"GSSAPI", "GSS-SPNEGO", "EXTERNAL", "DIGEST-MD5"}},
		{"isGlobalCatalogReady", []string{"TRUE"}},
		{"domainFunctionality", []string{"7"}},
		{"forestFunctionality", []string{"7"}},
		{"domainControllerFunctionality", []string{"7"}},
	}
}
