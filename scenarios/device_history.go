package scenarios

import (
	"fmt"
	"strings"
)

// PreviousDeployment says a device was deployed through Autopilot before
// and is being reused (F26): what its earlier deployment left in the
// tenant. Autopilot Reset does not support hybrid joined devices, so a
// reused one was wiped, and the earlier deployment's objects stay: its
// hybrid Entra device object and, unless an admin deleted it, its Intune
// device record (Windows Autopilot Reset,
// https://learn.microsoft.com/en-us/autopilot/windows-autopilot-reset). A
// stale AD computer object of the earlier deployment is a
// domains[].computers entry.
type PreviousDeployment struct {
	// Name is the computer name the earlier deployment had: the display
	// name of its stale hybrid Entra object and of its Intune record.
	Name string `yaml:"name"`
	// IntuneRecord is kept (the record is still in Intune) or deleted (an
	// admin deleted it before the redeploy, as "Troubleshoot Autopilot
	// device import and enrollment" asks: "Error code 0x80180014 when
	// re-enrolling using self-deployment or pre-provisioning mode",
	// https://learn.microsoft.com/en-us/autopilot/troubleshoot-device-enrollment).
	IntuneRecord string `yaml:"intuneRecord"`
}

// intuneRecordStates are the values of previousDeployment.intuneRecord.
var intuneRecordStates = []string{"kept", "deleted"}

// previousDeployment checks devices[i].previousDeployment.
func (v *validator) previousDeployment(p string, d DeviceSpec) {
	pd := d.PreviousDeployment
	if pd == nil {
		return
	}
	p += ".previousDeployment"
	if v.required(p+".name", "name (the computer name of the earlier deployment)", pd.Name) {
		v.computerName(p+".name", pd.Name)
	}
	v.enum(p+".intuneRecord", "Intune record state", pd.IntuneRecord, intuneRecordStates, true)
	if d.Serial == "" {
		v.errf(p, "a batch cannot share one earlier deployment; give each reused device its own entry (serial)")
	}
	if d.Enrolled != nil || (d.Registered != nil && !*d.Registered) {
		v.errf(p, "only a device imported into Autopilot is redeployed through Autopilot; drop enrolled or registered: false")
	}
}

// previousNames checks that an earlier deployment's name is no device's
// Entra name (serial or enrolled name) and no other earlier deployment's:
// objects are found by display name (harness setup.go).
func (v *validator) previousNames(devs []Device) {
	names := map[string]string{}
	for _, d := range devs {
		names[strings.ToLower(d.EntraName())] = d.Serial
	}
	seen := map[string]int{}
	for i, spec := range v.s.Devices {
		pd := spec.PreviousDeployment
		if pd == nil || pd.Name == "" {
			continue
		}
		p := fmt.Sprintf("devices[%d].previousDeployment.name", i)
		n := strings.ToLower(pd.Name)
		if serial, dup := names[n]; dup {
			v.errf(p, "name %q is also the Entra name of %s; names must be unique", pd.Name, serial)
		} else if j, dup := seen[n]; dup {
			v.errf(p, "name %q is also the earlier deployment of devices[%d]; names must be unique", pd.Name, j)
		}
		seen[n] = i
	}
}
