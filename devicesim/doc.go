// Package devicesim models a Windows device going through Windows Autopilot
// user-driven Microsoft Entra hybrid join in OOBE.
//
// A Device is a state machine on the simulation clock. It follows the flow
// of user-driven hybrid join (states S0–S15, cited as Sn below; listed with
// their public sources in docs/SOURCES.md "Device states") and the two
// Learn articles, https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid
// and https://learn.microsoft.com/en-us/autopilot/tutorial/user-driven/hybrid-azure-ad-join-autopilot-profile:
//
//	power on → network → profile download (S1) → OOBE pages (S3) → Entra
//	sign-in (S4) → MDM enrollment without Entra join (S5) → ESP device
//	preparation: wait for the ODJ blob (S6–S8) → DC connectivity check unless
//	the profile skips it (S9) → reboot → ESP device setup, VPN client
//	installed here (S10) → first sign-in with AD credentials, which needs a
//	DC now (S11) → Automatic-Device-Join writes userCertificate and retries
//	registration every 4 minutes (S12) → Entra Connect syncs the computer →
//	registration completes → ESP account setup ends (S13) → hybrid joined.
//
// The device talks to the cloud through Cloud (mockgraph's /_private/
// endpoints over HTTP) and to domain controllers through Directory (real
// LDAP to mockad). Whether a DC can be reached at a given moment is the
// device's own view of the network (Location + VPN): an unreachable DC is
// never dialled, as a real device's DC locator finds no DC.
//
// Timers are the documented ones: one 25-minute budget for "ODJ blob + DC
// connectivity" (CONNECTIVITY_TIMEOUT = 1 500 000 ms, [CODE] S30; one
// combined budget is [INF] from the event text, §6 open point 2, so it is
// switchable), the ESP timeout (default 60 min, +40 min on hybrid for the
// account phase, [DOC] S11), the 4-minute device-join task during the user
// ESP ([CODE] S30).
//
// Faults in the cloud (mockgraph's faults): a throttled or transient answer
// to the profile download or the enrollment is retried on the clock after
// Retry-After, else after a backoff, at most transport.MaxRetries times
// (the Graph SDK's policy; the Windows client's is not documented, [INF]);
// the ODJ-blob sync and the device-join task are loops already, so a
// Retry-After only pushes their next run back. Added latency is an
// approximation: the service handles the request at request time, and the
// device acts on the answer when it "arrives", that much later (Device.lag
// delays its next step); the 25-minute budget still ends on time.
//
// Failure modes on the device side (each file cites its source): the
// service's enrollment refusals shown with the HRESULT Windows shows
// (enroll_errors.go: F28, F29, F30, and F26's refused re-enrollment of a
// reused device), clock skew beyond Kerberos' tolerance
// at the first AD sign-in (clockskew.go, F20), a proxy OOBE cannot use
// (proxy.go, F21), a user of another organisation at the sign-in page
// (tenant.go, F31), an Always On VPN that connects by itself (network.go,
// F17), and pre-provisioning: the technician flow with the TPM
// attestation's outcome as a parameter, reseal, and the user flow
// (preprovision.go, F33, F35); the profile's Administrator rights withheld
// while another local administrator exists (localadmin.go, F38); and
// Conditional Access's decisions once hybrid joined, at the end of
// provisioning and after the user's sign-in (access.go, F36).
//
// Left out: a real TPM (the attestation's outcome is a parameter), the TLS
// and TPM effects of clock skew, TLS-inspecting proxies, Wi-Fi selection
// details beyond the order of pages, federated (AD FS) instant join, PRT
// issuance, ZDP updates and reboots before the profile download, MFA, and
// the unenrollment routine after 80070774 (UNCERTAIN, §6 open point 3).
//
// Source IDs in comments (S1…S42, F1…F42, seed 000/004, §n) are listed with
// their public URLs in docs/SOURCES.md.
package devicesim
