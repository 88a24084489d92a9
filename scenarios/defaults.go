package scenarios

import (
	"fmt"
	"strings"
	"time"
)

// DefaultValues holds every default the loader fills in. It is the one
// place these numbers live; scenarios/README.md lists each with its source.
type DefaultValues struct {
	Duration  time.Duration // run length after T0
	SetupLead time.Duration // tenant set-up before T0
	Timings   Timings

	MachineAccountQuota int    // ms-DS-MachineAccountQuota
	ComputersContainer  string // RDN of the well-known Computers container
	DelegationAppliesTo string

	ConnectorKind          string
	ConnectorVersion       string
	ConnectorIdentityFmt   string // fmt verb gets the connector's 1-based number
	ConnectorPickupLatency time.Duration
	ConnectorClaimBatch    int
	ConnectorHeartbeat     time.Duration

	EntraConnectInterval time.Duration

	TenantDomain string
	Licensed     bool

	HidePrivacySettings bool
	HideEULA            bool
	SkipKeyboard        bool
	UserType            string

	ESPTimeout time.Duration

	// ComputerNameLength is the NetBIOS limit that prefix + random
	// characters must fill: randomChars defaults to this minus len(prefix).
	ComputerNameLength int

	Registered        bool
	EnrolledOwnership string
	EnrolledJoinType  string
	VPN               string

	// FaultProbability is a graph fault's probability when it gives none.
	FaultProbability float64
}

// Defaults are the values used for everything a scenario leaves out.
// Sources (see README "Defaults"): [DOC] documented, [CODE] read from code,
// [INF] inferred, UNCERTAIN not confirmed. S-numbers next to a tag are
// sources; S0–S13 naming a timing are device states; both are listed with
// their public URLs in docs/SOURCES.md.
var Defaults = DefaultValues{
	Duration:  8 * time.Hour,  // [INF] long enough for several 30m sync cycles and the ESP
	SetupLead: 24 * time.Hour, // [INF] tenant set up the day before; group/profile delays settle
	Timings: Timings{
		NetworkUp:         Duration(30 * time.Second), // [INF] wired link + DHCP (S0)
		ProfileDownload:   Duration(15 * time.Second), // [INF] S1: "as soon as a network is present", no timer documented
		OOBEPages:         Duration(2 * time.Minute),  // [INF] S3 pages a user clicks through
		EntraSignIn:       Duration(1 * time.Minute),  // [INF] S4
		MDMEnrollment:     Duration(1 * time.Minute),  // [INF] S5
		ODJPollInterval:   Duration(1 * time.Minute),  // [INF] S6-S8 OMA-DM sync while waiting for the blob
		ConnectivityWait:  Duration(25 * time.Minute), // [CODE] S30 CONNECTIVITY_TIMEOUT = 1 500 000 ms
		DCRetryInterval:   Duration(1 * time.Minute),  // [INF] S9 DC locator retry
		Reboot:            Duration(3 * time.Minute),  // [INF] S10
		DeviceSetup:       Duration(10 * time.Minute), // [INF] S10 ESP device setup (apps, VPN client)
		FirstSignIn:       Duration(1 * time.Minute),  // [INF] S11
		DeviceJoinTask:    Duration(4 * time.Minute),  // [CODE] S30 forced every 240 000 ms in the user ESP
		AccountSetupRest:  Duration(2 * time.Minute),  // [INF] user policies/apps after registration (S13 sub-steps; no documented duration)
		ImportProcessing:  Duration(5 * time.Minute),  // UNCERTAIN no SLA documented
		GroupEvaluation:   Duration(5 * time.Minute),  // UNCERTAIN "minutes to hours" (§3)
		ProfileAssignment: Duration(15 * time.Minute), // UNCERTAIN "no SLA" [DOC] S1, S13
		ConversionMin:     Duration(1 * time.Hour),    // UNCERTAIN only the upper bound is documented
		ConversionMax:     Duration(48 * time.Hour),   // [DOC] seed 000: "Allow 48 hours for the registration to be processed"
		// SetupLead comes from DefaultValues.SetupLead.
	},

	MachineAccountQuota: 10,             // [DOC] S3, S35
	ComputersContainer:  "CN=Computers", // [DOC] S4, seed 000 "Create and assign a Domain Join profile"
	DelegationAppliesTo: "thisObjectOnly",

	ConnectorKind:          "msa",            // [DOC] S2 updated connector (Intune 2501+)
	ConnectorVersion:       "6.2501.2000.5",  // [DOC] S2 minimum updated version
	ConnectorIdentityFmt:   "msaODJ%05d",     // [DOC] S2 msaODJ#####
	ConnectorPickupLatency: 30 * time.Second, // UNCERTAIN S39: no poll interval documented
	ConnectorClaimBatch:    10,               // UNCERTAIN S39: requests per poll not documented
	ConnectorHeartbeat:     5 * time.Minute,  // [INF] well under the 1 h "error" threshold of S27

	EntraConnectInterval: 30 * time.Minute, // [DOC] S23

	TenantDomain: "contoso.onmicrosoft.com", // [INF] the docs' example tenant
	Licensed:     true,                      // P6: users need an Intune licence [DOC] S1

	HidePrivacySettings: true,       // [DOC] S5 tutorial: "select Hide"
	HideEULA:            true,       // [DOC] S5 tutorial: "select Hide"
	SkipKeyboard:        false,      // [CODE] Graph skipKeyboardSelectionPage defaults to false
	UserType:            "standard", // [DOC] S5

	ESPTimeout: 60 * time.Minute, // [DOC] S11

	ComputerNameLength: 15, // [DOC] S1, S29: prefix + random characters, 15 in all

	Registered: true, // a scenario is about Autopilot devices unless it says otherwise
	// An enrolled (pre-existing) device: seed 000 "Register Windows
	// Autopilot devices that are already enrolled".
	EnrolledOwnership: "company",             // [DOC] only corporate-owned devices convert
	EnrolledJoinType:  "hybridAzureADJoined", // [INF] the hybrid-join article's estate: domain-joined PCs
	VPN:               "none",                // on the LAN, or remote with nothing

	FaultProbability: 1, // a fault fires on every matching request unless it says otherwise
}

