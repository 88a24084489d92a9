package scenarios

import (
	"crypto/x509"
	"time"
)

// Scenario is one scripted situation: the on-premises environment, the
// tenant, the devices, a script of timed actions and the expected outcomes.
// Every time in a scenario is an offset from T0, the instant the first
// device may power on. Negative offsets (admin actions "minutes before
// power-on") are allowed down to -SetupLead.
type Scenario struct {
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Seed        *uint64       `yaml:"seed"`     // CLI --seed overrides
	Duration    Duration      `yaml:"duration"` // how long after T0 the run may go; default 8h
	Timings     Timings       `yaml:"timings"`
	Environment Environment   `yaml:"environment"`
	Tenant      Tenant        `yaml:"tenant"`
	Graph       Graph         `yaml:"graph"` // faults and throttling of the cloud (graph.go)
	Devices     []DeviceSpec  `yaml:"devices"`
	Script      []Action      `yaml:"script"`
	Expect      []Expectation `yaml:"expect"`

	// File is the path the scenario was loaded from (set by the loader).
	File string `yaml:"-"`
	// Lines maps a YAML path such as "devices[2].vpn" to its line in File,
	// so the harness can point at the source of a runtime problem.
	Lines map[string]int `yaml:"-"`
	// Warnings are problems that do not stop a run because a scenario may
	// want to show the failure they cause (e.g. a Domain Join profile OU
	// of CN=Computers, seed 000 "Create and assign a Domain Join profile").
	// Each is "file:line:col: path: message". Set by Validate.
	Warnings []string `yaml:"-"`

	// pos maps a YAML path to its value's position (set by the loader).
	pos map[string]position
}

// Duration is a time.Duration written as Go duration text ("25m", "1h30m",
// "-10m"). It is a named type so the loader can give file:line errors.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Timings overrides the device and service delays. Zero means the default
// documented in scenarios/README.md (with its source).
type Timings struct {
	NetworkUp         Duration `yaml:"networkUp"`         // power-on to network (wired)
	ProfileDownload   Duration `yaml:"profileDownload"`   // S1
	OOBEPages         Duration `yaml:"oobePages"`         // S3
	EntraSignIn       Duration `yaml:"entraSignIn"`       // S4
	MDMEnrollment     Duration `yaml:"mdmEnrollment"`     // S5
	ODJPollInterval   Duration `yaml:"odjPollInterval"`   // S6-S8: device sync interval while waiting for the blob
	ConnectivityWait  Duration `yaml:"connectivityWait"`  // S9: 25m, CONNECTIVITY_TIMEOUT
	DCRetryInterval   Duration `yaml:"dcRetryInterval"`   // S9: between DC locator attempts
	Reboot            Duration `yaml:"reboot"`            // S10
	DeviceSetup       Duration `yaml:"deviceSetup"`       // S10: ESP device setup (apps, VPN client)
	FirstSignIn       Duration `yaml:"firstSignIn"`       // S11
	DeviceJoinTask    Duration `yaml:"deviceJoinTask"`    // S12: forced every 4 min during user ESP
	AccountSetupRest  Duration `yaml:"accountSetupRest"`  // S13: rest of the user ESP after registration
	ImportProcessing  Duration `yaml:"importProcessing"`  // Graph import → Autopilot device
	GroupEvaluation   Duration `yaml:"groupEvaluation"`   // dynamic group membership delay
	ProfileAssignment Duration `yaml:"profileAssignment"` // group membership → profile Assigned
	ConversionMin     Duration `yaml:"conversionMin"`     // "Convert all targeted devices": earliest registration
	ConversionMax     Duration `yaml:"conversionMax"`     // ... and latest ("allow 48 hours", seed 000)
	SetupLead         Duration `yaml:"setupLead"`         // how far before T0 the tenant is set up; default 24h
}

// Environment is the on-premises side: AD domains, connectors, Entra
// Connect and the networks devices can sit on.
type Environment struct {
	Domains      []Domain     `yaml:"domains"`
	Connectors   []Connector  `yaml:"connectors"`
	EntraConnect EntraConnect `yaml:"entraConnect"`
	Networks     []Network    `yaml:"networks"`
}

