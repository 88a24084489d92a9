package devicesim

import (
	"errors"
	"fmt"
	"time"
)

// After the reboot: the user's first sign-in, the ESP account setup and the
// Automatic-Device-Join task that registers the hybrid device.

// firstSignIn is S11: AD credentials with no cached logon, so a DC is needed now.
func (d *Device) firstSignIn() {
	d.enter(StageFirstSignIn)
	d.log("firstSignIn", "ESP steps aside; Ctrl+Alt+Del, "+d.blob.NetBIOSDomain+`\`+d.cfg.ADUser)
	d.after(d.cfg.Timings.FirstSignIn, func() {
		if !d.dcReachable(d.blob.Domain) {
			why := "no VPN"
			if d.cfg.VPN != VPNNone {
				why = "VPN " + string(d.cfg.VPN) + " connects only after Windows sign-in (seed 004: unsupported VPN configurations)"
			}
			d.fail(CodeNoLogonServers, "no logon servers available: no domain controller reachable at the first sign-in ("+why+")")
			return
		}
		if d.kerberosSkewed() {
			d.fail(CodeTimeSkew, fmt.Sprintf("AD sign-in failed: the device clock is %s off the domain controller's, beyond Kerberos' %s tolerance (F20)",
				d.cfg.ClockSkew, d.cfg.KerberosMaxSkew))
			return
		}
		err := d.cfg.DC.SignIn(d.blob.Domain, d.blob.NetBIOSDomain, d.cfg.ADUser, d.cfg.ADPassword)
		switch {
		case errors.Is(err, ErrBadCredentials):
			d.fail(CodeLogonFailure, "AD sign-in refused: "+err.Error())
			return
		case err != nil:
			d.fail(CodeNoLogonServers, "AD sign-in failed: "+err.Error())
			return
		}
		d.signed = true
		if d.cfg.VPN != VPNNone && !d.cfg.VPN.UpBeforeLogon() {
			d.vpnUp = true
			d.log("vpn", "user VPN connected after sign-in")
		}
		d.log("firstSignIn", "signed in with AD credentials")
		d.grantAdministrator() // F38 (localadmin.go)
		d.accountSetup()
	})
}

// accountSetup is S12 + S13: the user ESP waits for Entra registration while
// the device-join task runs every DeviceJoinTask.
func (d *Device) accountSetup() {
	d.enter(StageAccountSetup)
	wait := time.Duration(d.enroll.ESPTimeoutMinutes+d.enroll.ESPHybridExtraMins) * time.Minute
	d.espEnd = d.cfg.Clock.Now().Add(wait)
	d.res.TimerStartedAt = d.cfg.Clock.Now()
	if d.enroll.SkipUserStatusPage {
		d.log("accountSetup", "user ESP skipped (SkipUserStatusPage): desktop; Automatic-Device-Join keeps running hourly")
	} else {
		d.log("accountSetup", fmt.Sprintf("ESP account setup: waiting for Entra registration (up to %s: ESP timeout + 40 min for hybrid)", wait))
	}
	d.deviceJoinTask()
}

// deviceJoinTask is one run of Automatic-Device-Join (S12, managed domain).
func (d *Device) deviceJoinTask() {
	now := d.cfg.Clock.Now()
	if !d.certOnDC {
		if d.certDER == nil {
			der, thumb, id, key, err := selfSignedCert(d.cfg.Rand, now)
			if err != nil {
				d.fail(CodeTimeout, "cannot create the device certificate: "+err.Error())
				return
			}
			d.certDER, d.thumb, d.res.HybridDeviceID = der, thumb, id
			if h, ok := d.cfg.Cloud.(CertificateHolder); ok {
				h.UseDeviceCertificate(der, key) // DRS authenticates the device with it
			}
		}
		if d.dcReachable(d.blob.Domain) {
			err := d.cfg.DC.WriteUserCertificate(d.blob.Domain, d.blob.NetBIOSDomain, d.blob.ComputerName, d.blob.DistinguishedName, d.blob.MachinePassword, d.certDER)
			if err != nil {
				d.log("deviceJoin", "could not write userCertificate: "+err.Error())
			} else {
				d.certOnDC = true
				d.log("deviceJoin", "userCertificate written to the computer object (deviceId "+d.res.HybridDeviceID+"); waiting for Entra Connect")
			}
		} else {
			d.log("deviceJoin", "event 201: no DC reachable for the device-join task")
		}
	}
	var throttled time.Duration
	if d.certOnDC {
		ans, err := d.cfg.Cloud.Register(d.res.HybridDeviceID, d.thumb)
		d.lag += ans.Latency
		switch {
		case err != nil:
			d.log("deviceJoin", "registration error: "+err.Error())
			throttled = d.retryAfter(err)
		case !ans.Found:
			d.log("deviceJoin", "Error Phase: join, 0x801c03f2: device object not found (not synced yet)")
		default:
			d.log("deviceJoin", "event 306: hybrid registration succeeded; AzureAdJoined: YES, DomainJoined: YES")
			if d.enroll.SkipUserStatusPage {
				d.then(func() { d.finish(OutcomeHybridJoined, "hybrid joined (user ESP skipped)") })
				return
			}
			d.after(d.cfg.Timings.AccountSetupRest, func() {
				d.enter(StageDone)
				d.finish(OutcomeHybridJoined, "hybrid joined: ESP account setup complete, Sign out offered")
			})
			return
		}
	}
	interval := d.cfg.Timings.DeviceJoinTask
	if d.enroll.SkipUserStatusPage {
		interval = time.Hour // the task's hourly trigger ([DOC] S19)
	}
	if throttled > interval {
		d.log("deviceJoin", fmt.Sprintf("registration throttled: next attempt in %s (Retry-After)", throttled))
		interval = throttled
	}
	// The answer's latency delays the next run, but not the end of the ESP
	// wait: that timer runs regardless (as pollBlob's budget does).
	interval += d.lag
	d.lag = 0
	if !d.enroll.SkipUserStatusPage && !now.Add(interval).Before(d.espEnd) {
		rest := d.espEnd.Sub(now)
		d.after(rest, func() {
			d.fail(CodeTimeout, "ESP account setup timed out waiting for Entra registration (0x800705B4): "+registrationHint(d.certOnDC))
		})
		return
	}
	d.after(interval, d.deviceJoinTask)
}

func registrationHint(certOnDC bool) string {
	if !certOnDC {
		return "userCertificate never reached the DC"
	}
	return "the computer was not synced by Entra Connect (OU out of sync scope, or sync not run)"
}
