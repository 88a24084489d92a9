package harness

import (
	"fmt"
	"strings"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// scheduleScript puts the scenario's timed actions on the clock.
func (w *world) scheduleScript() error {
	devs := w.sc.ExpandDevices()
	for i, a := range w.sc.Script {
		a := a
		where := fmt.Sprintf("%s:%d: script[%d] (%s)", w.sc.File, a.Line, i, a.Do)
		var fn func() error
		switch a.Do {
		case "powerOn", "moveDevices":
			if w.setupOnly && a.Do == "powerOn" {
				continue // CheckSetup leaves the devices off
			}
			sel, err := w.sc.Select(a.Devices, devs)
			if err != nil {
				return fmt.Errorf("harness: %s: %w", where, err)
			}
			if a.Do == "powerOn" {
				fn = func() error {
					for _, s := range sel {
						w.deviceIdx[s.Serial].PowerOn()
					}
					return nil
				}
			} else {
				loc, ok := w.networks[a.Location]
				if !ok {
					return fmt.Errorf("harness: %s: unknown network %q", where, a.Location)
				}
				fn = func() error {
					for _, s := range sel {
						w.deviceIdx[s.Serial].Move(loc)
					}
					return nil
				}
			}
		case "connectorDown", "connectorUp":
			c, ok := w.connectors[a.Connector]
			if !ok {
				return fmt.Errorf("harness: %s: unknown connector %q", where, a.Connector)
			}
			if a.Do == "connectorDown" {
				fn = func() error { c.Stop(); return nil }
			} else {
				fn = func() error { c.Start(); return nil }
			}
		case "grantDelegation", "revokeDelegation":
			dom, ok := w.domains[strings.ToLower(a.Domain)]
			if !ok || a.Delegation == nil {
				return fmt.Errorf("harness: %s: needs a known domain and a delegation", where)
			}
			del := w.delegation(*a.Delegation)
			if a.Do == "grantDelegation" {
				fn = func() error { return dom.dir.Grant(del) }
			} else {
				fn = func() error { return dom.dir.Revoke(del) }
			}
		case "syncNow":
			if w.sync == nil {
				return fmt.Errorf("harness: %s: Entra Connect is disabled", where)
			}
			fn = func() error {
				_, err := w.sync.RunCycle()
				if err != nil {
					w.trace.Record(w.sched.Now(), "entraconnect", "syncNow", "cycle failed: "+err.Error())
				}
				return nil
			}
		case "deleteEntraObject":
			sel, err := w.sc.Select(a.Devices, devs)
			if err != nil {
				return fmt.Errorf("harness: %s: %w", where, err)
			}
			fn = func() error { return w.deleteEntraObjects(sel) }
		case "assignProfile":
			target := scenarios.Target{Include: []string{a.Group}}
			fn = func() error { return w.assignProfile(a.Profile, target) }
		default:
			return fmt.Errorf("harness: %s: unknown action", where)
		}
		path := fmt.Sprintf("script[%d]", i)
		w.schedule(a.At.D(), "script", a.Do, func() error {
			if err := fn(); err != nil {
				return w.located(path, fmt.Errorf("%s: %w", a.Do, err), nil, false)
			}
			return nil
		})
	}
	return nil
}
