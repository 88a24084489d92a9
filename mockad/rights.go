package mockad

import (
	"fmt"
	"sort"
	"strings"
)

// Delegated rights and who holds them: the connector's delegation on the
// computers OU (Create/Delete Computer objects), Domain Admins, and the
// checks an operation makes against them.

type delegation struct {
	trustee *entry
	ou      string // normalised DN
	right   string
	applies string
	raw     Delegation
}

func (d *Directory) resolveTrustee(t string) *entry {
	if e, ok := d.bySAM[strings.ToLower(t)]; ok {
		return e
	}
	if n, err := normDN(t); err == nil {
		if e, ok := d.byDN[n]; ok {
			return e
		}
	}
	return nil
}

func (d *Directory) checkDelegation(del Delegation) (delegation, error) {
	switch del.Right {
	case RightCreateComputer, RightDeleteComputer, RightFullControl:
	default:
		return delegation{}, fmt.Errorf("unknown right %q (want createComputer, deleteComputer or fullControl)", del.Right)
	}
	switch del.AppliesTo {
	case AppliesThisObject, AppliesDescendants:
	case "":
		del.AppliesTo = AppliesThisObject
	default:
		return delegation{}, fmt.Errorf("unknown appliesTo %q (want thisObjectOnly or descendants)", del.AppliesTo)
	}
	t := d.resolveTrustee(del.Trustee)
	if t == nil {
		return delegation{}, fmt.Errorf("no trustee %q", del.Trustee)
	}
	n, err := normDN(del.OU)
	if err != nil {
		return delegation{}, err
	}
	if _, ok := d.byDN[n]; !ok {
		return delegation{}, fmt.Errorf("no OU %q", del.OU)
	}
	return delegation{trustee: t, ou: n, right: del.Right, applies: del.AppliesTo, raw: del}, nil
}

// Grant adds a delegation (an ACE on the OU). Granting the same one twice is a no-op.
func (d *Directory) Grant(del Delegation) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	g, err := d.checkDelegation(del)
	if err != nil {
		return fmt.Errorf("mockad: grant %+v: %w", del, err)
	}
	for _, x := range d.delegations {
		if x.trustee == g.trustee && x.ou == g.ou && x.right == g.right && x.applies == g.applies {
			return nil
		}
	}
	d.delegations = append(d.delegations, g)
	return nil
}

// Revoke removes a delegation; revoking one that is not there is an error.
func (d *Directory) Revoke(del Delegation) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	g, err := d.checkDelegation(del)
	if err != nil {
		return fmt.Errorf("mockad: revoke %+v: %w", del, err)
	}
	for i, x := range d.delegations {
		if x.trustee == g.trustee && x.ou == g.ou && x.right == g.right && x.applies == g.applies {
			d.delegations = append(d.delegations[:i], d.delegations[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("mockad: revoke %+v: no such delegation", del)
}

// Delegations lists the current delegations, sorted for stable output.
func (d *Directory) Delegations() []Delegation {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]Delegation, 0, len(d.delegations))
	for _, x := range d.delegations {
		out = append(out, x.raw)
	}
	sort.Slice(out, func(i, j int) bool {
		return fmt.Sprint(out[i]) < fmt.Sprint(out[j])
	})
	return out
}

// isAdmin reports membership of Domain Admins (direct members only; nested
// groups are not expanded).
func (d *Directory) isAdmin(p *entry) bool {
	if p == nil || p.deleted {
		return false
	}
	da := d.bySAM["domain admins"]
	if da == nil {
		return false
	}
	for _, m := range da.valsOf("member") {
		if n, err := normDN(m); err == nil && n == p.ndn {
			return true
		}
	}
	return false
}

func sidString(e *entry) string {
	if e == nil {
		return ""
	}
	s, _ := SIDString([]byte(e.first("objectSid")))
	return s
}

// hasRight reports whether p holds right (or fullControl) for computer
// objects in container c. A thisObjectOnly ACE applies on its OU; a
// descendants ACE applies on its OU and every container below it ("this
// object and all descendant objects", the delegation wizard's choice;
// whether "descendants" should exclude the OU itself is UNCERTAIN).
func (d *Directory) hasRight(p *entry, c *entry, right string) bool {
	if p == nil {
		return false
	}
	for _, x := range d.delegations {
		if x.trustee != p || (x.right != right && x.right != RightFullControl) {
			continue
		}
		if x.ou == c.ndn {
			return true
		}
		if x.applies == AppliesDescendants && strings.HasSuffix(c.ndn, ","+x.ou) {
			return true
		}
	}
	return false
}

// hasFullControlOn reports whether a fullControl ACE inherited from an
// ancestor covers object o itself (write any property).
func (d *Directory) hasFullControlOn(p *entry, o *entry) bool {
	if p == nil {
		return false
	}
	for _, x := range d.delegations {
		if x.trustee != p || x.right != RightFullControl {
			continue
		}
		if x.ou == o.ndn || (x.applies == AppliesDescendants && strings.HasSuffix(o.ndn, ","+x.ou)) {
			return true
		}
	}
	return false
}
