package labstate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Record kinds.
const (
	KindMeta  = "meta"
	KindGraph = "graph"
	KindLDAP  = "ldap"
	KindLab   = "lab"
	KindClock = "clock"
)

// Record is one journaled change: what came in and when (virtual time),
// with what it answered so a replay can tell when it diverges.
type Record struct {
	Kind  string      `json:"kind"`
	At    time.Time   `json:"at"`
	Meta  *Meta       `json:"meta,omitempty"`
	Graph *GraphWrite `json:"graph,omitempty"`
	LDAP  *LDAPWrite  `json:"ldap,omitempty"`
	Lab   *LabOp      `json:"lab,omitempty"`
	Clock *Clock      `json:"clock,omitempty"`
}

// Meta identifies the world a journal belongs to: the first record.
type Meta struct {
	Scenario       string    `json:"scenario"`
	ScenarioSHA256 string    `json:"scenarioSHA256"`
	Seed           uint64    `json:"seed"`
	Start          time.Time `json:"start"` // T0
	// Options are the serve flags that shape the world (faults,
	// throttling), as text, compared on restart.
	Options string `json:"options,omitempty"`
	// SigningKey is mockgraph's token key (PKCS#8 DER), so tokens issued
	// before a restart verify in the replay and after it.
	SigningKey []byte    `json:"signingKey"`
	Created    time.Time `json:"created"` // wall clock, for people
}

// GraphWrite is a Graph request that changed the tenant (2xx).
type GraphWrite struct {
	Method string              `json:"method"`
	URI    string              `json:"uri"`
	Header map[string][]string `json:"header,omitempty"`
	Body   []byte              `json:"body,omitempty"`
	Status int                 `json:"status"`
	ID     string              `json:"id,omitempty"` // the answer's "id", when it has one
}

// LDAPWrite is an LDAP write to a domain's DC.
type LDAPWrite struct {
	Domain      string       `json:"domain"`
	Op          string       `json:"op"` // add, modify, delete, modifyDN
	By          string       `json:"by,omitempty"`
	Secure      bool         `json:"secure,omitempty"`
	DN          string       `json:"dn"`
	Attrs       []LDAPAttr   `json:"attrs,omitempty"`
	Changes     []LDAPChange `json:"changes,omitempty"`
	NewRDN      string       `json:"newRDN,omitempty"`
	DeleteOld   bool         `json:"deleteOld,omitempty"`
	NewSuperior string       `json:"newSuperior,omitempty"`
	Code        int          `json:"code"`
}

// LDAPAttr is an attribute of an add.
type LDAPAttr struct {
	Name   string   `json:"name"`
	Values []string `json:"values,omitempty"`
}

// LDAPChange is one change of a modify (op: 0 add, 1 delete, 2 replace).
type LDAPChange struct {
	Op     int      `json:"op"`
	Name   string   `json:"name"`
	Values []string `json:"values,omitempty"`
}

// LabOp is an operation of the lab's control API.
type LabOp struct {
	Op     string          `json:"op"` // powerOn, reset, addDevice, connector
	Serial string          `json:"serial,omitempty"`
	Name   string          `json:"name,omitempty"`
	Up     bool            `json:"up,omitempty"`
	Device json.RawMessage `json:"device,omitempty"` // addDevice: harness.NewDevice
}

// Clock is where the lab's clock stands after a change (pause, resume,
// speed, advance) or a checkpoint: a restart resumes from the last one.
type Clock struct {
	Op     string  `json:"op"` // pause, resume, speed, advance, checkpoint
	Speed  float64 `json:"speed"`
	Paused bool    `json:"paused,omitempty"`
}

var (
	labOps   = map[string]bool{"powerOn": true, "reset": true, "addDevice": true, "connector": true}
	clockOps = map[string]bool{"pause": true, "resume": true, "speed": true, "advance": true, "checkpoint": true}
	ldapOps  = map[string]bool{"add": true, "modify": true, "delete": true, "modifyDN": true}
)

