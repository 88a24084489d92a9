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
