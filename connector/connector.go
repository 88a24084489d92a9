package connector

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/autopilotsim/autopilotsim/internal/strpack"
	"github.com/autopilotsim/autopilotsim/ldapclient"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

// Defaults for zero Config values.
const (
	// DefaultPickupLatency: no poll interval is documented (UNCERTAIN, S39,
	// §6.1); 30 s matches the scenario schema's default.
	DefaultPickupLatency = 30 * time.Second
	// DefaultHeartbeat: well inside the 1 h after which the service shows
	// the connector in state "error" (S27); 5 min matches the scenario
	// schema's default. The real interval is not documented.
	DefaultHeartbeat = 5 * time.Minute
	// DefaultVersion is the minimum supported updated connector ([DOC] S2).
	DefaultVersion = "6.2501.2000.5"
	// DefaultIOTimeout bounds one LDAP or HTTP exchange in wall time. It is
	// a guard against a hung peer, not simulated behaviour.
	DefaultIOTimeout = 30 * time.Second
	// DefaultClaimBatch is how many requests one claim asks for
	// (PRIVATE_API.md's example). How many ODJ requests a real connector
	// takes per poll is not documented (UNCERTAIN, S39, §6.1): with the
	// default poll a connector serves at most DefaultClaimBatch requests
	// per DefaultPickupLatency, 10 per 30 s. Both are parameters.
	DefaultClaimBatch = 10
)

// Config configures one connector installation.
type Config struct {
	Name, Domain, NetBIOS string // "ODJCONN01", "corp.contoso.com", "CORP"
	Version               string // default DefaultVersion
	// Identity is the MSA's sAMAccountName without the trailing $, e.g.
	// "msaODJ00001"; the connector binds as NETBIOS\Identity$ (S2; the
	// msaODJ naming is UNCERTAIN, rules-and-ad.md B.12.5).
	Identity string
	Password string
	Clock    sim.Clock
	Rand     *rand.Rand // names, passwords, ids
	HTTP     *http.Client
	GraphURL string // base, e.g. "http://graph.local"
	DialLDAP transport.Dialer
	// PickupLatency is how often the connector claims work (UNCERTAIN, S39).
	PickupLatency time.Duration
	// ClaimBatch is how many requests one claim takes at most
	// (UNCERTAIN, S39; 1..1000, default DefaultClaimBatch).
	ClaimBatch int
	Heartbeat  time.Duration
	// RetryOnNameCollision is how many fresh names to try when the add
	// answers entryAlreadyExists (UNCERTAIN, §6.5, F23); 0 fails at once,
	// as NetProvisionComputerAccount does without reuse (NERR_UserExists,
	// S33).
	RetryOnNameCollision int
	// Credential is what the connector got at installation (mockgraph
	// InstallConnector, PRIVATE_API.md "Authentication"): presented as a
	// bearer on every call of the connector channel. Empty: none is sent.
	Credential string
	// AcceptContainerOU passes an OU given as a container (CN=Computers,…)
	// to the DC, which accepts it. Seed 000 "Create and assign a Domain Join
	// profile" lists it as invalid ("a container can't be specified") and
	// F6 says the domain join then fails, but which component refuses it is
	// UNCERTAIN. false (default): the connector refuses it with event 30132
	// (ERROR_INVALID_PARAMETER, [INF]) and the device gets no blob, as the
	// article says; true: the computer is created where the profile said.
	AcceptContainerOU bool
	// OnlyReadOnlyDC: the only DC the connector's server can reach is a
	// read-only DC. NetProvisionComputerAccount needs a writable DC
	// (https://learn.microsoft.com/en-us/windows/win32/api/lmjoin/nf-lmjoin-netprovisioncomputeraccount,
	// F41), so locating one fails with ERROR_NO_SUCH_DOMAIN (1355, [INF])
	// and no computer is created.
	OnlyReadOnlyDC bool
	// ProxyUnset: the server reaches the Internet only through a proxy
	// the connector is not configured for (no WPAD, no defaultProxy in
	// ODJConnectorSvc.exe.config: "Work with existing on-premises proxy
	// servers", https://learn.microsoft.com/en-us/autopilot/autopilot-hybrid-connector-proxy).
	// It cannot reach Intune: no heartbeat, no claim (F10, F21).
	ProxyUnset bool
	Trace      *sim.Trace // optional
	// ID is the connector id in the channel's URLs; default a GUID drawn
	// from Rand at New.
	ID string
	// IOTimeout: see DefaultIOTimeout.
	IOTimeout time.Duration
	// LDAPTLS, when set, makes the connector run StartTLS before binding.
	// The real connector's session is signed and sealed (Kerberos/NTLM
	// through NetProvisionComputerAccount), and AD refuses unicodePwd on an
	// unprotected connection (rules-and-ad.md B.2); StartTLS is our stand-in
	// for that protection. Nil: plain LDAP (a directory that requires
	// protected password writes then refuses the add).
	LDAPTLS *tls.Config
}

