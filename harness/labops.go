package harness

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/devicesim"
	"github.com/autopilotsim/autopilotsim/labstate"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
)

// The operations of a running lab (package lab's console, control API and
// CLI call these; a scenario's script calls the same world functions).
// Each one runs on the lab's clock, as an event due now, so it never races
// the simulated systems, and it returns once that event has run: a change
// that returned without error is in the world.

// ErrConflict marks an operation the world's state refuses (a device
// mid-deployment reset, a serial that exists); ErrNotFound an unknown name.
var (
	ErrConflict = errors.New("conflict")
	ErrNotFound = errors.New("not found")
)

// opTimeout bounds how long an operation waits for the clock's goroutine
// (a wall-clock guard: the lab stopped, or an event hangs).
const opTimeout = 30 * time.Second

// do runs fn on the lab's clock now and waits for it.
func (l *Lab) do(what string, fn func() error) error {
	if l.w.st != nil && l.w.st.replaying.Load() {
		return fn() // a journal replay: the clock is virtual, on this goroutine
	}
	res := make(chan error, 1)
	l.w.sched.At(l.w.sched.Now(), "", "", func() { res <- fn() })
	t := time.NewTimer(opTimeout)
	defer t.Stop()
	select {
	case err := <-res:
		return err
	case <-l.done:
		return fmt.Errorf("lab: %s: the lab is stopped", what)
	case <-t.C:
		return fmt.Errorf("lab: %s: the lab's clock did not answer within %s", what, opTimeout)
	}
}

// PowerOn switches a device on (OOBE starts), as the script's powerOn.
func (l *Lab) PowerOn(serial string) error {
	return l.do("power on", func() error {
		d, ok := l.w.deviceIdx[serial]
		if !ok {
			return fmt.Errorf("lab: power on: device %q: %w", serial, ErrNotFound)
		}
		if !d.Result().PoweredOnAt.IsZero() {
			return fmt.Errorf("lab: power on: device %s is already on (reset it to run OOBE again): %w", serial, ErrConflict)
		}
		l.w.trace.Record(l.w.sched.Now(), "lab", "powerOn", serial)
		d.PowerOn()
		return l.w.st.lab(labstate.LabOp{Op: "powerOn", Serial: serial})
	})
}

// ResetDevice puts a device back to the start of OOBE, switched off (a
// Windows reset): its Autopilot registration, Entra objects and computer
// object stay, as they do in the cloud and AD. A device mid-deployment is
// refused: its pending steps would go on calling the cloud.
func (l *Lab) ResetDevice(serial string) error {
	return l.do("reset", func() error {
		w := l.w
		old, ok := w.deviceIdx[serial]
		if !ok {
			return fmt.Errorf("lab: reset: device %q: %w", serial, ErrNotFound)
		}
		if !old.Result().PoweredOnAt.IsZero() && !old.Done() {
			return fmt.Errorf("lab: reset: device %s is mid-deployment (stage %s); wait for its outcome: %w", serial, old.Stage(), ErrConflict)
		}
		d, err := w.newDevice(w.specs[serial])
		if err != nil {
			return err
		}
		for i, x := range w.devices {
			if x == old {
				w.devices[i] = d
			}
		}
		w.deviceIdx[serial] = d
		if old.Done() {
			w.remaining++
		}
		w.trace.Record(w.sched.Now(), "device/"+serial, "reset", "reset by the lab; off, OOBE on the next power-on")
		return w.st.lab(labstate.LabOp{Op: "reset", Serial: serial})
	})
}

// NewDevice is a device added to a running lab.
type NewDevice struct {
	Serial   string `json:"serial"`
	GroupTag string `json:"groupTag,omitempty"`
	Location string `json:"location"`          // a network of the scenario
	VPN      string `json:"vpn,omitempty"`     // none (default) | deviceTunnel | userTunnel | uwpPlugin | directAccess
	User     string `json:"user,omitempty"`    // UPN; default the first AD user's
	PowerOn  bool   `json:"powerOn,omitempty"` // switch it on at once (before the import is processed it gets no profile)
}

