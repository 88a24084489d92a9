package diagnosis_test

import (
	"time"

	"github.com/autopilotsim/autopilotsim/diagnosis"
	"github.com/autopilotsim/autopilotsim/results"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = DescribeTable("dsregcmd /status at the end of the run",
	func(d diagnosis.Device, want results.DSRegState) {
		Expect(*diagnosis.DSRegCmd(d)).To(Equal(want))
	},
	Entry("hybrid joined after the user ESP: joined both ways, a PRT from the sign-in after Sign out",
		device("hybridJoined", "", "", flow(profileOK, blobApplied, rebooted, espWait, notSynced, registered)...),
		results.DSRegState{AzureAdJoined: "YES", EnterpriseJoined: "NO", DomainJoined: "YES", DomainName: "CORP",
			DeviceName: "AP-ABCDEFGHIJKL", DeviceID: "99999999-0000-0000-0000-000000000001",
			TenantID: "11111111-2222-3333-4444-555555555555", TenantName: "contoso.onmicrosoft.com", AzureAdPrt: "YES"}),
	Entry("hybrid joined with the user ESP skipped: no PRT yet (the only sign-in came before registration)",
		device("hybridJoined", "", "", flow(profileOK, blobApplied, rebooted, espSkipped, notSynced, registered)...),
		results.DSRegState{AzureAdJoined: "YES", EnterpriseJoined: "NO", DomainJoined: "YES", DomainName: "CORP",
			DeviceName: "AP-ABCDEFGHIJKL", DeviceID: "99999999-0000-0000-0000-000000000001",
			TenantID: "11111111-2222-3333-4444-555555555555", TenantName: "contoso.onmicrosoft.com", AzureAdPrt: "NO"}),
	Entry("hybrid joined, the user's on-premises UPN non-routable: no PRT on a managed domain (F42)",
		nonRoutable(device("hybridJoined", "", "", flow(profileOK, blobApplied, rebooted, espWait, notSynced, registered)...)),
		results.DSRegState{AzureAdJoined: "YES", EnterpriseJoined: "NO", DomainJoined: "YES", DomainName: "CORP",
			DeviceName: "AP-ABCDEFGHIJKL", DeviceID: "99999999-0000-0000-0000-000000000001",
			TenantID: "11111111-2222-3333-4444-555555555555", TenantName: "contoso.onmicrosoft.com", AzureAdPrt: "NO"}),
	Entry("domain joined, not registered: the Previous Registration diagnostics of a sync-join",
		device("domainJoinedNotRegistered", "", "", flow(profileOK, blobApplied, rebooted, espSkipped, notSynced)...),
		results.DSRegState{AzureAdJoined: "NO", EnterpriseJoined: "NO", DomainJoined: "YES", DomainName: "CORP",
			DeviceName: "AP-ABCDEFGHIJKL", AzureAdPrt: "NO", RegistrationType: "sync", ErrorPhase: "join", ClientErrorCode: "0x801c03f2"}),
	Entry("no DC for the device-join task: precheck phase",
		device("failed", "accountSetup", "800705B4", flow(profileOK, blobApplied, rebooted, espWait,
			step{20 * time.Minute, "deviceJoin", "event 201: no DC reachable for the device-join task"})...),
		results.DSRegState{AzureAdJoined: "NO", EnterpriseJoined: "NO", DomainJoined: "YES", DomainName: "CORP",
			DeviceName: "AP-ABCDEFGHIJKL", AzureAdPrt: "NO", RegistrationType: "sync", ErrorPhase: "precheck"}),
	Entry("failed before the reboot: the blob applied offline takes effect only at the next boot",
		device("failed", "dcConnectivityCheck", "80070774", flow(profileOK, blobApplied)...),
		results.DSRegState{AzureAdJoined: "NO", EnterpriseJoined: "NO", DomainJoined: "NO", AzureAdPrt: "NO"}),
	Entry("Entra joined: the Autopilot object's deviceId, no domain",
		device("entraJoined", "", "", profileOK[:2]...),
		results.DSRegState{AzureAdJoined: "YES", EnterpriseJoined: "NO", DomainJoined: "NO", DeviceID: "aaaaaaaa-0000-0000-0000-000000000002",
			TenantID: "11111111-2222-3333-4444-555555555555", TenantName: "contoso.onmicrosoft.com", AzureAdPrt: "YES"}),
	Entry("not an Autopilot device: nothing joined when the ordinary OOBE began",
		device("notAutopilot", "", "", step{45 * time.Second, "profileDownload", "event 815 ZtdDeviceHasNoAssignedProfile"}),
		results.DSRegState{AzureAdJoined: "NO", EnterpriseJoined: "NO", DomainJoined: "NO", AzureAdPrt: "NO"}),
)

// nonRoutable marks d's Windows sign-in user as having a non-routable UPN.
func nonRoutable(d diagnosis.Device) diagnosis.Device {
	d.NonRoutableUPN = true
	return d
}