// Domain is one AD domain with its DC.
type Domain struct {
	Name                string       `yaml:"name"`                // DNS name, e.g. corp.contoso.com
	NetBIOS             string       `yaml:"netbios"`             // e.g. CORP; default: first label upper-cased
	MachineAccountQuota *int         `yaml:"machineAccountQuota"` // default 10 (S3, S35)
	OUs                 []string     `yaml:"ous"`                 // full DNs; parents are created as needed
	Users               []User       `yaml:"users"`
	Delegations         []Delegation `yaml:"delegations"`
	// Computers are pre-existing computer objects (stale accounts, name collisions).
	Computers []Computer `yaml:"computers"`
}

// User is an AD user account (also the Entra user via sync, by UPN).
type User struct {
	SAMAccountName string   `yaml:"sam"`
	Password       string   `yaml:"password"`
	UPN            string   `yaml:"upn"`      // default sam@domain
	Admin          bool     `yaml:"admin"`    // member of Domain Admins
	MemberOf       []string `yaml:"memberOf"` // group DNs or names
}

// Computer is a pre-existing computer account.
type Computer struct {
	Name string `yaml:"name"`
	OU   string `yaml:"ou"` // default CN=Computers
	// CollidesWith names a connector: instead of Name, the computer takes
	// the name that connector draws for its first request with the
	// prefix Prefix, so a stale object collides whatever the seed (F23).
	CollidesWith string `yaml:"collidesWith"`
	Prefix       string `yaml:"prefix"`
}

// Delegation grants a right on an OU to a trustee (S2, S3).
type Delegation struct {
	Trustee   string `yaml:"trustee"`   // sAMAccountName (e.g. msaODJ00001$) or connector name
	OU        string `yaml:"ou"`        // DN of the OU (or container)
	Right     string `yaml:"right"`     // createComputer | deleteComputer | fullControl
	AppliesTo string `yaml:"appliesTo"` // thisObjectOnly (default) | descendants
}

// Connector is an Intune Connector for Active Directory installation.
type Connector struct {
	Name          string   `yaml:"name"`
	Domain        string   `yaml:"domain"`
	Kind          string   `yaml:"kind"`          // msa (updated, default) | legacy
	Identity      string   `yaml:"identity"`      // MSA sAMAccountName without $, default msaODJ + 5 digits
	Version       string   `yaml:"version"`       // default 6.2501.2000.5
	PickupLatency Duration `yaml:"pickupLatency"` // UNCERTAIN in the docs; default 30s
	ClaimBatch    int      `yaml:"claimBatch"`    // requests taken per poll, UNCERTAIN; default 10
	Heartbeat     Duration `yaml:"heartbeat"`     // default 5m
	Down          bool     `yaml:"down"`          // starts stopped
	ReadOnlyDC    bool     `yaml:"readOnlyDC"`    // reaches only a read-only DC (F41)
	ProxyUnset    bool     `yaml:"proxyUnset"`    // behind a proxy it is not configured for (F10, F21)
}

// EntraConnect is the sync service.
type EntraConnect struct {
	Disabled bool     `yaml:"disabled"`
	Interval Duration `yaml:"interval"` // default 30m (S23)
	Scope    []string `yaml:"scope"`    // OU DNs in sync scope; empty = whole domain
	Offset   Duration `yaml:"offset"`   // first cycle after T0; default: interval (a cycle just ran)
}

// Network is a place a device can be.
type Network struct {
	Name string `yaml:"name"`
	// Kind is corporate (line of sight to the DCs listed in Domains, all
	// when empty) or internet (no DC without a VPN).
	Kind    string   `yaml:"kind"`
	Domains []string `yaml:"domains"`
	// Wireless networks need the user to pick them on the OOBE pages, so
	// the profile arrives only after the region/keyboard pages (S0).
	Wireless bool `yaml:"wireless"`
	// Proxy is how the network reaches the Internet: direct (default),
	// wpad (a proxy found by WPAD), noWPAD (a proxy the device cannot
	// discover) or authenticating (a proxy that wants credentials), F21.
	Proxy string `yaml:"proxy"`
}

