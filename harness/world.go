package harness

import (
	"crypto/rsa"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/connector"
	"github.com/autopilotsim/autopilotsim/devicesim"
	"github.com/autopilotsim/autopilotsim/entrasync"
	"github.com/autopilotsim/autopilotsim/internal/strpack"
	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

// Wire selects how clients reach the servers.
type Wire string

// The wires.
const (
	WireMemory   Wire = "memory"   // in-memory pipes into the same handlers
	WireLoopback Wire = "loopback" // real TCP sockets on 127.0.0.1
)

// harnessApp is the app registration the harness signs in with to set up the
// tenant, with the application permissions those calls need (graph-api.md §3).
var harnessApp = mockgraph.App{
	ClientID:     "00000000-0000-0000-0000-0000000a0001",
	ClientSecret: "autopilotsim-harness-secret",
	DisplayName:  "autopilotsim harness",
	Roles: []string{
		"DeviceManagementServiceConfig.ReadWrite.All",
		"DeviceManagementConfiguration.ReadWrite.All",
		"DeviceManagementManagedDevices.ReadWrite.All",
		"Group.ReadWrite.All",
		"GroupMember.ReadWrite.All",
		"Device.ReadWrite.All",
		"Directory.ReadWrite.All",
		"Policy.Read.All",
		"Policy.ReadWrite.ConditionalAccess",
	},
}

// syncAccount is the AD account Entra Connect reads the directory as.
const syncAccount = "MSOL_autopilotsim"

// domainCtl is one AD domain and its DC.
type domainCtl struct {
	spec    scenarios.Domain
	netbios string
	dir     *mockad.Directory
	srv     *mockad.Server
	ln      net.Listener // nil on the in-memory wire
	dial    transport.Dialer
	addr    string
	tls     *tls.Config    // StartTLS for the connectors: password writes need it
	inner   *mockad.Server // with a state directory: the simulated systems' (state.go)
}

// world is everything one scenario run builds.
type world struct {
	// strs holds what the devices keep of their answers to the end of
	// the run, in chunks they share (internal/strpack).
	strs          strpack.Arena
	sc            *scenarios.Scenario
	signingKey    *rsa.PrivateKey // mockgraph's; nil = its own (Options.SigningKey)
	tenantDomains []string        // the tenant's verified domains (verifiedDomains), for every device
	seed          uint64
	t0            time.Time
	sched         *sim.Scheduler
	trace         *sim.Trace
	streams       *sim.Streams
	// What every device shares: its directory client (stateless, it only
	// dials) and the callback of its outcome, made once rather than per
	// device (a method value is an allocation each time it is taken).
	deviceDC   *devicesim.LDAPDirectory
	deviceDone func(devicesim.Result)

	graph    *mockgraph.Server
	graphURL string
	// internalURL is the base URL the world's own systems use with
	// httpClient: graphURL, or the in-memory pipe's in a lab.
	internalURL string
	// enrolledObjects: serial → the Entra object a device enrolled before
	// the scenario got then (setup.go enrollExisting).
	enrolledObjects map[string]string
	// previousObjects: serial → the stale hybrid Entra object a reused
	// device's earlier deployment left (history.go, F26).
	previousObjects map[string]string
	graphTLS        bool   // serve --tls-cert: mockgraph speaks https
	graphCert       []byte // its certificate (PEM), for users to trust
	httpClient      *http.Client
	stopHTTP        func()

	domains    map[string]*domainCtl // by lower-case DNS name
	connectors map[string]*connector.Connector
	connOrder  []string
	sync       *entraConnect // nil when Entra Connect is disabled
	admin      *admin

	devices   []*devicesim.Device
	deviceIdx map[string]*devicesim.Device
	specs     map[string]scenarios.Device
	networks  map[string]devicesim.Location
	remaining int
	lastDone  time.Time

	graphAddr string // loopback listen addresses (serve); empty = any free port
	ldapAddr  string
	realTime  bool // serve: the clock follows the wall clock (mockgraph.Config.RealTimeLatency)
	// Limits of the servers on real ports (zero fields: the packages'
	// defaults); ServeOptions sets them for a lab.
	graphLimits mockgraph.HTTPLimits
	ldapLimits  mockad.Limits

	// hashKey is the run's secret from which every device's hardware hash
	// is derived when it is sent (hardwareHash); newWorld draws it.
	hashKey [32]byte

	groupIDs   map[string]string // scenario group name -> Graph id
	profileIDs map[string]string // deployment profile name -> Graph id
	setupErr   error
	// onFail, set by a lab, hears of a step that fails once the lab runs
	// (Lab.Failed); a run reads setupErr when it ends.
	onFail func(error)
	// onDeviceDone, when set, hears of each device that finishes (run
	// progress, Options.Progress).
	onDeviceDone func()
	// timeline says which devices keep their timeline in the results.
	timeline TimelineMode
	// setupOnly builds the world without powering devices on (CheckSetup);
	// importsDone is when the admin's device import was accepted (zero
	// before); removeImportRecords waits for its processing.
	importsDone time.Time
	// lastStep is the offset of the latest scheduled step.
	setupOnly bool
	lastStep  time.Duration
	st        *stateLog // serve --state-dir (state.go)
}

func (w *world) at(offset time.Duration) time.Time { return w.t0.Add(offset) }

// schedule runs fn at T0+offset on the clock; errors stop the run. Admin
// calls in fn may make it wait on the clock (runStep, admin.go).
func (w *world) schedule(offset time.Duration, actor, step string, fn func() error) {
	w.lastStep = max(w.lastStep, offset)
	w.sched.At(w.at(offset), actor, step, func() { w.runStep(actor, step, fn) })
}

func (w *world) close() {
	for _, c := range w.connectors {
		c.Stop()
	}
	if w.stopHTTP != nil {
		w.stopHTTP()
	}
	for _, d := range w.domains {
		_ = d.srv.Close()
		if d.ln != nil {
			_ = d.ln.Close()
		}
		if d.inner != nil {
			_ = d.inner.Close()
		}
	}
}

// buildDomains starts one mockad DC per domain, seeded from the scenario.
func (w *world) buildDomains(wire Wire) error {
	w.domains = map[string]*domainCtl{}
	for i, d := range w.sc.Environment.Domains {
		quota := 10
		if d.MachineAccountQuota != nil {
			quota = *d.MachineAccountQuota
		}
		dir, err := mockad.NewDirectory(mockad.DomainConfig{
			DNSName: d.Name, NetBIOSName: d.NetBIOS, MachineAccountQuota: quota, OUs: d.OUs,
		}, w.sched, w.streams.Stream("ad/"+d.Name))
		// mockad refusing what the scenario declares is invalid input.
		path := fmt.Sprintf("environment.domains[%d]", i)
		if err != nil {
			for j, ou := range d.OUs {
				if strings.Contains(err.Error(), fmt.Sprintf("OU %q", ou)) {
					path = fmt.Sprintf("%s.ous[%d]", path, j)
					break
				}
			}
			return w.located(path, fmt.Errorf("harness: domain %s: %w", d.Name, err), nil, true)
		}
		for j, u := range d.Users {
			if _, err := dir.AddUser(u.SAMAccountName, u.Password, u.UPN, u.Admin); err != nil {
				return w.located(fmt.Sprintf("%s.users[%d]", path, j), fmt.Errorf("harness: domain %s: user %s: %w", d.Name, u.SAMAccountName, err), nil, true)
			}
		}
		if _, err := dir.AddUser(syncAccount, syncPassword(w.seed), syncAccount+"@"+d.Name, false); err != nil {
			return fmt.Errorf("harness: domain %s: sync account: %w", d.Name, err)
		}
		for j, c := range d.Computers {
			parent := c.OU
			if parent == "" {
				parent = "CN=Computers," + dir.BaseDN()
			}
			if c.CollidesWith != "" { // F23: the name the connector will draw first
				// A copy of the connector's stream (same seed, same name),
				// so its own draws are untouched.
				name, err := connector.FirstComputerName(sim.NewStreams(w.seed).Stream("connector/"+c.CollidesWith), "", c.Prefix)
				if err != nil {
					return fmt.Errorf("harness: domain %s: computer colliding with %s: %w", d.Name, c.CollidesWith, err)
				}
				c.Name = name
			}
			if _, err := dir.AddComputer(c.Name, parent); err != nil {
				return w.located(fmt.Sprintf("%s.computers[%d]", path, j), fmt.Errorf("harness: domain %s: computer %s: %w", d.Name, c.Name, err), nil, true)
			}
		}
		// Every DC refuses unicodePwd on an unprotected connection, as AD
		// does (rules-and-ad.md B.2), so the connectors run StartTLS (the
		// real one's session is sealed by Kerberos). The handshakes (resumed
		// sessions, X25519) cost a 1,000-device fleet about 17%; results
		// are the same byte for byte.
		srvTLS, cliTLS, err := dcTLS(dir.DCHostName())
		if err != nil {
			return err
		}
		ctl := &domainCtl{spec: d, netbios: d.NetBIOS, dir: dir, tls: cliTLS,
			srv: mockad.NewServer(dir, mockad.ServerOptions{TLSConfig: srvTLS, RequireSecurePasswordWrites: true, Limits: w.ldapLimits})}
		switch wire {
		case WireLoopback:
			ln, err := listen(w.ldapAddr, i)
			if err != nil {
				return fmt.Errorf("harness: DC of %s: listen: %w", d.Name, err)
			}
			addr := dialable(ln.Addr())
			ctl.ln, ctl.addr, ctl.dial = ln, addr, transport.TCPDialer(addr)
		default:
			// glauth's loop runs as a coroutine of each client
			// (mockad.Server.DialInline), not on a listener's goroutines.
			ctl.addr, ctl.dial = "pipe:dc."+d.Name, ctl.srv.DialInline
		}
		w.st.splitLDAP(ctl, srvTLS, w.ldapLimits)
		if ctl.ln != nil {
			go func() { _ = ctl.srv.Serve(ctl.ln) }()
		}
		w.domains[strings.ToLower(d.Name)] = ctl
	}
	return nil
}

// syncPassword is the password of the harness-made sync account; derived
// from the seed so no wall-clock randomness enters the run.
func syncPassword(seed uint64) string { return fmt.Sprintf("Sync-%016x!", seed) }

func (w *world) dialDomain(domain string) (transport.Dialer, error) {
	d, ok := w.domains[strings.ToLower(domain)]
	if !ok {
		return nil, fmt.Errorf("no domain controller for domain %q", domain)
	}
	return d.dial, nil
}

// buildGraph starts mockgraph on the chosen wire.
func (w *world) buildGraph(wire Wire) error {
	tenantID := w.sc.Tenant.ID
	if tenantID == "" {
		tenantID = sim.GUID(w.streams.Stream("tenant"))
	}
	apps := []mockgraph.App{harnessApp}
	for _, a := range w.sc.Tenant.Apps {
		apps = append(apps, mockgraph.App{ClientID: a.ClientID, ClientSecret: a.ClientSecret, DisplayName: a.Name, Roles: a.Roles, Certificates: a.Certificates})
	}
	t := w.sc.Timings
	g, err := mockgraph.New(mockgraph.Config{
		Clock: w.sched, Rand: w.streams.Stream("graph"), TenantID: tenantID, TenantDomain: w.sc.Tenant.Domain,
		Apps: apps, ODJMaxRetries: 2, Trace: w.trace, SigningKey: w.signingKey, UnlicensedUsers: unlicensed(w.sc), // F28
		// Faults and throttling of the scenario's graph section (faults.go).
		Faults: graphFaults(w.sc), IntuneThrottling: w.sc.Graph.IntuneThrottling,
		// A lab keeps the newest requests for GET /_private/requests.
		LogRequests: needsRequestLog(w.sc) || w.realTime, RequestLogLimit: labRequestLog(w.realTime), RealTimeLatency: w.realTime,
		TokenClockScale: w.tokenClockScale(), Intercept: w.st.intercept(), TokenIDsApart: w.st != nil,
		Conversion: mockgraph.ConversionOptions{NewEntraObject: w.sc.Tenant.Conversion.NewEntraObject,
			WinningProfileOnly: w.sc.Tenant.Conversion.WinningProfileOnly},
		Delays: mockgraph.Delays{ImportProcessing: t.ImportProcessing.D(), GroupEvaluation: t.GroupEvaluation.D(), ProfileAssignment: t.ProfileAssignment.D(),
			ConversionMin: t.ConversionMin.D(), ConversionMax: t.ConversionMax.D()},
	})
	if err != nil {
		return fmt.Errorf("harness: mockgraph: %w", err)
	}
	w.graph = g
	switch wire {
	case WireLoopback:
		ln, err := listen(w.graphAddr, 0)
		if err != nil {
			return fmt.Errorf("harness: mockgraph: listen: %w", err)
		}
		// Timeouts, header and connection caps: a lab may face a
		// classroom network (mockgraph/limits.go).
		srv := w.graphLimits.HTTPServer(g.Handler())
		ln = w.graphLimits.Listener(ln)
		tr := &http.Transport{MaxIdleConnsPerHost: 64}
		scheme := "http://"
		if w.graphTLS {
			// A lab for clients that insist on https (azidentity's
			// authority host): a self-signed certificate for loopback.
			cfg, cert, err := selfSigned([]string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback})
			if err != nil {
				_ = ln.Close()
				return fmt.Errorf("harness: mockgraph: %w", err)
			}
			ln = tls.NewListener(ln, cfg)
			tr.TLSClientConfig = clientFor(cert, "")
			w.graphCert, scheme = certPEM(cert), "https://"
		}
		go func() { _ = srv.Serve(ln) }()
		w.httpClient = &http.Client{Transport: w.st.mark(tr)}
		w.graphURL = scheme + dialable(ln.Addr())
		w.stopHTTP = func() { tr.CloseIdleConnections(); _ = srv.Close() }
		w.internalURL = w.graphURL
		if w.realTime {
			// A lab's own systems (devices, connectors, sync, the admin
			// script) reach the same handler over the in-memory wire: HTTP
			// on the wire all the same, without a socket's system calls,
			// which were half of a replay's time. The port is for clients.
			pipe, stopPipe := transport.ServeHTTPMemory(g.Handler())
			stopTCP := w.stopHTTP
			w.httpClient = &http.Client{Transport: w.st.mark(pipe.Transport)}
			w.internalURL = "http://graph.local"
			w.stopHTTP = func() { stopPipe(); stopTCP() }
		}
	default:
		w.httpClient, w.stopHTTP = transport.ServeHTTPMemory(g.Handler())
		w.graphURL = "http://graph.local"
		w.internalURL = w.graphURL
	}
	w.admin = &admin{client: w.httpClient, base: w.internalURL, tenant: tenantID, clientID: harnessApp.ClientID, secret: harnessApp.ClientSecret}
	return nil
}

