package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"

	"github.com/autopilotsim/autopilotsim/labstate"
	"github.com/autopilotsim/autopilotsim/mockad"
)

// replay applies a journal's records in virtual time: the clock runs to
// each record's time (the simulated systems do what they did), then the
// record's change is made again and its answer compared with the one
// recorded. It returns the last clock record (nil: none).
func (l *Lab) replay(recs []labstate.Record) (*labstate.Clock, error) {
	w := l.w
	var clock *labstate.Clock
	for i, r := range recs {
		if r.Kind == labstate.KindMeta {
			continue
		}
		if prev := recs[max(i-1, 0)].At; r.At.Sub(prev) > checkpointEvery {
			// Checked before running the clock there: a replay runs every
			// event on the way, so a far time would run for hours.
			return nil, fmt.Errorf("harness: state: record %d of %d (%s at %s) comes more than %s after record %d (at %s); a lab journals its clock every %s of lab time, so the journal is damaged or was edited (start the lab with another --state-dir, or reset this one: autopilotsim lab snapshot reset --state-dir DIR)",
				i+1, len(recs), r.Kind, r.At.Format("2006-01-02T15:04:05.000Z"), checkpointEvery, i, prev.Format("2006-01-02T15:04:05.000Z"), checkpointEvery)
		}
		if err := w.sched.Run(r.At); err != nil {
			return nil, fmt.Errorf("harness: state: replay to record %d: %w", i+1, err)
		}
		if err := l.apply(r); err != nil {
			return nil, fmt.Errorf("harness: state: record %d of %d (%s at %s) diverges: %w; the journal does not fit this scenario and build (start the lab with another --state-dir, or reset this one: autopilotsim lab snapshot reset --state-dir DIR)",
				i+1, len(recs), r.Kind, r.At.Format("2006-01-02T15:04:05.000Z"), err)
		}
		if r.Clock != nil {
			clock = r.Clock
		}
	}
	return clock, nil
}

// apply makes one record's change again. A record comes through
// labstate's Validate, which refuses a Graph target httptest.NewRequest
// could not parse (lab's FuzzReplayRecord drives both).
func (l *Lab) apply(r labstate.Record) error {
	w := l.w
	switch r.Kind {
	case labstate.KindGraph:
		g := r.Graph
		req := httptest.NewRequest(g.Method, "http://graph.local"+g.URI, bytes.NewReader(g.Body))
		for k, v := range g.Header {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		w.graph.ServeReplay(rec, req)
		if rec.Code != g.Status {
			return fmt.Errorf("%s %s answered %d, recorded %d (%.200s)", g.Method, g.URI, rec.Code, g.Status, rec.Body.String())
		}
		if g.ID != "" {
			var out struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &out)
			if out.ID != g.ID {
				return fmt.Errorf("%s %s created id %q, recorded %q", g.Method, g.URI, out.ID, g.ID)
			}
		}
	case labstate.KindLDAP:
		d, ok := w.domains[lower(r.LDAP.Domain)]
		if !ok {
			return fmt.Errorf("no domain %q", r.LDAP.Domain)
		}
		op := mockad.WriteOp{Op: r.LDAP.Op, By: r.LDAP.By, Secure: r.LDAP.Secure, DN: r.LDAP.DN, NewRDN: r.LDAP.NewRDN,
			DeleteOld: r.LDAP.DeleteOld, NewSuperior: r.LDAP.NewSuperior}
		for _, a := range r.LDAP.Attrs {
			op.Attrs = append(op.Attrs, mockad.WriteAttr{Name: a.Name, Values: a.Values})
		}
		for _, c := range r.LDAP.Changes {
			op.Changes = append(op.Changes, mockad.WriteChange{Op: c.Op, Name: c.Name, Values: c.Values})
		}
		code, err := d.dir.Apply(op)
		if err != nil {
			return err
		}
		if code != r.LDAP.Code {
			return fmt.Errorf("LDAP %s %s answered %d, recorded %d", op.Op, op.DN, code, r.LDAP.Code)
		}
	case labstate.KindLab:
		switch o := r.Lab; o.Op {
		case "powerOn":
			return l.PowerOn(o.Serial)
		case "reset":
			return l.ResetDevice(o.Serial)
		case "connector":
			return l.SetConnector(o.Name, o.Up)
		case "addDevice":
			var nd NewDevice
			if err := json.Unmarshal(o.Device, &nd); err != nil {
				return fmt.Errorf("addDevice: %w", err)
			}
			return l.AddDevice(nd)
		}
	}
	return nil
}
