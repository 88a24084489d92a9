package devicesim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// HTTPCloud implements Cloud against mockgraph's /_private/ endpoints
// (mockgraph/PRIVATE_API.md).
type HTTPCloud struct {
	Client  *http.Client
	BaseURL string // e.g. http://graph.local
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (c *HTTPCloud) do(method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var e apiError
		if json.Unmarshal(data, &e) == nil && e.Error.Code != "" {
			return resp.StatusCode, fmt.Errorf("%s %s: %d %s: %s", method, path, resp.StatusCode, e.Error.Code, e.Error.Message)
		}
		return resp.StatusCode, fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
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
		} `json:"profile"`
	}
	status, err := c.do(http.MethodPost, "/_private/autopilot/v1/profile", map[string]string{"serialNumber": serial}, &out)
	if status == http.StatusNotFound {
		return ProfileAnswer{}, ErrNotRegistered
	}
	if err != nil {
		return ProfileAnswer{}, err
	}
	ans := ProfileAnswer{AutopilotDeviceID: out.AutopilotDeviceID, AzureADDeviceID: out.AzureADDeviceID, Source: out.ProfileSource, Blank: out.Blank}
	if out.Profile != nil {
		ans.Profile = &Profile{ID: out.Profile.ID, DisplayName: out.Profile.DisplayName,
			DomainJoinMethod: out.Profile.CloudAssignedDomainJoinMethod, SkipDCCheck: out.Profile.SkipDC}
	}
	return ans, nil
}

// Enroll implements Cloud.
func (c *HTTPCloud) Enroll(r EnrollRequest) (EnrollAnswer, error) {
	var out struct {
		ManagedDeviceID string  `json:"managedDeviceId"`
		ODJRequestID    *string `json:"odjRequestId"`
		ESP             struct {
			TimeoutMinutes     int  `json:"timeoutMinutes"`
			HybridExtraMinutes int  `json:"hybridExtraMinutes"`
			SkipUserStatusPage bool `json:"skipUserStatusPage"`
		} `json:"esp"`
	}
	_, err := c.do(http.MethodPost, "/_private/enrollment/v1/enroll", map[string]string{
		"serialNumber": r.Serial, "autopilotDeviceId": r.AutopilotDeviceID,
		"userPrincipalName": r.UserPrincipalName, "joinType": r.JoinType,
	}, &out)
	if err != nil {
		return EnrollAnswer{}, err
	}
	ans := EnrollAnswer{ManagedDeviceID: out.ManagedDeviceID, ESPTimeoutMinutes: out.ESP.TimeoutMinutes,
		ESPHybridExtraMins: out.ESP.HybridExtraMinutes, SkipUserStatusPage: out.ESP.SkipUserStatusPage}
	if out.ODJRequestID != nil {
		ans.ODJRequestID = *out.ODJRequestID
	}
	return ans, nil
}

// ODJRequest implements Cloud.
func (c *HTTPCloud) ODJRequest(id string) (ODJAnswer, error) {
	var out struct {
		State string  `json:"state"`
		Blob  *string `json:"blob"`
	}
	if _, err := c.do(http.MethodGet, "/_private/odj/v1/requests/"+url.PathEscape(id), nil, &out); err != nil {
		return ODJAnswer{}, err
	}
	ans := ODJAnswer{State: out.State}
	if out.Blob != nil && *out.Blob != "" {
		raw, err := base64.StdEncoding.DecodeString(*out.Blob)
		if err != nil {
			return ODJAnswer{}, fmt.Errorf("ODJ blob of request %s: %w", id, err)
		}
		var b Blob
		if err := json.Unmarshal(raw, &b); err != nil {
			return ODJAnswer{}, fmt.Errorf("ODJ blob of request %s: %w", id, err)
		}
		ans.Blob = &b
	}
	return ans, nil
}

// Register implements Cloud.
func (c *HTTPCloud) Register(deviceID, thumbprint string) (bool, error) {
	status, err := c.do(http.MethodPost, "/_private/drs/v1/register", map[string]string{"deviceId": deviceID, "certificateThumbprint": thumbprint}, nil)
	if status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}