// Tenant is the cloud side.
type Tenant struct {
	ID                 string              `yaml:"id"`     // default derived from the seed
	Domain             string              `yaml:"domain"` // default contoso.onmicrosoft.com
	Users              []EntraUser         `yaml:"users"`
	Groups             []Group             `yaml:"groups"`
	DeploymentProfiles []DeploymentProfile `yaml:"deploymentProfiles"`
	DomainJoinProfiles []DomainJoinProfile `yaml:"domainJoinProfiles"`
	ESP                []ESPProfile        `yaml:"esp"`
	Apps               []AppRegistration   `yaml:"apps"`
	Conversion         Conversion          `yaml:"conversion"`
	// EnrollmentRestrictions are the tenant's default enrollment
	// restrictions, applied to all users (F29, F30).
	EnrollmentRestrictions EnrollmentRestrictions `yaml:"enrollmentRestrictions"`
	// ConditionalAccess are the tenant's Conditional Access policies (F36,
	// conditional_access.go).
	ConditionalAccess []ConditionalAccessPolicy `yaml:"conditionalAccess"`
}

// EnrollmentRestrictions are Intune's device platform restriction and
// device limit restriction for all users (deviceEnrollmentConfigurations
// of types deviceEnrollmentPlatformRestrictionsConfiguration and
// deviceEnrollmentLimitConfiguration). Zero values restrict nothing.
type EnrollmentRestrictions struct {
	BlockWindows bool `yaml:"blockWindows"` // Windows (MDM) platform blocked: 0x80180014 (F29)
	DeviceLimit  *int `yaml:"deviceLimit"`  // devices a user may enroll, 1..15; nil: no limit configured (F30)
}

// Conversion switches the UNCERTAIN choices of "Convert all targeted
// devices" (mockgraph ConversionOptions); both false is the documented
// default.
type Conversion struct {
	NewEntraObject     bool `yaml:"newEntraObject"`     // register with a new [ZTDID] object instead of the enrolled one
	WinningProfileOnly bool `yaml:"winningProfileOnly"` // only when the profile that wins (S12) converts
}

// EntraUser is a cloud user who signs in during OOBE.
type EntraUser struct {
	UPN      string `yaml:"upn"`
	Password string `yaml:"password"`
	Licensed *bool  `yaml:"licensed"` // Intune licence; default true
}

// Group is an Entra group: dynamic (MembershipRule set) or assigned
// (Members lists device serials).
type Group struct {
	Name           string    `yaml:"name"`
	MembershipRule string    `yaml:"membershipRule"`
	Paused         bool      `yaml:"paused"`
	Members        []string  `yaml:"members"`
	CreatedAt      *Duration `yaml:"createdAt"` // offset from T0; default -SetupLead
}

// Target is an assignment list: group names, or the pseudo-groups
// "allDevices" / "allUsers".
type Target struct {
	Include []string `yaml:"include"`
	Exclude []string `yaml:"exclude"`
}

// DeploymentProfile is an Autopilot deployment profile.
type DeploymentProfile struct {
	Name                  string    `yaml:"name"`
	JoinType              string    `yaml:"joinType"` // hybrid | entra
	SkipConnectivityCheck bool      `yaml:"skipConnectivityCheck"`
	DeviceNameTemplate    string    `yaml:"deviceNameTemplate"` // entra only
	HidePrivacySettings   *bool     `yaml:"hidePrivacySettings"`
	HideEULA              *bool     `yaml:"hideEula"`
	UserType              string    `yaml:"userType"` // standard | administrator
	Language              string    `yaml:"language"` // "" = user selects
	SkipKeyboard          *bool     `yaml:"skipKeyboard"`
	ConvertAllTargeted    bool      `yaml:"convertAllTargeted"`
	CreatedAt             *Duration `yaml:"createdAt"`  // offset from T0; default -SetupLead + declaration order
	AssignedAt            *Duration `yaml:"assignedAt"` // when the assignment is made; default createdAt
	AssignTo              Target    `yaml:"assignTo"`
}