// AddDevice registers a device the way an admin does (a Graph import of
// its hardware hash) and builds it, switched off. The import is processed
// after the scenario's importProcessing delay; power it on after that.
func (l *Lab) AddDevice(nd NewDevice) error {
	if nd.Serial == "" || strings.ContainsAny(nd.Serial, " /\\?#%") {
		return fmt.Errorf("lab: add device: serial %q: give letters, digits and dashes", nd.Serial)
	}
	orig, _ := json.Marshal(nd) // journaled as asked: defaults are filled in again on replay
	return l.do("add device", func() error {
		w := l.w
		if _, ok := w.deviceIdx[nd.Serial]; ok {
			return fmt.Errorf("lab: add device: serial %s exists: %w", nd.Serial, ErrConflict)
		}
		if nd.Location == "" && len(w.sc.Environment.Networks) > 0 {
			nd.Location = w.sc.Environment.Networks[0].Name
		}
		if _, ok := w.networks[nd.Location]; !ok {
			return fmt.Errorf("lab: add device: unknown location %q (networks: %s)", nd.Location, strings.Join(w.networkNames(), ", "))
		}
		if nd.VPN == "" {
			nd.VPN = scenarios.Defaults.VPN
		}
		if _, err := devicesim.ParseVPN(nd.VPN); err != nil {
			return fmt.Errorf("lab: add device: %w", err)
		}
		if nd.User == "" {
			for _, d := range w.sc.Environment.Domains {
				if len(d.Users) > 0 {
					nd.User = d.Users[0].UPN
					break
				}
			}
		}
		spec := scenarios.Device{Index: len(w.devices), Spec: -1, Serial: nd.Serial, GroupTag: nd.GroupTag,
			Registered: true, Location: nd.Location, VPN: nd.VPN, User: nd.User}
		d, err := w.newDevice(spec)
		if err != nil {
			return fmt.Errorf("lab: add device: %w", err)
		}
		err = w.admin.call("POST", "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities/import",
			map[string]any{"importedWindowsAutopilotDeviceIdentities": []map[string]any{{
				"@odata.type":        "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
				"serialNumber":       nd.Serial,
				"groupTag":           nd.GroupTag,
				"productKey":         "",
				"hardwareIdentifier": w.hardwareHash(nd.Serial),
			}}}, nil)
		if err != nil {
			return fmt.Errorf("lab: add device: import: %w", err)
		}
		w.devices = append(w.devices, d)
		w.deviceIdx[nd.Serial] = d
		w.specs[nd.Serial] = spec
		w.remaining++
		w.trace.Record(w.sched.Now(), "device/"+nd.Serial, "added", fmt.Sprintf("imported by the lab (group tag %q, %s, VPN %s)", nd.GroupTag, nd.Location, nd.VPN))
		if nd.PowerOn {
			d.PowerOn()
		}
		return w.st.lab(labstate.LabOp{Op: "addDevice", Serial: nd.Serial, Device: orig})
	})
}

func (w *world) networkNames() []string {
	var out []string
	for _, n := range w.sc.Environment.Networks {
		out = append(out, n.Name)
	}
	return out
}

// SetConnector stops (up false) or starts an Intune Connector, as the
// script's connectorDown and connectorUp.
func (l *Lab) SetConnector(name string, up bool) error {
	return l.do("connector", func() error {
		c, ok := l.w.connectors[name]
		if !ok {
			return fmt.Errorf("lab: connector %q: %w", name, ErrNotFound)
		}
		step := "connectorDown"
		if up {
			c.Start()
			step = "connectorUp"
		} else {
			c.Stop()
		}
		l.w.trace.Record(l.w.sched.Now(), "lab", step, name)
		return l.w.st.lab(labstate.LabOp{Op: "connector", Name: name, Up: up})
	})
}

// Pause stops the lab's simulated time; servers keep answering.
func (l *Lab) Pause() error { return l.clockOp("pause", l.w.sched.Pause()) }

// Resume lets the lab's time run again.
func (l *Lab) Resume() error { return l.clockOp("resume", l.w.sched.Resume()) }

// SetSpeed sets simulated seconds per wall second from now on.
func (l *Lab) SetSpeed(speed float64) error { return l.clockOp("speed", l.w.sched.SetSpeed(speed)) }

