package mockad

import (
	"fmt"
	"strconv"
	"strings"

	gldap "github.com/glauth/ldap"

	"github.com/autopilotsim/autopilotsim/internal/strpack"
)

// principal is the identity an operation runs as: the bound account (nil
// for anonymous) and whether the connection is protected (TLS), which AD
// requires for unicodePwd.
type principal struct {
	who    *entry
	secure bool
	system bool // the directory itself (LDIF import): every right, no quota
}

// Modify operation kinds (RFC 4511 4.6).
const (
	modAdd     = 0
	modDelete  = 1
	modReplace = 2
)

// change is one modification of a Modify request, in request order.
type change struct {
	op   int
	attr string
	vals []string
}

// structuralClass picks the most specific known class among the values.
func structuralClass(vals []string) (classDef, bool) {
	var best classDef
	found := false
	for _, v := range vals {
		c, ok := classes[strings.ToLower(v)]
		if !ok {
			if _, abstract := map[string]bool{"top": true, "person": true, "organizationalperson": true, "leaf": true, "connectionpoint": true}[strings.ToLower(v)]; abstract {
				continue
			}
			return classDef{}, false
		}
		if !found || len(c.chain) > len(best.chain) {
			best, found = c, true
		}
	}
	return best, found
}

type addAttr struct {
	name string
	vals []string
}

