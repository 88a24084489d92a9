package devicesim_test

import (
	"errors"
	"math/rand/v2"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/devicesim"
	"github.com/autopilotsim/autopilotsim/sim"
)

// fakeCloud answers like mockgraph's private endpoints would, with knobs.
type fakeCloud struct {
	clock       sim.Clock
	registered  bool
	profile     *devicesim.Profile
	blank       bool
	odjID       string
	blobAfter   time.Duration // blob completed this long after the first poll
	firstPoll   time.Time
	syncedAfter time.Duration // DRS finds the device this long after the cert is first offered
	firstReg    time.Time
	espSkipUser bool

	// Fault knobs (faults_test.go): errors answered before the normal
	// answer, per call ("profile", "enroll", "odj", "register"); latency
	// added to every answer; the virtual time of every call.
	fail    map[string][]error
	latency time.Duration
	calls   map[string][]time.Time
}

// call records a call and pops a queued error for it.
func (f *fakeCloud) call(what string) error {
	if f.calls == nil {
		f.calls = map[string][]time.Time{}
	}
	f.calls[what] = append(f.calls[what], f.clock.Now())
	if q := f.fail[what]; len(q) > 0 {
		f.fail[what] = q[1:]
		return q[0]
	}
	return nil
}

func (f *fakeCloud) DownloadProfile(string) (devicesim.ProfileAnswer, error) {
	if err := f.call("profile"); err != nil {
		return devicesim.ProfileAnswer{}, err
	}
	if !f.registered {
		return devicesim.ProfileAnswer{}, devicesim.ErrNotRegistered
	}
	src := "assigned"
	if f.profile == nil {
		src = "none"
	}
	return devicesim.ProfileAnswer{AutopilotDeviceID: "ap-1", Source: src, Profile: f.profile, Blank: f.blank, Latency: f.latency}, nil
}

func (f *fakeCloud) Enroll(devicesim.EnrollRequest) (devicesim.EnrollAnswer, error) {
	if err := f.call("enroll"); err != nil {
		return devicesim.EnrollAnswer{}, err
	}
	return devicesim.EnrollAnswer{ManagedDeviceID: "md-1", ODJRequestID: f.odjID, ESPTimeoutMinutes: 60, ESPHybridExtraMins: 40,
		SkipUserStatusPage: f.espSkipUser, Latency: f.latency}, nil
}

func (f *fakeCloud) ODJRequest(string) (devicesim.ODJAnswer, error) {
	if err := f.call("odj"); err != nil {
		return devicesim.ODJAnswer{}, err
	}
	now := f.clock.Now()
	if f.firstPoll.IsZero() {
		f.firstPoll = now
	}
	if now.Sub(f.firstPoll) < f.blobAfter {
		return devicesim.ODJAnswer{State: "pending", Latency: f.latency}, nil
	}
	return devicesim.ODJAnswer{State: "completed", Latency: f.latency, Blob: &devicesim.Blob{Domain: "corp.contoso.com", NetBIOSDomain: "CORP",
		ComputerName: "AP-ABCDEFGHIJKL", DistinguishedName: "CN=AP-ABCDEFGHIJKL,OU=Autopilot,DC=corp,DC=contoso,DC=com", MachinePassword: "pw"}}, nil
}

func (f *fakeCloud) Register(string, string) (devicesim.RegisterAnswer, error) {
	if err := f.call("register"); err != nil {
		return devicesim.RegisterAnswer{}, err
	}
	now := f.clock.Now()
	if f.firstReg.IsZero() {
		f.firstReg = now
	}
	return devicesim.RegisterAnswer{Found: f.syncedAfter >= 0 && now.Sub(f.firstReg) >= f.syncedAfter, Latency: f.latency}, nil
}

type fakeDC struct {
	locates, signIns, certWrites int
	badPassword                  bool
}

