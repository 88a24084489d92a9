package mockgraph

import (
	"net/http"
	"time"

	"github.com/autopilotsim/autopilotsim/sim"
)

// table keeps entities by id in creation order, so listings are stable and
// never depend on map iteration. Every operation on one entity is O(1): a
// removed entity leaves a hole in the order, and the holes are squeezed out
// once they are half of it. Deleting by shifting the rest of the order
// down cost a copy of the whole table per delete: the admin removes a
// fleet's import records one by one (setup.go), quadratic in the fleet
// (35 us a device at 100,000 devices, make bench-scale's CPU profile).
type table[T any] struct {
	m     map[string]tableSlot[T]
	ids   []string // creation order; "" where an entity was removed
	items []*T     // same order; nil where an entity was removed
	holes int      // removed entries still in ids and items
	// ver changes on every put and del, so a cached list result
	// (listcache.go) knows its rows are stale.
	ver uint64
}

// tableSlot is an entity and where it stands in its table's order.
type tableSlot[T any] struct {
	v  *T
	at int
}

func newTable[T any]() *table[T] { return &table[T]{m: map[string]tableSlot[T]{}} }

func (t *table[T]) put(id string, v *T) {
	t.ver++
	if sl, ok := t.m[id]; ok {
		t.items[sl.at] = v
		t.m[id] = tableSlot[T]{v: v, at: sl.at}
		return
	}
	t.m[id] = tableSlot[T]{v: v, at: len(t.items)}
	t.ids = append(t.ids, id)
	t.items = append(t.items, v)
}

func (t *table[T]) get(id string) (*T, bool) { sl, ok := t.m[id]; return sl.v, ok }

// fromPath looks up the entity named by the route's {id}; notFound builds the
// resource's own 404 (directory and Intune shapes differ, graph-api.md §1.3).
func (t *table[T]) fromPath(r *http.Request, notFound func(id string) *apiError) (*T, *apiError) {
	id := pathVar(r, "id")
	if sl, ok := t.m[id]; ok {
		return sl.v, nil
	}
	return nil, notFound(id)
}

// intuneMissing adapts intuneNotFound to fromPath.
func intuneMissing(string) *apiError { return intuneNotFound() }

func (t *table[T]) del(id string) bool {
	sl, ok := t.m[id]
	if !ok {
		return false
	}
	t.ver++
	delete(t.m, id)
	t.ids[sl.at], t.items[sl.at] = "", nil
	t.holes++
	if t.holes > 64 && 2*t.holes > len(t.items) {
		t.compact()
	}
	return true
}

// compact squeezes the holes out of the order, keeping it.
func (t *table[T]) compact() {
	n := 0
	for i, v := range t.items {
		if v == nil {
			continue
		}
		id := t.ids[i]
		t.ids[n], t.items[n] = id, v
		t.m[id] = tableSlot[T]{v: v, at: n}
		n++
	}
	clear(t.ids[n:])
	clear(t.items[n:])
	t.ids, t.items, t.holes = t.ids[:n], t.items[:n], 0
}

