package mockad

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/autopilotsim/autopilotsim/sim"
)

// DomainConfig describes the domain a Directory starts with.
type DomainConfig struct {
	DNSName             string   // corp.contoso.com
	NetBIOSName         string   // CORP
	MachineAccountQuota int      // callers pass 10 for AD's default; 0 means 0 (no joins without delegation)
	OUs                 []string // full DNs; missing parent OUs are created
	DCHostName          string   // default "DC01"

	// EntraTenantName and EntraTenantID, when set, create the Device
	// Registration SCP under the configuration partition (hybrid join needs
	// it, hybrid-join-behaviour.md P7) with AD's keywords
	// azureADName:<name> and azureADId:<id>.
	EntraTenantName string
	EntraTenantID   string

	// MSAComputersDelegation gives every MSA made by AddServiceAccount
	// createComputer and deleteComputer (thisObjectOnly) on CN=Computers,
	// modelling "the MSA by default can only create in the Computers
	// container" (hybrid-join-behaviour.md step 5, [DOC] S2). Off by
	// default: rules-and-ad.md B.1 says an undelegated connector identity
	// is an ordinary authenticated principal that joins through the quota
	// and that the fix is to delegate on CN=Computers when no OU is set.
	// Which one real AD does is UNCERTAIN.
	MSAComputersDelegation bool
}

// Delegation is an ACE granted on an OU or container.
type Delegation struct {
	Trustee   string // sAMAccountName ("msaODJ00001$", "alice") or DN
	OU        string // DN of OU/container
	Right     string // "createComputer" | "deleteComputer" | "fullControl"
	AppliesTo string // "thisObjectOnly" | "descendants"
}

// Rights and inheritance values a Delegation may carry.
const (
	RightCreateComputer = "createComputer"
	RightDeleteComputer = "deleteComputer"
	RightFullControl    = "fullControl"
	AppliesThisObject   = "thisObjectOnly"
	AppliesDescendants  = "descendants"
)

// userAccountControl bits (rules-and-ad.md B.10).
const (
	uacAccountDisable      = 0x0002
	uacLockout             = 0x0010
	uacPasswdNotReqd       = 0x0020
	uacNormalAccount       = 0x0200
	uacWorkstationTrust    = 0x1000
	uacServerTrust         = 0x2000
	uacPasswordExpired     = 0x800000
	samMachineAccount      = 805306369 // 0x30000001 (B.2)
	samNormalUserAccount   = 805306368 // 0x30000000
	samGroupObject         = 268435456 // 0x10000000
	defaultComputerUAC     = 4130      // 0x1022 when the client sends none (B.2)
	ridDomainAdmins        = 512
	ridDomainUsers         = 513
	ridDomainComputers     = 515
	ridDomainControllers   = 516
	firstAccountRID        = 1103 // Samba's first user got 1102, computers 1104+ (B.8); exact start UNCERTAIN
	maxPageSize            = 1000 // MaxPageSize of the Default Query Policy (B.9, [DOC] B6)
	wellKnownComputersGUID = "AA312825768811D1ADED00C04FD8D5CD"
	wellKnownUsersGUID     = "A9D1CA15768811D1ADED00C04FD8D5CD"
)

// attr is one stored attribute; values hold raw bytes for binary syntaxes.
type attr struct {
	name string // spelling used when first set (AD returns its schema spelling; we use the schema's when known)
	vals []string
}

// entry is one directory object.
type entry struct {
	dn       DN
	ndn      string
	attrs    []*attr // in the order they were set, for stable output
	parent   *entry
	children []*entry // in creation order
	password string   // clear-text secret for simple binds; never returned
	hasPwd   bool
	ncHead   bool // a naming-context head: subtree searches from above do not enter it
	deleted  bool
	class    string // structural class, lower case
	owner    string // owner SID string
}

func (e *entry) get(name string) *attr {
	for _, a := range e.attrs {
		if strings.EqualFold(a.name, name) {
			return a
		}
	}
	return nil
}

func (e *entry) first(name string) string {
	if a := e.get(name); a != nil && len(a.vals) > 0 {
		return a.vals[0]
	}
	return ""
}

