package entrasync_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/entrasync"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

const (
	domainDN = "DC=corp,DC=contoso,DC=com"
	ouAP     = "OU=Autopilot," + domainDN
	ouOther  = "OU=Servers," + domainDN
	guid1    = "93ec7036-9139-4a83-972e-a1998cc91865"
	guid2    = "0a0b0c0d-1111-2222-3333-444455556666"
	dev1     = "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c"
	dev2     = "7f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c"
	sid1     = "S-1-5-21-2270489509-566786150-3724442123-1104"
	sid2     = "S-1-5-21-2270489509-566786150-3724442123-1105"
)

var _ = Describe("Sync over LDAP and HTTP", func() {
	var (
		sched    *sim.Scheduler
		trace    *sim.Trace
		graph    *fakeGraph
		dc       *fakeDC
		client   *http.Client
		stopHTTP func()
		cfg      entrasync.Config
	)

	BeforeEach(func() {
		trace = &sim.Trace{}
		sched = sim.NewScheduler(t0, trace)
		graph = newFakeGraph()
		dc = newFakeDC("sync-pw", domainDN, ouAP, ouOther)
		client, stopHTTP = transport.ServeHTTPMemory(graph)
		cfg = entrasync.Config{
			Domain: "corp.contoso.com", NetBIOS: "CORP", BindUser: "MSOL_sync", BindPassword: "sync-pw",
			Scope: []string{ouAP}, FirstCycle: time.Minute,
			Clock: sched, HTTP: client, GraphURL: "http://graph.local", DialLDAP: dc.dial, Trace: trace,
		}
		DeferCleanup(func() { stopHTTP(); dc.close() })
	})

	newSync := func() *entrasync.Sync {
		s, err := entrasync.New(cfg)
		Expect(err).NotTo(HaveOccurred())
		return s
	}

	It("exports in-scope computers with a hybrid cert, and only those", func() {
		cert1 := hybridCert(dev1)
		dc.setComputers(
			computerEntry("CN=AP-ONE,"+ouAP, "AP-ONE", guid1, sid1, cert1),
			computerEntry("CN=AP-NOCERT,"+ouAP, "AP-NOCERT", guid2, sid2, []byte("junk")),
			computerEntry("CN=SRV1,"+ouOther, "SRV1", "11111111-2222-3333-4444-555555555555", sid2, hybridCert(dev2)),
		)
		s := newSync()
		rep, err := s.RunCycle()
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Exported).To(Equal(1))
		Expect(rep.Filtered).To(Equal(1))
		Expect(rep.Deleted).To(Equal(0))
		Expect(rep.At).To(Equal(t0))

		devs, _ := graph.snapshot()
		Expect(devs).To(Equal(map[string]entrasync.Device{guid1: {
			DisplayName: "AP-ONE", DeviceID: dev1, OnPremisesSecurityIdentifier: sid1,
			OnPremisesDistinguishedName: "CN=AP-ONE," + ouAP, CertificateThumbprint: entrasync.Thumbprint(cert1),
		}}))

		binds, searches := dc.recorded()
		Expect(binds).To(Equal([]string{`CORP\MSOL_sync`}))
		Expect(searches).To(HaveLen(1))
		Expect(searches[0].BaseDN).To(Equal(ouAP))
		Expect(searches[0].Filter).To(Equal("(&(objectClass=computer)(userCertificate=*))"))
		Expect(searches[0].Attributes).To(ConsistOf("objectGUID", "objectSid", "cn", "sAMAccountName", "distinguishedName", "userCertificate"))
		Expect(searches[0].PageSize).To(Equal(uint32(500)))
	})

	It("syncs the whole domain when the scope is empty", func() {
		cfg.Scope = nil
		dc.setComputers(
			computerEntry("CN=AP-ONE,"+ouAP, "AP-ONE", guid1, sid1, hybridCert(dev1)),
			computerEntry("CN=SRV1,"+ouOther, "SRV1", guid2, sid2, hybridCert(dev2)),
		)
		rep, err := newSync().RunCycle()
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Exported).To(Equal(2))
		_, searches := dc.recorded()
		Expect(searches[0].BaseDN).To(Equal(domainDN))
	})

	It("exports only changes, and deletes what left scope", func() {
		dc.setComputers(computerEntry("CN=AP-ONE,"+ouAP, "AP-ONE", guid1, sid1, hybridCert(dev1)))
		s := newSync()
		_, err := s.RunCycle()
		Expect(err).NotTo(HaveOccurred())
		rep, err := s.RunCycle()
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Exported).To(Equal(0))
		_, calls := graph.snapshot()
		Expect(calls).To(Equal([]string{"PUT " + guid1}))

		// moveDevices: the computer moves to an OU out of scope.
		dc.setComputers(computerEntry("CN=AP-ONE,"+ouOther, "AP-ONE", guid1, sid1, hybridCert(dev1)))
		rep, err = s.RunCycle()
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Deleted).To(Equal(1))
		devs, calls := graph.snapshot()
		Expect(devs).To(BeEmpty())
		Expect(calls).To(Equal([]string{"PUT " + guid1, "DELETE " + guid1}))
		Expect(s.Exported()).To(BeEmpty())
	})

	It("notes a scope OU that does not exist and still reads the others", func() {
		cfg.Scope = []string{"OU=Missing," + domainDN, ouAP}
		dc.setComputers(computerEntry("CN=AP-ONE,"+ouAP, "AP-ONE", guid1, sid1, hybridCert(dev1)))
		rep, err := newSync().RunCycle()
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Exported).To(Equal(1))
		Expect(rep.Notes).To(ContainElement("scope OU=Missing," + domainDN + ": no such object"))
	})

	It("records a failing cycle when the DC is unreachable and keeps its schedule", func() {
		up := false
		cfg.DialLDAP = func(ctx context.Context) (net.Conn, error) {
			if !up {
				return nil, errors.New("no route to DC")
			}
			return dc.dial(ctx)
		}
		dc.setComputers(computerEntry("CN=AP-ONE,"+ouAP, "AP-ONE", guid1, sid1, hybridCert(dev1)))
		s := newSync()
		s.Start()
		s.Start() // idempotent
		Expect(sched.Run(t0.Add(2 * time.Minute))).To(Succeed())
		reps := s.Reports()
		Expect(reps).To(HaveLen(1))
		Expect(reps[0].At).To(Equal(t0.Add(time.Minute)))
		Expect(reps[0].Error).To(ContainSubstring("no route to DC"))
		Expect(trace.For("entraconnect")).To(ContainElement(HaveField("Step", "sync cycle failed")))

		up = true
		Expect(sched.Run(t0.Add(32 * time.Minute))).To(Succeed())
		reps = s.Reports()
		Expect(reps).To(HaveLen(2))
		Expect(reps[1].At).To(Equal(t0.Add(31 * time.Minute))) // default interval 30 min (S23)
		Expect(reps[1].Error).To(BeEmpty())
		Expect(reps[1].Exported).To(Equal(1))
	})

	It("fails the cycle on a bad bind without deleting anything", func() {
		dc.setComputers(computerEntry("CN=AP-ONE,"+ouAP, "AP-ONE", guid1, sid1, hybridCert(dev1)))
		s := newSync()
		_, err := s.RunCycle()
		Expect(err).NotTo(HaveOccurred())
		cfg2 := cfg
		cfg2.BindPassword = "wrong"
		bad, err := entrasync.New(cfg2)
		Expect(err).NotTo(HaveOccurred())
		_, err = bad.RunCycle()
		Expect(err).To(MatchError(ContainSubstring("bind as CORP\\MSOL_sync")))
		devs, _ := graph.snapshot()
		Expect(devs).To(HaveLen(1))
	})

	It("notes export errors that outlast its retries and retries them next cycle", func() {
		dc.setComputers(computerEntry("CN=AP-ONE,"+ouAP, "AP-ONE", guid1, sid1, hybridCert(dev1)))
		graph.failPut = true
		s := newSync()
		rep, err := s.RunCycle()
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Finished).To(BeZero(), "the export backs off on the clock (3s, 6s, 12s)")
		_, err = s.RunCycle()
		Expect(err).To(MatchError(entrasync.ErrCycleRunning))
		Expect(sched.Run(t0.Add(time.Minute))).To(Succeed())
		reps := s.Reports()
		Expect(reps).To(HaveLen(1))
		Expect(reps[0].Exported).To(Equal(0))
		Expect(reps[0].Finished).To(Equal(t0.Add(21 * time.Second)))
		Expect(reps[0].Notes).To(ContainElement(ContainSubstring("HTTP 500")))
		_, calls := graph.snapshot()
		Expect(calls).To(HaveLen(4))
		graph.mu.Lock()
		graph.failPut = false
		graph.mu.Unlock()
		rep, err = s.RunCycle()
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Exported).To(Equal(1))
	})

	It("Stop cancels scheduled cycles", func() {
		s := newSync()
		s.Start()
		s.Stop()
		Expect(sched.Run(t0.Add(2 * time.Hour))).To(Succeed())
		Expect(s.Reports()).To(BeEmpty())
	})

	DescribeTable("New rejects bad config",
		func(mutate func(*entrasync.Config)) {
			c := cfg
			mutate(&c)
			_, err := entrasync.New(c)
			Expect(err).To(HaveOccurred())
		},
		Entry("no domain", func(c *entrasync.Config) { c.Domain = "" }),
		Entry("bad domain", func(c *entrasync.Config) { c.Domain = "corp..com" }),
		Entry("no clock", func(c *entrasync.Config) { c.Clock = nil }),
		Entry("no dialer", func(c *entrasync.Config) { c.DialLDAP = nil }),
		Entry("negative interval", func(c *entrasync.Config) { c.Interval = -time.Minute }),
		Entry("empty scope entry", func(c *entrasync.Config) { c.Scope = []string{""} }),
	)
})
