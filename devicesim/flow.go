package devicesim

import (
	"errors"
	"fmt"
	"time"
)

// The device's way from the profile download to the reboot into the domain:
// OOBE, MDM enrollment, the ODJ blob and the domain controller check.

// downloadProfile is S1.
func (d *Device) downloadProfile() {
	d.enter(StageProfileDownload)
	d.log("profileDownload", "event 160: begin profile download")
	d.after(d.cfg.Timings.ProfileDownload, func() { d.fetchProfile(0) })
}

// then runs fn when the answer just taken has arrived: at once, or after
// the lag its added latency left.
func (d *Device) then(fn func()) {
	if d.lag > 0 {
		d.after(0, fn)
		return
	}
	fn()
}

func (d *Device) fetchProfile(retries int) {
	ans, err := d.cfg.Cloud.DownloadProfile(d.cfg.Serial)
	if d.retry("profileDownload", retries, err, d.fetchProfile) {
		return
	}
	d.lag += ans.Latency
	d.then(func() { d.takeProfile(ans, err) })
}

func (d *Device) takeProfile(ans ProfileAnswer, err error) {
	switch {
	case errors.Is(err, ErrNotRegistered):
		d.res.ProfileSource = "none"
		d.log("profileDownload", "event 807 ZtdDeviceIsNotRegistered; IsAutopilotDisabled=1")
		d.finish(OutcomeNotAutopilot, "not registered in Autopilot (event 807): ordinary OOBE")
		return
	case err != nil:
		d.fail(CodeMDMFailure, "profile download failed: "+err.Error())
		return
	}
	d.res.AutopilotDeviceID = ans.AutopilotDeviceID
	d.res.ProfileSource = ans.Source
	if ans.Profile == nil {
		if ans.Blank {
			d.log("profileDownload", "assignment in progress: blank profile cached until reboot")
			d.finish(OutcomeNotAutopilot, "blank profile cached while the assignment was processing: ordinary OOBE")
			return
		}
		d.log("profileDownload", "event 815 ZtdDeviceHasNoAssignedProfile")
		d.finish(OutcomeNotAutopilot, "no profile assigned and no default profile (event 815): ordinary OOBE")
		return
	}
	d.profile = ans.Profile
	d.res.ProfileName = ans.Profile.DisplayName
	d.log("profileDownload", fmt.Sprintf("events 161/111: profile %q (%s), CloudAssignedDomainJoinMethod=%d, HybridJoinSkipDCConnectivityCheck=%t",
		ans.Profile.DisplayName, ans.Source, ans.Profile.DomainJoinMethod, ans.Profile.SkipDCCheck))
	d.oobePages()
}

// oobePages is S3; the Entra sign-in page S4 follows.
func (d *Device) oobePages() {
	if d.cfg.PreProvision != nil && !d.resealed {
		d.technicianFlow()
		return
	}
	d.enter(StageOOBE)
	pages := d.cfg.Timings.OOBEPages
	if d.cfg.Location.Wireless {
		pages = 0 // already shown before the network came up
	}
	d.after(pages, func() {
		d.enter(StageEntraSignIn)
		d.log("entraSignIn", "branded sign-in page: "+d.cfg.UserPrincipalName)
		if d.cfg.Location.Proxy.BlocksSignIn() {
			d.after(d.cfg.Timings.EntraSignIn, func() { d.fail("", msgProxyBlocked(d.cfg.Location.Proxy)) })
			return
		}
		if !d.ownTenant() {
			d.after(d.cfg.Timings.EntraSignIn, func() {
				d.log("entraSignIn", "TenantMatched=0")
				d.fail("", msgOtherTenant)
			})
			return
		}
		d.after(d.cfg.Timings.EntraSignIn, d.enrollMDM)
	})
}

// enrollMDM is S5: MDM enrollment, for hybrid without Entra join.
func (d *Device) enrollMDM() {
	d.enter(StageMDMEnrollment)
	joinType := "DeviceJoinForDomainJoin" // value 5, [CODE] S30
	if d.profile.DomainJoinMethod == 0 {
		joinType = "AzureADJoin"
	}
	upn := d.cfg.UserPrincipalName
	if d.cfg.PreProvision != nil {
		upn = "" // the technician flow enrolls the device without a user
	}
	var send func(retries int)
	send = func(retries int) {
		ans, err := d.cfg.Cloud.Enroll(EnrollRequest{
			Serial: d.cfg.Serial, AutopilotDeviceID: d.res.AutopilotDeviceID,
			UserPrincipalName: upn, JoinType: joinType,
		})
		if d.retry("mdmEnrollment", retries, err, send) {
			return
		}
		d.lag += ans.Latency
		d.then(func() {
			if err != nil {
				code, msg := enrollFailure(err)
				d.fail(code, msg+": "+err.Error())
				return
			}
			d.enroll = ans
			d.log("mdmEnrollment", "event 72: enrolled as "+joinType)
			if d.profile.DomainJoinMethod == 0 {
				// An Entra-join profile reached the device: it Entra-joins
				// and no ODJ happens (S1, [INF]).
				d.finish(OutcomeEntraJoined, "Entra join profile: joined to Microsoft Entra ID, no domain join")
				return
			}
			d.res.ODJRequestID = ans.ODJRequestID
			d.waitForBlob()
		})
	}
	d.after(d.cfg.Timings.MDMEnrollment, func() { send(0) })
}