// list returns a copy of the entities in creation order (callers may
// delete while iterating).
func (t *table[T]) list() []*T {
	if len(t.items) == t.holes {
		return nil
	}
	out := make([]*T, 0, len(t.items)-t.holes)
	for _, v := range t.items {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// store is the tenant state. Every field is guarded by Server.mu.
type store struct {
	seq          uint64 // creation sequence: "oldest-created" ties broken by it
	imported     *table[importedDevice]
	autopilot    *table[autopilotDevice]
	entra        *table[entraDevice]
	groups       *table[group]
	profiles     *table[deploymentProfile]
	configs      *table[deviceConfig]
	enrollConfs  *table[enrollmentConfig]
	managed      *table[managedDevice]
	odj          *table[odjRequest]
	connectors   *table[domainJoinConnector]
	caPolicies   *table[caPolicy] // Conditional Access (conditional_access.go, F36)
	autopilotSet autopilotSettings
	serials      map[string]*autopilotDevice // lower-case serial → device
	byEntra      map[string]*autopilotDevice // Entra placeholder object id → device
	// existing: Entra object id → the managed device enrolled before
	// Autopilot that owns it (conversion candidates, engine_convert.go).
	existing        map[string]*managedDevice
	existingSerials map[string]*managedDevice // lower-case serial → the same devices
	// previousSerials: lower-case serial → the Intune record a reused
	// device's earlier deployment left (h_history.go, F26).
	previousSerials map[string]*managedDevice
	lists           listCache  // recent list-query results (listcache.go)
	entraIdx        entraIndex // Entra objects by deviceId and source anchor (entraindex.go)
	odjPending      odjQueue   // pending ODJ requests by domain (odjqueue.go)
}

func newStore() *store {
	return &store{
		imported: newTable[importedDevice](), autopilot: newTable[autopilotDevice](), entra: newTable[entraDevice](),
		groups: newTable[group](), profiles: newTable[deploymentProfile](), configs: newTable[deviceConfig](),
		enrollConfs: newTable[enrollmentConfig](), managed: newTable[managedDevice](), odj: newTable[odjRequest](),
		connectors: newTable[domainJoinConnector](), caPolicies: newTable[caPolicy](), serials: map[string]*autopilotDevice{}, byEntra: map[string]*autopilotDevice{},
		existing: map[string]*managedDevice{}, existingSerials: map[string]*managedDevice{}, previousSerials: map[string]*managedDevice{},
		entraIdx: newEntraIndex(), odjPending: odjQueue{},
	}
}

func (st *store) nextSeq() uint64 { st.seq++; return st.seq }

// importedDevice is importedWindowsAutopilotDeviceIdentity (graph-api.md §5.2).
type importedDevice struct {
	ID, SerialNumber, GroupTag, ProductKey, AssignedUPN, ImportID string
	HardwareIdentifier                                            storedHash // hash.go
	PurchaseOrder                                                 string     // not a Graph property of the import; carried to the device (§14)
	Status                                                        string     // deviceImportStatus
	RegistrationID                                                string
	ErrorCode                                                     int
	ErrorName                                                     string
}

// autopilotDevice is windowsAutopilotDeviceIdentity (§4.2); ID is the ZTD id.
type autopilotDevice struct {
	ID, SerialNumber, GroupTag, PurchaseOrder, ProductKey, Manufacturer, Model string
	Hash                                                                       hashDigest // of the hardware hash (hash.go); not returned by Graph
	EntraObjectID                                                              string     // the placeholder device's object id
	AzureADDeviceID                                                            string     // its deviceId
	ManagedDeviceID                                                            string
	UserPrincipalName, AddressableUserName, DisplayName                        string
	EnrollmentState                                                            string
	LastContacted                                                              time.Time
	// Assignment engine state (engine_assign.go).
	AssignmentStatus  string // notAssigned | pending | assignedUnkownSyncState
	TargetProfileID   string // the profile that targets it now (may still be assigning)
	TargetSource      string // assigned | default
	AssignedProfileID string // set once assigned
	AssignedSource    string
	AssignedAt        time.Time
	// RegisteredBy says how the device became an Autopilot device: import
	// (engine_import.go) or conversion (engine_convert.go).
	RegisteredBy string
	assignTimer  sim.Timer
	seq          uint64
}

// entraDevice is an Entra ID device object (§10.2).
type entraDevice struct {
	ID, DeviceID, DisplayName, TrustType string
	PhysicalIDs                          []string
	AccountEnabled                       bool
	OperatingSystem, OSVersion           string
	OnPremisesSyncEnabled                bool
	OnPremisesObjectID                   string // Entra Connect's source anchor (PRIVATE_API sync PUT path)
	OnPremisesSID, OnPremisesDN          string
	OnPremisesLastSync                   *time.Time
	RegistrationDateTime                 *time.Time
	CertificateThumbprint                string
	EnrollmentProfileName                string
	DeviceOwnership                      string
	ManagementType                       string
	IsManaged                            bool
	// IsCompliant is Intune's compliance of this device ID; nil is "N/A":
	// Intune has not synced with it (F36, h_signin.go).
	IsCompliant *bool
	Created     time.Time
	seq         uint64
}

// group is an Entra security group, assigned or dynamic (§9.2).
type group struct {
	ID, DisplayName, Description, MailNickname string
	GroupTypes                                 []string
	MailEnabled, SecurityEnabled               bool
	MembershipRule, ProcessingState            string
	matcher                                    Matcher
	Members                                    map[string]bool // member object ids
	memberOrder                                []string
	Created                                    time.Time
	LastMembershipUpdated                      *time.Time
	pendingEvals                               int // scheduled evaluations not yet run: beta status Running
	seq                                        uint64
}

func (g *group) dynamic() bool {
	for _, t := range g.GroupTypes {
		if t == "DynamicMembership" {
			return true
		}
	}
	return false
}

func (g *group) addMember(id string) bool {
	if g.Members[id] {
		return false
	}
	g.Members[id] = true
	g.memberOrder = append(g.memberOrder, id)
	return true
}

func (g *group) removeMember(id string) bool {
	if !g.Members[id] {
		return false
	}
	delete(g.Members, id)
	for i, x := range g.memberOrder {
		if x == id {
			g.memberOrder = append(g.memberOrder[:i], g.memberOrder[i+1:]...)
			break
		}
	}
	return true
}

// target is a deviceAndAppManagementAssignmentTarget (§6.5).
type target struct {
	ODataType string // "#microsoft.graph.groupAssignmentTarget", ...
	GroupID   string
	FilterID  string
	Filter    string // none|include|exclude
}

const (
	tGroup      = "#microsoft.graph.groupAssignmentTarget"
	tExclusion  = "#microsoft.graph.exclusionGroupAssignmentTarget"
	tAllDevices = "#microsoft.graph.allDevicesAssignmentTarget"
	tAllUsers   = "#microsoft.graph.allLicensedUsersAssignmentTarget"
)

// assignment is any of the Intune assignment entities: profile, device
// configuration or enrollment configuration assignment.
type assignment struct {
	ID       string
	Target   target
	Source   string // direct
	SourceID string
	Intent   string // deviceConfigurationAssignment only (beta)
}

// deploymentProfile is a windowsAutopilotDeploymentProfile subtype (§6).
// Props keeps every writable property the client sent (with the legacy and
// current twins kept in sync), so a PATCH from S6 round-trips.
type deploymentProfile struct {
	ID, ODataType string
	Props         map[string]any
	Created       time.Time
	Modified      time.Time
	Assignments   []*assignment
	seq           uint64
}

func (p *deploymentProfile) hybrid() bool {
	return p.ODataType == "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile"
}

// deviceConfig is a deviceConfiguration; mockgraph acts on the
// windowsDomainJoinConfiguration subtype only (§7) and stores others as-is.
type deviceConfig struct {
	ID, ODataType string
	Props         map[string]any
	Created       time.Time
	Modified      time.Time
	Version       int
	Assignments   []*assignment
	seq           uint64
}

// enrollmentConfig is a deviceEnrollmentConfiguration; the ESP subtype is
// the one the engines read (§8).
type enrollmentConfig struct {
	ID, ODataType string
	Props         map[string]any
	Priority      int
	Created       time.Time
	Modified      time.Time
	IsDefault     bool
	Assignments   []*assignment
	seq           uint64
}

// managedDevice is the Intune record created at MDM enrollment (§11).
type managedDevice struct {
	ID, DeviceName, SerialNumber, AzureADDeviceID, UserPrincipalName string
	EnrollmentProfileName                                            string
	AutopilotID                                                      string
	JoinType                                                         string
	OwnerType                                                        string // managedDeviceOwnerType: company | personal
	EnrollmentType                                                   string // deviceEnrollmentType
	Manufacturer, Model                                              string
	Hash                                                             hashDigest // of the hash "Convert all targeted devices" uploads (engine_convert.go); not a Graph property
	entraObjectID                                                    string     // its Entra object (devices enrolled before Autopilot: store.existing)
	Enrolled                                                         time.Time
	LastSync                                                         time.Time
}

// odjRequest is one Offline Domain Join blob request (PRIVATE_API.md).
type odjRequest struct {
	ID, ManagedDeviceID, AutopilotID, AzureADDeviceID, SerialNumber string
	ConfigID, Domain, OrganizationalUnit, Prefix                    string
	SuffixCount                                                     int
	State                                                           string // pending|inProgress|completed|failed
	RetryCount                                                      int
	ClaimedBy                                                       string
	Blob                                                            string
	ComputerName, DistinguishedName                                 string
	LastErrorCode                                                   int
	LastDiagnostic, LastErrorText                                   string
	Created                                                         time.Time
	seq                                                             uint64
}

// domainJoinConnector is the beta deviceManagementDomainJoinConnector (§12).
type domainJoinConnector struct {
	ID, DisplayName, Domain, Version string
	LastConnection                   time.Time
	seq                              uint64
}

// autopilotSettings is the beta windowsAutopilotSettings singleton.
type autopilotSettings struct {
	LastSync, LastManualSync time.Time
	SyncStatus               string
}