func (e *entry) set(name string, vals ...string) {
	if d, ok := lookupAttr(name); ok {
		name = d.name
	}
	if a := e.get(name); a != nil {
		a.vals = append([]string(nil), vals...)
		return
	}
	e.attrs = append(e.attrs, &attr{name: name, vals: append([]string(nil), vals...)})
}

func (e *entry) remove(name string) {
	for i, a := range e.attrs {
		if strings.EqualFold(a.name, name) {
			e.attrs = append(e.attrs[:i], e.attrs[i+1:]...)
			return
		}
	}
}

func (e *entry) hasClass(c string) bool {
	if a := e.get("objectClass"); a != nil {
		for _, v := range a.vals {
			if strings.EqualFold(v, c) {
				return true
			}
		}
	}
	return false
}

func (e *entry) uac() int64 {
	v, _ := strconv.ParseInt(e.first("userAccountControl"), 10, 64)
	return v
}

// Directory is the in-memory AD domain: the tree, its indexes and AD's rules.
// It is safe for concurrent use.
type Directory struct {
	mu      sync.RWMutex
	cfg     DomainConfig
	clock   sim.Clock
	rnd     *rand.Rand
	base    DN
	config  DN // CN=Configuration,<base>
	schema  DN // CN=Schema,CN=Configuration,<base>
	domSID  []uint32
	nextRID uint32
	usn     int64

	byDN   map[string]*entry // normalised DN → entry
	bySAM  map[string]*entry // lower-case sAMAccountName → entry
	bySPN  map[string]*entry // lower-case SPN → entry
	quota  map[string]int    // creator SID string → computers created through the quota path
	groups []*entry          // group objects, for the memberOf back-link

	delegations []delegation

	// rootTmpl is the rootDSE's attributes (rootDSE), built once.
	rootOnce sync.Once
	rootTmpl []*attr
}

// NewDirectory builds a domain: the domainDNS head with ms-DS-MachineAccountQuota,
// CN=Users, CN=Computers, CN=Managed Service Accounts, OU=Domain Controllers
// with the DC's account, the Domain Admins/Users/Computers groups, the
// configuration and schema partitions, and the OUs of cfg. GUIDs, the domain SID
// and RIDs are drawn from rnd; timestamps come from clock.
func NewDirectory(cfg DomainConfig, clock sim.Clock, rnd *rand.Rand) (*Directory, error) {
	if clock == nil || rnd == nil {
		return nil, errors.New("mockad: NewDirectory needs a clock and a random source")
	}
	cfg.DNSName = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(cfg.DNSName), "."))
	if cfg.DNSName == "" || !strings.Contains(cfg.DNSName, ".") {
		return nil, fmt.Errorf("mockad: domain DNS name %q must be a dotted name", cfg.DNSName)
	}
	for _, label := range strings.Split(cfg.DNSName, ".") {
		if !validDNSLabel(label) {
			return nil, fmt.Errorf("mockad: domain DNS name %q: bad label %q", cfg.DNSName, label)
		}
	}
	cfg.NetBIOSName = strings.ToUpper(strings.TrimSpace(cfg.NetBIOSName))
	if cfg.NetBIOSName == "" || len(cfg.NetBIOSName) > 15 || strings.ContainsAny(cfg.NetBIOSName, `\/:*?"<>|. `) {
		return nil, fmt.Errorf("mockad: NetBIOS name %q must be 1-15 characters without \\/:*?\"<>|. or space", cfg.NetBIOSName)
	}
	if cfg.MachineAccountQuota < 0 {
		return nil, fmt.Errorf("mockad: MachineAccountQuota %d is negative", cfg.MachineAccountQuota)
	}
	if cfg.DCHostName == "" {
		cfg.DCHostName = "DC01"
	}
	if err := validComputerName(cfg.DCHostName); err != nil {
		return nil, fmt.Errorf("mockad: DC host name: %w", err)
	}
	d := &Directory{
		cfg: cfg, clock: clock, rnd: rnd,
		byDN: map[string]*entry{}, bySAM: map[string]*entry{}, bySPN: map[string]*entry{},
		quota:   map[string]int{},
		nextRID: firstAccountRID,
	}
	for _, l := range strings.Split(cfg.DNSName, ".") {
		d.base = append(d.base, RDN{Type: "DC", Value: l})
	}
	d.config = append(DN{{Type: "CN", Value: "Configuration"}}, d.base...)
	d.schema = append(DN{{Type: "CN", Value: "Schema"}}, d.config...)
	// Domain SID S-1-5-21-a-b-c (B.8).
	d.domSID = []uint32{21, rnd.Uint32(), rnd.Uint32(), rnd.Uint32()}

	if err := d.seed(); err != nil {
		return nil, err
	}
	for _, ou := range cfg.OUs {
		if _, err := d.ensurePath(ou); err != nil {
			return nil, fmt.Errorf("mockad: OU %q: %w", ou, err)
		}
	}
	return d, nil
}