// add creates an object, applying AD's rules in this order: bind, DN syntax,
// existence, parent, naming, access/quota (B.4), attribute checks, uniqueness.
func (d *Directory) add(p principal, dnStr string, in []addAttr) *Error {
	if p.who == nil && !p.system {
		return errNeedBind()
	}
	dn, err := ParseDN(dnStr)
	if err != nil || len(dn) == 0 {
		return errInvalidDN("")
	}
	for i := range dn {
		dn[i].Type = canonType(dn[i].Type)
	}
	attrs := map[string]*addAttr{}
	var order []string
	for _, a := range in {
		def, ok := lookupAttr(a.name)
		if !ok {
			return errUndefinedAttr()
		}
		if def.system {
			return errSystemOnly(def.name)
		}
		k := strings.ToLower(def.name)
		if x, ok := attrs[k]; ok {
			x.vals = append(x.vals, a.vals...)
			continue
		}
		attrs[k] = &addAttr{name: def.name, vals: append([]string(nil), a.vals...)}
		order = append(order, k)
	}
	first := func(k string) (string, bool) {
		if a, ok := attrs[k]; ok && len(a.vals) > 0 {
			return a.vals[0], true
		}
		return "", false
	}
	oc, ok := attrs["objectclass"]
	if !ok || len(oc.vals) == 0 {
		return errObjClass()
	}
	cd, ok := structuralClass(oc.vals)
	if !ok {
		return errObjClass()
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	who := p.who
	if who != nil && who.deleted {
		return errNeedBind()
	}
	if _, exists := d.byDN[dn.Norm()]; exists {
		return errEntryExists()
	}
	parent, ok := d.byDN[dn.Parent().Norm()]
	if !ok {
		return errNoObject(d.bestMatch(dn))
	}
	if !allowsChildren(parent.class) {
		return errNaming(0x2099, parent.dn.String())
	}
	if !strings.EqualFold(dn[0].Type, cd.rdn) {
		return errNaming(0x2073, parent.dn.String())
	}
	admin := p.system || d.isAdmin(who)
	class := strings.ToLower(cd.name)

	// Access (B.4).
	quotaPath := false
	switch class {
	case "computer":
		if !admin && !d.hasRight(who, parent, RightCreateComputer) {
			if d.cfg.MachineAccountQuota == 0 {
				return errInsuff() // step 3: the quota path is off
			}
			if d.quota[sidString(who)] >= d.cfg.MachineAccountQuota {
				return errQuota() // step 2
			}
			quotaPath = true
		}
	case "organizationalunit", "container":
		if !admin && !d.hasFullControlOn(who, parent) {
			return errInsuff()
		}
	case "user", "group", "msds-managedserviceaccount", "serviceconnectionpoint":
		if !admin {
			return errInsuff()
		}
	default:
		return errObjClass()
	}

	// Account attributes.
	var sam string
	isAccount := class == "computer" || class == "user" || class == "msds-managedserviceaccount"
	if isAccount || class == "group" {
		s, ok := first("samaccountname")
		generated := false
		if !ok {
			if !admin && class == "computer" && !d.hasRight(who, parent, RightCreateComputer) {
				return errAccountName() // KB5008102: non-admins must name the account NAME$
			}
			// Samba's comment: Windows generates $XXXXXX-XXXXXXXXXXXX (B.2, UNCERTAIN).
			s = fmt.Sprintf("$%06X-%012X", d.rnd.Uint32()&0xffffff, d.rnd.Uint64()&0xffffffffffff)
			generated = true
		}
		if err := validSAMChars(s); err != nil {
			return errConstraint("sAMAccountName")
		}
		if !generated {
			limit := 20 // legacy user-name limit (B.3, uASCompat)
			if class == "computer" || class == "msds-managedserviceaccount" {
				limit = 16 // NetBIOS part ≤ 15 plus '$' (B.3 suggested rule, UNCERTAIN)
			}
			if len(s) > limit {
				return errConstraint("sAMAccountName")
			}
			if class == "computer" && !admin && (!strings.HasSuffix(s, "$") || strings.HasSuffix(s, "$$")) {
				return errAccountName() // KB5008102 [DOC] B5
			}
		}
		if _, dup := d.bySAM[strings.ToLower(s)]; dup {
			return errUserExists()
		}
		sam = s
	}
	var uac int64
	if isAccount {
		if v, ok := first("useraccountcontrol"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errConstraint("userAccountControl")
			}
			uac = n
		} else if class == "user" {
			uac = 546 // NORMAL_ACCOUNT|ACCOUNTDISABLE|PASSWD_NOTREQD, AD's user default (INFER)
		} else {
			uac = defaultComputerUAC
		}
		uac &^= uacLockout | uacPasswordExpired // MS-SAMR 3.1.1.8.10 (B.10)
		if !admin && uac&uacServerTrust != 0 {
			return errInsuff() // B.3: SERVER_TRUST needs DS-Install-Replica
		}
	}
	samBase := strings.TrimSuffix(sam, "$")
	fqdn := strings.ToLower(samBase) + "." + d.cfg.DNSName
	if v, ok := first("dnshostname"); ok && quotaPath && !strings.EqualFold(v, fqdn) {
		return errConstraint("dNSHostName") // validated write for the quota-path creator (B.4, B.5)
	}
	if a, ok := attrs["serviceprincipalname"]; ok {
		host := fqdn
		if v, ok := first("dnshostname"); ok {
			host = v
		}
		for _, spn := range a.vals {
			if quotaPath && !validatedSPN(spn, samBase, host) {
				return errConstraint("servicePrincipalName")
			}
			if _, dup := d.bySPN[strings.ToLower(spn)]; dup {
				return errSPNNotUnique()
			}
		}
	}
	var password string
	hasPwd := false
	if v, ok := first("unicodepwd"); ok {
		if !p.secure {
			return &Error{Code: gldap.LDAPResultUnwillingToPerform, Diagnostic: diagPwdInsecure}
		}
		pw, ok := decodeUnicodePwd(v)
		if !ok {
			return errBadPassword()
		}
		password, hasPwd = pw, true
	}
	if a, ok := attrs["member"]; ok && !p.system { // an import may list members before they exist
		for _, m := range a.vals {
			n, err := normDN(m)
			if err != nil || d.byDN[n] == nil {
				return errConstraint("member")
			}
		}
	}

	// Create. The entry keeps its name to the end of the run: its values
	// in one allocation rather than one each, or a piece of the request's
	// string.
	strpack.PackFunc(len(dn), func(i int) *string { return &dn[i].Value })
	e := d.newEntry(dn, parent, cd.name)
	skip := map[string]bool{"objectclass": true, "unicodepwd": true, "cn": true, "ou": true, "dc": true, "samaccountname": true, "useraccountcontrol": true}
	for _, k := range order {
		if skip[k] {
			continue
		}
		e.set(attrs[k].name, attrs[k].vals...)
	}
	if isAccount {
		samType, pg := samNormalUserAccount, uint32(ridDomainUsers)
		if class != "user" {
			samType, pg = samMachineAccount, ridDomainComputers
		}
		if v, ok := first("primarygroupid"); ok {
			if n, err := strconv.ParseUint(v, 10, 32); err == nil {
				pg = uint32(n)
			}
		}
		d.initAccount(e, sam, uac, samType, pg)
		if class == "computer" {
			e.set("isCriticalSystemObject", "FALSE")
		}
	} else if class == "group" {
		e.set("sAMAccountName", sam)
		e.set("sAMAccountType", strconv.Itoa(samGroupObject))
		if e.get("groupType") == nil {
			e.set("groupType", "-2147483646")
		}
		e.set("objectSid", string(d.newSID()))
		d.bySAM[strings.ToLower(sam)] = e
		d.groups = append(d.groups, e)
	}
	e.password, e.hasPwd = password, hasPwd
	d.indexSPNs(e)
	if quotaPath {
		// ms-DS-CreatorSID only on the quota path; owner Domain Admins (B.2, B.4; owner UNCERTAIN).
		e.set("ms-DS-CreatorSID", who.first("objectSid"))
		d.quota[sidString(who)]++
		e.owner = sidString(d.bySAM["domain admins"])
	} else if who != nil {
		e.owner = sidString(who)
	}
	e.attrs = packAttrs(e.attrs)
	return nil
}

