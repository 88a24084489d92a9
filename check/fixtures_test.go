package check_test

import (
	"time"

	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

const (
	corpDN  = "DC=corp,DC=contoso,DC=com"
	apOU    = "OU=Autopilot,OU=Devices," + corpDN
	ruleAll = `(device.devicePhysicalIds -any (_ -startsWith "[ZTDId]"))`
	ruleTag = `(device.devicePhysicalIds -any (_ -eq "[OrderID]:SALES"))`
)

// src places an object in file with each listed JSON pointer on its own
// line (line 2, 3, … in order), value at column 5, as Load would record.
func src(file string, ptrs ...string) tenantconfig.Source {
	s := tenantconfig.Source{File: file, Line: 1, Col: 1, Fields: map[string]tenantconfig.Pos{}}
	for i, p := range ptrs {
		s.Fields[p] = tenantconfig.Pos{Line: i + 2, Col: 5}
	}
	return s
}

func group(id string) tenantconfig.Assignment {
	return tenantconfig.Assignment{Kind: tenantconfig.TargetGroup, GroupID: id, Pointer: "/assignments/0"}
}

var day = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// goodConfig is a healthy hybrid tenant: one hybrid profile and one Domain
// Join profile for every Autopilot device, a SALES group, a healthy
// connector, two registered devices (one tagged SALES).
func goodConfig() *tenantconfig.Config {
	return &tenantconfig.Config{
		Dir: "tenant",
		Groups: []tenantconfig.Group{
			{ID: "g-all", Name: "Autopilot devices", Dynamic: true, MembershipRule: ruleAll, CreatedAt: day,
				Source: src("groups/autopilot-devices.json", "/membershipRule", "/membershipRuleProcessingState")},
			{ID: "g-sales", Name: "Sales devices", Dynamic: true, MembershipRule: ruleTag, CreatedAt: day,
				Source: src("groups/sales.json", "/membershipRule", "/membershipRuleProcessingState")},
		},
		DeploymentProfiles: []tenantconfig.DeploymentProfile{{
			ID: "dp-hybrid", Name: "Hybrid user-driven", JoinType: "hybrid", SkipConnectivityCheck: true,
			HidePrivacySettings: true, HideEULA: true, UserType: "standard", CreatedAt: day,
			Assignments: []tenantconfig.Assignment{group("g-all")},
			Source:      src("deploymentProfiles/hybrid.json", "/hybridAzureADJoinSkipConnectivityCheck", "/assignments", "/assignments/0", "/assignments/0/target/groupId", "/hardwareHashExtractionEnabled"),
		}},
		DomainJoinProfiles: []tenantconfig.DomainJoinProfile{{
			ID: "dj-corp", Name: "Corp domain join", Domain: "corp.contoso.com", Prefix: "AP-", RandomChars: 12, OU: apOU, CreatedAt: day,
			Assignments: []tenantconfig.Assignment{group("g-all")},
			Source:      src("domainJoin/corp.json", "/organizationalUnit", "/computerNameStaticPrefix", "/computerNameSuffixRandomCharCount", "/activeDirectoryDomainName", "/assignments", "/assignments/0"),
		}},
		ESPs: []tenantconfig.ESP{{ID: "esp-default", Name: "All users and all devices", TimeoutMinutes: 60, ShowInstallationProgress: true, IsDefault: true,
			Assignments: []tenantconfig.Assignment{{Kind: tenantconfig.TargetAllDevices}},
			Source:      src("esp/default.json", "/installProgressTimeoutInMinutes")}},
		AutopilotDevices: []tenantconfig.AutopilotDevice{
			{ID: "ap-1", Serial: "SN0001", GroupTag: "SALES", AzureADDeviceID: "dev-1", Source: src("autopilotDevices/SN0001.json")},
			{ID: "ap-2", Serial: "SN0002", AzureADDeviceID: "dev-2", Source: src("autopilotDevices/SN0002.json")},
		},
		Connectors: []tenantconfig.Connector{{ID: "c-1", Name: "ODJCONN01", Version: "6.2501.2000.5", State: "active", LastConnection: day,
			Source: src("connectors/ODJCONN01.json", "/state", "/version")}},
	}
}

// goodEnv matches goodConfig: the OU exists, is delegated to the
// connector, is in sync scope; an office and a home location.
func goodEnv() scenarios.Environment {
	return scenarios.Environment{
		Domains: []scenarios.Domain{{
			Name: "corp.contoso.com", NetBIOS: "CORP", OUs: []string{apOU},
			Users:       []scenarios.User{{SAMAccountName: "alice", Password: "Passw0rd!", UPN: "alice@contoso.com"}},
			Delegations: []scenarios.Delegation{{Trustee: "ODJCONN01", OU: apOU, Right: "createComputer"}},
		}},
		Connectors:   []scenarios.Connector{{Name: "ODJCONN01", Domain: "corp.contoso.com"}},
		EntraConnect: scenarios.EntraConnect{Scope: []string{"OU=Devices," + corpDN}},
		Networks: []scenarios.Network{
			{Name: "office", Kind: "corporate"},
			{Name: "home", Kind: "internet"},
		},
	}
}