// Connector is one running (or stopped) connector service.
type Connector struct {
	cfg        Config
	id         string
	instanceID string
	actor      string
	graph      graphClient

	mu       sync.Mutex
	running  bool
	gen      uint64 // bumps on Start/Stop; stale callbacks see a different value
	hbTimer  sim.Timer
	clmTimer sim.Timer
	events   []Event
	lastFail map[string]int // request id → index in events of its last 30132
	// Consecutive throttled/transient answers of each loop (clock
	// callbacks only), for transport's bounded retry policy.
	hbRetries, clmRetries int
}

// New validates cfg and returns a stopped connector.
func New(cfg Config) (*Connector, error) {
	var missing []string
	for _, f := range []struct {
		name string
		bad  bool
	}{
		{"Name", cfg.Name == ""}, {"Domain", cfg.Domain == ""}, {"NetBIOS", cfg.NetBIOS == ""},
		{"Identity", cfg.Identity == ""}, {"Clock", cfg.Clock == nil}, {"Rand", cfg.Rand == nil},
		{"HTTP", cfg.HTTP == nil}, {"GraphURL", cfg.GraphURL == ""}, {"DialLDAP", cfg.DialLDAP == nil},
	} {
		if f.bad {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("connector: config: missing %s", strings.Join(missing, ", "))
	}
	if cfg.PickupLatency < 0 || cfg.Heartbeat < 0 || cfg.IOTimeout < 0 {
		return nil, fmt.Errorf("connector %s: config: negative duration (pickupLatency %v, heartbeat %v, ioTimeout %v)", cfg.Name, cfg.PickupLatency, cfg.Heartbeat, cfg.IOTimeout)
	}
	if cfg.RetryOnNameCollision < 0 {
		return nil, fmt.Errorf("connector %s: config: negative RetryOnNameCollision %d", cfg.Name, cfg.RetryOnNameCollision)
	}
	if _, err := DomainDN(cfg.Domain); err != nil {
		return nil, fmt.Errorf("connector %s: config: %w", cfg.Name, err)
	}
	if cfg.ClaimBatch < 0 || cfg.ClaimBatch > 1000 {
		return nil, fmt.Errorf("connector %s: config: claimBatch %d out of 1..1000", cfg.Name, cfg.ClaimBatch)
	}
	if cfg.ClaimBatch == 0 {
		cfg.ClaimBatch = DefaultClaimBatch
	}
	if cfg.PickupLatency == 0 {
		cfg.PickupLatency = DefaultPickupLatency
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	if cfg.IOTimeout == 0 {
		cfg.IOTimeout = DefaultIOTimeout
	}
	c := &Connector{
		cfg:      cfg,
		actor:    "connector/" + cfg.Name,
		graph:    graphClient{http: cfg.HTTP, base: strings.TrimSuffix(cfg.GraphURL, "/"), timeout: cfg.IOTimeout, agent: "autopilotsim-connector/" + cfg.Name, credential: cfg.Credential, strs: new(strpack.Arena)},
		lastFail: map[string]int{},
	}
	c.id = cfg.ID
	if c.id == "" {
		c.id = sim.GUID(cfg.Rand)
	}
	c.instanceID = sim.GUID(cfg.Rand)
	return c, nil
}

// ID is the connector id used in the channel's URLs and results.
func (c *Connector) ID() string { return c.id }

// Start starts the service: a heartbeat now and every Heartbeat, a claim
// every PickupLatency. Starting a running connector does nothing.
func (c *Connector) Start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return
	}
	c.running = true
	c.gen++
	gen := c.gen
	c.hbTimer = c.cfg.Clock.AfterFunc(0, c.actor, "heartbeat", func() { c.heartbeat(gen) })
	c.clmTimer = c.cfg.Clock.AfterFunc(c.cfg.PickupLatency, c.actor, "claim", func() { c.claim(gen) })
}

