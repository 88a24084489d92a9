package diagnosis

import (
	"time"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/results"
)

// Device is everything diagnosis reads about one device: its result (with
// the timeline the harness gathered) and the few facts of the scenario a
// result does not carry. The harness fills it; nothing here is looked up.
type Device struct {
	// Result is the device's result with Timeline filled. Its Events,
	// DSRegCmd and Explanation are ignored (Diagnose computes them).
	Result results.DeviceResult
	T0     time.Time
	// RunDuration is the scenario's duration: a pending device ran out of it.
	RunDuration time.Duration

	TenantID string
	// TenantName is what dsregcmd shows as TenantName. Windows shows the
	// tenant's display name; the simulated tenant has none, so the harness
	// passes its domain (e.g. contoso.onmicrosoft.com).
	TenantName string

	// HybridDeviceID is the deviceId of the certificate the device wrote to
	// its computer object (dsregcmd DeviceId once hybrid joined).
	HybridDeviceID string
	// AutopilotDeviceID is the deviceId of the device's Autopilot Entra
	// object (dsregcmd DeviceId once Entra joined with it).
	AutopilotDeviceID string
	// Domain and NetBIOS are the domain of the ODJ blob, when one arrived.
	Domain, NetBIOS string

	GroupTag string
	// Location is the network's name; LocationKind corporate | internet.
	Location, LocationKind string
	VPN                    string // none | deviceTunnel | userTunnel | uwpPlugin | directAccess

	// Connector holds the connector events of the device's ODJ request, in
	// time order.
	Connector []ConnectorEvent
	// Request is what the harness knows of the ODJ request's target.
	Request Request
	// Sync is Entra Connect's view of the device's computer object.
	Sync Sync
	// NonRoutableUPN is true when the on-premises UPN of the user's Windows
	// sign-in has a non-routable suffix (contoso.local): on a managed
	// domain such a user signs in to AD but gets no PRT (F42, "Plan your
	// Microsoft Entra hybrid join implementation", "Review on-premises AD
	// users UPN support for Microsoft Entra hybrid join",
	// https://learn.microsoft.com/en-us/entra/identity/devices/hybrid-join-plan).
	// The harness decides which suffixes are non-routable.
	NonRoutableUPN bool
}

// ConnectorEvent is one entry of a connector's event log, with the name of
// the connector that wrote it.
type ConnectorEvent struct {
	Connector string
	Event     connector.Event
}

// Request is the target of the device's ODJ request.
type Request struct {
	Domain string
	OU     string // the OU the connector was asked for; "" = the Computers container
	// Quota is the domain's ms-DS-MachineAccountQuota.
	Quota int
	// Connectors are the connectors installed for the domain, and Running
	// those whose service was running at the end of the run.
	Connectors, Running []string
}

// Sync is what Entra Connect does with the device's computer object.
type Sync struct {
	Disabled bool
	Scope    []string // OU DNs in sync scope; empty = the whole domain
	// InScope reports whether the computer object lies in the scope.
	InScope bool
}

// Diagnosis is what Diagnose adds to a DeviceResult.
type Diagnosis struct {
	Events      []results.WindowsEvent
	DSRegCmd    *results.DSRegState
	Explanation *results.Explanation
}

// Diagnose reads one device's story and returns the event log entries it
// would have left, its dsregcmd state at the end of the run, and, unless
// it ended hybrid or Entra joined, the explanation of why not. It is
// deterministic: the same Device gives the same Diagnosis.
func Diagnose(d Device) Diagnosis {
	return Diagnosis{Events: Events(d), DSRegCmd: DSRegCmd(d), Explanation: Explain(d)}
}

// Apply fills r's DSRegCmd and Explanation from d, then its Events when
// keepEvents, asked with the explanation in place, says the results keep
// the log (neither the explanation nor dsregcmd reads it, so a log that is
// dropped need not be built: 7.6 of the 17 s of building a 100,000-device
// fleet's results with run --timeline failed).
func Apply(r *results.DeviceResult, d Device, keepEvents func(*results.DeviceResult) bool) {
	r.DSRegCmd, r.Explanation, r.Events = DSRegCmd(d), Explain(d), nil
	if keepEvents(r) {
		r.Events = Events(d)
	}
}