// Advance jumps the lab's time ahead by d, running what falls due on the
// way at its own time.
func (l *Lab) Advance(d time.Duration) error { return l.clockOp("advance", l.w.sched.Advance(d)) }

// clockOp journals a clock change that succeeded (state.go).
func (l *Lab) clockOp(op string, err error) error {
	if err != nil {
		return err
	}
	return l.w.st.clock(op)
}

// Clock is where the lab's clock stands.
func (l *Lab) Clock() sim.ClockState { return l.w.sched.State() }

// State is what the console shows: clock, tenant, directories,
// connectors and devices, read on the lab's clock.
type State struct {
	Scenario    string          `json:"scenario"`
	Clock       sim.ClockState  `json:"clock"`
	SinceT0     string          `json:"sinceT0"`
	Tenant      TenantView      `json:"tenant"`
	Directories []DirectoryView `json:"directories"`
	Connectors  []ConnectorView `json:"connectors"`
	Networks    []string        `json:"networks"`
	Devices     []DeviceView    `json:"devices"`
}

// TenantView is the tenant's Autopilot set-up.
type TenantView struct {
	Groups             []GroupView `json:"groups"`
	DeploymentProfiles []NamedView `json:"deploymentProfiles"`
	DomainJoinProfiles []NamedView `json:"domainJoinProfiles"`
	ESPProfiles        []NamedView `json:"espProfiles"`
}

// GroupView is a group and its current members (serials or object ids).
type GroupView struct {
	Name    string   `json:"name"`
	ID      string   `json:"id"`
	Rule    string   `json:"rule,omitempty"`
	Members []string `json:"members"`
}

// NamedView is a profile with what it says and whom it is assigned to.
type NamedView struct {
	Name    string `json:"name"`
	Detail  string `json:"detail"`
	Include string `json:"include"`
	Exclude string `json:"exclude,omitempty"`
}

// DirectoryView is one AD domain.
type DirectoryView struct {
	Domain      string   `json:"domain"`
	BaseDN      string   `json:"baseDN"`
	OUs         []string `json:"ous"`
	Computers   []string `json:"computers"`
	Delegations []string `json:"delegations"`
	Quota       string   `json:"quota"`
}

// ConnectorView is an Intune Connector and whether it runs.
type ConnectorView struct {
	Name    string `json:"name"`
	Domain  string `json:"domain"`
	Running bool   `json:"running"`
}

// DeviceView is one device: its live stage and, once over, its result
// (timeline, explanation).
type DeviceView struct {
	Serial    string               `json:"serial"`
	GroupTag  string               `json:"groupTag,omitempty"`
	Location  string               `json:"location"`
	VPN       string               `json:"vpn"`
	PoweredOn bool                 `json:"poweredOn"`
	Stage     string               `json:"stage"`
	Outcome   string               `json:"outcome"`
	Result    results.DeviceResult `json:"result"`
}

// State reads the lab.
func (l *Lab) State() (State, error) {
	var st State
	err := l.do("state", func() error {
		st = l.w.state()
		return nil
	})
	return st, err
}

