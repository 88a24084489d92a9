package devicesim

import "fmt"

// Local administrators of a hybrid joined device (F38). The deployment
// profile's "User account type" (outOfBoxExperienceSetting.userType,
// standard or administrator) says whether the user who signs in becomes a
// member of the local Administrators group. Windows Autopilot known issues
// (https://learn.microsoft.com/en-us/autopilot/known-issues), "Windows
// Autopilot user-driven hybrid Microsoft Entra deployments don't grant
// users Administrator rights even when specified in the Windows Autopilot
// profile": "This issue occurs when there's another user on the device that
// already has Administrator rights. For example, a PowerShell script or
// policy could create another local account that is a member of the
// Administrators group. To ensure this works properly, don't create another
// account until after the Windows Autopilot process has completed."
//
// CHOICE [INF]: the grant happens at the user's first Windows sign-in (S11);
// an account a script or policy of the ESP device setup created is there by
// then, one created after the provisioning is not. The built-in
// Administrator account and the domain groups a domain join adds are not
// listed.

// Where in the flow the other local administrator account is created.
const (
	// AdminCreatedInDeviceSetup: by a script or policy of the ESP device
	// setup, before the user's first sign-in.
	AdminCreatedInDeviceSetup = "deviceSetup"
	// AdminCreatedAfterProvisioning: once the deployment has completed,
	// as the known issue advises.
	AdminCreatedAfterProvisioning = "afterProvisioning"
)

// LocalAdmin is another local account in the Administrators group (F38).
type LocalAdmin struct {
	Name      string
	CreatedIn string // AdminCreatedInDeviceSetup | AdminCreatedAfterProvisioning
}

// ParseLocalAdminCreatedIn checks where an account is created.
func ParseLocalAdminCreatedIn(s string) (string, error) {
	switch s {
	case AdminCreatedInDeviceSetup, AdminCreatedAfterProvisioning:
		return s, nil
	}
	return "", fmt.Errorf("devicesim: unknown time of creation %q for a local administrator (want %s or %s)",
		s, AdminCreatedInDeviceSetup, AdminCreatedAfterProvisioning)
}

// adminProfile reports whether the profile makes the user an administrator.
func (d *Device) adminProfile() bool {
	return d.profile != nil && d.profile.UserType == "administrator"
}

// deviceSetupAccounts runs at the end of the ESP device setup: a script or
// policy there creates the other local administrator.
func (d *Device) deviceSetupAccounts() {
	if a := d.cfg.OtherLocalAdmin; a != nil && a.CreatedIn == AdminCreatedInDeviceSetup {
		d.otherAdmin = true
		d.log("deviceSetup", fmt.Sprintf("a script or policy created the local account %s, a member of Administrators", a.Name))
	}
}

// grantAdministrator runs at the first sign-in: the profile's user account
// type is applied unless another account already has Administrator rights.
func (d *Device) grantAdministrator() {
	if !d.adminProfile() {
		return
	}
	user := d.blob.NetBIOSDomain + `\` + d.cfg.ADUser
	if d.otherAdmin {
		d.log("firstSignIn", fmt.Sprintf("profile user account type Administrator, but %s already has Administrator rights: %s is not added to Administrators (known issue)",
			d.cfg.OtherLocalAdmin.Name, user))
		return
	}
	d.res.UserAdministrator = true
	d.log("firstSignIn", user+" added to the local Administrators group (profile user account type Administrator)")
}

// localAdministrators lists the Administrators group's members (see
// above) for a hybrid device whose profile or scenario makes them matter;
// nil otherwise.
func (d *Device) localAdministrators() []string {
	if d.cfg.OtherLocalAdmin == nil && !d.adminProfile() {
		return nil
	}
	if d.profile == nil || d.profile.DomainJoinMethod != 1 || d.blob == nil {
		return nil
	}
	out := []string{}
	if a := d.cfg.OtherLocalAdmin; a != nil && (d.otherAdmin ||
		(a.CreatedIn == AdminCreatedAfterProvisioning && d.res.Outcome == OutcomeHybridJoined)) {
		out = append(out, a.Name)
	}
	if d.res.UserAdministrator {
		out = append(out, d.blob.NetBIOSDomain+`\`+d.cfg.ADUser)
	}
	return out
}
