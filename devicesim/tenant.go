package devicesim

import "strings"

// Tenant mismatch (F31): the branded sign-in page belongs to the tenant the
// device is registered in; a user whose UPN belongs to another
// organisation is refused with "That username looks like it belongs to
// another organization" and the Autopilot diagnostics show TenantMatched=0
// (Windows Autopilot known issues, https://learn.microsoft.com/en-us/autopilot/known-issues;
// troubleshooting FAQ, https://learn.microsoft.com/en-us/autopilot/troubleshooting-faq).
// No error code is documented; the result carries none.
const msgOtherTenant = "That username looks like it belongs to another organization. Try signing in again or start over with a different account."

// ownTenant reports whether the signing-in user's UPN is in one of the
// tenant's verified domains (always true when none are configured).
func (d *Device) ownTenant() bool {
	if len(d.cfg.TenantDomains) == 0 {
		return true
	}
	_, domain, ok := strings.Cut(d.cfg.UserPrincipalName, "@")
	if !ok {
		return false
	}
	for _, t := range d.cfg.TenantDomains {
		if strings.EqualFold(t, domain) {
			return true
		}
	}
	return false
}
