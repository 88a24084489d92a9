package results

import "time"

// Run is the result of running a set of scenarios.
type Run struct {
	Scenarios []ScenarioResult `json:"scenarios"`
	Summary   Summary          `json:"summary"`
	// Shard is set on one shard's results (run --shard I/N) so that
	// package shard can merge the shards back into the run's order; an
	// unsplit or merged run has none.
	Shard *Shard `json:"shard,omitempty"`
}

// Shard says which part of a split run a result holds.
type Shard struct {
	Index     int   `json:"index"`     // from 0
	Count     int   `json:"count"`     // shards in the run
	Scenarios int   `json:"scenarios"` // scenarios of the whole run
	Positions []int `json:"positions"` // of this shard's scenarios in the run, ascending
}

// ScenarioResult is one scenario's result.
type ScenarioResult struct {
	Name          string              `json:"name"`
	File          string              `json:"file"`
	Seed          uint64              `json:"seed"`
	Passed        bool                `json:"passed"`
	SimulatedTime string              `json:"simulatedTime"` // Go duration text, T0 to the last event
	Start         time.Time           `json:"start"`         // T0 on the virtual clock
	Error         string              `json:"error,omitempty"`
	Devices       []DeviceResult      `json:"devices"`
	Expectations  []ExpectationResult `json:"expectations"`
	Warnings      []string            `json:"warnings,omitempty"`
}