func (d *Directory) seed() error {
	head := d.newEntry(d.base, nil, "domainDNS")
	head.ncHead = true
	head.set("dc", d.base[0].Value)
	head.set("objectSid", string(encodeSID(d.domSID...)))
	head.set("ms-DS-MachineAccountQuota", strconv.Itoa(d.cfg.MachineAccountQuota))
	head.set("msDS-Behavior-Version", "7")
	head.set("instanceType", "5")
	head.set("wellKnownObjects",
		"B:32:"+wellKnownUsersGUID+":CN=Users,"+d.base.String(),
		"B:32:"+wellKnownComputersGUID+":CN=Computers,"+d.base.String())
	users := d.child(head, "CN", "Users", "container")
	d.child(head, "CN", "Computers", "container")
	d.child(head, "CN", "Managed Service Accounts", "container")
	dcs := d.child(head, "OU", "Domain Controllers", "organizationalUnit")
	for _, g := range []struct {
		name string
		rid  uint32
	}{{"Domain Admins", ridDomainAdmins}, {"Domain Users", ridDomainUsers}, {"Domain Computers", ridDomainComputers}, {"Domain Controllers", ridDomainControllers}} {
		ge := d.child(users, "CN", g.name, "group")
		ge.set("sAMAccountName", g.name)
		ge.set("sAMAccountType", strconv.Itoa(samGroupObject))
		ge.set("groupType", "-2147483646")
		ge.set("objectSid", string(encodeSID(append(append([]uint32(nil), d.domSID...), g.rid)...)))
		d.bySAM[strings.ToLower(g.name)] = ge
		d.groups = append(d.groups, ge)
	}
	dc := d.child(dcs, "CN", d.cfg.DCHostName, "computer")
	d.initAccount(dc, d.cfg.DCHostName+"$", 532480, samMachineAccount, ridDomainControllers)
	dc.set("dNSHostName", strings.ToLower(d.cfg.DCHostName)+"."+d.cfg.DNSName)

	conf := d.newEntry(d.config, head, "configuration")
	conf.ncHead = true
	sch := d.newEntry(d.schema, conf, "dMD")
	sch.ncHead = true
	if d.cfg.EntraTenantID != "" || d.cfg.EntraTenantName != "" {
		services := d.child(conf, "CN", "Services", "container")
		drc := d.child(services, "CN", "Device Registration Configuration", "container")
		// The SCP's well-known CN (hybrid join configuration).
		scp := d.child(drc, "CN", "62a0ff2e-97b9-4513-943f-0d221bd30080", "serviceConnectionPoint")
		scp.set("keywords", "azureADName:"+d.cfg.EntraTenantName, "azureADId:"+d.cfg.EntraTenantID)
	}
	return nil
}