// Encode marshals a valid record.
func (r Record) Encode() ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("labstate: encode %s record: %w", r.Kind, err)
	}
	if len(b) > MaxRecord {
		return nil, fmt.Errorf("labstate: %s record of %d bytes is over the %d-byte bound", r.Kind, len(b), MaxRecord)
	}
	return b, nil
}

// DecodeRecord parses and validates one record's payload.
func DecodeRecord(b []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("%w: record: %v", ErrCorrupt, err)
	}
	if dec.More() {
		return Record{}, fmt.Errorf("%w: record: data after the JSON value", ErrCorrupt)
	}
	if err := r.Validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Validate checks that a record has the fields its kind needs.
func (r Record) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s record: %s", ErrCorrupt, r.Kind, fmt.Sprintf(format, a...))
	}
	if r.At.IsZero() {
		return bad("no time (at)")
	}
	set := 0
	for _, p := range []bool{r.Meta != nil, r.Graph != nil, r.LDAP != nil, r.Lab != nil, r.Clock != nil} {
		if p {
			set++
		}
	}
	if set != 1 {
		return bad("%d payloads, want exactly one", set)
	}
	switch r.Kind {
	case KindMeta:
		if r.Meta == nil {
			return bad("no meta")
		}
		if r.Meta.Scenario == "" || len(r.Meta.ScenarioSHA256) != 64 || r.Meta.Start.IsZero() || len(r.Meta.SigningKey) == 0 {
			return bad("scenario, scenarioSHA256 (64 hex digits), start and signingKey are required")
		}
	case KindGraph:
		g := r.Graph
		if g == nil {
			return bad("no graph")
		}
		switch g.Method {
		case "POST", "PATCH", "PUT", "DELETE":
		default:
			return bad("method %q is not a write", g.Method)
		}
		if !strings.HasPrefix(g.URI, "/") {
			return bad("uri %q does not start with /", g.URI)
		}
		// What a lab records is a served request's target, escaped: no
		// white space or control character, and it parses as a request
		// target (RFC 9112 3.2). Replay rebuilds the request from it.
		if strings.ContainsFunc(g.URI, func(c rune) bool { return c <= ' ' || c == 0x7f }) {
			return bad("uri %q holds white space or a control character", g.URI)
		}
		if _, err := url.ParseRequestURI("http://graph.local" + g.URI); err != nil {
			return bad("uri %q is not a request target: %v", g.URI, err)
		}
		if g.Status < 200 || g.Status > 299 {
			return bad("status %d is not a success", g.Status)
		}
	case KindLDAP:
		l := r.LDAP
		if l == nil {
			return bad("no ldap")
		}
		if l.Domain == "" || !ldapOps[l.Op] {
			return bad("domain %q, op %q: want a domain and add, modify, delete or modifyDN", l.Domain, l.Op)
		}
		for _, c := range l.Changes {
			if c.Op < 0 || c.Op > 2 {
				return bad("change op %d, want 0 (add), 1 (delete) or 2 (replace)", c.Op)
			}
		}
	case KindLab:
		if r.Lab == nil || !labOps[r.Lab.Op] {
			return bad("op: want powerOn, reset, addDevice or connector")
		}
		if r.Lab.Op == "addDevice" && len(r.Lab.Device) == 0 {
			return bad("addDevice without a device")
		}
	case KindClock:
		if r.Clock == nil || !clockOps[r.Clock.Op] {
			return bad("op: want pause, resume, speed, advance or checkpoint")
		}
		if !(r.Clock.Speed > 0) || r.Clock.Speed > 1e9 {
			return bad("speed %v: want a number above 0", r.Clock.Speed)
		}
	default:
		return fmt.Errorf("%w: record kind %q (want meta, graph, ldap, lab or clock)", ErrCorrupt, r.Kind)
	}
	return nil
}