// Stop stops the service (the script's connectorDown): no heartbeats, no
// claims, until Start.
func (c *Connector) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return
	}
	c.running = false
	c.gen++
	if c.hbTimer != nil {
		c.hbTimer.Stop()
	}
	if c.clmTimer != nil {
		c.clmTimer.Stop()
	}
}

// Running reports whether the service is started.
func (c *Connector) Running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.running
}

// Events returns the connector's event log, in order.
func (c *Connector) Events() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Event, len(c.events))
	for i, e := range c.events {
		out[i] = c.rendered(e)
	}
	return out
}

// rendered is e with its payload: the 30120 and 30130 events are logged
// without it and rendered when read.
func (c *Connector) rendered(e Event) Event {
	if e.Payload != "" {
		return e
	}
	var dims map[string]string
	switch e.ID {
	case EventRequestStart:
		dims = map[string]string{
			"RequestId": e.RequestID, "DeviceId": e.DeviceID, "DomainName": c.cfg.Domain,
			"RetryCount": strconv.Itoa(e.retry), "InstanceId": c.instanceID,
		}
	case EventRequestSuccess:
		dims = map[string]string{
			"RequestId": e.RequestID, "DeviceId": e.DeviceID, "DomainName": c.cfg.Domain,
			"ComputerName": e.Computer, "DistinguishedName": e.dn, "InstanceId": c.instanceID,
		}
	default:
		return e
	}
	// A map of strings always marshals; the error is not ignored silently
	// anyway: it becomes the payload, as fail does with its own.
	p, err := infoPayload(e.Name, dims)
	if err != nil {
		p = fmt.Sprintf(`{"error":%q}`, err.Error())
	}
	e.Payload = p
	return e
}

// FailureFor returns the last 30132 event logged for requestID.
func (c *Connector) FailureFor(requestID string) (Event, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.lastFail[requestID]
	if !ok {
		return Event{}, false
	}
	return c.events[i], true
}

func (c *Connector) current(gen uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.running && c.gen == gen
}

func (c *Connector) trace(step, detail string) {
	if c.cfg.Trace != nil {
		c.cfg.Trace.Record(c.cfg.Clock.Now(), c.actor, step, detail)
	}
}

func (c *Connector) log(e Event) {
	e.At = c.cfg.Clock.Now()
	c.mu.Lock()
	c.events = append(c.events, e)
	if e.ID == EventRequestFailure {
		c.lastFail[e.RequestID] = len(c.events) - 1
	}
	c.mu.Unlock()
}

// schedule arms the next heartbeat or claim unless the service was stopped
// meanwhile.
func (c *Connector) schedule(gen uint64, d time.Duration, step string, fn func(uint64)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running || c.gen != gen {
		return
	}
	t := c.cfg.Clock.AfterFunc(d, c.actor, step, func() { fn(gen) })
	if step == "heartbeat" {
		c.hbTimer = t
	} else {
		c.clmTimer = t
	}
}