// WithDefaults fills every unset value from Defaults. Load calls it before
// Validate; call it yourself on a Scenario built in code. It is idempotent.
func (s *Scenario) WithDefaults() {
	df := Defaults
	// A value written in the file, even 0s, is kept: "offset: 0s" means a
	// sync cycle at T0, not "use the default".
	setD := func(path string, d *Duration, v time.Duration) {
		if *d == 0 && !s.explicit(path) {
			*d = Duration(v)
		}
	}
	setD("duration", &s.Duration, df.Duration)
	t := &s.Timings
	dt := df.Timings
	setD("timings.networkUp", &t.NetworkUp, dt.NetworkUp.D())
	setD("timings.profileDownload", &t.ProfileDownload, dt.ProfileDownload.D())
	setD("timings.oobePages", &t.OOBEPages, dt.OOBEPages.D())
	setD("timings.entraSignIn", &t.EntraSignIn, dt.EntraSignIn.D())
	setD("timings.mdmEnrollment", &t.MDMEnrollment, dt.MDMEnrollment.D())
	setD("timings.odjPollInterval", &t.ODJPollInterval, dt.ODJPollInterval.D())
	setD("timings.connectivityWait", &t.ConnectivityWait, dt.ConnectivityWait.D())
	setD("timings.dcRetryInterval", &t.DCRetryInterval, dt.DCRetryInterval.D())
	setD("timings.reboot", &t.Reboot, dt.Reboot.D())
	setD("timings.deviceSetup", &t.DeviceSetup, dt.DeviceSetup.D())
	setD("timings.firstSignIn", &t.FirstSignIn, dt.FirstSignIn.D())
	setD("timings.deviceJoinTask", &t.DeviceJoinTask, dt.DeviceJoinTask.D())
	setD("timings.accountSetupRest", &t.AccountSetupRest, dt.AccountSetupRest.D())
	setD("timings.importProcessing", &t.ImportProcessing, dt.ImportProcessing.D())
	setD("timings.groupEvaluation", &t.GroupEvaluation, dt.GroupEvaluation.D())
	setD("timings.profileAssignment", &t.ProfileAssignment, dt.ProfileAssignment.D())
	setD("timings.conversionMin", &t.ConversionMin, dt.ConversionMin.D())
	setD("timings.conversionMax", &t.ConversionMax, dt.ConversionMax.D())
	setD("timings.setupLead", &t.SetupLead, df.SetupLead)

	env := &s.Environment
	for i := range env.Domains {
		d := &env.Domains[i]
		if d.NetBIOS == "" && d.Name != "" {
			d.NetBIOS = defaultNetBIOS(d.Name)
		}
		if d.MachineAccountQuota == nil {
			q := df.MachineAccountQuota
			d.MachineAccountQuota = &q
		}
		for j := range d.Users {
			u := &d.Users[j]
			if u.UPN == "" && u.SAMAccountName != "" {
				u.UPN = u.SAMAccountName + "@" + d.Name
			}
		}
		for j := range d.Delegations {
			if d.Delegations[j].AppliesTo == "" {
				d.Delegations[j].AppliesTo = df.DelegationAppliesTo
			}
		}
		for j := range d.Computers {
			if d.Computers[j].OU == "" && d.Name != "" {
				d.Computers[j].OU = df.ComputersContainer + "," + domainDN(d.Name)
			}
		}
	}
	for i := range env.Connectors {
		c := &env.Connectors[i]
		if c.Kind == "" {
			c.Kind = df.ConnectorKind
		}
		if c.Identity == "" {
			if c.Kind == "legacy" {
				// The legacy connector acts as its server's computer
				// account (S3); the connector name stands for the server.
				c.Identity = strings.ToUpper(c.Name)
			} else {
				c.Identity = fmt.Sprintf(df.ConnectorIdentityFmt, i+1)
			}
		}
		if c.Version == "" {
			c.Version = df.ConnectorVersion
		}
		setD(fmt.Sprintf("environment.connectors[%d].pickupLatency", i), &c.PickupLatency, df.ConnectorPickupLatency)
		if c.ClaimBatch == 0 {
			c.ClaimBatch = df.ConnectorClaimBatch
		}
		setD(fmt.Sprintf("environment.connectors[%d].heartbeat", i), &c.Heartbeat, df.ConnectorHeartbeat)
	}
	for i := range s.Script {
		if del := s.Script[i].Delegation; del != nil && del.AppliesTo == "" {
			del.AppliesTo = df.DelegationAppliesTo
		}
	}
	ec := &env.EntraConnect
	setD("environment.entraConnect.interval", &ec.Interval, df.EntraConnectInterval)
	// A cycle has just run at T0, so the first one after T0 comes one
	// interval later (types.go).
	setD("environment.entraConnect.offset", &ec.Offset, ec.Interval.D())

	tn := &s.Tenant
	if tn.Domain == "" {
		tn.Domain = df.TenantDomain
	}
	for i := range tn.Users {
		if tn.Users[i].Licensed == nil {
			l := df.Licensed
			tn.Users[i].Licensed = &l
		}
	}
	boolDefault := func(p **bool, v bool) {
		if *p == nil {
			*p = &v
		}
	}
	for i := range tn.DeploymentProfiles {
		p := &tn.DeploymentProfiles[i]
		boolDefault(&p.HidePrivacySettings, df.HidePrivacySettings)
		boolDefault(&p.HideEULA, df.HideEULA)
		boolDefault(&p.SkipKeyboard, df.SkipKeyboard)
		if p.UserType == "" {
			p.UserType = df.UserType
		}
	}
	for i := range tn.DomainJoinProfiles {
		p := &tn.DomainJoinProfiles[i]
		if p.RandomCharCount == 0 && !s.explicit(fmt.Sprintf("tenant.domainJoinProfiles[%d].randomChars", i)) {
			p.RandomCharCount = df.ComputerNameLength - len(p.Prefix)
		}
	}
	for i := range tn.ESP {
		setD(fmt.Sprintf("tenant.esp[%d].timeout", i), &tn.ESP[i].Timeout, df.ESPTimeout)
	}

	for i := range s.Devices {
		d := &s.Devices[i]
		if d.Registered == nil {
			// An enrolled device is by definition not (yet) an Autopilot
			// device: conversion may register it (seed 000).
			r := df.Registered && d.Enrolled == nil
			d.Registered = &r
		}
		if e := d.Enrolled; e != nil {
			if e.Ownership == "" {
				e.Ownership = df.EnrolledOwnership
			}
			if e.JoinType == "" {
				e.JoinType = df.EnrolledJoinType
			}
		}
		if d.VPN == "" {
			d.VPN = df.VPN
		}
	}
	s.fillADUsers()
	s.graphDefaults()
}

