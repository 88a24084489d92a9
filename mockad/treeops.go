package mockad

import (
	"strings"

	gldap "github.com/glauth/ldap"
)

// Operations that change the tree's shape: Delete and ModifyDN (rename and
// move), with the indexes they keep in step.

// del removes a leaf object.
func (d *Directory) del(p principal, dnStr string) *Error {
	if p.who == nil {
		return errNeedBind()
	}
	dn, err := ParseDN(dnStr)
	if err != nil || len(dn) == 0 {
		return errInvalidDN("")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.byDN[dn.Norm()]
	if !ok {
		return errNoObject(d.bestMatch(dn))
	}
	who := p.who
	allowed := d.isAdmin(who) || (e.parent != nil && d.hasFullControlOn(who, e.parent))
	if !allowed && e.class == "computer" && e.parent != nil && d.hasRight(who, e.parent, RightDeleteComputer) {
		allowed = true
	}
	if !allowed {
		return errInsuff()
	}
	if len(e.children) > 0 {
		return errNonLeaf()
	}
	if e.ncHead || e.parent == nil {
		return &Error{Code: gldap.LDAPResultUnwillingToPerform, Diagnostic: "00002015: SvcErr: DSID-03152B3C, problem 5003 (WILL_NOT_PERFORM), data 0"}
	}
	d.removeEntry(e)
	return nil
}

func (d *Directory) removeEntry(e *entry) {
	e.deleted = true
	delete(d.byDN, e.ndn)
	if s := e.first("sAMAccountName"); s != "" && d.bySAM[strings.ToLower(s)] == e {
		delete(d.bySAM, strings.ToLower(s))
	}
	d.unindexSPNs(e)
	for i, g := range d.groups {
		if g == e {
			d.groups = append(d.groups[:i:i], d.groups[i+1:]...)
			break
		}
	}
	if c := e.first("ms-DS-CreatorSID"); c != "" {
		s, _ := SIDString([]byte(c))
		if d.quota[s] > 0 {
			d.quota[s]-- // deleting one frees a slot (B.4 [B10])
		}
	}
	kids := e.parent.children
	for i, c := range kids {
		if c == e {
			e.parent.children = append(kids[:i:i], kids[i+1:]...)
			break
		}
	}
	kept := d.delegations[:0]
	for _, x := range d.delegations {
		if x.trustee != e && x.ou != e.ndn {
			kept = append(kept, x)
		}
	}
	d.delegations = kept
}

// modifyDN renames and/or moves an object (and its subtree).
func (d *Directory) modifyDN(p principal, dnStr, newRDN string, deleteOld bool, newSuperior string) *Error {
	if p.who == nil {
		return errNeedBind()
	}
	dn, err := ParseDN(dnStr)
	if err != nil || len(dn) == 0 {
		return errInvalidDN("")
	}
	rdn, err := ParseDN(newRDN)
	if err != nil || len(rdn) != 1 {
		return errInvalidDN("")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.byDN[dn.Norm()]
	if !ok {
		return errNoObject(d.bestMatch(dn))
	}
	if e.ncHead || e.parent == nil {
		return &Error{Code: gldap.LDAPResultUnwillingToPerform, Diagnostic: "00002016: SvcErr: DSID-03152B3C, problem 5003 (WILL_NOT_PERFORM), data 0"}
	}
	np := e.parent
	if newSuperior != "" {
		sdn, err := ParseDN(newSuperior)
		if err != nil {
			return errInvalidDN("")
		}
		x, ok := d.byDN[sdn.Norm()]
		if !ok {
			return errNoObject(d.bestMatch(sdn))
		}
		np = x
	}
	who := p.who
	allowed := d.isAdmin(who) || d.hasFullControlOn(who, e)
	if !allowed && e.class == "computer" && d.hasRight(who, e.parent, RightDeleteComputer) && d.hasRight(who, np, RightCreateComputer) {
		allowed = true // move: DC on the old parent, CC on the new one (TechNet delegation table)
	}
	if !allowed {
		return errInsuff()
	}
	if cd := classes[e.class]; !strings.EqualFold(rdn[0].Type, cd.rdn) {
		return errNaming(0x2073, np.dn.String())
	}
	if !allowsChildren(np.class) || np == e || strings.HasSuffix(np.ndn, ","+e.ndn) {
		return errNaming(0x2099, np.dn.String())
	}
	rdn[0].Type = canonType(rdn[0].Type)
	target := append(DN{rdn[0]}, np.dn...)
	if x, ok := d.byDN[target.Norm()]; ok && x != e {
		return errEntryExists()
	}
	_ = deleteOld // cn/ou/name are single-valued in AD, so the old RDN value always goes
	// Detach, re-key the subtree, attach.
	kids := e.parent.children
	for i, c := range kids {
		if c == e {
			e.parent.children = append(kids[:i:i], kids[i+1:]...)
			break
		}
	}
	e.parent = np
	np.children = append(np.children, e)
	e.set(strings.ToLower(rdn[0].Type), rdn[0].Value)
	e.set("name", rdn[0].Value)
	d.rekey(e, target)
	d.touch(e)
	return nil
}

func (d *Directory) rekey(e *entry, dn DN) {
	oldKey := e.ndn
	delete(d.byDN, e.ndn)
	e.dn = dn
	e.ndn = dn.Norm()
	e.set("distinguishedName", dn.String())
	d.byDN[e.ndn] = e
	for i := range d.delegations {
		if d.delegations[i].ou == oldKey {
			d.delegations[i].ou = e.ndn
		}
	}
	for _, c := range e.children {
		d.rekey(c, append(DN{c.dn[0]}, dn...))
	}
}