// nextAfter is when a loop (heartbeat, claim) runs again after answer a:
// its interval, or sooner or later as transport's retry policy says for a
// throttled or transient answer (Retry-After honoured), plus the answer's
// added latency. retries counts the loop's consecutive retries. The real
// connector's retry policy is not documented; the Graph SDK's is used
// ([INF]).
func nextAfter(a transport.Answer, err error, interval time.Duration, retries *int) (time.Duration, string) {
	if err == nil {
		*retries = 0
		return interval + a.Latency, ""
	}
	wait, note, ok := transport.NextRetry(a, *retries)
	if !ok {
		*retries = 0
		return interval + a.Latency, ""
	}
	*retries++
	return wait + a.Latency, "; " + note
}

func (c *Connector) heartbeat(gen uint64) {
	if !c.current(gen) {
		return
	}
	if c.cfg.ProxyUnset {
		c.trace("heartbeat failed", "cannot reach Intune: no proxy configured (WPAD or defaultProxy)")
		c.schedule(gen, c.cfg.Heartbeat, "heartbeat", c.heartbeat)
		return
	}
	ans, err := c.graph.heartbeat(c.id, c.hbRetries, heartbeatBody{DisplayName: c.cfg.Name, Domain: c.cfg.Domain, Version: c.cfg.Version})
	next, retry := nextAfter(ans, err, c.cfg.Heartbeat, &c.hbRetries)
	if err != nil {
		c.trace("heartbeat failed", err.Error()+retry)
	}
	c.schedule(gen, next, "heartbeat", c.heartbeat)
}

func (c *Connector) claim(gen uint64) {
	if !c.current(gen) {
		return
	}
	if c.cfg.ProxyUnset {
		c.schedule(gen, c.cfg.PickupLatency, "claim", c.claim)
		return
	}
	reqs, ans, err := c.graph.claim(c.id, c.clmRetries, c.cfg.ClaimBatch)
	if err != nil || len(reqs) == 0 || ans.Latency == 0 {
		c.claimed(gen, reqs, ans, err)
		return
	}
	// The answer arrives ans.Latency after the claim: the work starts then.
	// The service already holds the requests as inProgress, so they are
	// processed even if the service is stopped meanwhile.
	c.cfg.Clock.AfterFunc(ans.Latency, c.actor, "claim answer", func() {
		ans.Latency = 0
		c.claimed(gen, reqs, ans, nil)
	})
}

// claimed processes a claim's answer and arms the next claim, after the
// pickup latency plus the added latency of the answers taken meanwhile.
func (c *Connector) claimed(gen uint64, reqs []ClaimedRequest, ans transport.Answer, err error) {
	var lag time.Duration
	switch {
	case isNotRegistered(err):
		c.trace("claim refused", "connector not registered yet (no heartbeat accepted)")
	case err != nil:
	default:
		for _, r := range reqs {
			lag += c.process(r)
		}
	}
	next, retry := nextAfter(ans, err, c.cfg.PickupLatency, &c.clmRetries)
	if err != nil && !isNotRegistered(err) {
		c.trace("claim failed", err.Error()+retry)
	}
	c.schedule(gen, next+lag, "claim", c.claim)
}

// process handles one claimed request: provision, log, report. It returns
// the added latency of the result upload's answer.
func (c *Connector) process(r ClaimedRequest) time.Duration {
	c.trace("request", fmt.Sprintf("request %s device %s ou %q prefix %q retry %d", r.ID, r.DeviceID, r.OrganizationalUnit, r.ComputerNameStaticPrefix, r.RetryCount))
	c.log(Event{ID: EventRequestStart, Channel: ChannelOperational, Level: "Information", Name: NameRequestStart, RequestID: r.ID, DeviceID: r.DeviceID, retry: r.RetryCount})
	res := c.provision(r)
	if res.err != nil {
		return c.fail(r, res)
	}
	blob, err := Blob{
		Domain: c.cfg.Domain, NetBIOSDomain: c.cfg.NetBIOS, ComputerName: res.name,
		DistinguishedName: res.dn, MachinePassword: res.password, DCName: res.dcName,
	}.Encode()
	if err != nil {
		return c.fail(r, provisionResult{name: res.name, code: ErrorDSGenericError, err: err})
	}
	c.log(Event{ID: EventRequestSuccess, Channel: ChannelOperational, Level: "Information", Name: NameRequestSuccess, RequestID: r.ID, DeviceID: r.DeviceID, Computer: res.name, dn: res.dn})
	c.trace("computer created", res.dn)
	return c.upload(r, resultBody{ConnectorID: c.id, Success: true, ComputerName: res.name, DistinguishedName: res.dn, Blob: blob}, 0)
}

