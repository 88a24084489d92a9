package tenantconfig

import "time"

// Config is a tenant's configuration as far as user-driven Microsoft Entra
// hybrid join depends on it, read from Graph JSON. Every slice is sorted by
// ID so that two loads of the same folder compare equal.
type Config struct {
	// Dir is the folder the configuration was read from.
	Dir string

	DeploymentProfiles []DeploymentProfile
	DomainJoinProfiles []DomainJoinProfile
	ESPs               []ESP
	// CustomConfigs are windows10CustomConfiguration profiles; only the
	// ones that matter to the flow are kept (SkipUserStatusPage).
	CustomConfigs    []CustomConfig
	Groups           []Group
	AutopilotDevices []AutopilotDevice
	Connectors       []Connector

	// Notes say what was read but not used: unknown or unrelated objects,
	// properties the simulation ignores, secrets that were dropped. A note
	// is never an error.
	Notes []Note
}

// Note is something the loader skipped or could not use.
type Note struct {
	File string // relative to Config.Dir, slash-separated
	Msg  string
}

// Source locates an object in the configuration files, for messages and for
// SARIF locations.
type Source struct {
	File string // relative to Config.Dir, slash-separated
	Line int    // 1-based line of the object's opening brace
	Col  int    // 1-based column of the object's opening brace
	// Fields maps a JSON pointer relative to the object ("/organizationalUnit",
	// "/assignments/0/target/groupId") to the 1-based line and column of
	// its value. Every property of the object, recursively, is present.
	Fields map[string]Pos
}

// Pos is a 1-based line and column.
type Pos struct{ Line, Col int }

// At returns the position of the JSON pointer ptr inside the object, or
// the object's own position when ptr is not recorded.
func (s Source) At(ptr string) Pos {
	if p, ok := s.Fields[ptr]; ok {
		return p
	}
	return Pos{Line: s.Line, Col: s.Col}
}

// TargetKind is what an assignment targets.
type TargetKind string

// The assignment target kinds, from Graph's deviceAndAppManagementAssignmentTarget
// subtypes (groupAssignmentTarget, exclusionGroupAssignmentTarget,
// allDevicesAssignmentTarget, allLicensedUsersAssignmentTarget).
const (
	TargetGroup      TargetKind = "group"
	TargetExclusion  TargetKind = "exclusion"
	TargetAllDevices TargetKind = "allDevices"
	TargetAllUsers   TargetKind = "allUsers"
)

// Assignment is one assignment of a profile.
type Assignment struct {
	Kind    TargetKind
	GroupID string // for group and exclusion
	// GroupName is the group's display name when the backup tool wrote it
	// instead of, or next to, the id (IntuneCD's target.groupName). Load
	// resolves it against the loaded groups; GroupID stays "" (with a Note)
	// when it cannot.
	GroupName string
	// Pointer is the JSON pointer of the assignment in Source's file when
	// it was embedded ("/assignments/0"), or "" when it came from its own
	// file (then Source is that file).
	Pointer string
	Source  Source
}

// DeploymentProfile is a windowsAutopilotDeploymentProfile: the
// activeDirectory… subtype (JoinType "hybrid") or the azureAD… subtype
// (JoinType "entra").
type DeploymentProfile struct {
	ID                     string
	Name                   string // displayName
	JoinType               string // hybrid | entra
	SkipConnectivityCheck  bool   // hybridAzureADJoinSkipConnectivityCheck
	DeviceNameTemplate     string
	ConvertAllTargeted     bool // extractHardwareHash / hardwareHashExtractionEnabled
	HidePrivacySettings    bool
	HideEULA               bool
	SkipKeyboard           bool
	UserType               string // standard | administrator
	Language               string
	PreprovisioningAllowed bool      // enableWhiteGlove / preprovisioningAllowed
	CreatedAt              time.Time // createdDateTime; zero when absent
	Assignments            []Assignment
	Source                 Source
}

// DomainJoinProfile is a windowsDomainJoinConfiguration.
type DomainJoinProfile struct {
	ID          string
	Name        string
	Domain      string // activeDirectoryDomainName
	Prefix      string // computerNameStaticPrefix
	RandomChars int    // computerNameSuffixRandomCharCount
	OU          string // organizationalUnit; "" = the domain's Computers container
	CreatedAt   time.Time
	Assignments []Assignment
	Source      Source
}

// ESP is a windows10EnrollmentCompletionPageConfiguration.
type ESP struct {
	ID                       string
	Name                     string
	Priority                 int
	TimeoutMinutes           int  // installProgressTimeoutInMinutes
	ShowInstallationProgress bool // false: the ESP is not shown at all
	// IsDefault marks the tenant's default ESP (id ending in
	// _DefaultWindows10EnrollmentCompletionPageConfiguration, priority 0).
	IsDefault   bool
	CreatedAt   time.Time
	Assignments []Assignment
	Source      Source
}

// CustomConfig is a windows10CustomConfiguration that the flow cares about.
type CustomConfig struct {
	ID   string
	Name string
	// SkipUserStatusPage is true when an OMA setting sets
	// ./Vendor/MSFT/DMClient/Provider/MS DM Server/FirstSyncStatus/SkipUserStatusPage
	// to true.
	SkipUserStatusPage bool
	Assignments        []Assignment
	Source             Source
}

// Group is an Entra group.
type Group struct {
	ID             string
	Name           string
	Dynamic        bool   // groupTypes contains DynamicMembership
	MembershipRule string // dynamic groups
	Paused         bool   // membershipRuleProcessingState Paused
	Members        []Member
	CreatedAt      time.Time
	Source         Source
}

// Member is a direct member of an assigned group.
type Member struct {
	ID          string // directory object id
	Type        string // device | group | user | … (from @odata.type)
	DisplayName string
	DeviceID    string // devices: deviceId, which Autopilot's azureAdDeviceId names
}

// AutopilotDevice is a windowsAutopilotDeviceIdentity.
type AutopilotDevice struct {
	ID              string
	Serial          string
	GroupTag        string
	PurchaseOrder   string
	AzureADDeviceID string
	Source          Source
}

// Connector is a deviceManagementDomainJoinConnector (Intune Connector for
// Active Directory), as the admin centre lists it.
type Connector struct {
	ID             string
	Name           string
	Version        string
	State          string // active | error | inactive
	LastConnection time.Time
	Source         Source
}