// newEntry creates and indexes an entry with the attributes every AD object
// has (B.2). The caller holds the lock (or is the constructor).
func (d *Directory) newEntry(dn DN, parent *entry, class string) *entry {
	cd := classes[strings.ToLower(class)]
	e := &entry{dn: dn, ndn: dn.Norm(), parent: parent, class: strings.ToLower(class)}
	e.set("objectClass", cd.chain...)
	if len(dn) > 0 {
		e.set(strings.ToLower(dn[0].Type), dn[0].Value)
		e.set("name", dn[0].Value)
	}
	e.set("distinguishedName", dn.String())
	e.set("instanceType", "4")
	now := genTime(d.clock.Now())
	e.set("whenCreated", now)
	e.set("whenChanged", now)
	d.usn++
	e.set("uSNCreated", strconv.FormatInt(d.usn, 10))
	e.set("uSNChanged", strconv.FormatInt(d.usn, 10))
	guid := d.newGUID()
	e.set("objectGUID", string(guid[:]))
	e.set("objectCategory", "CN="+cd.category+","+d.schemaDN().String())
	d.byDN[e.ndn] = e
	if parent != nil {
		parent.children = append(parent.children, e)
	}
	return e
}

func (d *Directory) schemaDN() DN { return d.schema }

func (d *Directory) child(parent *entry, typ, val, class string) *entry {
	dn := append(DN{{Type: typ, Value: val}}, parent.dn...)
	return d.newEntry(dn, parent, class)
}

// initAccount sets the security-principal attributes of a user or computer.
func (d *Directory) initAccount(e *entry, sam string, uac int64, samType int, primaryGroup uint32) {
	e.set("sAMAccountName", sam)
	e.set("userAccountControl", strconv.FormatInt(uac, 10))
	e.set("sAMAccountType", strconv.Itoa(samType))
	e.set("primaryGroupID", strconv.Itoa(int(primaryGroup)))
	e.set("objectSid", string(d.newSID()))
	e.set("pwdLastSet", "0")
	e.set("accountExpires", "9223372036854775807")
	d.bySAM[strings.ToLower(sam)] = e
}

func (d *Directory) newSID() []byte {
	rid := d.nextRID
	d.nextRID++
	return encodeSID(append(append([]uint32(nil), d.domSID...), rid)...)
}

// newGUID draws a random GUID in MS-DTYP layout (B.8) from the injected source.
func (d *Directory) newGUID() [16]byte {
	var g [16]byte
	binary.LittleEndian.PutUint64(g[0:8], d.rnd.Uint64())
	binary.LittleEndian.PutUint64(g[8:16], d.rnd.Uint64())
	g[7] = g[7]&0x0f | 0x40 // version 4 in Data3 (little-endian)
	g[8] = g[8]&0x3f | 0x80
	return g
}

func (d *Directory) touch(e *entry) {
	d.usn++
	e.set("uSNChanged", strconv.FormatInt(d.usn, 10))
	e.set("whenChanged", genTime(d.clock.Now()))
	e.attrs = packAttrs(e.attrs)
}

// genTime formats AD's GeneralizedTime (B.7: YYYYMMDDhhmmss.0Z).
func genTime(t time.Time) string { return t.UTC().Format("20060102150405") + ".0Z" }