func (f *fakeDC) Locate(string) error { f.locates++; return nil }
func (f *fakeDC) SignIn(_, _, _, _ string) error {
	f.signIns++
	if f.badPassword {
		return devicesim.ErrBadCredentials
	}
	return nil
}
func (f *fakeDC) WriteUserCertificate(_, _, _, _, _ string, _ []byte) error {
	f.certWrites++
	return nil
}

var timings = devicesim.Timings{
	NetworkUp: 30 * time.Second, ProfileDownload: 15 * time.Second, OOBEPages: 2 * time.Minute,
	EntraSignIn: time.Minute, MDMEnrollment: time.Minute, ODJPollInterval: time.Minute,
	ConnectivityWait: 25 * time.Minute, DCRetryInterval: time.Minute, Reboot: 3 * time.Minute,
	DeviceSetup: 10 * time.Minute, FirstSignIn: time.Minute, DeviceJoinTask: 4 * time.Minute,
	AccountSetupRest: 2 * time.Minute,
}

var lan = devicesim.Location{Name: "hq", Corporate: true}
var home = devicesim.Location{Name: "home"}
var hybrid = &devicesim.Profile{DisplayName: "Hybrid", DomainJoinMethod: 1}
var hybridSkip = &devicesim.Profile{DisplayName: "Hybrid skip", DomainJoinMethod: 1, SkipDCCheck: true}

func run(loc devicesim.Location, vpn devicesim.VPN, cloud *fakeCloud, dc *fakeDC) (devicesim.Result, *sim.Trace) {
	return runTraced(loc, vpn, cloud, dc)
}

// runWith is run with the device's config changed by mutate.
func runWith(loc devicesim.Location, vpn devicesim.VPN, cloud *fakeCloud, dc *fakeDC, mutate func(*devicesim.Config)) devicesim.Result {
	res, _ := runTraced(loc, vpn, cloud, dc, mutate)
	return res
}

func runTraced(loc devicesim.Location, vpn devicesim.VPN, cloud *fakeCloud, dc *fakeDC, mutate ...func(*devicesim.Config)) (devicesim.Result, *sim.Trace) {
	trace := &sim.Trace{}
	sched := sim.NewScheduler(time.Time{}, nil)
	cloud.clock = sched
	cfg := devicesim.Config{Serial: "S1", Location: loc, VPN: vpn, UserPrincipalName: "alice@contoso.com",
		ADUser: "alice", ADPassword: "pw", Timings: timings, Clock: sched, Rand: rand.New(rand.NewPCG(1, 2)),
		Cloud: cloud, DC: dc, Trace: trace}
	for _, m := range mutate {
		m(&cfg)
	}
	d, err := devicesim.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	d.PowerOn()
	Expect(sched.Run(sched.Now().Add(12 * time.Hour))).To(Succeed())
	d.Settle()
	return d.Result(), trace
}

