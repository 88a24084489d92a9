package devicesim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

// Timings are the device-side delays. Zero values are not defaulted here:
// the scenario loader owns defaults (scenarios.Defaults) so there is one
// place that says where each number comes from.
type Timings struct {
	NetworkUp, ProfileDownload, OOBEPages, EntraSignIn, MDMEnrollment time.Duration
	ODJPollInterval                                                   time.Duration // OMA-DM sync interval while waiting for the blob
	ConnectivityWait                                                  time.Duration // 25 min (S30)
	DCRetryInterval                                                   time.Duration
	Reboot                                                            time.Duration
	DeviceSetup                                                       time.Duration
	FirstSignIn                                                       time.Duration
	DeviceJoinTask                                                    time.Duration // 4 min during the user ESP (S30)
	// SeparateBudgets gives the DC check its own ConnectivityWait after the
	// blob arrives instead of sharing one budget with the blob wait (§6 open
	// point 2; shared is the default, [INF] from the event-109 text).
	SeparateBudgets bool
	// AccountSetupRest is the rest of the user ESP after registration
	// (user policies, apps); [INF].
	AccountSetupRest time.Duration
}

// Config is one device.
type Config struct {
	Serial   string
	Location Location
	VPN      VPN
	// The person at the keyboard: Entra UPN for OOBE, AD account for the
	// first Windows sign-in.
	UserPrincipalName  string
	ADUser, ADPassword string

	Timings Timings
	Clock   sim.Clock
	Rand    *rand.Rand
	Cloud   Cloud
	DC      Directory
	Trace   *sim.Trace
	// Done is called once when the outcome is final.
	Done func(Result)
	// ClockSkew is how far the device's clock is off the true time
	// (positive: ahead), F20. KerberosMaxSkew is the domain's "Maximum
	// tolerance for computer clock synchronization" (default
	// DefaultKerberosMaxSkew, clockskew.go).
	ClockSkew, KerberosMaxSkew time.Duration
	// TenantDomains are the tenant's verified domains; a sign-in with a
	// UPN of another domain is another organisation's (F31, tenant.go).
	// Empty: not checked.
	TenantDomains []string
	// PreProvision, when set, runs the technician flow first
	// (preprovision.go, F33, F35).
	PreProvision *PreProvision
	// OtherLocalAdmin is another local administrator account a script or
	// policy creates (localadmin.go, F38); nil: none.
	OtherLocalAdmin *LocalAdmin
	// CheckAccess: the tenant has Conditional Access policies; a hybrid
	// joined device asks for access at the end (access.go, F36).
	CheckAccess bool
}

// Device is one simulated device. All methods run on the clock's goroutine.
type Device struct {
	cfg    Config
	actor  string
	res    Result
	stage  Stage
	done   bool
	vpnUp  bool // VPN installed and connected (before or after logon per kind)
	signed bool // the user has signed in to Windows
	// resealed: the technician flow is done (pre-provisioning).
	resealed bool
	// otherAdmin: another local administrator exists (localadmin.go).
	otherAdmin bool

	enroll   EnrollAnswer
	profile  *Profile
	blob     *Blob
	deadline time.Time // end of the current connectivity budget
	espEnd   time.Time // end of the user ESP registration wait
	certDER  []byte
	thumb    string
	certOnDC bool
	// lag is the added latency of the cloud answers taken since the last
	// step was scheduled (mockgraph's Autopilotsim-Latency). The service
	// handled the request at request time; the device acts on the answer
	// when it arrives: after() adds and clears the lag, then() defers the
	// handling of an answer by it.
	lag time.Duration
}

// New returns a device that is switched off.
func New(cfg Config) (*Device, error) {
	if cfg.Serial == "" {
		return nil, errors.New("devicesim: device without a serial number")
	}
	if cfg.Clock == nil || cfg.Rand == nil || cfg.Cloud == nil || cfg.DC == nil {
		return nil, fmt.Errorf("devicesim: device %q: clock, rand, cloud and DC seams are required", cfg.Serial)
	}
	if cfg.VPN == "" {
		cfg.VPN = VPNNone
	}
	return &Device{cfg: cfg, actor: "device/" + cfg.Serial, res: Result{Serial: cfg.Serial, Outcome: OutcomePending}}, nil
}

// Result returns the device's result so far (Outcome pending until done).
func (d *Device) Result() Result {
	r := d.res
	r.LocalAdministrators = d.localAdministrators() // F38
	return r
}

// Serial returns the device's serial number.
func (d *Device) Serial() string { return d.cfg.Serial }

// Move puts the device on another network (script "moveDevices").
func (d *Device) Move(loc Location) {
	d.cfg.Location = loc
	d.log("network", "moved to "+loc.Name)
}

