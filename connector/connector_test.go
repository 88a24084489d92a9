package connector_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	gldap "github.com/glauth/ldap"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

const msaPassword = "Msa-secret-1!"

var _ = Describe("Connector over HTTP and LDAP", func() {
	var (
		sched    *sim.Scheduler
		trace    *sim.Trace
		graph    *fakeGraph
		dc       *fakeDC
		client   *http.Client
		stopHTTP func()
		cfg      connector.Config
	)

	BeforeEach(func() {
		trace = &sim.Trace{}
		sched = sim.NewScheduler(time.Time{}, trace)
		graph = newFakeGraph()
		dc = newFakeDC(msaPassword)
		client, stopHTTP = transport.ServeHTTPMemory(graph)
		cfg = connector.Config{
			Name: "ODJCONN01", Domain: "corp.contoso.com", NetBIOS: "CORP",
			Identity: "msaODJ00001", Password: msaPassword,
			Clock: sched, Rand: newRand(), HTTP: client, GraphURL: "http://graph.local",
			DialLDAP: dc.dial, PickupLatency: 30 * time.Second, Heartbeat: 5 * time.Minute, Trace: trace,
		}
		DeferCleanup(func() { stopHTTP(); dc.close() })
	})

	start := func() *connector.Connector {
		c, err := connector.New(cfg)
		Expect(err).NotTo(HaveOccurred())
		c.Start()
		return c
	}
	run := func(d time.Duration) { Expect(sched.Run(sched.Now().Add(d))).To(Succeed()) }
	request := func(id, ou string) connector.ClaimedRequest {
		return connector.ClaimedRequest{ID: id, DeviceID: "dev-" + id, SerialNumber: "LAB0001", Domain: "corp.contoso.com",
			OrganizationalUnit: ou, ComputerNameStaticPrefix: "AP-", ComputerNameSuffixRandomCharCount: 12}
	}

	It("heartbeats first, then claims, creates the computer and posts the blob", func() {
		c := start()
		graph.queue(request("r1", "OU=Autopilot,DC=corp,DC=contoso,DC=com"))
		run(31 * time.Second)

		hb, claims := graph.counts()
		Expect(hb).To(Equal(1))
		Expect(claims).To(Equal(1))
		Expect(graph.registered[c.ID()]).To(Equal(map[string]any{"displayName": "ODJCONN01", "domain": "corp.contoso.com", "version": connector.DefaultVersion}))

		binds, adds := dc.recorded()
		Expect(binds).To(Equal([]string{`CORP\msaODJ00001$`}))
		Expect(adds).To(HaveLen(1))
		add := adds[0]
		name := add.Attrs["cn"][0]
		Expect(name).To(HaveLen(15))
		Expect(name).To(HavePrefix("AP-"))
		Expect(add.DN).To(Equal("CN=" + name + ",OU=Autopilot,DC=corp,DC=contoso,DC=com"))
		Expect(add.Attrs["objectClass"]).To(Equal([]string{"top", "person", "organizationalPerson", "user", "computer"}))
		Expect(add.Attrs["sAMAccountName"]).To(Equal([]string{name + "$"}))
		Expect(add.Attrs["userAccountControl"]).To(Equal([]string{"4096"}))
		Expect(add.Attrs["dNSHostName"]).To(Equal([]string{name + ".corp.contoso.com"}))
		Expect(add.Attrs["servicePrincipalName"]).To(ConsistOf("HOST/"+name, "HOST/"+name+".corp.contoso.com"))

		res := graph.resultsFor("r1")
		Expect(res).To(HaveLen(1))
		Expect(res[0]).To(HaveKeyWithValue("success", true))
		Expect(res[0]).To(HaveKeyWithValue("connectorId", c.ID()))
		Expect(res[0]).To(HaveKeyWithValue("computerName", name))
		Expect(res[0]).To(HaveKeyWithValue("distinguishedName", add.DN))
		Expect(res[0]).NotTo(HaveKey("errorCode"))
		blob, err := connector.DecodeBlob(res[0]["blob"].(string))
		Expect(err).NotTo(HaveOccurred())
		Expect(blob.Domain).To(Equal("corp.contoso.com"))
		Expect(blob.NetBIOSDomain).To(Equal("CORP"))
		Expect(blob.ComputerName).To(Equal(name))
		Expect(blob.DistinguishedName).To(Equal(add.DN))
		Expect(blob.DCName).To(Equal("dc1.corp.contoso.com"))
		Expect(connector.UnicodePwd(blob.MachinePassword)).To(Equal([]byte(add.Attrs["unicodePwd"][0])))

		_, failed := c.FailureFor("r1")
		Expect(failed).To(BeFalse())
		ids := []int{}
		for _, e := range c.Events() {
			ids = append(ids, e.ID)
		}
		Expect(ids).To(Equal([]int{connector.EventRequestStart, connector.EventRequestSuccess}))
		Expect(c.Events()[1].Computer).To(Equal(name))

		// The informational events' payloads (UNCERTAIN IDs, the documented
		// 30132 Metric shape, connector/events.go), rendered when the log is read.
		dims := func(e connector.Event) map[string]string {
			var p struct {
				Metric struct {
					Dimensions map[string]string
					Name       string
				}
			}
			Expect(json.Unmarshal([]byte(e.Payload), &p)).To(Succeed())
			Expect(p.Metric.Name).To(Equal(e.Name))
			return p.Metric.Dimensions
		}
		evs := c.Events()
		Expect(dims(evs[0])).To(Equal(map[string]string{"RequestId": "r1", "DeviceId": "dev-r1",
			"DomainName": "corp.contoso.com", "RetryCount": "0", "InstanceId": dims(evs[0])["InstanceId"]}))
		Expect(dims(evs[0])["InstanceId"]).NotTo(BeEmpty())
		Expect(dims(evs[1])).To(Equal(map[string]string{"RequestId": "r1", "DeviceId": "dev-r1",
			"DomainName": "corp.contoso.com", "ComputerName": name, "DistinguishedName": add.DN,
			"InstanceId": dims(evs[0])["InstanceId"]}))
		Expect(c.Events()).To(Equal(evs), "rendering the log again gives the same payloads")
	})

	It("protects the session with StartTLS when LDAPTLS is set", func() {
		serverTLS, clientTLS := tlsPair()
		tdc := newFakeDCWithTLS(msaPassword, serverTLS)
		defer tdc.close()
		cfg.DialLDAP, cfg.LDAPTLS = tdc.dial, clientTLS
		start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		_, adds := tdc.recorded()
		Expect(adds).To(HaveLen(1))
		Expect(adds[0].Secure).To(BeTrue())
		Expect(graph.resultsFor("r1")[0]).To(HaveKeyWithValue("success", true))
	})

	It("fails the request when StartTLS is refused", func() {
		_, clientTLS := tlsPair()
		cfg.LDAPTLS = clientTLS // dc has no TLS config: glauth answers the extended op with an error
		c := start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		_, ok := c.FailureFor("r1")
		Expect(ok).To(BeTrue())
		_, adds := dc.recorded()
		Expect(adds).To(BeEmpty())
	})

	It("uses CN=Computers when the profile has no OU (S4)", func() {
		start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		_, adds := dc.recorded()
		Expect(adds).To(HaveLen(1))
		Expect(adds[0].DN).To(HaveSuffix(",CN=Computers,DC=corp,DC=contoso,DC=com"))
	})

	It("refuses a container given as the OU with event 30132 (F6; seed 000: a container can't be specified)", func() {
		c := start()
		graph.queue(request("r1", "CN=Computers,DC=corp,DC=contoso,DC=com"))
		run(31 * time.Second)
		ev, ok := c.FailureFor("r1")
		Expect(ok).To(BeTrue())
		Expect(ev.ErrorCode).To(Equal(87))
		Expect(ev.Payload).To(ContainSubstring("container"))
		_, adds := dc.recorded()
		Expect(adds).To(BeEmpty())
		Expect(graph.resultsFor("r1")[0]).To(HaveKeyWithValue("success", false))
	})

	It("creates the computer in the container with AcceptContainerOU (the UNCERTAIN alternative)", func() {
		cfg.AcceptContainerOU = true
		start()
		graph.queue(request("r1", "CN=Computers,DC=corp,DC=contoso,DC=com"))
		run(31 * time.Second)
		_, adds := dc.recorded()
		Expect(adds).To(HaveLen(1))
		Expect(adds[0].DN).To(HaveSuffix(",CN=Computers,DC=corp,DC=contoso,DC=com"))
	})

	It("draws first the name FirstComputerName predicts from the same random state (F23 scenarios)", func() {
		want, err := connector.FirstComputerName(newRand(), "", "AP-")
		Expect(err).NotTo(HaveOccurred())
		start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		_, adds := dc.recorded()
		Expect(adds).To(HaveLen(1))
		Expect(adds[0].DN).To(HavePrefix("CN=" + want + ","))
	})

	It("gives every computer a distinct name and password", func() {
		start()
		for _, id := range []string{"a", "b", "c", "d"} {
			graph.queue(request(id, ""))
		}
		run(31 * time.Second)
		_, adds := dc.recorded()
		Expect(adds).To(HaveLen(4))
		names, pws := map[string]bool{}, map[string]bool{}
		for _, a := range adds {
			names[a.Attrs["cn"][0]] = true
			pws[a.Attrs["unicodePwd"][0]] = true
		}
		Expect(names).To(HaveLen(4))
		Expect(pws).To(HaveLen(4))
	})

	It("is deterministic for the same seed", func() {
		start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		_, first := dc.recorded()

		dc2 := newFakeDC(msaPassword)
		defer dc2.close()
		g2 := newFakeGraph()
		c2, stop2 := transport.ServeHTTPMemory(g2)
		defer stop2()
		s2 := sim.NewScheduler(time.Time{}, nil)
		cfg2 := cfg
		cfg2.Clock, cfg2.Rand, cfg2.HTTP, cfg2.DialLDAP, cfg2.Trace = s2, newRand(), c2, dc2.dial, nil
		conn2, err := connector.New(cfg2)
		Expect(err).NotTo(HaveOccurred())
		conn2.Start()
		g2.queue(request("r1", ""))
		Expect(s2.Run(s2.Now().Add(31 * time.Second))).To(Succeed())
		_, second := dc2.recorded()
		Expect(second[0].DN).To(Equal(first[0].DN))
	})

	DescribeTable("failures: event 30132 and a failure result",
		func(code gldap.LDAPResultCode, wantWin32 int, wantDiag string) {
			dc.answer(code)
			c := start()
			r := request("r1", "OU=Autopilot,DC=corp,DC=contoso,DC=com")
			r.RetryCount = 1
			graph.queue(r)
			run(31 * time.Second)

			ev, ok := c.FailureFor("r1")
			Expect(ok).To(BeTrue())
			Expect(ev.ID).To(Equal(30132))
			Expect(ev.ErrorCode).To(Equal(wantWin32))
			Expect(ev.Level).To(Equal("Error"))
			Expect(ev.Name).To(Equal("RequestOfflineDomainJoinBlob_Failure"))
			Expect(ev.DeviceID).To(Equal("dev-r1"))
			Expect(ev.Computer).To(HaveLen(15))
			var p struct {
				Metric struct {
					Dimensions map[string]string
					Name       string
				}
			}
			Expect(json.Unmarshal([]byte(ev.Payload), &p)).To(Succeed())
			Expect(p.Metric.Dimensions).To(HaveKeyWithValue("ErrorCode", itoa(wantWin32)))
			Expect(p.Metric.Dimensions).To(HaveKeyWithValue("RetryCount", "1"))
			Expect(p.Metric.Dimensions).To(HaveKeyWithValue("DomainName", "corp.contoso.com"))
			Expect(p.Metric.Dimensions).To(HaveKeyWithValue("DiagnosticCode", wantDiag))

			res := graph.resultsFor("r1")
			Expect(res).To(HaveLen(1))
			Expect(res[0]).To(HaveKeyWithValue("success", false))
			Expect(res[0]).To(HaveKeyWithValue("errorCode", float64(wantWin32)))
			Expect(res[0]).To(HaveKeyWithValue("diagnosticCode", wantDiag))
			Expect(res[0]).NotTo(HaveKey("blob"))
		},
		Entry("no delegation (F8): 50 → 5", gldap.LDAPResultCode(gldap.LDAPResultInsufficientAccessRights), 5, "0x00000800"),
		// glauth's server cannot carry AD's diagnostic text, so 53 arrives
		// as "Unwilling To Perform" and maps by the wldap32 table.
		Entry("53 without AD diagnostic → 1003", gldap.LDAPResultCode(gldap.LDAPResultUnwillingToPerform), 1003, "0x00000000"),
		Entry("missing OU (F7): 32 → 2", gldap.LDAPResultCode(gldap.LDAPResultNoSuchObject), 2, "0x00000000"),
		Entry("bad DN (F7 quoted): 34 → 87", gldap.LDAPResultCode(gldap.LDAPResultInvalidDNSyntax), 87, "0x00000000"),
		Entry("name exists (F23), no retry: 68 → 183", gldap.LDAPResultCode(gldap.LDAPResultEntryAlreadyExists), 183, "0x00000000"),
	)

	It("fails with 1323 when the MSA password is wrong", func() {
		cfg.Password = "wrong"
		c := start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		ev, ok := c.FailureFor("r1")
		Expect(ok).To(BeTrue())
		Expect(ev.Payload).To(ContainSubstring(`"ErrorCode":"1323"`))
		_, adds := dc.recorded()
		Expect(adds).To(BeEmpty())
	})

	It("fails with 1355 ERROR_NO_SUCH_DOMAIN when no DC can be reached", func() {
		cfg.DialLDAP = func(context.Context) (net.Conn, error) { return nil, errors.New("no route to DC") }
		c := start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		ev, ok := c.FailureFor("r1")
		Expect(ok).To(BeTrue())
		Expect(ev.Payload).To(ContainSubstring(`"ErrorCode":"1355"`))
		Expect(graph.resultsFor("r1")[0]).To(HaveKeyWithValue("errorCode", float64(1355)))
	})

	It("fails with 1355 when only a read-only DC is reachable, creating nothing (F41)", func() {
		cfg.OnlyReadOnlyDC = true
		c := start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		ev, ok := c.FailureFor("r1")
		Expect(ok).To(BeTrue())
		Expect(ev.ErrorCode).To(Equal(1355))
		Expect(ev.Payload).To(ContainSubstring("read-only DC"))
		_, adds := dc.recorded()
		Expect(adds).To(BeEmpty())
	})

	It("never reaches Intune behind a proxy it is not configured for (F10, F21)", func() {
		cfg.ProxyUnset = true
		c := start()
		graph.queue(request("r1", ""))
		run(time.Hour)
		hb, cl := graph.counts()
		Expect(hb).To(BeZero())
		Expect(cl).To(BeZero())
		Expect(c.Events()).To(BeEmpty())
		Expect(trace.For("connector/ODJCONN01")).To(ContainElement(HaveField("Detail", ContainSubstring("no proxy configured"))))
	})

	It("tries new names on entryAlreadyExists when configured (§6.5)", func() {
		cfg.RetryOnNameCollision = 2
		dc.answer(gldap.LDAPResultEntryAlreadyExists, gldap.LDAPResultEntryAlreadyExists)
		c := start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		_, adds := dc.recorded()
		Expect(adds).To(HaveLen(3))
		Expect(adds[0].DN).NotTo(Equal(adds[1].DN))
		Expect(graph.resultsFor("r1")[0]).To(HaveKeyWithValue("success", true))
		_, failed := c.FailureFor("r1")
		Expect(failed).To(BeFalse())
	})

	It("gives up after RetryOnNameCollision collisions", func() {
		cfg.RetryOnNameCollision = 1
		dc.answer(gldap.LDAPResultEntryAlreadyExists, gldap.LDAPResultEntryAlreadyExists)
		c := start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		_, adds := dc.recorded()
		Expect(adds).To(HaveLen(2))
		_, failed := c.FailureFor("r1")
		Expect(failed).To(BeTrue())
	})

	It("leaves dcName empty when the DC has no rootDSE", func() {
		dc.rootDSE = false
		start()
		graph.queue(request("r1", ""))
		run(31 * time.Second)
		blob, err := connector.DecodeBlob(graph.resultsFor("r1")[0]["blob"].(string))
		Expect(err).NotTo(HaveOccurred())
		Expect(blob.DCName).To(BeEmpty())
	})

	It("heartbeats and claims on its intervals, and Stop silences it", func() {
		c := start()
		c.Start() // idempotent
		run(10*time.Minute + time.Second)
		hb, claims := graph.counts()
		Expect(hb).To(Equal(3))      // 0, 5m, 10m
		Expect(claims).To(Equal(20)) // every 30 s from 30 s
		c.Stop()
		Expect(c.Running()).To(BeFalse())
		run(time.Hour)
		hb2, claims2 := graph.counts()
		Expect(hb2).To(Equal(hb))
		Expect(claims2).To(Equal(claims))
		graph.queue(request("late", ""))
		c.Start() // connectorUp
		run(31 * time.Second)
		Expect(graph.resultsFor("late")).To(HaveLen(1))
	})

	It("keeps claiming after a ConnectorNotRegistered answer", func() {
		cfg.Heartbeat = time.Hour
		cfg.PickupLatency = 10 * time.Second
		c, err := connector.New(cfg)
		Expect(err).NotTo(HaveOccurred())
		graph.queue(request("r1", ""))
		// The service forgets the connector: the claim gets 404 until the
		// next heartbeat.
		c.Start()
		run(time.Second)
		graph.mu.Lock()
		graph.registered = map[string]map[string]any{}
		graph.mu.Unlock()
		run(30 * time.Second)
		Expect(graph.resultsFor("r1")).To(BeEmpty())
		Expect(trace.For("connector/ODJCONN01")).To(ContainElement(HaveField("Step", "claim refused")))
		run(time.Hour)
		Expect(graph.resultsFor("r1")).To(HaveLen(1))
	})

	DescribeTable("New rejects bad config",
		func(mutate func(*connector.Config)) {
			c := cfg
			mutate(&c)
			_, err := connector.New(c)
			Expect(err).To(HaveOccurred())
		},
		Entry("no name", func(c *connector.Config) { c.Name = "" }),
		Entry("no clock", func(c *connector.Config) { c.Clock = nil }),
		Entry("no rand", func(c *connector.Config) { c.Rand = nil }),
		Entry("no dialer", func(c *connector.Config) { c.DialLDAP = nil }),
		Entry("negative latency", func(c *connector.Config) { c.PickupLatency = -time.Second }),
		Entry("negative retries", func(c *connector.Config) { c.RetryOnNameCollision = -1 }),
		Entry("bad domain", func(c *connector.Config) { c.Domain = "corp..com" }),
	)
})

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