// DeviceResult is one device's result.
type DeviceResult struct {
	Serial             string          `json:"serial"`
	Outcome            string          `json:"outcome"`
	FailedStage        string          `json:"failedStage,omitempty"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	Detail             string          `json:"detail,omitempty"`
	ProfileSource      string          `json:"profileSource,omitempty"`
	Profile            string          `json:"profile,omitempty"`
	Registration       string          `json:"registration"` // import | conversion | none
	ComputerName       string          `json:"computerName,omitempty"`
	DistinguishedName  string          `json:"distinguishedName,omitempty"`
	ConnectorError     *int            `json:"connectorError,omitempty"`
	EntraDeviceObjects int             `json:"entraDeviceObjects"`
	PoweredOnAt        string          `json:"poweredOnAt,omitempty"` // offset from T0
	FinishedAt         string          `json:"finishedAt,omitempty"`  // offset from T0
	Timeline           []TimelineEntry `json:"timeline"`
	// Explanation says why a device did not reach its outcome in words:
	// set for failed, domainJoinedNotRegistered, notAutopilot and pending
	// devices (package diagnosis).
	Explanation *Explanation `json:"explanation,omitempty"`
	// Events are the Windows event log entries the device (and, for its ODJ
	// request, the connector) would have written, in time order.
	Events []WindowsEvent `json:"events,omitempty"`
	// DSRegCmd is the device's `dsregcmd /status` state at the end of the run.
	DSRegCmd *DSRegState `json:"dsregcmd,omitempty"`
	// EntraDevices are the device's Entra device objects (the
	// EntraDeviceObjects of them), sorted by display name then deviceId.
	EntraDevices []EntraDevice `json:"entraDevices,omitempty"`
	// LocalAdministrators are the members of the device's local
	// Administrators group besides the built-in account and the domain
	// groups, for a hybrid device whose profile makes the user an
	// administrator or that has another local administrator (F38);
	// omitted otherwise and when empty.
	LocalAdministrators []string `json:"localAdministrators,omitempty"`
	// ConditionalAccess are Conditional Access's decisions for a hybrid
	// joined device of a tenant with policies (F36); omitted otherwise.
	ConditionalAccess *ConditionalAccess `json:"conditionalAccess,omitempty"`
}

// Brief is d as a run keeps it once its scenario's results are written
// (package sink): serial, outcome, failed stage, error code, detail and
// explanation, all that the console summary and junit.xml read of a
// device (ExplainLine, FixLine and the table's outcome counts). The
// timeline, event log, Entra objects and the rest are dropped.
func (d DeviceResult) Brief() DeviceResult {
	return DeviceResult{Serial: d.Serial, Outcome: d.Outcome, FailedStage: d.FailedStage, ErrorCode: d.ErrorCode,
		Detail: d.Detail, Explanation: d.Explanation}
}

// ConditionalAccess is what Conditional Access decided when the device's
// user signed in to a cloud app: at the end of provisioning, and after the
// user signed out and back in (F36).
type ConditionalAccess struct {
	AtProvisioningEnd *AccessDecision `json:"atProvisioningEnd"`
	AfterSignIn       *AccessDecision `json:"afterSignIn"`
}

// AccessDecision is one Conditional Access decision.
type AccessDecision struct {
	Result     string `json:"result"`           // granted | blocked | error
	Compliance string `json:"compliance"`       // the hybrid object's compliance: compliant | N/A
	Policy     string `json:"policy,omitempty"` // the policy that blocked
	Reason     string `json:"reason,omitempty"`
}

// EntraDevice is one Microsoft Entra device object of a device.
type EntraDevice struct {
	DisplayName string `json:"displayName"`
	TrustType   string `json:"trustType"` // AzureAd (Autopilot object, Entra joined) | ServerAd (hybrid) | Workplace
	DeviceID    string `json:"deviceId"`
}

// Explanation is the diagnosis of one device's failure: what the code
// means, the likely cause in this scenario, and what to change.
type Explanation struct {
	Stage   string `json:"stage,omitempty"`
	Code    string `json:"code,omitempty"`    // as Windows shows it, e.g. 80070774
	Meaning string `json:"meaning,omitempty"` // what the code means
	Cause   string `json:"cause"`             // the likely cause, in this run's terms
	Fix     string `json:"fix"`               // what to change
	// Message is what the user sees on screen, where documented.
	Message  string `json:"message,omitempty"`
	DocURL   string `json:"docUrl,omitempty"`   // public Microsoft Learn page
	DocTitle string `json:"docTitle,omitempty"` // its title and heading
}

// WindowsEvent is one event log entry as Event Viewer shows it.
type WindowsEvent struct {
	At      time.Time `json:"at"`
	Offset  string    `json:"offset"`  // from T0
	Machine string    `json:"machine"` // device | connector/<name>
	Log     string    `json:"log"`     // channel, e.g. Microsoft-Windows-ModernDeployment-Diagnostics-Provider/Autopilot
	ID      int       `json:"id"`
	Level   string    `json:"level"` // Information | Warning | Error
	Message string    `json:"message"`
	// Fields are the event's decoded data (e.g. 30132's ErrorCode,
	// DiagnosticText), in a stable order.
	Fields []EventField `json:"fields,omitempty"`
}

// EventField is one named value of an event's data.
type EventField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DSRegState is the part of `dsregcmd /status` the flow decides.
type DSRegState struct {
	AzureAdJoined    string `json:"azureAdJoined"`    // YES | NO
	EnterpriseJoined string `json:"enterpriseJoined"` // YES | NO
	DomainJoined     string `json:"domainJoined"`     // YES | NO
	DomainName       string `json:"domainName,omitempty"`
	DeviceName       string `json:"deviceName,omitempty"`
	DeviceID         string `json:"deviceId,omitempty"`
	TenantID         string `json:"tenantId,omitempty"`
	TenantName       string `json:"tenantName,omitempty"`
	AzureAdPrt       string `json:"azureAdPrt"` // YES | NO
	// Diagnostic data, when registration did not complete.
	RegistrationType string `json:"registrationType,omitempty"`
	ErrorPhase       string `json:"errorPhase,omitempty"`
	ClientErrorCode  string `json:"clientErrorCode,omitempty"`
}

// TimelineEntry is one event in a device's story.
type TimelineEntry struct {
	At     time.Time `json:"at"`
	Offset string    `json:"offset"` // from T0, Go duration text ("-1h0m0s" before T0)
	Actor  string    `json:"actor"`
	Step   string    `json:"step"`
	Detail string    `json:"detail,omitempty"`
}

// ExpectationResult is one checked expectation: one JUnit test case.
type ExpectationResult struct {
	Description string `json:"description"`
	Passed      bool   `json:"passed"`
	Detail      string `json:"detail"`
	Line        int    `json:"line,omitempty"`
	// Mismatched are the selected devices that did not match, in device
	// order (for a failed expectation: whose explanations say why).
	Mismatched []string `json:"mismatched,omitempty"`
}

// Summary counts the run.
type Summary struct {
	Scenarios          int `json:"scenarios"`
	ScenariosPassed    int `json:"scenariosPassed"`
	ScenariosFailed    int `json:"scenariosFailed"`
	Devices            int `json:"devices"`
	Expectations       int `json:"expectations"`
	ExpectationsFailed int `json:"expectationsFailed"`
}

// Summarise fills r.Summary from the scenarios.
func (r *Run) Summarise() {
	s := Summary{Scenarios: len(r.Scenarios)}
	for _, sc := range r.Scenarios {
		if sc.Passed {
			s.ScenariosPassed++
		} else {
			s.ScenariosFailed++
		}
		s.Devices += len(sc.Devices)
		for _, e := range sc.Expectations {
			s.Expectations++
			if !e.Passed {
				s.ExpectationsFailed++
			}
		}
	}
	r.Summary = s
}

// Passed reports whether every scenario passed.
func (r *Run) Passed() bool {
	for _, s := range r.Scenarios {
		if !s.Passed {
			return false
		}
	}
	return true
}
