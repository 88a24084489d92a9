// Package diagnosis turns a device's simulated story into what an engineer
// would see on a real one, and says why it did not join.
//
// For each device it derives, from the result and the timeline the harness
// gathered (devicesim's trace steps name the event each step stands for):
//
//   - Events: the Windows event log entries the device would have written
//     — Microsoft-Windows-ModernDeployment-Diagnostics-Provider/Autopilot
//     (160, 161, 153, 111, 100, 807, 815; messages verbatim from the event
//     table of https://learn.microsoft.com/en-us/autopilot/troubleshooting-faq),
//     Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin
//     (72 MDM enrollment; 111/109/107/100 offline domain join, the IDs and
//     states Get-AutopilotDiagnostics reads) and
//     Microsoft-Windows-User Device Registration/Admin (304 with the
//     "Previous Registration" fields, 306, 201; see
//     https://learn.microsoft.com/en-us/entra/identity/devices/troubleshoot-hybrid-join-windows-current)
//     — plus the connector's events for the device's ODJ request, their JSON
//     payload decoded into fields (RequestId, DeviceId, DomainName,
//     ErrorCode with its Win32 name, RetryCount, ErrorDescription,
//     DiagnosticCode, DiagnosticText …). Only 30132 is documented
//     (https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-enrollment-errors);
//     the others say UNCERTAIN in their message.
//   - DSRegCmd: `dsregcmd /status` at the end of the run (AzureAdJoined,
//     EnterpriseJoined, DomainJoined, DomainName, DeviceName, DeviceId,
//     TenantId, TenantName, AzureAdPrt, and Registration Type / Error Phase
//     / Client ErrorCode when a registration was attempted and failed).
//   - Explanation: for failed, domainJoinedNotRegistered, notAutopilot and
//     pending devices, the stage, the code as Windows shows it, its
//     meaning, the likely cause in this run's terms (connector, OU, quota,
//     network, sync scope), the fix, the on-screen message where documented
//     and a Microsoft Learn page with its heading. Codes and their pages
//     live in one table (Codes, Lookup).
//
// Diagnose is a pure function of its Device input: no clock, no map order,
// so results stay byte-identical run to run.
//
// Left out: event text Microsoft does not publish (the DeviceManagement
// and User Device Registration messages are our wording; the IDs and their
// meaning are sourced), event record numbers, provider GUIDs, process ids,
// the AAD/Operational PRT events, Shell-Core and the ESP's registry keys,
// MdmDiagnosticsTool output; the dsregcmd fields the flow does not decide
// (Thumbprint, KeyProvider, MDM URLs, User State); the cause of an
// unexpected failure the timeline does not show (the explanation then
// repeats the device's detail and links the enrollment-errors page).
package diagnosis
