package check

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"fmt"
	"github.com/autopilotsim/autopilotsim/results"
	"hash/fnv"
	"runtime"
	"strings"
	"sync"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// TranslateFunc turns a configuration into the simulation's tenant
// (tenantconfig.Translate). Group members come back as device serials.
type TranslateFunc func(*tenantconfig.Config) (scenarios.Tenant, []tenantconfig.Note)

// Outcome values beyond the simulator's (hybridJoined, entraJoined,
// domainJoinedNotRegistered, failed, notAutopilot, pending).
const (
	// OutcomeNotSimulated: the configuration could not be turned into a
	// runnable world (e.g. a prefix the simulator refuses); Reason says why.
	OutcomeNotSimulated = "notSimulated"
)

// CohortResult is what one cohort's device went through.
type CohortResult struct {
	Key    string `json:"key"`
	Cohort Cohort `json:"cohort"`
	Seed   uint64 `json:"seed"`
	// Outcome is the simulator's (hybridJoined, failed, …) or notSimulated.
	Outcome     string `json:"outcome"`
	FailedStage string `json:"failedStage,omitempty"`
	ErrorCode   string `json:"errorCode,omitempty"`
	// Reason says in words why the device ended where it did.
	Reason  string `json:"reason,omitempty"`
	Profile string `json:"profile,omitempty"` // deployment profile received
	OU      string `json:"ou,omitempty"`      // DN of the computer account, when one was made
	// World is the cohort's whole simulated run (its device's timeline,
	// explanation, Windows events and dsregcmd state), for the HTML report
	// (Report.Run); not part of check.json, which stays short.
	World *results.ScenarioResult `json:"-"`
}

// SimOptions control Simulate.
type SimOptions struct {
	Seed      uint64        // base seed; each cohort's seed derives from it and the cohort's key
	Parallel  int           // cohorts simulated at once; <= 0 means GOMAXPROCS
	Translate TranslateFunc // nil: tenantconfig.Translate
	// SigningKey is shared by every cohort's mockgraph; nil generates one
	// per Simulate call. Tokens are in no result, so sharing changes
	// nothing but the time.
	SigningKey *rsa.PrivateKey
}

// cohortSeed derives a cohort's seed from the base seed and its key
// (FNV-1a), so a cohort's run does not depend on which other cohorts run.
func cohortSeed(base uint64, key string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], base)
	h.Write(b[:])
	h.Write([]byte(key))
	s := h.Sum64()
	if s == 0 {
		s = 1
	}
	return s
}

// SignInUser picks the AD user who signs in on a cohort's device (the
// first Windows sign-in needs an AD account, and the Entra sign-in uses
// the same synced user): the first user, in file order, of the domain
// that the Domain Join profile reaching the cohort joins; when none
// reaches it, the first user of the first domain that has users.
func SignInUser(env scenarios.Environment, domain string) (upn, sam string, ok bool) {
	pick := func(d scenarios.Domain) (string, string, bool) {
		if len(d.Users) == 0 {
			return "", "", false
		}
		u := d.Users[0]
		if u.UPN == "" {
			u.UPN = u.SAMAccountName + "@" + d.Name
		}
		return u.UPN, u.SAMAccountName, true
	}
	for _, d := range env.Domains {
		if domain != "" && strings.EqualFold(d.Name, domain) {
			if upn, sam, ok := pick(d); ok {
				return upn, sam, true
			}
		}
	}
	for _, d := range env.Domains {
		if upn, sam, ok := pick(d); ok {
			return upn, sam, true
		}
	}
	return "", "", false
}

// Simulate runs every cohort through the whole flow, one small world per
// cohort, opts.Parallel at a time. Results are in cohort-key order and do
// not depend on Parallel.
func Simulate(cfg *tenantconfig.Config, env scenarios.Environment, cohorts []Cohort, opts SimOptions) ([]CohortResult, error) {
	if opts.Translate == nil {
		opts.Translate = tenantconfig.Translate
	}
	if _, _, ok := SignInUser(env, ""); !ok {
		return nil, &InvalidInputError{What: "environment", Err: fmt.Errorf("no AD user: the simulated devices need one for the first Windows sign-in; add a user to a domain's users")}
	}
	if opts.SigningKey == nil {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("check: signing key: %w", err)
		}
		opts.SigningKey = key
	}
	cs := append([]Cohort(nil), cohorts...)
	sortCohorts(cs)
	// The reach questions use lintCtx's caches, which are not safe for
	// concurrent use: answer them all before the workers start.
	lc := newLintCtx(cfg, env, "", nil)
	domains := make([]string, len(cs))
	for i, c := range cs {
		domains[i] = lc.cohortDomain(c)
	}
	// One translation serves every cohort: only the groups' member lists
	// differ between cohorts, and simulateOne copies those.
	tenant, _ := opts.Translate(cfg)
	out := make([]CohortResult, len(cs))
	par := opts.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < par; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = simulateOne(tenant, env, cs[i], domains[i], opts)
			}
		}()
	}
	for i := range cs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, nil
}