// validatedSPN is AD's validated write to servicePrincipalName: the
// instance name must be the computer's NetBIOS name or its DNS host name
// (MS-ADTS 3.1.1.5.3.1.1.4, INFER from memory).
func validatedSPN(spn, samBase, host string) bool {
	i := strings.IndexByte(spn, '/')
	if i <= 0 {
		return false
	}
	inst := spn[i+1:]
	if j := strings.IndexAny(inst, ":/"); j >= 0 {
		inst = inst[:j]
	}
	return strings.EqualFold(inst, samBase) || strings.EqualFold(inst, host)
}

// selfWritable are attributes a computer may write on its own object:
// the Personal-Information property set (userCertificate), the validated
// writes (dNSHostName, SPN) and what Windows updates about itself (INFER).
var selfWritable = map[string]bool{
	"usercertificate": true, "dnshostname": true, "serviceprincipalname": true, "msds-additionaldnshostname": true,
	"operatingsystem": true, "operatingsystemversion": true, "operatingsystemservicepack": true,
	"msds-supportedencryptiontypes": true, "msds-keycredentiallink": true,
}

// modify applies changes atomically, in request order.
func (d *Directory) modify(p principal, dnStr string, changes []change) *Error {
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
	full := d.isAdmin(who) || d.hasFullControlOn(who, e) || (e.owner != "" && e.owner == sidString(who))
	self := who == e
	creator := e.first("ms-DS-CreatorSID") != "" && e.first("ms-DS-CreatorSID") == who.first("objectSid")

	tmp := &entry{attrs: copyAttrs(e.attrs)}
	newPwd, pwdChanged := "", false
	for _, c := range changes {
		def, ok := lookupAttr(c.attr)
		if !ok {
			return errUndefinedAttr()
		}
		k := strings.ToLower(def.name)
		if def.system {
			return errSystemOnly(def.name)
		}
		if k == "cn" || k == "name" || k == "ou" || k == "dc" {
			return errNotOnRDN()
		}
		if k == "objectclass" {
			return errObjClass()
		}
		if k == "unicodepwd" {
			if !p.secure {
				return &Error{Code: gldap.LDAPResultUnwillingToPerform, Diagnostic: diagPwdInsecure}
			}
			switch {
			case c.op == modReplace && (full || creator): // reset password
			case self && (c.op == modDelete || c.op == modAdd): // change: delete old + add new
				if c.op == modDelete {
					old, ok := decodeUnicodePwd(firstOf(c.vals))
					if !ok || old != e.password {
						return &Error{Code: gldap.LDAPResultConstraintViolation, Diagnostic: "00000056: AtrErr: DSID-03191083, #1:\n\t0: 00000056: DSID-03191083, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 9005a (unicodePwd)"}
					}
					continue
				}
			default:
				return errInsuff()
			}
			pw, ok := decodeUnicodePwd(firstOf(c.vals))
			if !ok || len(c.vals) != 1 {
				return errBadPassword()
			}
			newPwd, pwdChanged = pw, true
			continue
		}
		if !full && !((self || creator) && selfWritable[k]) {
			return errInsuff()
		}
		if !full && creator && !self && k == "usercertificate" {
			return errInsuff() // the quota-path creator gets only the validated writes (B.4)
		}
		cur := tmp.get(def.name)
		switch c.op {
		case modAdd:
			if len(c.vals) == 0 {
				return &Error{Code: gldap.LDAPResultProtocolError, Diagnostic: "00000057: LdapErr: DSID-0C090D8A, comment: Error in attribute conversion operation, data 0, v4563"}
			}
			if cur == nil {
				if def.single && len(c.vals) > 1 {
					return errConstraint(def.name)
				}
				tmp.set(def.name, c.vals...)
				continue
			}
			for _, v := range c.vals {
				for _, x := range cur.vals {
					if compareValues(def.name, x, v) == 0 {
						return errAttExists(def.name)
					}
				}
			}
			if def.single {
				return errAttExists(def.name)
			}
			cur.vals = append(cur.vals, c.vals...)
		case modDelete:
			if cur == nil {
				return errNoSuchAttr(def.name)
			}
			if len(c.vals) == 0 {
				tmp.remove(def.name)
				continue
			}
			for _, v := range c.vals {
				idx := -1
				for i, x := range cur.vals {
					if compareValues(def.name, x, v) == 0 {
						idx = i
						break
					}
				}
				if idx < 0 {
					return errNoSuchAttr(def.name)
				}
				cur.vals = append(cur.vals[:idx], cur.vals[idx+1:]...)
			}
			if len(cur.vals) == 0 {
				tmp.remove(def.name)
			}
		case modReplace:
			if len(c.vals) == 0 {
				tmp.remove(def.name)
				continue
			}
			if def.single && len(c.vals) > 1 {
				return errConstraint(def.name)
			}
			tmp.set(def.name, c.vals...)
		default:
			return &Error{Code: gldap.LDAPResultProtocolError}
		}
	}

	// Post-conditions.
	sam := tmp.first("sAMAccountName")
	if sam != e.first("sAMAccountName") {
		if err := validSAMChars(sam); err != nil {
			return errConstraint("sAMAccountName")
		}
		if o, dup := d.bySAM[strings.ToLower(sam)]; dup && o != e {
			return errUserExists()
		}
		if e.class == "computer" && !d.isAdmin(who) && !strings.HasSuffix(sam, "$") {
			return errAccountName()
		}
	}
	if e.class == "computer" && !full {
		samBase := strings.TrimSuffix(sam, "$")
		host := tmp.first("dNSHostName")
		if host != "" && host != e.first("dNSHostName") && !strings.EqualFold(host, strings.ToLower(samBase)+"."+d.cfg.DNSName) {
			return errConstraint("dNSHostName")
		}
		if a := tmp.get("servicePrincipalName"); a != nil {
			for _, spn := range a.vals {
				if !validatedSPN(spn, samBase, host) {
					return errConstraint("servicePrincipalName")
				}
			}
		}
	}
	if a := tmp.get("servicePrincipalName"); a != nil {
		for _, spn := range a.vals {
			if o, dup := d.bySPN[strings.ToLower(spn)]; dup && o != e {
				return errSPNNotUnique()
			}
		}
	}
	if v := tmp.first("userAccountControl"); v != e.first("userAccountControl") {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errConstraint("userAccountControl")
		}
		if n&uacServerTrust != 0 && !d.isAdmin(who) {
			return errInsuff()
		}
	}

	// Commit.
	d.unindexSPNs(e)
	if old := e.first("sAMAccountName"); old != sam {
		delete(d.bySAM, strings.ToLower(old))
		if sam != "" {
			d.bySAM[strings.ToLower(sam)] = e
		}
	}
	e.attrs = tmp.attrs
	d.indexSPNs(e)
	if pwdChanged {
		e.password, e.hasPwd = newPwd, true
	}
	d.touch(e)
	return nil
}

func firstOf(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// compare implements the LDAP Compare operation.
func (d *Directory) compare(p principal, dnStr, attrName, value string) *Error {
	if p.who == nil {
		return errNeedBind()
	}
	dn, err := ParseDN(dnStr)
	if err != nil {
		return errInvalidDN("")
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	e, ok := d.byDN[dn.Norm()]
	if !ok {
		return errNoObject(d.bestMatch(dn))
	}
	want, _ := d.assertion(attrName, value)
	for _, v := range d.valuesOf(e, attrName) {
		if compareValues(attrName, v, want) == 0 {
			return &Error{Code: gldap.LDAPResultCompareTrue}
		}
	}
	return &Error{Code: gldap.LDAPResultCompareFalse}
}
