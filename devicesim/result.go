package devicesim

import "time"

// Outcome is how a device's deployment ended.
type Outcome string

// The outcomes (design.md "Results").
const (
	OutcomeHybridJoined              Outcome = "hybridJoined"
	OutcomeEntraJoined               Outcome = "entraJoined"
	OutcomeDomainJoinedNotRegistered Outcome = "domainJoinedNotRegistered"
	OutcomeFailed                    Outcome = "failed"
	OutcomeNotAutopilot              Outcome = "notAutopilot"
	OutcomePending                   Outcome = "pending" // the run ended first
)

// Stage names a step of the flow; a failure names the stage it happened in.
type Stage string

// The stages, in flow order.
const (
	StagePowerOn         Stage = "powerOn"
	StageProfileDownload Stage = "profileDownload"
	StageOOBE            Stage = "oobe"
	StageEntraSignIn     Stage = "entraSignIn"
	StageMDMEnrollment   Stage = "mdmEnrollment"
	StageODJBlobWait     Stage = "odjBlobWait"
	StageDCCheck         Stage = "dcConnectivityCheck"
	StageDeviceSetup     Stage = "deviceSetup"
	StageFirstSignIn     Stage = "firstSignIn"
	StageAccountSetup    Stage = "accountSetup"
	StageDone            Stage = "done"
)

// Error codes the device shows, as Windows prints them (HRESULTs in hex
// without 0x).
const (
	// CodeDCNotFound is HRESULT_FROM_WIN32(ERROR_DOMAIN_CONTROLLER_NOT_FOUND):
	// the hard-coded code when the ODJ blob or the DC check times out
	// ([CODE] S30, [DOC] S10).
	CodeDCNotFound = "80070774"
	// CodeNoLogonServers is HRESULT_FROM_WIN32(ERROR_NO_LOGON_SERVERS, 1311):
	// "There are currently no logon servers available" at the first AD
	// sign-in without a DC (F15/F16). The exact code shown is [INF].
	CodeNoLogonServers = "8007051F"
	// CodeLogonFailure is HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE, 1326).
	CodeLogonFailure = "8007052E"
	// CodeTimeout is ERROR_TIMEOUT as an HRESULT: the ESP registration wait
	// and ESP phase timeouts ([CODE] S30, F19).
	CodeTimeout = "800705B4"
	// CodeMDMFailure is the generic MDM enrollment failure 80180018 (S10).
	CodeMDMFailure = "80180018"
)

// Result is what happened to one device.
type Result struct {
	Serial            string
	Outcome           Outcome
	FailedStage       Stage
	ErrorCode         string
	Detail            string
	ProfileSource     string
	ProfileName       string
	AutopilotDeviceID string
	ODJRequestID      string
	ComputerName      string
	DistinguishedName string
	Domain            string
	HybridDeviceID    string // the deviceId in the userCertificate
	PoweredOnAt       time.Time
	FinishedAt        time.Time // zero while pending
	// StageStartedAt is when the failed stage (or the last stage) began;
	// FinishedAt - StageStartedAt is how long the stage took to fail.
	StageStartedAt time.Time
	// TimerStartedAt is when the timer that failed the device started: the
	// connectivity budget at event 111 (shared by the blob wait and the DC
	// check unless SeparateBudgets), or the user ESP's registration wait.
	TimerStartedAt time.Time
	// UserAdministrator: the user was made a local administrator at the
	// first sign-in (profile user account type Administrator, F38).
	UserAdministrator bool
	// LocalAdministrators are the members of the local Administrators
	// group besides the built-in account and domain groups, for a hybrid
	// device whose profile makes the user an administrator or that has
	// another local administrator; nil otherwise (localadmin.go).
	LocalAdministrators []string
	// Access are Conditional Access's decisions for a hybrid joined device
	// of a tenant with policies (access.go, F36); nil otherwise.
	Access *AccessResult
}