func (c *Connector) fail(r ClaimedRequest, res provisionResult) time.Duration {
	f := Failure{
		RequestID: r.ID, DeviceID: r.DeviceID, DomainName: c.cfg.Domain, ComputerName: res.name,
		ErrorCode: res.code, RetryCount: r.RetryCount, InstanceID: c.instanceID, Detail: res.err.Error(),
	}
	desc, diag, _ := f.Describe()
	payload, err := FailurePayload(f)
	if err != nil {
		payload = fmt.Sprintf(`{"error":%q}`, err.Error())
	}
	c.log(Event{ID: EventRequestFailure, Channel: ChannelAdmin, Level: "Error", Name: NameRequestFailure, RequestID: r.ID, DeviceID: r.DeviceID, Computer: res.name, Payload: payload, ErrorCode: int(res.code)})
	c.trace("30132", fmt.Sprintf("request %s: Win32 %d: %v", r.ID, res.code, res.err))
	return c.upload(r, resultBody{ConnectorID: c.id, Success: false, ErrorCode: res.code, DiagnosticCode: diag, ErrorDescription: desc}, 0)
}

// upload reports a result (retry: the retries made so far). A throttled or
// transient answer is retried on the clock as transport's policy says; the
// added latency of the answer is returned.
func (c *Connector) upload(r ClaimedRequest, body resultBody, retry int) time.Duration {
	ans, err := c.graph.result(r.ID, retry, body)
	if wait, note, ok := transport.NextRetry(ans, retry); err != nil && ok {
		c.trace("result upload failed", fmt.Sprintf("%v; %s", err, note))
		c.cfg.Clock.AfterFunc(wait+ans.Latency, c.actor, "result upload", func() { c.upload(r, body, retry+1) })
		return ans.Latency
	}
	if err != nil {
		// 409: the service no longer holds the request as inProgress.
		c.trace("result upload failed", err.Error())
		p, _ := infoPayload(NameUploadResult, map[string]string{"RequestId": r.ID, "Error": err.Error(), "InstanceId": c.instanceID})
		c.log(Event{ID: EventUploadResult, Channel: ChannelAdmin, Level: "Warning", Name: NameUploadResult, RequestID: r.ID, DeviceID: r.DeviceID, Payload: p})
	}
	return ans.Latency
}

// provisionResult is the outcome of NetProvisionComputerAccount.
type provisionResult struct {
	name, dn, password, dcName string
	code                       uint32 // Win32, when err != nil
	err                        error
}