// DomainJoinProfile is a windowsDomainJoinConfiguration.
type DomainJoinProfile struct {
	Name            string    `yaml:"name"`
	Domain          string    `yaml:"domain"`
	Prefix          string    `yaml:"prefix"`
	RandomCharCount int       `yaml:"randomChars"` // default 15 - len(prefix); 3..14 (S29)
	OU              string    `yaml:"ou"`          // "" = the Computers container (S4)
	CreatedAt       *Duration `yaml:"createdAt"`
	AssignTo        Target    `yaml:"assignTo"`
}

// ESPProfile is an Enrollment Status Page configuration.
type ESPProfile struct {
	Name               string   `yaml:"name"`
	Priority           int      `yaml:"priority"`
	Timeout            Duration `yaml:"timeout"` // default 60m (S11)
	SkipUserStatusPage bool     `yaml:"skipUserStatusPage"`
	AssignTo           Target   `yaml:"assignTo"`
}

// AppRegistration is an app that may call mockgraph (client credentials).
// It signs in with ClientSecret, or with a client assertion signed by the
// key of a certificate in the Certificate file (Microsoft identity platform
// certificate credentials), or either.
type AppRegistration struct {
	Name         string   `yaml:"name"`
	ClientID     string   `yaml:"clientId"`
	ClientSecret string   `yaml:"clientSecret"`
	Roles        []string `yaml:"roles"` // application permissions, e.g. DeviceManagementServiceConfig.ReadWrite.All
	// Certificate is a PEM file with one or more CERTIFICATE blocks (other
	// blocks, such as the private key, are ignored), relative to the
	// scenario file's directory.
	Certificate string `yaml:"certificate"`
	// Certificates are Certificate's certificates, read by Validate.
	Certificates []*x509.Certificate `yaml:"-"`
}

// DeviceSpec describes one device (Serial set) or a batch (Count set).
type DeviceSpec struct {
	Serial          string        `yaml:"serial"`
	Count           int           `yaml:"count"`
	SerialPrefix    string        `yaml:"serialPrefix"` // batch serials: prefix + 4-digit index from 1
	GroupTag        string        `yaml:"groupTag"`
	OrderID         string        `yaml:"orderId"`
	PurchaseOrderID string        `yaml:"purchaseOrderId"`
	Registered      *bool         `yaml:"registered"`   // imported into Autopilot; default true (false with enrolled)
	Enrolled        *Enrolled     `yaml:"enrolled"`     // already enrolled in Intune, not through Autopilot
	Location        string        `yaml:"location"`     // network name
	VPN             string        `yaml:"vpn"`          // none | deviceTunnel | userTunnel | uwpPlugin | directAccess | alwaysOn
	User            string        `yaml:"user"`         // UPN of the person at the keyboard
	AssignedUser    string        `yaml:"assignedUser"` // "Assign user" on the Autopilot record (F24); UPN
	ClockSkew       Duration      `yaml:"clockSkew"`    // device clock minus true time (F20); default 0
	PreProvision    *PreProvision `yaml:"preProvision"` // technician flow first (F33, F35)
	ADUser          string        `yaml:"adUser"`       // sAMAccountName for the first Windows sign-in; default the user's
	PowerOn         *Duration     `yaml:"powerOn"`      // offset from T0; default 0; null with script power-on
	Manual          bool          `yaml:"manual"`       // powered on only by the script
	Stagger         Duration      `yaml:"stagger"`      // batch: delay between consecutive power-ons

	// PreviousDeployment: the device is reused; its earlier Autopilot
	// deployment left records in the tenant (F26, device_history.go).
	PreviousDeployment *PreviousDeployment `yaml:"previousDeployment"`
	// OtherLocalAdmin is another local administrator account a script or
	// policy creates on the device (F38, local_accounts.go).
	OtherLocalAdmin *LocalAdmin `yaml:"otherLocalAdmin"`
}

// PreProvision makes a device pre-provisioned: the technician flow first,
// the user flow UserFlowAfter later (Windows Autopilot for pre-provisioned
// deployment). The TPM attestation's outcome is a parameter: no real TPM.
type PreProvision struct {
	TPM           string    `yaml:"tpm"`           // ok (default) | noTPM | timeout | attestationFailed | maxRetries | vulnerableFirmware
	UserFlowAfter *Duration `yaml:"userFlowAfter"` // default 2h
}