// waitForBlob is S6–S8: ESP device preparation waits for the ODJ blob.
func (d *Device) waitForBlob() {
	d.enter(StageODJBlobWait)
	d.deadline = d.cfg.Clock.Now().Add(d.cfg.Timings.ConnectivityWait)
	d.res.TimerStartedAt = d.cfg.Clock.Now()
	if d.enroll.ODJRequestID == "" {
		d.log("odjBlobWait", "event 111: starting wait for ODJ blob; no Domain Join profile targets the device, so no ODJ request was made (F5)")
	} else {
		d.log("odjBlobWait", "event 111: starting wait for ODJ blob (request "+d.enroll.ODJRequestID+"); event 109 state 1 waiting")
	}
	d.pollBlob()
}

func (d *Device) pollBlob() {
	now := d.cfg.Clock.Now()
	if !now.Before(d.deadline) {
		d.log("odjBlobWait", "event 109 state 3: timed out waiting for ODJ blob or connectivity")
		d.fail(CodeDCNotFound, fmt.Sprintf("no ODJ blob within %s: Something went wrong… error code %s", d.cfg.Timings.ConnectivityWait, CodeDCNotFound))
		return
	}
	next := d.cfg.Timings.ODJPollInterval
	if d.enroll.ODJRequestID != "" {
		ans, err := d.cfg.Cloud.ODJRequest(d.enroll.ODJRequestID)
		d.lag += ans.Latency
		if ra := d.retryAfter(err); ra > next {
			// A throttled sync: the next one waits out Retry-After.
			d.log("odjBlobWait", fmt.Sprintf("sync throttled: next in %s (Retry-After)", ra))
			next = ra
		}
		if err == nil && ans.State == "completed" && ans.Blob != nil {
			d.blob = ans.Blob
			d.res.ComputerName = ans.Blob.ComputerName
			d.res.DistinguishedName = ans.Blob.DistinguishedName
			d.res.Domain = ans.Blob.Domain
			d.then(func() {
				d.log("odjBlobApplied", fmt.Sprintf("event 107: ODJ blob applied offline: %s in %s (%s)", ans.Blob.ComputerName, ans.Blob.Domain, ans.Blob.DistinguishedName))
				if d.cfg.PreProvision != nil && !d.resealed {
					d.reseal()
					return
				}
				d.checkDC()
			})
			return
		}
	}
	// The answer's latency delays the next sync, but not past the end of
	// the connectivity budget: that timer runs regardless.
	next += d.lag
	d.lag = 0
	if rest := d.deadline.Sub(now); rest < next {
		next = rest
	}
	d.after(next, d.pollBlob)
}

// dcReachable is the device's view of the network: line of sight from its
// location, or a VPN that is up at this point of the flow.
func (d *Device) dcReachable(domain string) bool {
	return d.cfg.Location.reachesDomain(domain) || d.vpnUp
}

// checkDC is S9.
func (d *Device) checkDC() {
	if d.profile.SkipDCCheck {
		d.log("dcConnectivityCheck", "skipped: HybridJoinSkipDCConnectivityCheck=1 (seed 004 \"Skip AD connectivity check\")")
		d.reboot()
		return
	}
	d.enter(StageDCCheck)
	if d.cfg.Timings.SeparateBudgets {
		d.deadline = d.cfg.Clock.Now().Add(d.cfg.Timings.ConnectivityWait)
		d.res.TimerStartedAt = d.cfg.Clock.Now()
	}
	d.tryDC()
}

func (d *Device) tryDC() {
	now := d.cfg.Clock.Now()
	if d.dcReachable(d.blob.Domain) {
		if err := d.cfg.DC.Locate(d.blob.Domain); err == nil {
			d.log("dcConnectivityCheck", "domain controller of "+d.blob.Domain+" reached")
			d.reboot()
			return
		} else {
			d.log("dcConnectivityCheck", "DC locator failed: "+err.Error())
		}
	}
	if !now.Before(d.deadline) {
		d.log("dcConnectivityCheck", "event 100: could not establish connectivity; event 109 state 3")
		d.fail(CodeDCNotFound, fmt.Sprintf("no domain controller of %s reachable before the %s connectivity timeout: Something went wrong… error code %s",
			d.blob.Domain, d.cfg.Timings.ConnectivityWait, CodeDCNotFound))
		return
	}
	next := d.cfg.Timings.DCRetryInterval
	if rest := d.deadline.Sub(now); rest < next {
		next = rest
	}
	d.after(next, d.tryDC)
}

// reboot is S10; the device comes back as the domain member and runs the
// ESP device setup, where a remote device's VPN client is installed.
func (d *Device) reboot() {
	d.log("reboot", "rebooting as "+d.blob.NetBIOSDomain+`\`+d.blob.ComputerName)
	d.after(d.cfg.Timings.Reboot, func() {
		d.enter(StageDeviceSetup)
		d.log("deviceSetup", "ESP device setup: policies, certificates, network profiles, apps")
		limit := time.Duration(d.enroll.ESPTimeoutMinutes) * time.Minute
		if limit > 0 && d.cfg.Timings.DeviceSetup > limit {
			d.after(limit, func() {
				d.fail(CodeTimeout, "ESP device setup exceeded its timeout: Setup could not be completed")
			})
			return
		}
		d.after(d.cfg.Timings.DeviceSetup, func() {
			if why, broken := d.userFlowBroken(); broken {
				d.fail("", why)
				return
			}
			d.deviceSetupAccounts() // F38 (localadmin.go)
			if d.cfg.VPN != VPNNone {
				d.log("deviceSetup", "VPN client ("+string(d.cfg.VPN)+") installed")
				if d.cfg.VPN.UpBeforeLogon() {
					d.vpnUp = true
					d.log("vpn", "device tunnel connected before logon")
				}
			}
			d.firstSignIn()
		})
	})
}