func (w *world) state() State {
	now := w.sched.State()
	st := State{Scenario: w.sc.Name, Clock: now, SinceT0: now.Now.Sub(w.t0).Truncate(time.Second).String(), Networks: w.networkNames()}
	serialOf := map[string]string{}
	for _, a := range w.graph.AutopilotDevices() {
		serialOf[a.AzureADDeviceID] = a.SerialNumber
	}
	entraSerial := map[string]string{}
	for _, e := range w.graph.EntraDevices() {
		if s, ok := serialOf[e.DeviceID]; ok {
			entraSerial[e.ID] = s
		} else {
			entraSerial[e.ID] = e.DisplayName
		}
	}
	for _, g := range w.sc.Tenant.Groups {
		gv := GroupView{Name: g.Name, ID: w.groupIDs[g.Name], Rule: g.MembershipRule, Members: []string{}}
		ids, _ := w.graph.GroupMembers(gv.ID)
		for _, id := range ids {
			gv.Members = append(gv.Members, firstNonEmpty(entraSerial[id], id))
		}
		sort.Strings(gv.Members)
		st.Tenant.Groups = append(st.Tenant.Groups, gv)
	}
	for _, p := range w.sc.Tenant.DeploymentProfiles {
		st.Tenant.DeploymentProfiles = append(st.Tenant.DeploymentProfiles, NamedView{Name: p.Name,
			Detail: "join " + p.JoinType, Include: strings.Join(p.AssignTo.Include, ", "), Exclude: strings.Join(p.AssignTo.Exclude, ", ")})
	}
	for _, d := range w.sc.Tenant.DomainJoinProfiles {
		st.Tenant.DomainJoinProfiles = append(st.Tenant.DomainJoinProfiles, NamedView{Name: d.Name,
			Detail: fmt.Sprintf("%s, prefix %s, %s", d.Domain, d.Prefix, d.OU), Include: strings.Join(d.AssignTo.Include, ", "), Exclude: strings.Join(d.AssignTo.Exclude, ", ")})
	}
	for _, e := range w.sc.Tenant.ESP {
		st.Tenant.ESPProfiles = append(st.Tenant.ESPProfiles, NamedView{Name: e.Name,
			Include: strings.Join(e.AssignTo.Include, ", "), Exclude: strings.Join(e.AssignTo.Exclude, ", ")})
	}
	for _, d := range w.sortedDomains() {
		st.Directories = append(st.Directories, directoryView(d))
	}
	for _, name := range w.connOrder {
		c := w.connectors[name]
		dom := ""
		for _, cs := range w.sc.Environment.Connectors {
			if cs.Name == name {
				dom = cs.Domain
			}
		}
		st.Connectors = append(st.Connectors, ConnectorView{Name: name, Domain: dom, Running: c.Running()})
	}
	res := w.deviceResults()
	for i, d := range w.devices {
		spec := w.specs[d.Serial()]
		st.Devices = append(st.Devices, DeviceView{Serial: d.Serial(), GroupTag: spec.GroupTag, Location: spec.Location, VPN: spec.VPN,
			PoweredOn: !d.Result().PoweredOnAt.IsZero(), Stage: string(d.Stage()), Outcome: res[i].Outcome, Result: res[i]})
	}
	return st
}

// directoryView lists a domain's OUs and computers from its LDIF export
// (what ldapsearch would show), its delegations and its quota.
func directoryView(d *domainCtl) DirectoryView {
	v := DirectoryView{Domain: d.spec.Name, BaseDN: d.dir.BaseDN(), OUs: []string{}, Computers: []string{}, Delegations: []string{}}
	var buf bytes.Buffer
	if err := d.dir.ExportLDIF(&buf); err == nil {
		var dn string
		sc := bufio.NewScanner(&buf)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "dn: "):
				dn = line[4:]
			case strings.EqualFold(line, "objectClass: organizationalUnit"):
				v.OUs = append(v.OUs, dn)
			case strings.EqualFold(line, "objectClass: computer"):
				v.Computers = append(v.Computers, dn)
			}
		}
	}
	sort.Strings(v.OUs)
	sort.Strings(v.Computers)
	for _, x := range d.dir.Delegations() {
		v.Delegations = append(v.Delegations, fmt.Sprintf("%s: %s on %s (%s)", x.Trustee, x.Right, x.OU, firstNonEmpty(x.AppliesTo, "thisObjectOnly")))
	}
	quota := 10 // AD's default ms-DS-MachineAccountQuota
	if d.spec.MachineAccountQuota != nil {
		quota = *d.spec.MachineAccountQuota
	}
	v.Quota = fmt.Sprintf("ms-DS-MachineAccountQuota %d; %d computer object(s) in the domain", quota, d.dir.ComputerCount())
	return v
}

// Authorize checks a Graph bearer token for the lab's control API: the
// same token, and the same role, as mockgraph's admin routes
// (DeviceManagementServiceConfig.ReadWrite.All).
func (l *Lab) Authorize(r *http.Request) (int, error) {
	_, status, err := l.w.graph.Authorize(r, "DeviceManagementServiceConfig.ReadWrite.All")
	return status, err
}

// Done is closed once the lab's clock has stopped (Close).
func (l *Lab) Done() <-chan struct{} { return l.done }

// AdminApp is the lab's admin app registration (client credentials), whose
// token the control API accepts.
func AdminApp() (clientID, secret string) { return harnessApp.ClientID, harnessApp.ClientSecret }
