package devicesim

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/autopilotsim/autopilotsim/internal/flatjson"
	"github.com/autopilotsim/autopilotsim/internal/strpack"
	"github.com/autopilotsim/autopilotsim/transport"
)

// HTTPCloud implements Cloud against mockgraph's /_private/ endpoints
// (mockgraph/PRIVATE_API.md). It takes mockgraph's added latency
// virtually (transport.AcceptLatencyHeader) and hands it to the device in
// each answer; error statuses come back as *CloudError.
type HTTPCloud struct {
	Client  *http.Client
	BaseURL string // e.g. http://graph.local
	// Agent is the User-Agent, so the service's request log can tell
	// devices apart (one HTTPCloud per device, e.g.
	// "autopilotsim-device/LAB0001"); empty: Go's default.
	Agent string
	// HardwareHash is the device's hardware hash, its identity to the
	// Autopilot service at profile download and enrollment (with the TPM
	// attestation the mock leaves out; PRIVATE_API.md "Authentication").
	HardwareHash string
	// HardwareHashFunc, when set, gives the hash at each send instead of
	// HardwareHash: a real device computes it from its hardware when it
	// needs it, and a fleet that holds 4 KB per device for the
	// whole run pays for it in memory and GC. It must return the same hash
	// every time.
	HardwareHashFunc func() string
	// Strings, when set, holds what the device keeps of its answers to
	// the end of the run (its profile, enrollment and ODJ blob), in
	// chunks it shares with the fleet's other devices; nil: a packed
	// allocation per answer (internal/strpack).
	Strings *strpack.Arena

	// What the device obtains on the way: the credential enrollment issues
	// (the MDM device certificate stand-in), presented for its ODJ request,
	// and its device certificate and key, presented to DRS.
	mu         sync.Mutex
	credential string
	certDER    []byte
	key        crypto.Signer
	// proof is the last DRS proof made, reused while the certificate and
	// the device id stay: the proof carries no nonce, and an Ed25519
	// signature of the same message is the same bytes anyway (RFC 8032
	// 5.1.6), so signing again on every run of the device-join task (every
	// few minutes until Entra Connect has synced the device) only cost CPU.
	proof drsProof
}

// drsProof is a DRS registration proof for one device id.
type drsProof struct {
	deviceID, cert, sig string
}

// hardwareHash is the hash the device presents now.
func (c *HTTPCloud) hardwareHash() string {
	if c.HardwareHashFunc != nil {
		return c.HardwareHashFunc()
	}
	return c.HardwareHash
}

// drsProofMessage is what the device signs to register (PRIVATE_API.md
// "Device Registration Service").
func drsProofMessage(deviceID string) []byte {
	return []byte("autopilotsim-drs-register:" + strings.ToLower(deviceID))
}