// fillADUsers sets a device's adUser to the sAMAccountName of the AD user
// whose UPN is the device's user, so the first Windows sign-in (S11) uses
// the synced account. Left empty when there is no such AD user; Validate
// warns about that.
func (s *Scenario) fillADUsers() {
	for i := range s.Devices {
		d := &s.Devices[i]
		if d.ADUser != "" || d.User == "" {
			continue
		}
		if u := s.adUserByUPN(d.User); u != nil {
			d.ADUser = u.SAMAccountName
		}
	}
}

func (s *Scenario) adUserByUPN(upn string) *User {
	for i := range s.Environment.Domains {
		for j := range s.Environment.Domains[i].Users {
			u := &s.Environment.Domains[i].Users[j]
			if strings.EqualFold(u.UPN, upn) {
				return u
			}
		}
	}
	return nil
}

// defaultNetBIOS is the first DNS label upper-cased, cut to the 15
// characters NetBIOS allows.
func defaultNetBIOS(dns string) string {
	label, _, _ := strings.Cut(dns, ".")
	label = strings.ToUpper(label)
	if len(label) > 15 {
		label = label[:15]
	}
	return label
}

// explicit reports whether the file wrote a value at path.
func (s *Scenario) explicit(path string) bool {
	_, ok := s.pos[path]
	return ok
}
