package devicesim

import (
	"crypto"
	"errors"
	"fmt"
	"time"
)

// Cloud is what a device asks of the Autopilot, Intune and Device
// Registration services (mockgraph's /_private/ endpoints, PRIVATE_API.md).
//
// Every answer carries Latency: how much later than the request it
// arrived (mockgraph's added-latency faults). An error answer from the
// service is a *CloudError, so the device can honour Retry-After.
type Cloud interface {
	DownloadProfile(serial string) (ProfileAnswer, error)
	Enroll(req EnrollRequest) (EnrollAnswer, error)
	ODJRequest(id string) (ODJAnswer, error)
	// Register asks DRS to complete hybrid registration; Found is false
	// while Entra Connect has not synced the computer (0x801c03f2, S20).
	Register(deviceID, thumbprint string) (RegisterAnswer, error)
}

// CertificateHolder is implemented by a Cloud that authenticates the
// device to DRS with its device certificate (HTTPCloud): the device hands
// it the certificate and key once Automatic-Device-Join has made them.
type CertificateHolder interface {
	UseDeviceCertificate(der []byte, key crypto.Signer)
}

// CloudError is an error status from the service: throttling (429 with
// Retry-After) or a server error, maybe transient.
type CloudError struct {
	Status     int
	RetryAfter time.Duration // the answer's Retry-After; 0 when absent
	Latency    time.Duration // added latency of this answer
	Err        error         // what was answered (method, path, code, message)
	Code       string        // the error code of the answer's body, e.g. "DeviceNotSupported"
}

func (e *CloudError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

func (e *CloudError) Unwrap() error { return e.Err }

// Directory is what a device does against a domain controller over LDAP.
// The device calls it only when its network view says a DC is reachable.
type Directory interface {
	// Locate is the DC locator "ping" (an anonymous rootDSE read).
	Locate(domain string) error
	// SignIn checks AD credentials (a simple bind as NETBIOS\user).
	SignIn(domain, netbios, user, password string) error
	// WriteUserCertificate binds as the computer account and replaces its
	// own userCertificate (what Automatic-Device-Join does, S12).
	WriteUserCertificate(domain, netbios, computerName, computerDN, machinePassword string, der []byte) error
}

// ErrNotRegistered is returned by DownloadProfile for a serial Autopilot
// does not know (event 807 ZtdDeviceIsNotRegistered, S8).
var ErrNotRegistered = errors.New("devicesim: device is not registered in Autopilot")

// ErrBadCredentials is returned by Directory.SignIn for a wrong password.
var ErrBadCredentials = errors.New("devicesim: the user name or password is incorrect")

// ProfileAnswer is the profile download result.
type ProfileAnswer struct {
	AutopilotDeviceID string
	AzureADDeviceID   string
	Source            string // assigned | default | none
	Blank             bool   // assignment in progress: blank profile cached until reboot (S8)
	Profile           *Profile
	Latency           time.Duration
}

// Profile is the part of a deployment profile the device acts on.
type Profile struct {
	ID          string
	DisplayName string
	// DomainJoinMethod is CloudAssignedDomainJoinMethod: 1 hybrid, 0 Entra (S31).
	DomainJoinMethod int
	// SkipDCCheck is HybridJoinSkipDCConnectivityCheck (S28).
	SkipDCCheck bool
	// UserType is the profile's user account type: standard or
	// administrator (outOfBoxExperienceSetting.userType, F38).
	UserType string
}

// EnrollRequest is the MDM enrollment (join type DeviceJoinForDomainJoin for hybrid, S5).
type EnrollRequest struct {
	Serial, AutopilotDeviceID, UserPrincipalName, JoinType string
}

// EnrollAnswer is what enrollment hands back.
type EnrollAnswer struct {
	ManagedDeviceID    string
	ODJRequestID       string // "" when no Domain Join profile targets the device (F5)
	ESPTimeoutMinutes  int
	ESPHybridExtraMins int
	SkipUserStatusPage bool
	Latency            time.Duration
}

// ODJAnswer is the state of the device's ODJ request.
type ODJAnswer struct {
	State   string // pending | inProgress | completed | failed
	Blob    *Blob
	Latency time.Duration
}

// RegisterAnswer is DRS's answer to a registration attempt.
type RegisterAnswer struct {
	Found   bool // false: the device object is not synced yet (0x801c03f2, S20)
	Latency time.Duration
}

// Blob is the content of an offline domain join blob (S33).
type Blob struct {
	Domain            string `json:"domain"`
	NetBIOSDomain     string `json:"netbiosDomain"`
	ComputerName      string `json:"computerName"`
	DistinguishedName string `json:"distinguishedName"`
	MachinePassword   string `json:"machinePassword"`
	DCName            string `json:"dcName"`
}