// Enrolled describes a device that was enrolled in Intune before the
// scenario, not through Autopilot: the candidate of "Convert all targeted
// devices to Autopilot" (seed 000 "Register Windows Autopilot devices that
// are already enrolled"). Its powerOn is the reset after which it runs OOBE
// again.
type Enrolled struct {
	Ownership string    `yaml:"ownership"` // company (default) | personal
	JoinType  string    `yaml:"joinType"`  // hybridAzureADJoined (default) | azureADJoined | azureADRegistered
	Name      string    `yaml:"name"`      // device name (Entra displayName); default the serial
	At        *Duration `yaml:"at"`        // when it enrolled, offset from T0; default -setupLead
}

// Action is one timed step of the script.
type Action struct {
	At         Duration    `yaml:"at"`
	Do         string      `yaml:"do"`        // powerOn | connectorDown | connectorUp | grantDelegation | revokeDelegation | syncNow | moveDevices | assignProfile | deleteEntraObject
	Devices    string      `yaml:"devices"`   // selector (powerOn, moveDevices)
	Connector  string      `yaml:"connector"` // connectorDown/Up
	Domain     string      `yaml:"domain"`    // grant/revokeDelegation
	Delegation *Delegation `yaml:"delegation"`
	Location   string      `yaml:"location"` // moveDevices
	Profile    string      `yaml:"profile"`  // assignProfile: deployment profile name
	Group      string      `yaml:"group"`    // assignProfile: group name or allDevices
	Line       int         `yaml:"-"`
}

// Expectation is checked against the devices it selects, or with Requests
// against mockgraph's request log; each is one JUnit test case.
type Expectation struct {
	Description string `yaml:"description"`
	// Devices selects by serial glob ("LAB*"), "all", or "tag:<groupTag>".
	Devices string `yaml:"devices"`
	// Count, when set, is how many selected devices must match; otherwise all.
	Count       *int   `yaml:"count"`
	Outcome     string `yaml:"outcome"`
	FailedStage string `yaml:"failedStage"`
	ErrorCode   string `yaml:"errorCode"`
	// ConnectorError is the Win32 code in the connector's 30132 event for the
	// device's ODJ request, e.g. 8557 (quota) or 5 (access denied).
	ConnectorError *int     `yaml:"connectorError"`
	OU             string   `yaml:"ou"` // parent DN of the computer object
	EntraObjects   *int     `yaml:"entraObjects"`
	ProfileSource  string   `yaml:"profileSource"` // assigned | default | none
	Profile        string   `yaml:"profile"`       // deployment profile name received
	Registration   string   `yaml:"registration"`  // import | conversion | none: how the device became an Autopilot device
	Within         Duration `yaml:"within"`        // outcome reached by T0+within
	// After, with FailedStage/ErrorCode, asserts the failure came no sooner
	// than this long after the stage began (e.g. 25m for 80070774).
	After Duration `yaml:"after"`
	// ComputerName is a regular expression (FullMatch) the computer name
	// from the ODJ blob must match in full.
	ComputerName string `yaml:"computerName"`
	// EntraDevices checks the trust types and names of the device's Entra
	// device objects (expectations.go).
	EntraDevices *EntraDevicesCheck `yaml:"entraDevices"`
	// Events checks event IDs present or absent in the device's Windows
	// event log entries (and its connector's).
	Events *EventsCheck `yaml:"events"`
	// DSRegCmd checks the device's dsregcmd /status at the end of the run.
	DSRegCmd *DSRegCheck `yaml:"dsregcmd"`
	// UserAdmin checks whether the user is a member of the device's local
	// Administrators group at the end of the run (F38).
	UserAdmin *bool `yaml:"userAdmin"`
	// AccessAtProvisioningEnd and AccessAfterSignIn check Conditional
	// Access's decisions for a hybrid joined device (granted | blocked):
	// when provisioning ends, and after the user signed out and back in
	// (F36).
	AccessAtProvisioningEnd string `yaml:"accessAtProvisioningEnd"`
	AccessAfterSignIn       string `yaml:"accessAfterSignIn"`
	// Requests, instead of devices, checks mockgraph's request log
	// (graph.go); an expectation is one or the other.
	Requests *RequestCheck `yaml:"requests"`
	Line     int           `yaml:"-"`
}
