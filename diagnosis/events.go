package diagnosis

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/results"
)

// The device's event logs (Event Viewer: Applications and Services Logs →
// Microsoft → Windows → …).
const (
	// LogAutopilot: "Where does Windows Autopilot log to?" in
	// https://learn.microsoft.com/en-us/autopilot/troubleshooting-faq
	LogAutopilot = "Microsoft-Windows-ModernDeployment-Diagnostics-Provider/Autopilot"
	// LogDeviceManagement: MDM enrollment (72) and the offline domain join
	// events 111/109/107/100, read by Get-AutopilotDiagnostics
	// (https://www.powershellgallery.com/packages/Get-AutopilotDiagnostics);
	// the channel is named on the enrollment-errors page ("Auto MDM
	// Enroll: Failed").
	LogDeviceManagement = "Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin"
	// LogDeviceRegistration: "User Device Registration event logs" in
	// https://learn.microsoft.com/en-us/entra/identity/devices/troubleshoot-hybrid-join-windows-current#step-3-find-the-phase-in-which-the-join-failed-and-the-error-code
	LogDeviceRegistration = "Microsoft-Windows-User Device Registration/Admin"
)

// Autopilot event messages, verbatim from the troubleshooting FAQ's event
// table ("What do the different Event IDs mean…", URL in docAutopilotEvents).
const (
	msg100 = "Autopilot policy [name] not found."
	msg111 = "AutopilotRetrieveSettings succeeded."
	msg153 = "AutopilotManager reported the state changed from ProfileState_Unknown to ProfileState_Available."
	msg160 = "AutopilotRetrieveSettings beginning acquisition."
	msg161 = "AutopilotManager retrieve settings succeeded."
	msg807 = "ZtdDeviceIsNotRegistered"
	msg815 = "ZtdDeviceHasNoAssignedProfile - No profile assigned to the device, and no default profile found in the tenant."
)

// Offline domain join states of events 109/110 (Get-AutopilotDiagnostics:
// 0 not configured, 1 waiting, 2 processed, 3 timed out waiting for the
// blob or connectivity). The message wording of the DeviceManagement and
// User Device Registration events below is ours [INF]: the sources give
// the IDs and their meaning, not the text.
var odjStates = map[int]string{
	0: "not configured", 1: "waiting", 2: "processed", 3: "timed out waiting for ODJ blob or connectivity",
}

// rule turns one device timeline entry into the events it stands for.
type rule struct {
	step, prefix string
	events       func(d Device, e results.TimelineEntry) []results.WindowsEvent
}

func ev(log string, id int, level, msg string, fields ...results.EventField) results.WindowsEvent {
	return results.WindowsEvent{Machine: "device", Log: log, ID: id, Level: level, Message: msg, Fields: fields}
}

func field(name, value string) results.EventField {
	return results.EventField{Name: name, Value: value}
}

func odjState(s int) results.WindowsEvent {
	level := "Information"
	if s == 3 {
		level = "Error"
	}
	return ev(LogDeviceManagement, 109, level, "Offline domain join state: "+odjStates[s], field("State", fmt.Sprintf("%d (%s)", s, odjStates[s])))
}

