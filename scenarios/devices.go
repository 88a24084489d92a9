package scenarios

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Device is one concrete device after batches are expanded.
type Device struct {
	Index           int // position in ExpandDevices' list
	Spec            int // index of the DeviceSpec it came from (devices[Spec])
	Serial          string
	GroupTag        string
	OrderID         string
	PurchaseOrderID string
	Registered      bool
	// Enrolled is set for a device enrolled in Intune before the scenario
	// (defaults filled); its Name defaults to the serial.
	Enrolled *Enrolled
	Location string
	VPN      string
	User     string
	ADUser   string
	// AssignedUser is the UPN assigned to the Autopilot record ("Assign
	// user"), imported with the hash; "" for none.
	AssignedUser string
	// ClockSkew is how far the device's clock is off (F20).
	ClockSkew time.Duration
	// PreProvision is set for a pre-provisioned device (defaults filled).
	PreProvision *PreProvision
	// PreviousDeployment is set for a reused device (F26).
	PreviousDeployment *PreviousDeployment
	// OtherLocalAdmin is another local administrator account (F38).
	OtherLocalAdmin *LocalAdmin
	// PowerOn is the offset from T0 at which the device powers on by
	// itself; nil means only the script powers it on (manual: true or
	// powerOn: null).
	PowerOn *time.Duration
}

// EntraName is the displayName of the device's Entra object: the name it
// was enrolled with, else its serial (an Autopilot import names its object
// after the serial, mockgraph engine_import.go).
func (d Device) EntraName() string {
	if d.Enrolled != nil {
		return d.Enrolled.Name
	}
	return d.Serial
}

// batchSerial is the serial of the i-th (1-based) device of a batch.
func batchSerial(prefix string, i int) string { return fmt.Sprintf("%s%04d", prefix, i) }

// ExpandDevices returns the concrete devices in file order: a batch of
// count N gives serialPrefix0001…N, powering on stagger apart from its
// powerOn offset.
func (s *Scenario) ExpandDevices() []Device {
	var out []Device
	for i, spec := range s.Devices {
		n := 1
		if spec.Serial == "" {
			n = spec.Count
		}
		manual := spec.Manual || (spec.PowerOn == nil && s.explicit(fmt.Sprintf("devices[%d].powerOn", i)))
		registered := spec.Registered == nil || *spec.Registered
		for k := 0; k < n; k++ {
			d := Device{
				Index: len(out), Spec: i, Serial: spec.Serial,
				GroupTag: spec.GroupTag, OrderID: spec.OrderID, PurchaseOrderID: spec.PurchaseOrderID,
				Registered: registered, Location: spec.Location, VPN: spec.VPN,
				User: spec.User, ADUser: spec.ADUser, AssignedUser: spec.AssignedUser, ClockSkew: spec.ClockSkew.D(),
				PreviousDeployment: spec.PreviousDeployment, OtherLocalAdmin: spec.OtherLocalAdmin,
			}
			if d.VPN == "" {
				d.VPN = Defaults.VPN
			}
			if spec.Serial == "" {
				d.Serial = batchSerial(spec.SerialPrefix, k+1)
			}
			if spec.PreProvision != nil {
				p := *spec.PreProvision
				if p.TPM == "" {
					p.TPM = "ok"
				}
				if p.UserFlowAfter == nil {
					def := Duration(2 * time.Hour) // [INF]: past the 90 minutes the docs ask for
					p.UserFlowAfter = &def
				}
				d.PreProvision = &p
			}
			if spec.Enrolled != nil {
				e := *spec.Enrolled
				if e.Name == "" {
					e.Name = d.Serial
				}
				d.Enrolled = &e
			}
			if !manual {
				var at time.Duration
				if spec.PowerOn != nil {
					at = spec.PowerOn.D()
				}
				at += time.Duration(k) * spec.Stagger.D()
				d.PowerOn = &at
			}
			out = append(out, d)
		}
	}
	return out
}

// checkSelector reports whether a selector is well formed:
// "all", "tag:<groupTag>", or a serial glob in path.Match syntax.
func checkSelector(sel string) error {
	switch {
	case sel == "":
		return errors.New(`empty device selector (want "all", "tag:<groupTag>" or a serial glob such as "LAB*")`)
	case sel == "all":
		return nil
	case strings.HasPrefix(sel, "tag:"):
		if strings.TrimPrefix(sel, "tag:") == "" {
			return errors.New(`selector "tag:" needs a group tag, e.g. "tag:Sales"`)
		}
		return nil
	}
	if _, err := path.Match(sel, ""); err != nil {
		return fmt.Errorf("bad serial glob %q: %v (syntax: * ? [a-z], as in Go's path.Match)", sel, err)
	}
	return nil
}

// Select returns the devices of devs that selector picks, in order:
// "all"; "tag:<groupTag>" (case-insensitive); or a glob on the serial
// (path.Match: "LAB*", "LAB000[1-5]", an exact serial).
func (s *Scenario) Select(selector string, devs []Device) ([]Device, error) {
	if err := checkSelector(selector); err != nil {
		return nil, err
	}
	var out []Device
	for _, d := range devs {
		var ok bool
		switch {
		case selector == "all":
			ok = true
		case strings.HasPrefix(selector, "tag:"):
			ok = strings.EqualFold(d.GroupTag, strings.TrimPrefix(selector, "tag:"))
		default:
			ok, _ = path.Match(selector, d.Serial)
		}
		if ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// DeviceCount is how many devices ExpandDevices returns, without building
// them.
func (s *Scenario) DeviceCount() int {
	n := 0
	for _, spec := range s.Devices {
		if spec.Serial != "" {
			n++
		} else if spec.Count > 0 {
			n += spec.Count
		}
	}
	return n
}