// UseDeviceCertificate implements CertificateHolder.
func (c *HTTPCloud) UseDeviceCertificate(der []byte, key crypto.Signer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.certDER, c.key = der, key
	c.proof = drsProof{}
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (c *HTTPCloud) do(method, path string, in, out any) (transport.Answer, error) {
	return c.doAs("", method, path, in, out)
}

// doAs sends a request with the bearer credential (none when empty).
func (c *HTTPCloud) doAs(credential, method, path string, in, out any) (transport.Answer, error) {
	var body io.Reader
	if m, ok := in.(map[string]string); ok {
		// Every request body a device sends: json.Marshal's bytes,
		// without its reflection and its byte-by-byte escape check of the
		// 4 KB hardware hash.
		body = bytes.NewReader(flatjson.AppendObject(nil, m))
	} else if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return transport.Answer{}, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return transport.Answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if credential != "" {
		req.Header.Set("Authorization", "Bearer "+credential)
	}
	transport.MarkSimulated(req, c.Agent, 0)
	resp, err := c.Client.Do(req)
	if err != nil {
		return transport.Answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	ans := transport.ReadAnswer(resp)
	// Everything decoded from data is copied out of it (flatjson.Unmarshal),
	// so the buffer serves the next answer.
	buf := transport.TakeBuffer()
	data, err := transport.AppendBody(*buf, resp, 0)
	defer func() { transport.KeepBuffer(buf, data) }()
	if err != nil {
		return ans, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		ce := &CloudError{Status: resp.StatusCode, RetryAfter: ans.RetryAfter, Latency: ans.Latency,
			Err: fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)}
		var e apiError
		if flatjson.Unmarshal(data, &e) == nil && e.Error.Code != "" {
			ce.Err = fmt.Errorf("%s %s: %d %s: %s", method, path, resp.StatusCode, e.Error.Code, e.Error.Message)
			ce.Code = e.Error.Code
		}
		return ans, ce
	}
	if out != nil && len(data) > 0 {
		if err := flatjson.Unmarshal(data, out); err != nil {
			return ans, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return ans, nil
}

// DownloadProfile implements Cloud.
func (c *HTTPCloud) DownloadProfile(serial string) (ProfileAnswer, error) {
	var out struct {
		AutopilotDeviceID string `json:"autopilotDeviceId"`
		AzureADDeviceID   string `json:"azureAdDeviceId"`
		ProfileSource     string `json:"profileSource"`
		Blank             bool   `json:"blank"`
		Profile           *struct {
			ID                            string `json:"id"`
			DisplayName                   string `json:"displayName"`
			CloudAssignedDomainJoinMethod int    `json:"cloudAssignedDomainJoinMethod"`
			SkipDC                        bool   `json:"hybridJoinSkipDCConnectivityCheck"`
			OOBE                          struct {
				UserType string `json:"userType"`
			} `json:"outOfBoxExperienceSetting"`
		} `json:"profile"`
	}
	res, err := c.do(http.MethodPost, "/_private/autopilot/v1/profile", map[string]string{"serialNumber": serial, "hardwareHash": c.hardwareHash()}, &out)
	if res.Status == http.StatusNotFound {
		return ProfileAnswer{Latency: res.Latency}, ErrNotRegistered
	}
	if err != nil {
		return ProfileAnswer{}, err
	}
	ans := ProfileAnswer{AutopilotDeviceID: out.AutopilotDeviceID, AzureADDeviceID: out.AzureADDeviceID, Source: out.ProfileSource, Blank: out.Blank, Latency: res.Latency}
	if out.Profile != nil {
		ans.Profile = &Profile{ID: out.Profile.ID, DisplayName: out.Profile.DisplayName,
			DomainJoinMethod: out.Profile.CloudAssignedDomainJoinMethod, SkipDCCheck: out.Profile.SkipDC, UserType: out.Profile.OOBE.UserType}
		c.Strings.Pack(&ans.AutopilotDeviceID, &ans.AzureADDeviceID, &ans.Source, &ans.Profile.ID, &ans.Profile.DisplayName, &ans.Profile.UserType)
	} else {
		c.Strings.Pack(&ans.AutopilotDeviceID, &ans.AzureADDeviceID, &ans.Source)
	}
	return ans, nil
}

// Enroll implements Cloud.
func (c *HTTPCloud) Enroll(r EnrollRequest) (EnrollAnswer, error) {
	var out struct {
		ManagedDeviceID  string  `json:"managedDeviceId"`
		DeviceCredential string  `json:"deviceCredential"`
		ODJRequestID     *string `json:"odjRequestId"`
		ESP              struct {
			TimeoutMinutes     int  `json:"timeoutMinutes"`
			HybridExtraMinutes int  `json:"hybridExtraMinutes"`
			SkipUserStatusPage bool `json:"skipUserStatusPage"`
		} `json:"esp"`
	}
	res, err := c.do(http.MethodPost, "/_private/enrollment/v1/enroll", map[string]string{
		"serialNumber": r.Serial, "autopilotDeviceId": r.AutopilotDeviceID,
		"userPrincipalName": r.UserPrincipalName, "joinType": r.JoinType, "hardwareHash": c.hardwareHash(),
	}, &out)
	if err != nil {
		return EnrollAnswer{}, err
	}
	c.mu.Lock()
	c.credential = out.DeviceCredential
	c.mu.Unlock()
	ans := EnrollAnswer{ManagedDeviceID: out.ManagedDeviceID, ESPTimeoutMinutes: out.ESP.TimeoutMinutes,
		ESPHybridExtraMins: out.ESP.HybridExtraMinutes, SkipUserStatusPage: out.ESP.SkipUserStatusPage, Latency: res.Latency}
	if out.ODJRequestID != nil {
		ans.ODJRequestID = *out.ODJRequestID
	}
	c.Strings.Pack(&ans.ManagedDeviceID, &ans.ODJRequestID)
	return ans, nil
}

// ODJRequest implements Cloud.
func (c *HTTPCloud) ODJRequest(id string) (ODJAnswer, error) {
	var out struct {
		State string  `json:"state"`
		Blob  *string `json:"blob"`
	}
	c.mu.Lock()
	cred := c.credential
	c.mu.Unlock()
	res, err := c.doAs(cred, http.MethodGet, "/_private/odj/v1/requests/"+url.PathEscape(id), nil, &out)
	if err != nil {
		return ODJAnswer{}, err
	}
	ans := ODJAnswer{State: out.State, Latency: res.Latency}
	if out.Blob != nil && *out.Blob != "" {
		raw, err := base64.StdEncoding.DecodeString(*out.Blob)
		if err != nil {
			return ODJAnswer{}, fmt.Errorf("ODJ blob of request %s: %w", id, err)
		}
		var b Blob
		if err := flatjson.Unmarshal(raw, &b); err != nil {
			return ODJAnswer{}, fmt.Errorf("ODJ blob of request %s: %w", id, err)
		}
		c.Strings.Pack(&b.Domain, &b.NetBIOSDomain, &b.ComputerName, &b.DistinguishedName, &b.MachinePassword, &b.DCName)
		ans.Blob = &b
	}
	return ans, nil
}

// drsProof returns the proof of the device key for deviceID, made once per
// certificate and device id; zero when the device has no certificate yet.
func (c *HTTPCloud) drsProof(deviceID string) (drsProof, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key == nil {
		return drsProof{}, nil
	}
	if c.proof.deviceID == deviceID {
		return c.proof, nil
	}
	// Proof of the device key (ed25519 signs the message itself).
	sig, err := c.key.Sign(nil, drsProofMessage(deviceID), crypto.Hash(0))
	if err != nil {
		return drsProof{}, fmt.Errorf("sign the DRS proof: %w", err)
	}
	c.proof = drsProof{deviceID: deviceID, cert: base64.StdEncoding.EncodeToString(c.certDER), sig: base64.StdEncoding.EncodeToString(sig)}
	return c.proof, nil
}

// Register implements Cloud.
func (c *HTTPCloud) Register(deviceID, thumbprint string) (RegisterAnswer, error) {
	body := map[string]string{"deviceId": deviceID, "certificateThumbprint": thumbprint}
	proof, err := c.drsProof(deviceID)
	if err != nil {
		return RegisterAnswer{}, err
	}
	if proof.deviceID != "" {
		body["certificate"], body["signature"] = proof.cert, proof.sig
	}
	res, err := c.doAs("", http.MethodPost, "/_private/drs/v1/register", body, nil)
	if res.Status == http.StatusNotFound {
		return RegisterAnswer{Latency: res.Latency}, nil
	}
	if err != nil {
		return RegisterAnswer{}, err
	}
	// Registered: the task does not register again, so the proof (600
	// bytes of base64) is not kept for the rest of the run.
	c.mu.Lock()
	c.proof = drsProof{}
	c.mu.Unlock()
	return RegisterAnswer{Found: true, Latency: res.Latency}, nil
}
