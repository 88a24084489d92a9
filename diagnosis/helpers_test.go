package diagnosis_test

import (
	"time"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/diagnosis"
	"github.com/autopilotsim/autopilotsim/results"
)

var t0 = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

// step is one device timeline entry at T0+at.
type step struct {
	at           time.Duration
	name, detail string
}

// device builds a diagnosis input for serial DEV0001 with the given
// outcome and device timeline, on the LAN of corp.contoso.com.
func device(outcome, stage, code string, steps ...step) diagnosis.Device {
	r := results.DeviceResult{Serial: "DEV0001", Outcome: outcome, FailedStage: stage, ErrorCode: code,
		ComputerName: "AP-ABCDEFGHIJKL", DistinguishedName: "CN=AP-ABCDEFGHIJKL,OU=Autopilot,DC=corp,DC=contoso,DC=com"}
	for _, s := range steps {
		at := t0.Add(s.at)
		r.Timeline = append(r.Timeline, results.TimelineEntry{At: at, Offset: s.at.String(), Actor: "device/DEV0001", Step: s.name, Detail: s.detail})
	}
	return diagnosis.Device{Result: r, T0: t0, RunDuration: 8 * time.Hour,
		TenantID: "11111111-2222-3333-4444-555555555555", TenantName: "contoso.onmicrosoft.com",
		HybridDeviceID: "99999999-0000-0000-0000-000000000001", AutopilotDeviceID: "aaaaaaaa-0000-0000-0000-000000000002",
		Domain: "corp.contoso.com", NetBIOS: "CORP", Location: "hq-lan", LocationKind: "corporate", VPN: "none",
		Request: diagnosis.Request{Domain: "corp.contoso.com", OU: "OU=Autopilot,DC=corp,DC=contoso,DC=com", Quota: 10,
			Connectors: []string{"ODJCONN01"}, Running: []string{"ODJCONN01"}},
		Sync: diagnosis.Sync{Scope: []string{"OU=Autopilot,DC=corp,DC=contoso,DC=com"}, InScope: true},
	}
}

// failure is a connector 30132 event with the connector's own payload.
func failure(code uint32, at time.Duration) diagnosis.ConnectorEvent {
	f := connector.Failure{RequestID: "req-1", DeviceID: "dev-1", DomainName: "corp.contoso.com",
		ComputerName: "AP-ABCDEFGHIJKL", ErrorCode: code, RetryCount: 2, InstanceID: "inst-1"}
	p, err := connector.FailurePayload(f)
	if err != nil {
		panic(err)
	}
	return diagnosis.ConnectorEvent{Connector: "ODJCONN01", Event: connector.Event{At: t0.Add(at), ID: connector.EventRequestFailure,
		Channel: connector.ChannelAdmin, Level: "Error", Name: connector.NameRequestFailure, RequestID: "req-1",
		Computer: "AP-ABCDEFGHIJKL", Payload: p, ErrorCode: int(code)}}
}

// Timelines of the flow, as devicesim writes them.
var (
	profileOK = []step{
		{30 * time.Second, "profileDownload", "event 160: begin profile download"},
		{45 * time.Second, "profileDownload", `events 161/111: profile "Hybrid" (assigned), CloudAssignedDomainJoinMethod=1, HybridJoinSkipDCConnectivityCheck=false`},
		{4 * time.Minute, "mdmEnrollment", "event 72: enrolled as DeviceJoinForDomainJoin"},
		{4 * time.Minute, "odjBlobWait", "event 111: starting wait for ODJ blob (request req-1); event 109 state 1 waiting"},
	}
	blobApplied = step{5 * time.Minute, "odjBlobApplied", "event 107: ODJ blob applied offline: AP-ABCDEFGHIJKL in corp.contoso.com (CN=…)"}
	rebooted    = []step{
		{5 * time.Minute, "reboot", `rebooting as CORP\AP-ABCDEFGHIJKL`},
		{8 * time.Minute, "deviceSetup", "ESP device setup: policies, certificates, network profiles, apps"},
		{19 * time.Minute, "firstSignIn", "signed in with AD credentials"},
	}
	espWait    = step{19 * time.Minute, "accountSetup", "ESP account setup: waiting for Entra registration (up to 1h40m0s)"}
	espSkipped = step{19 * time.Minute, "accountSetup", "user ESP skipped (SkipUserStatusPage): desktop; Automatic-Device-Join keeps running hourly"}
	notSynced  = step{20 * time.Minute, "deviceJoin", "Error Phase: join, 0x801c03f2: device object not found (not synced yet)"}
	registered = step{32 * time.Minute, "deviceJoin", "event 306: hybrid registration succeeded; AzureAdJoined: YES, DomainJoined: YES"}
)

func flow(parts ...any) []step {
	var out []step
	for _, p := range parts {
		switch v := p.(type) {
		case step:
			out = append(out, v)
		case []step:
			out = append(out, v...)
		}
	}
	return out
}
