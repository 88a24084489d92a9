package connector

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event IDs. Only 30132 is documented ([DOC] S10); the start / success /
// upload IDs appear in community material only and are UNCERTAIN
// (hybrid-join-behaviour.md §4 "Known event IDs", §6.7).
const (
	EventRequestFailure = 30132 // RequestOfflineDomainJoinBlob_Failure [DOC] S10
	EventRequestStart   = 30120 // UNCERTAIN
	EventRequestSuccess = 30130 // UNCERTAIN
	EventUploadResult   = 30140 // UNCERTAIN
)

// Event names (the "Name" of the Metric payload). Only the failure name is
// documented ([DOC] S10); the others are our naming in the same style.
const (
	NameRequestFailure = "RequestOfflineDomainJoinBlob_Failure"
	NameRequestStart   = "RequestOfflineDomainJoinBlob_Start"   // UNCERTAIN
	NameRequestSuccess = "RequestOfflineDomainJoinBlob_Success" // UNCERTAIN
	NameUploadResult   = "UploadOfflineDomainJoinBlob_Result"   // UNCERTAIN
)

// Channels of the connector's event log: Applications and Services Logs →
// Microsoft → Intune → ODJConnectorService, Admin and Operational ([DOC] S1,
// S2). Which events go to which channel is UNCERTAIN; failures go to Admin.
const (
	ChannelAdmin       = "Microsoft-Intune-ODJConnectorService/Admin"
	ChannelOperational = "Microsoft-Intune-ODJConnectorService/Operational"
)

// Event is one entry of the connector's event log.
type Event struct {
	At        time.Time
	ID        int
	Channel   string
	Level     string // Error | Information | Warning
	Name      string
	RequestID string
	DeviceID  string
	Computer  string
	Payload   string // JSON as the real connector logs it
	// ErrorCode is the Win32 code of a 30132 event (its payload's
	// ErrorCode, as a number); 0 for other events.
	ErrorCode int

	// retry and dn are what a 30120 or 30130 payload holds besides the
	// fields above and the connector's own: the log keeps them and renders
	// the payload when it is read (Connector.Events), as a fleet's
	// connectors log two such events a device and keep them to the end of
	// the run (docs/SCALE.md, "Measured", the table of changes).
	retry int
	dn    string
}

// DiagnosticCodePrivileges is the DiagnosticCode of the documented
// "insufficient privileges" failure ([DOC] S10).
const DiagnosticCodePrivileges = "0x00000800"

// DiagnosticCodeOther is used for every other failure. No other diagnostic
// code is documented: UNCERTAIN, and deliberately not 0x00000800 so tests
// and reports can tell the classes apart.
const DiagnosticCodeOther = "0x00000000"

// privilegeText is the documented ErrorDescription of the privileges case
// ([DOC] S10, verbatim).
const privilegeText = "Failed to get the ODJ Blob. The ODJ connector does not have sufficient privileges to complete the operation"

// Failure is what the connector knows about one failed ODJ request; it is
// the input of the 30132 payload and of the failure result.
type Failure struct {
	RequestID, DeviceID, DomainName string
	ComputerName                    string // the name that was tried, may be empty
	ErrorCode                       uint32 // Win32
	RetryCount                      int
	InstanceID                      string // the connector instance
	Detail                          string // the underlying error, for DiagnosticText
}

// IsPrivilegeFailure reports whether code belongs to the "does not have
// sufficient privileges" class: access denied (F8, [DOC] S10) and the
// machine-account quota (F9 in docs/SOURCES.md says
// the quota case fails "as in F8"; the exact event is [INF]).
func IsPrivilegeFailure(code uint32) bool {
	switch code {
	case ErrorAccessDenied, ErrorDSInsuffAccessRights, ErrorDSMachineAccountQuotaExced:
		return true
	}
	return false
}

// Describe returns ErrorDescription, DiagnosticCode and DiagnosticText for a
// failure. The privileges class uses S10's wording verbatim, including the
// two bracketed exception messages; other codes follow the same shape with
// the Win32 message in place of the privileges sentence [INF].
func (f Failure) Describe() (description, diagCode, diagText string) {
	if IsPrivilegeFailure(f.ErrorCode) {
		description, diagCode = privilegeText, DiagnosticCodePrivileges
	} else {
		description = "Failed to get the ODJ Blob. " + Win32Message(f.ErrorCode)
		diagCode = DiagnosticCodeOther
	}
	diagText = fmt.Sprintf("%s [Exception Message: %q] [Exception Message: %q]",
		description,
		"DiagnosticException: "+diagCode+". "+description,
		"Failed to call NetProvisionComputerAccount machineName="+f.ComputerName)
	if f.Detail != "" {
		diagText += fmt.Sprintf(" [Exception Message: %q]", f.Detail)
	}
	return description, diagCode, diagText
}

// metric is the documented payload shape: {"Metric":{"Dimensions":{…},
// "Name":…, "Value":0}} with every dimension a string ([DOC] S10 sample).
type metric struct {
	Metric metricBody `json:"Metric"`
}

type metricBody struct {
	Dimensions any    `json:"Dimensions"`
	Name       string `json:"Name"`
	Value      int    `json:"Value"`
}

// failureDimensions keeps S10's key order.
type failureDimensions struct {
	RequestID        string `json:"RequestId"`
	DeviceID         string `json:"DeviceId"`
	DomainName       string `json:"DomainName"`
	ErrorCode        string `json:"ErrorCode"`
	RetryCount       string `json:"RetryCount"`
	ErrorDescription string `json:"ErrorDescription"`
	InstanceID       string `json:"InstanceId"`
	DiagnosticCode   string `json:"DiagnosticCode"`
	DiagnosticText   string `json:"DiagnosticText"`
}

// FailurePayload renders the 30132 payload.
func FailurePayload(f Failure) (string, error) {
	desc, code, text := f.Describe()
	b, err := json.Marshal(metric{metricBody{
		Dimensions: failureDimensions{
			RequestID: f.RequestID, DeviceID: f.DeviceID, DomainName: f.DomainName,
			ErrorCode: fmt.Sprint(f.ErrorCode), RetryCount: fmt.Sprint(f.RetryCount),
			ErrorDescription: desc, InstanceID: f.InstanceID,
			DiagnosticCode: code, DiagnosticText: text,
		},
		Name: NameRequestFailure,
	}})
	if err != nil {
		return "", fmt.Errorf("connector: 30132 payload: %w", err)
	}
	return string(b), nil
}

// infoPayload renders the payload of the UNCERTAIN informational events in
// the same Metric shape.
func infoPayload(name string, dims map[string]string) (string, error) {
	b, err := json.Marshal(metric{metricBody{Dimensions: dims, Name: name}})
	if err != nil {
		return "", fmt.Errorf("connector: %s payload: %w", name, err)
	}
	return string(b), nil
}