var _ = Describe("user-driven hybrid join on the device", func() {
	It("joins on the LAN with the DC check (hybrid-join-behaviour §1 S1–S13)", func() {
		cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 30 * time.Minute}
		dc := &fakeDC{}
		res, _ := run(lan, devicesim.VPNNone, cloud, dc)
		Expect(res.Outcome).To(Equal(devicesim.OutcomeHybridJoined))
		Expect(res.ComputerName).To(Equal("AP-ABCDEFGHIJKL"))
		Expect(res.HybridDeviceID).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`))
		Expect(dc.locates).To(Equal(1))
		Expect(dc.signIns).To(Equal(1))
		Expect(dc.certWrites).To(Equal(1))
	})

	It("fails remote without VPN with 80070774 exactly 25 minutes after the blob wait began (F14, S30)", func() {
		cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute}
		dc := &fakeDC{}
		res, _ := run(home, devicesim.VPNNone, cloud, dc)
		Expect(res.Outcome).To(Equal(devicesim.OutcomeFailed))
		Expect(res.FailedStage).To(Equal(devicesim.StageDCCheck))
		Expect(res.ErrorCode).To(Equal("80070774"))
		Expect(dc.locates).To(BeZero(), "an unreachable DC is never dialled")
		// One shared budget: blob wait started at power-on + 30s+15s+2m+1m+1m.
		waitStart := res.PoweredOnAt.Add(30*time.Second + 15*time.Second + 4*time.Minute)
		Expect(res.TimerStartedAt).To(Equal(waitStart))
		Expect(res.FinishedAt.Sub(waitStart)).To(Equal(25 * time.Minute))
	})

	DescribeTable("remote with skip-check Yes, by VPN kind (seed 004 \"Off-premises/Internet scenarios and VPN connectivity\")",
		func(vpn devicesim.VPN, want devicesim.Outcome, stage devicesim.Stage, code string) {
			cloud := &fakeCloud{registered: true, profile: hybridSkip, odjID: "r1", syncedAfter: 30 * time.Minute}
			res, _ := run(home, vpn, cloud, &fakeDC{})
			Expect(res.Outcome).To(Equal(want))
			Expect(res.FailedStage).To(Equal(stage))
			Expect(res.ErrorCode).To(Equal(code))
		},
		Entry("device tunnel is up before logon", devicesim.VPNDeviceTunnel, devicesim.OutcomeHybridJoined, devicesim.Stage(""), ""),
		Entry("user-certificate VPN connects only after sign-in", devicesim.VPNUserTunnel, devicesim.OutcomeFailed, devicesim.StageFirstSignIn, "8007051F"),
		Entry("UWP plug-in connects only after sign-in", devicesim.VPNUWPPlugin, devicesim.OutcomeFailed, devicesim.StageFirstSignIn, "8007051F"),
		Entry("DirectAccess is unsupported", devicesim.VPNDirectAccess, devicesim.OutcomeFailed, devicesim.StageFirstSignIn, "8007051F"),
		Entry("no VPN at all", devicesim.VPNNone, devicesim.OutcomeFailed, devicesim.StageFirstSignIn, "8007051F"),
		Entry("Always On VPN connects automatically", devicesim.VPNAlwaysOn, devicesim.OutcomeHybridJoined, devicesim.Stage(""), ""),
	)

	It("joins remote with an Always On VPN and skip-check No: it connects automatically (seed 000 \"VPNs\", F17)", func() {
		cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 30 * time.Minute}
		dc := &fakeDC{}
		res, _ := run(home, devicesim.VPNAlwaysOn, cloud, dc)
		Expect(res.Outcome).To(Equal(devicesim.OutcomeHybridJoined))
		Expect(dc.locates).To(BeNumerically(">=", 1), "the DC check reached a DC over the VPN")
	})

	DescribeTable("signs in to AD only within Kerberos' clock tolerance (F20; 5 minutes by default)",
		func(skew time.Duration, want devicesim.Outcome, code string) {
			cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 30 * time.Minute}
			res := runWith(lan, devicesim.VPNNone, cloud, &fakeDC{}, func(c *devicesim.Config) { c.ClockSkew = skew })
			Expect(res.Outcome).To(Equal(want))
			Expect(res.ErrorCode).To(Equal(code))
			if code != "" {
				Expect(res.FailedStage).To(Equal(devicesim.StageFirstSignIn))
			}
		},
		Entry("on time", time.Duration(0), devicesim.OutcomeHybridJoined, ""),
		Entry("5 minutes ahead: at the tolerance", 5*time.Minute, devicesim.OutcomeHybridJoined, ""),
		Entry("6 minutes ahead", 6*time.Minute, devicesim.OutcomeFailed, "80070576"),
		Entry("10 minutes behind", -10*time.Minute, devicesim.OutcomeFailed, "80070576"),
	)

	DescribeTable("loads the Entra sign-in page only through a proxy it can find and use (F21)",
		func(proxy devicesim.Proxy, want devicesim.Outcome) {
			cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 30 * time.Minute}
			loc := lan
			loc.Proxy = proxy
			res, _ := run(loc, devicesim.VPNNone, cloud, &fakeDC{})
			Expect(res.Outcome).To(Equal(want))
			if want == devicesim.OutcomeFailed {
				Expect(res.FailedStage).To(Equal(devicesim.StageEntraSignIn))
				Expect(res.Detail).To(ContainSubstring("OOBEIDPS"))
			}
		},
		Entry("direct", devicesim.ProxyDirect, devicesim.OutcomeHybridJoined),
		Entry("unset means direct", devicesim.Proxy(""), devicesim.OutcomeHybridJoined),
		Entry("a proxy published by WPAD", devicesim.ProxyWPAD, devicesim.OutcomeHybridJoined),
		Entry("a proxy without WPAD", devicesim.ProxyNoWPAD, devicesim.OutcomeFailed),
		Entry("an authenticating proxy", devicesim.ProxyAuthenticating, devicesim.OutcomeFailed),
	)

	DescribeTable("pre-provisioning: the technician flow's TPM attestation and the user flow's timing (F33, F35)",
		func(pre devicesim.PreProvision, want devicesim.Outcome, stage devicesim.Stage, code string) {
			cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 30 * time.Minute}
			res := runWith(lan, devicesim.VPNNone, cloud, &fakeDC{}, func(c *devicesim.Config) { c.PreProvision = &pre })
			Expect(res.Outcome).To(Equal(want))
			Expect(res.FailedStage).To(Equal(stage))
			Expect(res.ErrorCode).To(Equal(code))
		},
		Entry("attested, user flow 2 h later: joined", devicesim.PreProvision{TPM: devicesim.TPMOK, UserFlowAfter: 2 * time.Hour},
			devicesim.OutcomeHybridJoined, devicesim.Stage(""), ""),
		Entry("no TPM 2.0 / VM: times out after 7 minutes", devicesim.PreProvision{TPM: devicesim.TPMNone, UserFlowAfter: 2 * time.Hour},
			devicesim.OutcomeFailed, devicesim.StageTPMAttestation, "800705B4"),
		Entry("attestation failed", devicesim.PreProvision{TPM: devicesim.TPMAttestationFailed, UserFlowAfter: 2 * time.Hour},
			devicesim.OutcomeFailed, devicesim.StageTPMAttestation, "801C03EA"),
		Entry("vulnerable firmware", devicesim.PreProvision{TPM: devicesim.TPMVulnerableFirmware, UserFlowAfter: 2 * time.Hour},
			devicesim.OutcomeFailed, devicesim.StageTPMAttestation, "81039024"),
		Entry("user flow 30 minutes after the technician flow", devicesim.PreProvision{TPM: devicesim.TPMOK, UserFlowAfter: 30 * time.Minute},
			devicesim.OutcomeFailed, devicesim.StageDeviceSetup, ""),
	)

	It("enrolls without a user in the technician flow, and reseals before the DC check", func() {
		cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 30 * time.Minute}
		dc := &fakeDC{}
		res, trace := runTraced(lan, devicesim.VPNNone, cloud, dc, func(c *devicesim.Config) {
			c.PreProvision = &devicesim.PreProvision{UserFlowAfter: 2 * time.Hour}
		})
		Expect(res.Outcome).To(Equal(devicesim.OutcomeHybridJoined))
		Expect(trace.Events()).To(ContainElement(HaveField("Detail", ContainSubstring("Reseal"))))
		Expect(res.FinishedAt.Sub(res.PoweredOnAt)).To(BeNumerically(">", 2*time.Hour))
	})

	DescribeTable("refuses a user of another organisation at the Entra sign-in (F31)",
		func(domains []string, want devicesim.Outcome) {
			cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 30 * time.Minute}
			res := runWith(lan, devicesim.VPNNone, cloud, &fakeDC{}, func(c *devicesim.Config) { c.TenantDomains = domains })
			Expect(res.Outcome).To(Equal(want))
			if want == devicesim.OutcomeFailed {
				Expect(res.FailedStage).To(Equal(devicesim.StageEntraSignIn))
				Expect(res.Detail).To(ContainSubstring("belongs to another organization"))
				Expect(cloud.calls["enroll"]).To(BeEmpty(), "no enrollment for a refused sign-in")
			}
		},
		Entry("the user's domain is verified (any case)", []string{"contoso.onmicrosoft.com", "Contoso.com"}, devicesim.OutcomeHybridJoined),
		Entry("no verified domains given: not checked", []string(nil), devicesim.OutcomeHybridJoined),
		Entry("another organisation's user", []string{"fabrikam.com"}, devicesim.OutcomeFailed),
	)

	It("times out waiting for the blob when no Domain Join profile targets the device (F5)", func() {
		cloud := &fakeCloud{registered: true, profile: hybrid}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.FailedStage).To(Equal(devicesim.StageODJBlobWait))
		Expect(res.ErrorCode).To(Equal("80070774"))
		Expect(res.FinishedAt.Sub(res.StageStartedAt)).To(Equal(25 * time.Minute))
	})

	It("goes through ordinary OOBE when not registered (event 807)", func() {
		res, trace := run(lan, devicesim.VPNNone, &fakeCloud{}, &fakeDC{})
		Expect(res.Outcome).To(Equal(devicesim.OutcomeNotAutopilot))
		Expect(trace.Events()).To(ContainElement(HaveField("Detail", ContainSubstring("807"))))
	})

	It("goes through ordinary OOBE with a blank profile while the assignment is processing (S8)", func() {
		res, _ := run(lan, devicesim.VPNNone, &fakeCloud{registered: true, blank: true}, &fakeDC{})
		Expect(res.Outcome).To(Equal(devicesim.OutcomeNotAutopilot))
		Expect(res.Detail).To(ContainSubstring("blank profile"))
	})

	It("Entra-joins when an Entra join profile wins", func() {
		res, _ := run(lan, devicesim.VPNNone, &fakeCloud{registered: true, profile: &devicesim.Profile{DisplayName: "AAD", DomainJoinMethod: 0}}, &fakeDC{})
		Expect(res.Outcome).To(Equal(devicesim.OutcomeEntraJoined))
	})

	It("fails the ESP account setup with 0x800705B4 after 60+40 minutes when the computer is never synced (F19)", func() {
		cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", syncedAfter: 1000 * time.Hour}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.FailedStage).To(Equal(devicesim.StageAccountSetup))
		Expect(res.ErrorCode).To(Equal("800705B4"))
		Expect(res.FinishedAt.Sub(res.StageStartedAt)).To(Equal(100 * time.Minute))
	})

	It("ends domainJoinedNotRegistered when the user ESP is skipped and sync never comes", func() {
		cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", syncedAfter: 1000 * time.Hour, espSkipUser: true}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.Outcome).To(Equal(devicesim.OutcomeDomainJoinedNotRegistered))
	})

	It("fails the first sign-in on a wrong AD password", func() {
		cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1"}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{badPassword: true})
		Expect(res.FailedStage).To(Equal(devicesim.StageFirstSignIn))
		Expect(res.ErrorCode).To(Equal("8007052E"))
	})

	It("replays byte for byte with the same seed", func() {
		mk := func() []sim.Event {
			_, tr := run(lan, devicesim.VPNNone, &fakeCloud{registered: true, profile: hybrid, odjID: "r1", syncedAfter: 30 * time.Minute}, &fakeDC{})
			return tr.Events()
		}
		Expect(mk()).To(Equal(mk()))
	})

	It("refuses a device without seams", func() {
		_, err := devicesim.New(devicesim.Config{Serial: "X"})
		Expect(err).To(MatchError(ContainSubstring("required")))
		_, err = devicesim.New(devicesim.Config{})
		Expect(err).To(HaveOccurred())
		_, err = devicesim.ParseVPN("anyconnect")
		Expect(errors.Unwrap(err)).To(BeNil())
		Expect(err).To(MatchError(ContainSubstring("anyconnect")))
	})
})
