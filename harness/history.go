package harness

import (
	"fmt"
	"time"

	"github.com/autopilotsim/autopilotsim/devicesim"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// Reused devices (F26): what an earlier Autopilot deployment left in the
// tenant, recorded before the import (mockgraph PRIVATE_API.md "A device
// deployed before"), and the admin's deletion of its Intune record when
// the scenario says it was deleted (Troubleshoot Autopilot device import
// and enrollment, "Error code 0x80180014 when re-enrolling using
// self-deployment or pre-provisioning mode",
// https://learn.microsoft.com/en-us/autopilot/troubleshoot-device-enrollment).
func (w *world) schedulePreviousDeployments(lead time.Duration) {
	w.previousObjects = map[string]string{}
	for _, d := range w.sc.ExpandDevices() {
		if d.PreviousDeployment == nil {
			continue
		}
		d, path := d, fmt.Sprintf("devices[%d].previousDeployment", d.Spec)
		var record string
		w.schedule(lead, "device/"+d.Serial, "deployed before: "+d.PreviousDeployment.Name, func() error {
			id, err := w.recordPreviousDeployment(d)
			record = id
			return w.located(path, err, nil, false)
		})
		if d.PreviousDeployment.IntuneRecord == "deleted" {
			w.schedule(lead+30*time.Second, "admin", "delete the Intune record of "+d.Serial, func() error {
				err := w.admin.call("DELETE", "/beta/deviceManagement/managedDevices/"+record, nil, nil)
				if err != nil {
					err = fmt.Errorf("delete the Intune record of %s: %w", d.Serial, err)
				}
				return w.located(path+".intuneRecord", err, nil, false)
			})
		}
	}
}

// recordPreviousDeployment records the earlier deployment's hybrid Entra
// object and Intune record and returns the record's id.
func (w *world) recordPreviousDeployment(d scenarios.Device) (string, error) {
	body := map[string]any{"serialNumber": d.Serial, "hardwareHash": w.hardwareHash(d.Serial),
		"deviceName": d.PreviousDeployment.Name, "userPrincipalName": d.User}
	var out struct {
		ManagedDeviceID string `json:"managedDeviceId"`
		EntraObjectID   string `json:"entraObjectId"`
	}
	if err := w.admin.call("POST", "/_private/enrollment/v1/previous", body, &out); err != nil {
		return "", fmt.Errorf("earlier deployment of %s: %w", d.Serial, err)
	}
	w.previousObjects[d.Serial] = out.EntraObjectID
	return out.ManagedDeviceID, nil
}

// otherLocalAdmin is the device's other local administrator account (F38),
// or nil.
func otherLocalAdmin(spec scenarios.Device) (*devicesim.LocalAdmin, error) {
	if spec.OtherLocalAdmin == nil {
		return nil, nil
	}
	when, err := devicesim.ParseLocalAdminCreatedIn(spec.OtherLocalAdmin.CreatedIn)
	if err != nil {
		return nil, err
	}
	return &devicesim.LocalAdmin{Name: spec.OtherLocalAdmin.Name, CreatedIn: when}, nil
}
