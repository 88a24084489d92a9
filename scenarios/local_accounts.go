package scenarios

import "strings"

// LocalAdmin is another local account in the device's Administrators group,
// created by a PowerShell script or policy (F38). While it exists, a
// user-driven hybrid deployment does not make the user an administrator
// even when the profile's userType is administrator (Windows Autopilot
// known issues, "Windows Autopilot user-driven hybrid Microsoft Entra
// deployments don't grant users Administrator rights even when specified in
// the Windows Autopilot profile",
// https://learn.microsoft.com/en-us/autopilot/known-issues).
type LocalAdmin struct {
	Name string `yaml:"name"`
	// CreatedIn is deviceSetup (a script or policy of the ESP device setup,
	// before the user's first sign-in) or afterProvisioning (after the
	// deployment completed, as the known issue advises).
	CreatedIn string `yaml:"createdIn"`
}

// localAdminCreatedIn are the values of otherLocalAdmin.createdIn.
var localAdminCreatedIn = []string{"deviceSetup", "afterProvisioning"}

// badAccountChars are the characters a local user name cannot hold
// ("User Name" rules of the local Users and Groups console: none of
// " / \ [ ] : ; | = , + * ? < > @").
const badAccountChars = `"/\[]:;|=,+*?<>@`

// otherLocalAdmin checks devices[i].otherLocalAdmin.
func (v *validator) otherLocalAdmin(p string, d DeviceSpec) {
	a := d.OtherLocalAdmin
	if a == nil {
		return
	}
	p += ".otherLocalAdmin"
	if v.required(p+".name", "name (the local account's user name)", a.Name) {
		switch {
		case len(a.Name) > 20:
			v.errf(p+".name", "local account name %q is longer than 20 characters", a.Name)
		case strings.ContainsAny(a.Name, badAccountChars):
			v.errf(p+".name", "local account name %q holds one of %s", a.Name, badAccountChars)
		case strings.EqualFold(a.Name, "Administrator"):
			v.errf(p+".name", "Administrator is the built-in account, always there; name another account")
		}
	}
	v.enum(p+".createdIn", "time of creation", a.CreatedIn, localAdminCreatedIn, true)
}