// rules maps devicesim's trace steps (devicesim/device.go, which names the
// event each step stands for in its detail) to events. The first rule
// whose step matches and whose prefix starts the detail wins.
var rules = []rule{
	{"profileDownload", "event 160", fixed(ev(LogAutopilot, 160, "Information", msg160))},
	{"profileDownload", "event 807", fixed(ev(LogAutopilot, 807, "Error", msg807))},
	{"profileDownload", "event 815", fixed(ev(LogAutopilot, 815, "Error", msg815))},
	// A profile arrived: 161 (downloaded), 153 (state Unknown → Available),
	// 111 (settings retrieved); their order within the instant is not
	// documented.
	{"profileDownload", "events 161/111", fixed(ev(LogAutopilot, 161, "Information", msg161),
		ev(LogAutopilot, 153, "Information", msg153), ev(LogAutopilot, 111, "Information", msg111))},
	// A blank profile while the assignment is processing: event 100 is
	// "typically a temporary problem, while the device is waiting for a
	// Windows Autopilot profile to be downloaded" (FAQ). Which policy name
	// it carries is UNCERTAIN, so the documented placeholder stays.
	{"profileDownload", "assignment in progress", fixed(ev(LogAutopilot, 100, "Warning", msg100))},
	{"mdmEnrollment", "event 72", fixed(ev(LogDeviceManagement, 72, "Information", "MDM Enroll: Succeeded."))},
	{"odjBlobWait", "event 111", func(d Device, e results.TimelineEntry) []results.WindowsEvent {
		out := []results.WindowsEvent{ev(LogDeviceManagement, 111, "Information", "Starting wait for the offline domain join blob.")}
		if strings.Contains(e.Detail, "no ODJ request") {
			return out // F5: nothing is coming; the state stays unreported
		}
		return append(out, odjState(1))
	}},
	{"odjBlobWait", "event 109 state 3", fixed(odjState(3))},
	{"odjBlobApplied", "event 107", func(d Device, e results.TimelineEntry) []results.WindowsEvent {
		return []results.WindowsEvent{
			ev(LogDeviceManagement, 107, "Information", "Successfully applied the offline domain join blob.",
				field("ComputerName", d.Result.ComputerName), field("DomainName", d.Domain)),
			odjState(2),
		}
	}},
	{"dcConnectivityCheck", "event 100", func(d Device, e results.TimelineEntry) []results.WindowsEvent {
		return []results.WindowsEvent{
			ev(LogDeviceManagement, 100, "Error", "Could not establish connectivity to a domain controller.", field("DomainName", d.Domain)),
			odjState(3),
		}
	}},
	// The device-join task (Automatic-Device-Join). Event 201 is the
	// discovery error of earlier Windows 10 versions; without a DC the task
	// cannot read the service connection point ("Precheck phase").
	{"deviceJoin", "event 201", fixed(ev(LogDeviceRegistration, 201, "Error",
		"Automatic registration failed at precheck: no line of sight to a domain controller.", field("ErrorPhase", "precheck")))},
	{"deviceJoin", "Error Phase: join, 0x801c03f2", func(d Device, e results.TimelineEntry) []results.WindowsEvent {
		// "Sync-join server errors": DirectoryError, the device object by
		// the given ID isn't found (troubleshoot-hybrid-join-windows-current).
		return []results.WindowsEvent{ev(LogDeviceRegistration, 304, "Error",
			"Automatic registration failed at join phase.",
			field("ErrorPhase", "join"), field("ClientErrorCode", "0x801c03f2 (DSREG_E_DIRECTORY_FAILURE)"),
			field("ServerErrorCode", "DirectoryError"),
			field("ServerMessage", fmt.Sprintf("The device object by the given id (%s) isn't found.", d.HybridDeviceID)),
			field("HttpsStatus", "400"))}
	}},
	{"deviceJoin", "event 306", func(d Device, e results.TimelineEntry) []results.WindowsEvent {
		return []results.WindowsEvent{ev(LogDeviceRegistration, 306, "Information", "Automatic registration Succeeded.",
			field("DeviceId", d.HybridDeviceID), field("TenantId", d.TenantID))}
	}},
}

func fixed(evs ...results.WindowsEvent) func(Device, results.TimelineEntry) []results.WindowsEvent {
	return func(Device, results.TimelineEntry) []results.WindowsEvent {
		out := make([]results.WindowsEvent, len(evs))
		for i, e := range evs {
			out[i] = e
			out[i].Fields = append([]results.EventField(nil), e.Fields...)
		}
		return out
	}
}

