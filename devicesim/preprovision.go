package devicesim

import (
	"fmt"
	"time"
)

// Pre-provisioning ("white glove"), the technician flow and the user flow
// of a hybrid join: Windows Autopilot for pre-provisioned deployment
// (https://learn.microsoft.com/en-us/autopilot/pre-provision) and the
// hybrid technician-flow tutorial
// (https://learn.microsoft.com/en-us/autopilot/tutorial/pre-provisioning/hybrid-azure-ad-join-technician-flow).
//
// Technician flow: at the first OOBE screen the technician presses the
// Windows key five times and picks "Windows Autopilot provisioning"; the
// device attests its TPM, enrolls (no user), waits for and applies the ODJ
// blob, and is resealed. The docs say it needs the Internet only, not a DC
// (the OOBE code also runs the connectivity routine there: UNCERTAIN, not
// modelled). User flow: the user powers it on later; a DC is needed, the
// device reboots, the user signs in with AD credentials, the device ESP
// runs again, then the user ESP.
//
// A real TPM is not simulated: the attestation's outcome is a parameter
// (TPM), with the codes of Windows Autopilot known issues
// (https://learn.microsoft.com/en-us/autopilot/known-issues, F33).

// The stage of the technician flow's TPM attestation ("Securing your
// hardware").
const StageTPMAttestation Stage = "tpmAttestation"

// TPMOutcome is how the TPM attestation ends (F33).
type TPMOutcome string

// The attestation outcomes.
const (
	TPMOK                 TPMOutcome = "ok"
	TPMNone               TPMOutcome = "noTPM"              // no TPM 2.0, or a VM: times out
	TPMTimeout            TPMOutcome = "timeout"            // e.g. Infineon SLB9672 "TPM attestation timed out"
	TPMAttestationFailed  TPMOutcome = "attestationFailed"  // 0x801c03ea
	TPMMaxRetries         TPMOutcome = "maxRetries"         // 0x81039001
	TPMVulnerableFirmware TPMOutcome = "vulnerableFirmware" // 0x81039024
)

// ParseTPMOutcome checks an outcome; "" means ok.
func ParseTPMOutcome(s string) (TPMOutcome, error) {
	switch o := TPMOutcome(s); o {
	case "":
		return TPMOK, nil
	case TPMOK, TPMNone, TPMTimeout, TPMAttestationFailed, TPMMaxRetries, TPMVulnerableFirmware:
		return o, nil
	}
	return "", fmt.Errorf("devicesim: unknown TPM attestation outcome %q", s)
}

// Pre-provisioning timings.
const (
	// TPMAttestationTimeout is the OOBE code's limit on the attestation
	// ([CODE] S30: 7 minutes, then 0x800705B4).
	TPMAttestationTimeout = 7 * time.Minute
	// TPMAttestationTime is a successful attestation's duration [INF].
	TPMAttestationTime = time.Minute
	// UserFlowMinWait: "wait at least 90 minutes" after the technician flow
	// before the user flow (pre-provisioning docs, F35).
	UserFlowMinWait = 90 * time.Minute
	// UserFlowMaxWait: run the user flow within six months (the IME
	// certificates, F35); 183 days.
	UserFlowMaxWait = 183 * 24 * time.Hour
)

// PreProvision makes the device run the technician flow first.
type PreProvision struct {
	TPM TPMOutcome
	// UserFlowAfter is how long after the reseal the user powers it on.
	UserFlowAfter time.Duration
}

// tpmFailure is the code and message of a failed attestation.
func tpmFailure(o TPMOutcome) (code, msg string, after time.Duration) {
	switch o {
	case TPMNone, TPMTimeout:
		return CodeTimeout, "Securing your hardware (Failed: 0x800705b4): TPM attestation timed out", TPMAttestationTimeout
	case TPMAttestationFailed:
		return "801C03EA", "Securing your hardware (Failed: 0x801c03ea): TPM attestation failed", TPMAttestationTime
	case TPMMaxRetries:
		return "81039001", "Securing your hardware (Failed: 0x81039001): too many attestation retries", TPMAttestationTime
	case TPMVulnerableFirmware:
		return "81039024", "Securing your hardware (Failed: 0x81039024): vulnerable TPM firmware", TPMAttestationTime
	}
	return "", "", TPMAttestationTime
}

// technicianFlow replaces the user's OOBE pages and sign-in.
func (d *Device) technicianFlow() {
	d.enter(StageTPMAttestation)
	d.log("technicianFlow", "Windows key x5: Windows Autopilot provisioning; Securing your hardware (TPM attestation)")
	code, msg, after := tpmFailure(d.cfg.PreProvision.TPM)
	d.after(after, func() {
		if code != "" {
			d.fail(code, msg)
			return
		}
		d.log("technicianFlow", "TPM attested; enrolling the device (no user)")
		d.enrollMDM()
	})
}

// reseal ends the technician flow; the user flow starts UserFlowAfter
// later with the DC check (a DC is needed now) and the reboot.
func (d *Device) reseal() {
	d.resealed = true
	d.log("technicianFlow", "Reseal: the device shuts down until the user powers it on")
	d.after(d.cfg.PreProvision.UserFlowAfter, func() {
		d.log("userFlow", "the user powers the device on; network, then the DC check")
		d.deadline = d.cfg.Clock.Now().Add(d.cfg.Timings.ConnectivityWait)
		d.res.TimerStartedAt = d.cfg.Clock.Now()
		d.checkDC()
	})
}

// userFlowBroken reports why the user flow's device setup cannot finish:
// started too soon after the technician flow, or too late (F35). The
// device shows token / IME certificate errors (Win32 app detection
// "NotComputed"); no code is documented.
func (d *Device) userFlowBroken() (string, bool) {
	if d.cfg.PreProvision == nil {
		return "", false
	}
	switch w := d.cfg.PreProvision.UserFlowAfter; {
	case w < UserFlowMinWait:
		return fmt.Sprintf("user flow %s after the technician flow, less than the 90 minutes required: token / IME certificate errors, Win32 app detection NotComputed", w), true
	case w > UserFlowMaxWait:
		return fmt.Sprintf("user flow %s after the technician flow, more than six months: the IME certificates expired", w), true
	}
	return "", false
}