// buildConnectors creates an MSA per connector in its domain and starts the
// connector service shortly before T0 (heartbeat first, so it is Active).
func (w *world) buildConnectors() error {
	w.connectors = map[string]*connector.Connector{}
	for i, c := range w.sc.Environment.Connectors {
		dom, ok := w.domains[strings.ToLower(c.Domain)]
		if !ok {
			return fmt.Errorf("harness: connector %s: unknown domain %q", c.Name, c.Domain)
		}
		password := fmt.Sprintf("Msa-%d-%016x!", i, w.streams.Stream("msa/"+c.Name).Uint64())
		if _, err := dom.dir.AddServiceAccount(c.Identity, password); err != nil {
			return fmt.Errorf("harness: connector %s: service account %s: %w", c.Name, c.Identity, err)
		}
		// Installation: the connector's id (the first draw of its stream,
		// as connector.New would draw it) and the credential the service
		// issues it, which it presents on the connector channel.
		rnd := w.streams.Stream("connector/" + c.Name)
		id := sim.GUID(rnd)
		cred, err := w.graph.InstallConnector(id, c.Domain)
		if err != nil {
			return fmt.Errorf("harness: connector %s: %w", c.Name, err)
		}
		conn, err := connector.New(connector.Config{
			Name: c.Name, Domain: c.Domain, NetBIOS: dom.netbios, Version: c.Version,
			Identity: c.Identity, Password: password, ID: id, Credential: cred,
			Clock: w.sched, Rand: rnd,
			HTTP: w.httpClient, GraphURL: w.internalURL, DialLDAP: dom.dial, LDAPTLS: dom.tls,
			PickupLatency: c.PickupLatency.D(), ClaimBatch: c.ClaimBatch, Heartbeat: c.Heartbeat.D(), Trace: w.trace,
			OnlyReadOnlyDC: c.ReadOnlyDC, ProxyUnset: c.ProxyUnset, // F41, F21
		})
		if err != nil {
			return fmt.Errorf("harness: connector %s: %w", c.Name, err)
		}
		w.connectors[c.Name] = conn
		w.connOrder = append(w.connOrder, c.Name)
		if !c.Down {
			start := -2 * c.Heartbeat.D()
			w.schedule(start, "harness", "connector start", func() error { conn.Start(); return nil })
		}
	}
	return nil
}

