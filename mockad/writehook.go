package mockad

import (
	"errors"
	"fmt"
	"strings"
)

// WriteOp is an LDAP write as a client sent it, with who sent it: what a
// lab journals (ServerOptions.OnWrite) and replays (Directory.Apply).
type WriteOp struct {
	Op          string // add, modify, delete, modifyDN
	By          string // DN the connection was bound as ("" anonymous)
	Secure      bool   // the connection was TLS-protected
	DN          string
	Attrs       []WriteAttr   // add
	Changes     []WriteChange // modify
	NewRDN      string        // modifyDN
	DeleteOld   bool
	NewSuperior string
}

// WriteAttr is an attribute of an add.
type WriteAttr struct {
	Name   string
	Values []string
}

// WriteChange is one change of a modify: Op 0 add, 1 delete, 2 replace
// (RFC 4511 4.6).
type WriteChange struct {
	Op     int
	Name   string
	Values []string
}

// Code is an LDAP result code (0 success).
type Code = int

func (h *handler) write(sc *seamConn, op WriteOp, p principal, apply func() *Error) *Error {
	if h.s.opts.OnWrite == nil {
		return apply()
	}
	if p.who != nil {
		op.By = p.who.dn.String()
	}
	op.Secure = p.secure
	var res *Error
	err := h.s.opts.OnWrite(op, func() int {
		res = apply()
		if res == nil {
			return 0
		}
		return int(res.Code)
	})
	if err != nil {
		return &Error{Code: 80, Diagnostic: "00000000: LdapErr: DSID-0C0C0000, comment: the lab could not record the change: " + err.Error()}
	}
	return res
}

// Apply replays a write as the principal that sent it (bound by DN, not
// by password: a replay has no credentials) and returns its result code.
func (d *Directory) Apply(op WriteOp) (Code, error) {
	p := principal{secure: op.Secure}
	if op.By != "" {
		dn, err := ParseDN(op.By)
		if err != nil {
			return 0, fmt.Errorf("mockad: apply: bound DN %q: %w", op.By, err)
		}
		d.mu.RLock()
		p.who = d.byDN[dn.Norm()]
		d.mu.RUnlock()
		if p.who == nil {
			return 0, fmt.Errorf("mockad: apply: the writer %s is not in the directory", op.By)
		}
	}
	var e *Error
	switch op.Op {
	case "add":
		var attrs []addAttr
		for _, a := range op.Attrs {
			attrs = append(attrs, addAttr{name: a.Name, vals: a.Values})
		}
		e = d.add(p, op.DN, attrs)
	case "modify":
		var ch []change
		for _, c := range op.Changes {
			if c.Op < 0 || c.Op > 2 {
				return 0, fmt.Errorf("mockad: apply: change op %d", c.Op)
			}
			ch = append(ch, change{op: c.Op, attr: c.Name, vals: c.Values})
		}
		e = d.modify(p, op.DN, ch)
	case "delete":
		e = d.del(p, op.DN)
	case "modifyDN":
		e = d.modifyDN(p, op.DN, op.NewRDN, op.DeleteOld, op.NewSuperior)
	default:
		return 0, errors.New("mockad: apply: op " + strings.TrimSpace(op.Op) + ": want add, modify, delete or modifyDN")
	}
	if e == nil {
		return 0, nil
	}
	return int(e.Code), nil
}