func (d *Device) log(step, detail string) {
	if d.cfg.Trace != nil {
		d.cfg.Trace.Record(d.cfg.Clock.Now(), d.actor, step, detail)
	}
}

func (d *Device) after(dur time.Duration, fn func()) {
	dur += d.lag
	d.lag = 0
	d.cfg.Clock.AfterFunc(dur, d.actor, "", func() {
		if !d.done {
			fn()
		}
	})
}

func (d *Device) enter(s Stage) {
	d.stage = s
	d.res.StageStartedAt = d.cfg.Clock.Now()
}

func (d *Device) finish(o Outcome, detail string) {
	if d.done {
		return
	}
	if o == OutcomeHybridJoined {
		d.checkAccess() // F36 (access.go)
	}
	d.done = true
	d.res.Outcome = o
	d.res.FinishedAt = d.cfg.Clock.Now()
	if d.res.Detail == "" {
		d.res.Detail = detail
	}
	d.log("outcome", string(o)+": "+detail)
	if d.cfg.Done != nil {
		d.cfg.Done(d.res)
	}
}

func (d *Device) fail(code, detail string) {
	d.res.FailedStage = d.stage
	d.res.ErrorCode = code
	d.res.Detail = detail
	d.finish(OutcomeFailed, detail)
}

// PowerOn starts OOBE (S0). Calling it again on a running device is a no-op.
func (d *Device) PowerOn() {
	if !d.res.PoweredOnAt.IsZero() {
		return
	}
	d.res.PoweredOnAt = d.cfg.Clock.Now()
	d.enter(StagePowerOn)
	d.log("powerOn", fmt.Sprintf("location %s, VPN %s", d.cfg.Location.Name, d.cfg.VPN))
	if d.cfg.VPN.ConnectsAutomatically() {
		d.vpnUp = true
		d.log("vpn", "Always On VPN connects automatically with the network (seed 000 \"VPNs\")")
	}
	t := d.cfg.Timings
	if d.cfg.Location.Wireless {
		// Wi-Fi: the user picks language, region, keyboard and the network
		// before the profile can be downloaded (S0, S5).
		d.after(t.OOBEPages+t.NetworkUp, func() {
			d.log("network", "Wi-Fi chosen on the OOBE pages; connected")
			d.downloadProfile()
		})
		return
	}
	d.after(t.NetworkUp, func() {
		d.log("network", "wired network connected")
		d.downloadProfile()
	})
}

// retry schedules another try of a cloud call that failed with a throttled
// or transient answer (*CloudError): after Retry-After, or the backoff of
// transport's shared policy, counted from when the answer arrived. It
// reports false, doing nothing else, when err is no such answer or the
// retries (done so far) are spent. The retry policy of the Windows
// enrollment client is not documented; the Graph SDK's is used ([INF]).
func (d *Device) retry(step string, done int, err error, again func(done int)) bool {
	ce := d.taken(err)
	if ce == nil {
		return false
	}
	wait, note, ok := transport.NextRetry(transport.Answer{Status: ce.Status, RetryAfter: ce.RetryAfter}, done)
	if !ok {
		return false
	}
	d.log(step, fmt.Sprintf("HTTP %d: %s", ce.Status, note))
	d.after(wait, func() { again(done + 1) })
	return true
}

// retryAfter is the Retry-After of a throttled answer (0 for none), and
// takes the answer's latency into the lag.
func (d *Device) retryAfter(err error) time.Duration {
	if ce := d.taken(err); ce != nil {
		return ce.RetryAfter
	}
	return 0
}

// taken takes an error answer's added latency into the lag, retried or not
// (a final error also arrives that much later), and returns the answer;
// nil when err is no *CloudError.
func (d *Device) taken(err error) *CloudError {
	var ce *CloudError
	if !errors.As(err, &ce) {
		return nil
	}
	d.lag += ce.Latency
	return ce
}

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

// Settle is called when the run ends: a device whose user ESP was skipped
// and that is domain joined but unregistered ends domainJoinedNotRegistered.
func (d *Device) Settle() {
	if d.done {
		return
	}
	if d.stage == StageAccountSetup && d.enroll.SkipUserStatusPage {
		d.finish(OutcomeDomainJoinedNotRegistered, "domain joined; Entra registration not complete when the run ended")
		return
	}
	d.res.Detail = "run ended in stage " + string(d.stage)
	d.res.FailedStage = ""
	if d.res.PoweredOnAt.IsZero() {
		d.res.Detail = "never powered on"
	}
}

// Stage reports the current stage (for progress displays).
func (d *Device) Stage() Stage { return d.stage }

// Done reports whether the outcome is final.
func (d *Device) Done() bool { return d.done }