// trusteeFor resolves a delegation trustee: a connector name means that
// connector's MSA.
func (w *world) trusteeFor(t string) string {
	for _, c := range w.sc.Environment.Connectors {
		if strings.EqualFold(c.Name, t) {
			return c.Identity + "$"
		}
	}
	return t
}

func (w *world) delegation(d scenarios.Delegation) mockad.Delegation {
	return mockad.Delegation{Trustee: w.trusteeFor(d.Trustee), OU: d.OU, Right: d.Right, AppliesTo: d.AppliesTo}
}

func (w *world) grantDelegations() error {
	for i, d := range w.sc.Environment.Domains {
		dom := w.domains[strings.ToLower(d.Name)]
		for j, del := range d.Delegations {
			if err := dom.dir.Grant(w.delegation(del)); err != nil {
				return w.located(fmt.Sprintf("environment.domains[%d].delegations[%d]", i, j),
					fmt.Errorf("harness: domain %s: delegation on %s: %w", d.Name, del.OU, err), nil, true)
			}
		}
	}
	return nil
}

// entraConnect is one Entra Connect server syncing every domain of the
// forest: one entrasync.Sync (one AD connector space) per domain, sharing
// the interval and scope settings (a real server has one connector per
// domain and runs them in one cycle; seed 000 "Requirements": the device OU
// must be in sync scope).
type entraConnect struct {
	perDomain []*entrasync.Sync // scenario domain order
}