// Events returns the event log entries of the device and of the
// connector's handling of its ODJ request, in time order (device entries
// first within one instant).
func Events(d Device) []results.WindowsEvent {
	var out []results.WindowsEvent
	actor := "device/" + d.Result.Serial
	for _, e := range d.Result.Timeline {
		if e.Actor != actor {
			continue
		}
		for _, r := range rules {
			if e.Step == r.step && strings.HasPrefix(e.Detail, r.prefix) {
				for _, w := range r.events(d, e) {
					// From T0, as for the connector's events below (the
					// harness writes an entry's offset only once it keeps
					// the timeline).
					w.At, w.Offset = e.At, offset(e.At, d.T0)
					out = append(out, w)
				}
				break
			}
		}
	}
	for _, c := range d.Connector {
		w := ConnectorWindowsEvent(c)
		w.Offset = offset(w.At, d.T0)
		out = append(out, w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

func offset(t, t0 time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Sub(t0).String()
}

// Connector event IDs other than 30132 are not in Microsoft's documentation
// (UNCERTAIN, connector/events.go); their message says so.
const uncertainID = " (event ID UNCERTAIN: only 30132 is documented)"

// ConnectorWindowsEvent is a connector's log entry as Event Viewer shows it,
// its Metric payload decoded into fields (the documented 30132 sample on
// the enrollment-errors page, "Something went wrong. Error Code 80070774",
// Solution 2). Offset is left to the caller.
func ConnectorWindowsEvent(c ConnectorEvent) results.WindowsEvent {
	e := c.Event
	name, fields := DecodeConnectorPayload(e.Payload)
	if name == "" {
		name = e.Name
	}
	msg := name
	if e.ID == connector.EventRequestFailure {
		for _, f := range fields {
			if f.Name == "ErrorDescription" {
				msg = name + ": " + f.Value
			}
		}
	} else {
		msg += uncertainID
	}
	return results.WindowsEvent{At: e.At, Machine: "connector/" + c.Connector, Log: e.Channel, ID: e.ID,
		Level: e.Level, Message: msg, Fields: fields}
}

// fieldOrder is the documented order of 30132's dimensions, then the
// names the other connector events use; any other name follows, sorted.
var fieldOrder = []string{"RequestId", "DeviceId", "DomainName", "ComputerName", "DistinguishedName",
	"ErrorCode", "RetryCount", "ErrorDescription", "InstanceId", "DiagnosticCode", "DiagnosticText", "Error"}

// DecodeConnectorPayload decodes a connector event's JSON payload
// ({"Metric":{"Dimensions":{…},"Name":…,"Value":0}}) into its name and its
// dimensions as fields in a stable order. ErrorCode gains its symbolic
// name ("8557 ERROR_DS_MACHINE_ACCOUNT_QUOTA_EXCEEDED"). A payload that is
// not such JSON comes back as one field "Payload" holding the text, so
// nothing is lost.
func DecodeConnectorPayload(payload string) (string, []results.EventField) {
	var m struct {
		Metric struct {
			Dimensions map[string]json.RawMessage `json:"Dimensions"`
			Name       string                     `json:"Name"`
		} `json:"Metric"`
	}
	if err := json.Unmarshal([]byte(payload), &m); err != nil || m.Metric.Dimensions == nil {
		if payload == "" {
			return "", nil
		}
		return "", []results.EventField{field("Payload", payload)}
	}
	dims := map[string]string{}
	for k, raw := range m.Metric.Dimensions {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw) // a number or object: keep its JSON text
		}
		dims[k] = s
	}
	var out []results.EventField
	for _, k := range fieldOrder {
		if v, ok := dims[k]; ok {
			if k == "ErrorCode" {
				if n, err := strconv.Atoi(v); err == nil {
					v = win32Name(n)
				}
			}
			out = append(out, field(k, v))
			delete(dims, k)
		}
	}
	rest := make([]string, 0, len(dims))
	for k := range dims {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, field(k, dims[k]))
	}
	return m.Metric.Name, out
}
