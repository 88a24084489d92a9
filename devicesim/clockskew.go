package devicesim

// Clock skew (F20). A device whose real-time clock is off signs in to AD
// with Kerberos, which refuses timestamps more than the domain's "Maximum
// tolerance for computer clock synchronization" away from the DC's clock,
// 5 minutes by default
// (https://learn.microsoft.com/en-us/windows/security/threat-protection/security-policy-settings/maximum-tolerance-for-computer-clock-synchronization).
// Windows Autopilot known issues
// (https://learn.microsoft.com/en-us/autopilot/known-issues) adds TPM
// attestation and TLS failures (ERROR_ADAL_INTERNET_SECURE_FAILURE
// 0xcaa82f8f) for large offsets; at which offset TLS fails depends on the
// certificates and is not modelled.

import "time"

// DefaultKerberosMaxSkew is the Kerberos policy's default tolerance.
const DefaultKerberosMaxSkew = 5 * time.Minute

// CodeTimeSkew is HRESULT_FROM_WIN32(ERROR_TIME_SKEW, 1398), "There is a
// time and/or date difference between the client and server"; the code the
// sign-in screen shows is [INF].
const CodeTimeSkew = "80070576"

// kerberosSkewed reports whether the device clock is off by more than the
// Kerberos tolerance.
func (d *Device) kerberosSkewed() bool {
	tol := d.cfg.KerberosMaxSkew
	if tol <= 0 {
		tol = DefaultKerberosMaxSkew
	}
	skew := d.cfg.ClockSkew
	if skew < 0 {
		skew = -skew
	}
	return skew > tol
}