// RunCycle runs one cycle for every domain, in scenario order (syncNow).
// The first failure is returned after every domain has had its cycle.
func (e *entraConnect) RunCycle() (entrasync.CycleReport, error) {
	var first error
	var last entrasync.CycleReport
	for _, s := range e.perDomain {
		rep, err := s.RunCycle()
		last = rep
		if err != nil && first == nil {
			first = err
		}
	}
	return last, first
}

// buildSync starts Entra Connect: one sync per declared domain. A scope OU
// belongs to the domain whose naming context its DN ends with; a domain
// with no scope OU while scope is set is not synced (out of scope), and
// with no scope at all every domain is synced whole.
func (w *world) buildSync() error {
	ec := w.sc.Environment.EntraConnect
	if ec.Disabled || len(w.sc.Environment.Domains) == 0 {
		return nil
	}
	e := &entraConnect{}
	for _, d := range w.sc.Environment.Domains {
		dom := w.domains[strings.ToLower(d.Name)]
		var scope []string
		for _, ou := range ec.Scope {
			if w.scopeDomain(ou) == strings.ToLower(d.Name) {
				scope = append(scope, ou)
			}
		}
		if len(ec.Scope) > 0 && len(scope) == 0 {
			continue // nothing of this domain is in scope
		}
		s, err := entrasync.New(entrasync.Config{
			Domain: d.Name, NetBIOS: dom.netbios, BindUser: syncAccount, BindPassword: syncPassword(w.seed),
			Scope: scope, Interval: ec.Interval.D(),
			FirstCycle: ec.Offset.D() + w.sc.Timings.SetupLead.D(),
			Clock:      w.sched, HTTP: w.httpClient, GraphURL: w.internalURL, DialLDAP: dom.dial, Trace: w.trace,
			// The sync account Entra Connect's installation creates in the
			// tenant (PRIVATE_API.md "Authentication").
			Credential: w.graph.IssueSyncCredential("Sync_" + syncAccount + "_" + d.NetBIOS),
		})
		if err != nil {
			return fmt.Errorf("harness: Entra Connect: domain %s: %w", d.Name, err)
		}
		e.perDomain = append(e.perDomain, s)
	}
	if len(e.perDomain) == 0 {
		return fmt.Errorf("harness: Entra Connect: no scope OU lies in a declared domain")
	}
	w.sync = e
	for _, s := range e.perDomain {
		s.Start()
	}
	return nil
}

// scopeDomain is the lower-case name of the declared domain a scope OU
// belongs to: the one with the longest naming context ending its DN (so an
// OU of corp.contoso.com is not also given to contoso.com); "" for none.
func (w *world) scopeDomain(dn string) string {
	best := ""
	for _, d := range w.sc.Environment.Domains {
		if n := strings.ToLower(d.Name); dnInDomain(dn, n) && len(n) > len(best) {
			best = n
		}
	}
	return best
}

// dnInDomain reports whether dn lies in the naming context of the DNS
// domain (its DC= components, case-insensitively, end the DN).
func dnInDomain(dn, domain string) bool {
	var dcs []string
	for _, l := range strings.Split(strings.TrimSuffix(domain, "."), ".") {
		dcs = append(dcs, "dc="+strings.ToLower(l))
	}
	nc := strings.Join(dcs, ",")
	var parts []string
	for _, p := range strings.Split(dn, ",") {
		parts = append(parts, strings.ToLower(strings.TrimSpace(p)))
	}
	norm := strings.Join(parts, ",")
	return norm == nc || strings.HasSuffix(norm, ","+nc)
}
