package diagnosis_test

import (
	"time"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/diagnosis"
	"github.com/autopilotsim/autopilotsim/results"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// timedOut is a blob wait that ran out.
var timedOut = step{29 * time.Minute, "odjBlobWait", "event 109 state 3: timed out waiting for ODJ blob or connectivity"}

func withConnector(d diagnosis.Device, evs ...diagnosis.ConnectorEvent) diagnosis.Device {
	d.Connector = evs
	return d
}

var _ = DescribeTable("an explanation for each way a device does not join",
	func(d diagnosis.Device, stage, code string, cause []string, fix, docURL string) {
		x := diagnosis.Explain(d)
		Expect(x).NotTo(BeNil())
		Expect(x.Stage).To(Equal(stage))
		Expect(x.Code).To(Equal(code))
		for _, c := range cause {
			Expect(x.Cause).To(ContainSubstring(c))
		}
		Expect(x.Fix).To(ContainSubstring(fix))
		Expect(x.DocURL).To(Equal(docURL))
		Expect(x.DocTitle).NotTo(BeEmpty())
		if code != "" {
			Expect(x.Meaning).NotTo(BeEmpty())
		}
	},
	Entry("quota used up (8557): connector, OU and quota named",
		withConnector(device("failed", "odjBlobWait", "80070774", flow(profileOK, timedOut)...), failure(connector.ErrorDSMachineAccountQuotaExced, 5*time.Minute)),
		"odjBlobWait", "80070774",
		[]string{"the connector ODJCONN01 could not create the computer account AP-ABCDEFGHIJKL in OU=Autopilot,DC=corp,DC=contoso,DC=com", "machine-account quota of 10 is used up", "Win32 8557 ERROR_DS_MACHINE_ACCOUNT_QUOTA_EXCEEDED"},
		"delegate Create Computer objects on OU=Autopilot", "https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#increase-the-computer-account-limit-in-the-organizational-unit"),
	Entry("access denied (5): the documented 30132 case",
		withConnector(device("failed", "odjBlobWait", "80070774", flow(profileOK, timedOut)...), failure(connector.ErrorAccessDenied, 5*time.Minute)),
		"odjBlobWait", "80070774", []string{"access denied", "Win32 5 ERROR_ACCESS_DENIED"},
		"OrganizationalUnitsUsedForOfflineDomainJoin", "https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-enrollment-errors#something-went-wrong-error-code-80070774"),
	Entry("name exists (2224 NERR_UserExists)",
		withConnector(device("failed", "odjBlobWait", "80070774", flow(profileOK, timedOut)...), failure(2224, 5*time.Minute)),
		"odjBlobWait", "80070774", []string{"already exists", "Win32 2224 NERR_UserExists"},
		"stale computer object", "https://learn.microsoft.com/en-us/windows/win32/api/lmjoin/nf-lmjoin-netprovisioncomputeraccount"),
	Entry("a code outside the table: the Win32 message",
		withConnector(device("failed", "odjBlobWait", "80070774", flow(profileOK, timedOut)...), failure(59, 5*time.Minute)),
		"odjBlobWait", "80070774", []string{"Win32 error 59"},
		"DiagnosticText", "https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-enrollment-errors#something-went-wrong-error-code-80070774"),
	Entry("a reused device whose Intune record was kept (F26)", func() diagnosis.Device {
		d := device("failed", "mdmEnrollment", "80180014")
		d.Result.Detail = "Something went wrong (0x80180014): 403 DeviceNotSupported: Enrollment blocked for AP device by SDM One Time Limit Check: …"
		return d
	}(),
		"mdmEnrollment", "80180014", []string{"DEV0001 was deployed through Autopilot before", "Intune still holds the device record"},
		"delete the device record in Intune", "https://learn.microsoft.com/en-us/autopilot/troubleshoot-device-enrollment#error-code-0x80180014-when-re-enrolling-using-self-deployment-or-pre-provisioning-mode"),
	Entry("no Domain Join profile (F5)",
		device("failed", "odjBlobWait", "80070774",
			step{4 * time.Minute, "odjBlobWait", "event 111: starting wait for ODJ blob; no Domain Join profile targets the device, so no ODJ request was made (F5)"}, timedOut),
		"odjBlobWait", "80070774", []string{"no Domain Join profile targets DEV0001"},
		"assign the Domain Join profile", "https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#create-and-assign-a-domain-join-profile"),
	Entry("connector stopped (F10)", func() diagnosis.Device {
		d := device("failed", "odjBlobWait", "80070774", flow(profileOK, timedOut)...)
		d.Request.Running = nil
		return d
	}(), "odjBlobWait", "80070774", []string{"the connector(s) of corp.contoso.com (ODJCONN01) were stopped"},
		"keep its Intune ODJConnector Service running", "https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#install-the-intune-connector-for-active-directory"),
	Entry("no connector in the domain (F13)", func() diagnosis.Device {
		d := device("failed", "odjBlobWait", "80070774", flow(profileOK, timedOut)...)
		d.Request.Connectors, d.Request.Running = nil, nil
		return d
	}(), "odjBlobWait", "80070774", []string{"no Intune Connector for Active Directory is installed for corp.contoso.com"},
		"install a connector", "https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#install-the-intune-connector-for-active-directory"),
	Entry("no DC during OOBE, skip check No (F14)", func() diagnosis.Device {
		d := device("failed", "dcConnectivityCheck", "80070774", flow(profileOK, blobApplied)...)
		d.Location, d.LocationKind = "home", "internet"
		return d
	}(), "dcConnectivityCheck", "80070774", []string{"could not reach a domain controller of corp.contoso.com from home (internet network), with no VPN"},
		"Skip AD connectivity check to Yes", "https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-enrollment-errors#something-went-wrong-error-code-80070774"),
	Entry("user-tunnel VPN at the first sign-in (F16)", func() diagnosis.Device {
		d := device("failed", "firstSignIn", "8007051F", flow(profileOK, blobApplied)...)
		d.Location, d.VPN = "home", "userTunnel"
		return d
	}(), "firstSignIn", "8007051F", []string{`CORP\AP-ABCDEFGHIJKL`, "its VPN (userTunnel) connects only after Windows sign-in"},
		"device tunnel", "https://learn.microsoft.com/en-us/autopilot/tutorial/user-driven/hybrid-azure-ad-join-autopilot-profile#off-premisesinternet-scenarios-and-vpn-connectivity"),
	Entry("account setup timed out, OU out of sync scope (F19)", func() diagnosis.Device {
		d := device("failed", "accountSetup", "800705B4", flow(profileOK, blobApplied, rebooted, espWait, notSynced)...)
		d.Sync = diagnosis.Sync{Scope: []string{"OU=Devices,DC=corp,DC=contoso,DC=com"}, InScope: false}
		return d
	}(), "accountSetup", "800705B4", []string{"timed out waiting for Microsoft Entra registration", "is in OU=Autopilot,DC=corp,DC=contoso,DC=com, outside Entra Connect's sync scope (OU=Devices,DC=corp,DC=contoso,DC=com)"},
		"sync scope", "https://learn.microsoft.com/en-us/entra/identity/devices/troubleshoot-hybrid-join-windows-current#join-phase"),
	Entry("account setup timed out, Entra Connect disabled", func() diagnosis.Device {
		d := device("failed", "accountSetup", "800705B4", flow(profileOK, blobApplied, rebooted, espWait, notSynced)...)
		d.Sync = diagnosis.Sync{Disabled: true}
		return d
	}(), "accountSetup", "800705B4", []string{"Entra Connect is not syncing"},
		"Start-ADSyncSyncCycle", "https://learn.microsoft.com/en-us/entra/identity/devices/troubleshoot-hybrid-join-windows-current#join-phase"),
	Entry("device setup past the ESP timeout",
		device("failed", "deviceSetup", "800705B4", flow(profileOK, blobApplied)...),
		"deviceSetup", "800705B4", []string{"ESP device setup needed longer"},
		"raise the ESP profile's timeout", "https://learn.microsoft.com/en-us/mem/intune/enrollment/windows-enrollment-status#create-new-profile"),
	Entry("domain joined, not registered: 0x801c03f2 and what the user misses", func() diagnosis.Device {
		d := device("domainJoinedNotRegistered", "", "", flow(profileOK, blobApplied, rebooted, espSkipped, notSynced)...)
		d.Sync.InScope = false
		return d
	}(), "accountSetup", "0x801c03f2", []string{"the user ESP was skipped", "outside Entra Connect's sync scope", "no PRT"},
		"sync scope", "https://learn.microsoft.com/en-us/entra/identity/devices/troubleshoot-hybrid-join-windows-current#join-phase"),
	Entry("not registered (807)",
		device("notAutopilot", "", "", step{45 * time.Second, "profileDownload", "event 807 ZtdDeviceIsNotRegistered; IsAutopilotDisabled=1"}),
		"profileDownload", "807", []string{"no Autopilot device with serial DEV0001 exists in tenant contoso.onmicrosoft.com"},
		"import the device's hardware hash", "https://learn.microsoft.com/en-us/autopilot/troubleshooting-faq#what-do-the-different-event-ids-mean-in-the-windows-autopilot-event-log-entries-in-event-viewer-"),
	Entry("no profile (815), with the group tag", func() diagnosis.Device {
		d := device("notAutopilot", "", "", step{45 * time.Second, "profileDownload", "event 815 ZtdDeviceHasNoAssignedProfile"})
		d.GroupTag = "Sales"
		return d
	}(), "profileDownload", "815", []string{`DEV0001 (group tag "Sales") is registered but in no group`},
		"[OrderID]:<tag>", "https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#create-a-device-group"),
	Entry("blank profile while assigning",
		device("notAutopilot", "", "", step{45 * time.Second, "profileDownload", "assignment in progress: blank profile cached until reboot"}),
		"profileDownload", "", []string{"before the assignment reached it"},
		"shutdown.exe /r /t 0", "https://learn.microsoft.com/en-us/autopilot/troubleshooting-faq#how-are-windows-autopilot-device-profiles-downloaded-"),
)

var _ = Describe("Explain", func() {
	It("says nothing for joined devices", func() {
		Expect(diagnosis.Explain(device("hybridJoined", "", ""))).To(BeNil())
		Expect(diagnosis.Explain(device("entraJoined", "", ""))).To(BeNil())
	})
	// The harness skips the full timeline of a device Explains says no
	// explanation is made for: Explains must say what Explain does, for
	// every outcome, whatever the timeline.
	DescribeTable("Explains says which outcomes Explain explains",
		func(outcome string, want bool) {
			Expect(diagnosis.Explains(outcome)).To(Equal(want))
			for _, d := range []diagnosis.Device{device(outcome, "", ""), device(outcome, "odjBlobWait", "80070774", flow(profileOK, timedOut)...)} {
				Expect(diagnosis.Explain(d) != nil).To(Equal(want))
			}
		},
		Entry("hybridJoined", "hybridJoined", false),
		Entry("entraJoined", "entraJoined", false),
		Entry("failed", "failed", true),
		Entry("notAutopilot", "notAutopilot", true),
		Entry("domainJoinedNotRegistered", "domainJoinedNotRegistered", true),
		Entry("pending", "pending", true),
	)
	It("explains a device that never powered on", func() {
		d := device("pending", "", "")
		d.Result.Detail = "never powered on"
		x := diagnosis.Explain(d)
		Expect(x.Cause).To(HavePrefix("DEV0001 was never powered on"))
		Expect(x.Fix).To(ContainSubstring("do: powerOn"))
	})
	It("explains a pending device by the stage the run ended in", func() {
		d := device("pending", "", "")
		d.Result.PoweredOnAt = "0s"
		d.Result.Detail = "run ended in stage accountSetup"
		x := diagnosis.Explain(d)
		Expect(x.Stage).To(Equal("accountSetup"))
		Expect(x.Cause).To(ContainSubstring("the run ended after 8h0m0s while DEV0001 was still in stage accountSetup"))
		Expect(x.Fix).To(ContainSubstring("longer duration"))
	})
	It("shows the on-screen messages of 80070774 and of the ESP verbatim", func() {
		x := diagnosis.Explain(device("failed", "dcConnectivityCheck", "80070774", flow(profileOK, blobApplied)...))
		Expect(x.Message).To(Equal("Something went wrong. Confirm you are using the correct sign-in information and that your organization uses this feature. You can try to do this again or contact your system administrator with the error code 80070774."))
		x = diagnosis.Explain(device("failed", "accountSetup", "800705B4", flow(profileOK, blobApplied, rebooted, espWait, notSynced)...))
		Expect(x.Message).To(Equal("Setup could not be completed. Please try again or contact your support person for help."))
	})
	It("applies the diagnosis to a result, building the event log only when keepEvents, asked with the explanation in place, keeps it", func() {
		d := withConnector(device("failed", "odjBlobWait", "80070774", flow(profileOK, timedOut)...), failure(8557, 5*time.Minute))
		want := diagnosis.Diagnose(d)
		Expect(want.Events).NotTo(BeEmpty())
		var kept results.DeviceResult
		diagnosis.Apply(&kept, d, func(r *results.DeviceResult) bool {
			Expect(r.Explanation).To(Equal(want.Explanation), "the explanation is in before keepEvents is asked")
			return true
		})
		Expect(kept.Events).To(Equal(want.Events))
		Expect(kept.DSRegCmd).To(Equal(want.DSRegCmd))
		Expect(kept.Explanation).To(Equal(want.Explanation))
		dropped := results.DeviceResult{Events: want.Events}
		diagnosis.Apply(&dropped, d, func(*results.DeviceResult) bool { return false })
		Expect(dropped.Events).To(BeNil())
		Expect(dropped.Explanation).To(Equal(want.Explanation))
		Expect(dropped.DSRegCmd).To(Equal(want.DSRegCmd))
	})
	It("gives an event the offset of its timeline entry, and works it out when the entry has none yet", func() {
		d := withConnector(device("failed", "odjBlobWait", "80070774", flow(profileOK, timedOut)...), failure(8557, 5*time.Minute))
		want := diagnosis.Events(d)
		Expect(want).NotTo(BeEmpty())
		for _, e := range want {
			Expect(e.Offset).NotTo(BeEmpty())
		}
		bare := d
		bare.Result.Timeline = append([]results.TimelineEntry(nil), d.Result.Timeline...)
		for i := range bare.Result.Timeline {
			bare.Result.Timeline[i].Offset = ""
		}
		Expect(diagnosis.Events(bare)).To(Equal(want))
	})
	It("gives the same diagnosis for the same input", func() {
		d := withConnector(device("failed", "odjBlobWait", "80070774", flow(profileOK, timedOut)...), failure(8557, 5*time.Minute))
		Expect(diagnosis.Diagnose(d)).To(Equal(diagnosis.Diagnose(d)))
	})
})

var _ = Describe("a connector that failed, then created the account", func() {
	It("blames the blob's way to the device, not the old failure", func() {
		ok := diagnosis.ConnectorEvent{Connector: "ODJCONN01", Event: connector.Event{At: t0.Add(6 * time.Minute), ID: connector.EventRequestSuccess,
			Name: connector.NameRequestSuccess, Payload: `{"Metric":{"Dimensions":{"RequestId":"req-1"},"Name":"RequestOfflineDomainJoinBlob_Success","Value":0}}`}}
		d := withConnector(device("failed", "odjBlobWait", "80070774", flow(profileOK, timedOut)...), failure(8557, 5*time.Minute), ok)
		x := diagnosis.Explain(d)
		Expect(x.Cause).To(ContainSubstring("the connector created DEV0001's computer account but the blob did not reach the device"))
		Expect(x.Cause).NotTo(ContainSubstring("8557"))
	})
})