// provision is our NetProvisionComputerAccount: locate (dial) the DC, bind
// as the MSA, add the computer; on entryAlreadyExists try up to
// RetryOnNameCollision fresh names.
func (c *Connector) provision(r ClaimedRequest) provisionResult {
	name, err := ComputerName(r.ComputerNameStaticPrefix, c.cfg.Rand)
	if err != nil {
		// NetProvisionComputerAccount refuses a name it cannot use:
		// ERROR_INVALID_COMPUTERNAME [INF].
		return provisionResult{code: ErrorInvalidComputerName, err: err}
	}
	parent, err := ParentDN(r.OrganizationalUnit, c.cfg.Domain)
	if err != nil {
		return provisionResult{name: name, code: ErrorInvalidParameter, err: err}
	}
	if !c.cfg.AcceptContainerOU && IsContainerOU(r.OrganizationalUnit) {
		return provisionResult{name: name, code: ErrorInvalidParameter,
			err: fmt.Errorf("connector: organizational unit %q is a container, which can't be specified (seed 000 \"Create and assign a Domain Join profile\")", r.OrganizationalUnit)}
	}
	if c.cfg.OnlyReadOnlyDC {
		return provisionResult{name: name, code: ErrorNoSuchDomain,
			err: fmt.Errorf("connector: locate a writable DC for %s: only a read-only DC is reachable (NetProvisionComputerAccount needs a writable DC)", c.cfg.Domain)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.IOTimeout)
	defer cancel()
	nc, err := c.cfg.DialLDAP(ctx)
	if err != nil {
		// No DC reachable: DsGetDcName fails with ERROR_NO_SUCH_DOMAIN
		// (1355), which is what `nltest /dsgetdc` shows when no DC answers
		// (techcommunity AskDS "Domain join and basic troubleshooting");
		// NetProvisionComputerAccount locates a writable DC first (S33,
		// F41). [INF]
		return provisionResult{name: name, code: ErrorNoSuchDomain, err: fmt.Errorf("connector: locate DC for %s: %w", c.cfg.Domain, err)}
	}
	l := ldapclient.New(nc)
	l.SetTimeout(c.cfg.IOTimeout)
	defer l.Close()

	if c.cfg.LDAPTLS != nil {
		if err := l.StartTLS(c.cfg.LDAPTLS); err != nil {
			return provisionResult{name: name, code: Win32FromLDAPError(err), err: fmt.Errorf("connector: StartTLS with the DC: %w", err)}
		}
	}
	bindName := c.cfg.NetBIOS + `\` + c.cfg.Identity + "$"
	if err := l.Bind(bindName, c.cfg.Password); err != nil {
		return provisionResult{name: name, code: Win32FromLDAPError(err), err: fmt.Errorf("connector: bind as %s: %w", bindName, err)}
	}
	password := MachinePassword(c.cfg.Rand)
	for attempt := 0; ; attempt++ {
		dn := ComputerDN(name, parent)
		add := ldap.NewAddRequest(dn, nil)
		for _, a := range ComputerAttributes(name, c.cfg.Domain, password) {
			add.Attribute(a.Type, a.Values)
		}
		err := l.Add(add)
		if err == nil {
			return provisionResult{name: name, dn: dn, password: password, dcName: c.dcName(l)}
		}
		if ldap.IsErrorWithCode(err, ldap.LDAPResultEntryAlreadyExists) && attempt < c.cfg.RetryOnNameCollision {
			c.trace("name collision", fmt.Sprintf("%s exists; trying another name (%d/%d)", dn, attempt+1, c.cfg.RetryOnNameCollision))
			if name, err = ComputerName(r.ComputerNameStaticPrefix, c.cfg.Rand); err != nil {
				return provisionResult{code: ErrorInvalidComputerName, err: err}
			}
			continue
		}
		return provisionResult{name: name, dn: dn, code: Win32FromLDAPError(err), err: fmt.Errorf("connector: add %q: %w", dn, err)}
	}
}

// dcName reads the DC's DNS name from the rootDSE (rules-and-ad.md B.7). It
// runs after the add, so a directory without a rootDSE cannot break the
// provisioning; the blob then carries an empty dcName and the trace says why.
func (c *Connector) dcName(l *ldapclient.Conn) string {
	res, err := l.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{"dnsHostName"}, nil))
	if err != nil || len(res.Entries) == 0 {
		c.trace("rootDSE", fmt.Sprintf("no dnsHostName (%v); blob dcName left empty", err))
		return ""
	}
	return res.Entries[0].GetAttributeValue("dnsHostName")
}

// Win32FromLDAPError maps an error from the LDAP client (ldapclient, which
// reports go-ldap's *ldap.Error) to the Win32 code the connector reports
// (Win32Error); errors that are not LDAP results (a broken connection)
// count as LDAP_SERVER_DOWN.
func Win32FromLDAPError(err error) uint32 {
	var le *ldap.Error
	if errors.As(err, &le) {
		diag := ""
		if le.Err != nil {
			diag = le.Err.Error()
		}
		return Win32Error(le.ResultCode, diag)
	}
	return LdapToWin32(ldapServerDown)
}