// ensurePath creates missing OUs/containers down to dn (admin seeding).
func (d *Directory) ensurePath(s string) (*entry, error) {
	dn, err := ParseDN(s)
	if err != nil {
		return nil, err
	}
	if !dn.IsDescendantOf(d.base) {
		return nil, fmt.Errorf("%q is not under %s", s, d.base)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	cur := d.byDN[d.base.Norm()]
	for i := len(dn) - len(d.base) - 1; i >= 0; i-- {
		sub := dn[i:]
		if e, ok := d.byDN[sub.Norm()]; ok {
			if !allowsChildren(e.class) && i > 0 {
				return nil, fmt.Errorf("%s cannot hold children", e.dn)
			}
			cur = e
			continue
		}
		class := "container"
		switch strings.ToLower(dn[i].Type) {
		case "ou":
			class = "organizationalUnit"
		case "cn":
		default:
			return nil, fmt.Errorf("RDN type %q is neither OU nor CN", dn[i].Type)
		}
		cur = d.newEntry(append(DN{{Type: canonType(dn[i].Type), Value: dn[i].Value}}, cur.dn...), cur, class)
	}
	return cur, nil
}

// BaseDN returns the domain naming context, e.g. DC=corp,DC=contoso,DC=com.
func (d *Directory) BaseDN() string { return d.base.String() }

// ComputersDN returns the well-known computers container.
func (d *Directory) ComputersDN() string { return "CN=Computers," + d.base.String() }

// DNSName and NetBIOSName return the domain's names.
func (d *Directory) DNSName() string     { return d.cfg.DNSName }
func (d *Directory) NetBIOSName() string { return d.cfg.NetBIOSName }

// DCHostName returns the DC's FQDN (dnsHostName of the rootDSE).
func (d *Directory) DCHostName() string {
	return strings.ToLower(d.cfg.DCHostName) + "." + d.cfg.DNSName
}

// AddUser creates a user in CN=Users (admin => member of Domain Admins).
func (d *Directory) AddUser(sam, password, upn string, admin bool) (string, error) {
	if err := validSAMChars(sam); err != nil || len(sam) > 20 || strings.HasSuffix(sam, "$") {
		return "", fmt.Errorf("mockad: add user %q: invalid sAMAccountName", sam)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.bySAM[strings.ToLower(sam)]; ok {
		return "", fmt.Errorf("mockad: add user %q: %w", sam, errUserExists())
	}
	users := d.byDN["cn=users,"+d.base.Norm()]
	dn := append(DN{{Type: "CN", Value: sam}}, users.dn...)
	if _, ok := d.byDN[dn.Norm()]; ok {
		return "", fmt.Errorf("mockad: add user %q: %w", sam, errEntryExists())
	}
	e := d.newEntry(dn, users, "user")
	d.initAccount(e, sam, uacNormalAccount, samNormalUserAccount, ridDomainUsers)
	if upn != "" {
		e.set("userPrincipalName", upn)
	}
	e.password, e.hasPwd = password, true
	if admin {
		da := d.bySAM["domain admins"]
		a := da.get("member")
		if a == nil {
			da.set("member", e.dn.String())
		} else {
			a.vals = append(a.vals, e.dn.String())
		}
	}
	return e.dn.String(), nil
}

// AddServiceAccount creates the msDS-ManagedServiceAccount "name$" in
// CN=Managed Service Accounts: the updated connector's msaODJ identity
// (rules-and-ad.md B.1; the name is UNCERTAIN). With
// DomainConfig.MSAComputersDelegation it also gets createComputer and
// deleteComputer on CN=Computers.
func (d *Directory) AddServiceAccount(name, password string) (string, error) {
	name = strings.TrimSuffix(name, "$")
	if err := validComputerName(name); err != nil {
		return "", fmt.Errorf("mockad: add service account %q: %w", name, err)
	}
	sam := name + "$"
	d.mu.Lock()
	if _, ok := d.bySAM[strings.ToLower(sam)]; ok {
		d.mu.Unlock()
		return "", fmt.Errorf("mockad: add service account %q: %w", name, errUserExists())
	}
	msas := d.byDN["cn=managed service accounts,"+d.base.Norm()]
	dn := append(DN{{Type: "CN", Value: name}}, msas.dn...)
	e := d.newEntry(dn, msas, "msDS-ManagedServiceAccount")
	d.initAccount(e, sam, uacWorkstationTrust, samMachineAccount, ridDomainComputers)
	e.set("dNSHostName", strings.ToLower(name)+"."+d.cfg.DNSName)
	e.set("msDS-ManagedPasswordInterval", "30")
	e.password, e.hasPwd = password, true
	d.mu.Unlock()
	if !d.cfg.MSAComputersDelegation {
		return e.dn.String(), nil
	}
	for _, r := range []string{RightCreateComputer, RightDeleteComputer} {
		if err := d.Grant(Delegation{Trustee: sam, OU: d.ComputersDN(), Right: r, AppliesTo: AppliesThisObject}); err != nil {
			return "", err
		}
	}
	return e.dn.String(), nil
}

// AddComputer seeds a pre-existing computer (no quota, no creator) under parentDN.
func (d *Directory) AddComputer(name, parentDN string) (string, error) {
	if err := validComputerName(name); err != nil {
		return "", fmt.Errorf("mockad: add computer %q: %w", name, err)
	}
	pdn, err := ParseDN(parentDN)
	if err != nil {
		return "", fmt.Errorf("mockad: add computer %q: parent: %w", name, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	parent, ok := d.byDN[pdn.Norm()]
	if !ok {
		return "", fmt.Errorf("mockad: add computer %q: %w", name, errNoObject(d.bestMatch(pdn)))
	}
	if !allowsChildren(parent.class) {
		return "", fmt.Errorf("mockad: add computer %q: %w", name, errNaming(0x2099, parent.dn.String()))
	}
	sam := name + "$"
	if _, ok := d.bySAM[strings.ToLower(sam)]; ok {
		return "", fmt.Errorf("mockad: add computer %q: %w", name, errUserExists())
	}
	dn := append(DN{{Type: "CN", Value: name}}, parent.dn...)
	if _, ok := d.byDN[dn.Norm()]; ok {
		return "", fmt.Errorf("mockad: add computer %q: %w", name, errEntryExists())
	}
	e := d.newEntry(dn, parent, "computer")
	d.initAccount(e, sam, uacWorkstationTrust, samMachineAccount, ridDomainComputers)
	fqdn := strings.ToLower(name) + "." + d.cfg.DNSName
	e.set("dNSHostName", fqdn)
	e.set("servicePrincipalName", "HOST/"+name, "HOST/"+fqdn)
	d.indexSPNs(e)
	return e.dn.String(), nil
}

// SetPassword sets the bind password of an account, by sAMAccountName or DN.
func (d *Directory) SetPassword(account, password string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.resolveTrustee(account)
	if e == nil || e.get("objectSid") == nil || e.class == "group" {
		return fmt.Errorf("mockad: set password: no account %q", account)
	}
	e.password, e.hasPwd = password, true
	return nil
}

// FindComputer returns the DN of the computer whose sAMAccountName is name+"$".
func (d *Directory) FindComputer(name string) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	e, ok := d.bySAM[strings.ToLower(strings.TrimSuffix(name, "$")+"$")]
	if !ok || e.class != "computer" {
		return "", false
	}
	return e.dn.String(), true
}

// ComputerCount counts computer objects (structural class computer), leaving
// out domain controllers (SERVER_TRUST_ACCOUNT) and managed service accounts.
func (d *Directory) ComputerCount() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	n := 0
	for _, e := range d.byDN {
		if e.class == "computer" && e.uac()&uacServerTrust == 0 {
			n++
		}
	}
	return n
}

// Entry is a copy of one object's attributes, for tests and the harness.
// Binary values (objectGUID, objectSid, userCertificate) hold raw bytes.
type Entry struct {
	DN         string
	Attributes map[string][]string // keyed by AD's attribute spelling
}

// Lookup returns a copy of the object at dn.
func (d *Directory) Lookup(dn string) (Entry, bool) {
	n, err := normDN(dn)
	if err != nil {
		return Entry{}, false
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	e, ok := d.byDN[n]
	if !ok {
		return Entry{}, false
	}
	out := Entry{DN: e.dn.String(), Attributes: map[string][]string{}}
	for _, a := range e.attrs {
		out.Attributes[a.name] = append([]string(nil), a.vals...)
	}
	return out, true
}

// bestMatch is the deepest existing ancestor of dn, as AD reports in
// noSuchObject (B.5).
func (d *Directory) bestMatch(dn DN) string {
	for i := 1; i <= len(dn); i++ {
		if e, ok := d.byDN[dn[i:].Norm()]; ok {
			return e.dn.String()
		}
	}
	return ""
}

func (d *Directory) indexSPNs(e *entry) {
	if a := e.get("servicePrincipalName"); a != nil {
		for _, v := range a.vals {
			d.bySPN[strings.ToLower(v)] = e
		}
	}
}

func (d *Directory) unindexSPNs(e *entry) {
	if a := e.get("servicePrincipalName"); a != nil {
		for _, v := range a.vals {
			if d.bySPN[strings.ToLower(v)] == e {
				delete(d.bySPN, strings.ToLower(v))
			}
		}
	}
}