// cohortDomain is the domain of the first Domain Join profile (by ID) that
// reaches the cohort's identity, or "".
func (c *lintCtx) cohortDomain(co Cohort) string {
	for _, p := range c.probes {
		if strings.EqualFold(p.tag, co.Tag) && strings.EqualFold(p.po, co.PurchaseOrder) && (co.Serial == "" || p.serial == co.Serial) {
			for _, dj := range c.cfg.DomainJoinProfiles {
				if c.reaches(dj.Assignments, p) {
					return dj.Domain
				}
			}
			return ""
		}
	}
	return ""
}

// simulateOne builds and runs one cohort's world: the environment, the
// translated tenant and one device with the cohort's identity, location
// and VPN.
func simulateOne(shared scenarios.Tenant, env scenarios.Environment, co Cohort, domain string, opts SimOptions) CohortResult {
	key := co.Key()
	seed := cohortSeed(opts.Seed, key)
	res := CohortResult{Key: key, Cohort: co, Seed: seed}
	tenant := cloneTenant(shared)
	serial := co.Serial
	if serial == "" {
		serial = fmt.Sprintf("CHK%012X", seed&0xFFFFFFFFFFFF)
	}
	// Only this device exists in the cohort's world: assigned groups keep
	// it when they list it and no one else.
	for i := range tenant.Groups {
		var keep []string
		for _, m := range tenant.Groups[i].Members {
			if strings.EqualFold(m, serial) {
				keep = append(keep, m)
			}
		}
		tenant.Groups[i].Members = keep
	}
	upn, sam, _ := SignInUser(env, domain)
	sc := &scenarios.Scenario{
		Name: "cohort " + key, File: "cohort:" + key, Seed: &seed,
		Environment: cloneEnv(env), Tenant: tenant,
		Devices: []scenarios.DeviceSpec{{Serial: serial, GroupTag: co.Tag, PurchaseOrderID: co.PurchaseOrder,
			Location: co.Location, VPN: co.VPN, User: upn, ADUser: sam}},
		Expect: []scenarios.Expectation{{Devices: "all", Outcome: "hybridJoined"}},
	}
	sc.WithDefaults()
	if err := sc.Validate(); err != nil {
		res.Outcome, res.Reason = OutcomeNotSimulated, "the configuration cannot be simulated: "+oneLine(err.Error())
		return res
	}
	r := harness.Run(sc, harness.Options{Seed: &seed, SigningKey: opts.SigningKey})
	if r.Error != "" || len(r.Devices) != 1 {
		res.Outcome, res.Reason = OutcomeNotSimulated, "the simulation failed: "+oneLine(r.Error)
		return res
	}
	res.World = &r
	d := r.Devices[0]
	res.Outcome, res.FailedStage, res.ErrorCode, res.Profile = d.Outcome, d.FailedStage, d.ErrorCode, d.Profile
	res.Reason = d.Detail
	if d.DistinguishedName != "" {
		res.OU = parentDN(d.DistinguishedName)
	}
	if res.Reason == "" {
		res.Reason = outcomeWords(d.Outcome)
	}
	return res
}

func parentDN(dn string) string {
	// The first unescaped comma ends the computer's own RDN.
	for i := 0; i < len(dn); i++ {
		if dn[i] == '\\' {
			i++
			continue
		}
		if dn[i] == ',' {
			return dn[i+1:]
		}
	}
	return ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func outcomeWords(o string) string {
	switch o {
	case "hybridJoined":
		return "joined the domain and registered in Entra (hybrid joined)"
	case "entraJoined":
		return "Entra joined instead of hybrid joined (an Entra join profile reached it)"
	case "domainJoinedNotRegistered":
		return "joined the domain but never registered in Entra"
	case "notAutopilot":
		return "got no Autopilot profile: ran the standard out-of-box experience"
	case "pending":
		return "still in progress when the simulation ended"
	}
	return o
}

// cloneTenant copies the tenant's lists, so that one cohort's world may
// change them (WithDefaults fills elements in place; member lists are
// filtered per cohort) while other cohorts run on the same translation.
func cloneTenant(t scenarios.Tenant) scenarios.Tenant {
	t.Users = append([]scenarios.EntraUser(nil), t.Users...)
	t.Groups = append([]scenarios.Group(nil), t.Groups...)
	t.DeploymentProfiles = append([]scenarios.DeploymentProfile(nil), t.DeploymentProfiles...)
	t.DomainJoinProfiles = append([]scenarios.DomainJoinProfile(nil), t.DomainJoinProfiles...)
	t.ESP = append([]scenarios.ESPProfile(nil), t.ESP...)
	t.Apps = append([]scenarios.AppRegistration(nil), t.Apps...)
	return t
}
