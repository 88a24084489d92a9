package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// admin is the Graph client the harness uses as the tenant's administrator:
// the same requests an admin's script (WindowsAutopilotIntune, curl) sends.
type admin struct {
	client   *http.Client
	base     string // e.g. http://graph.local
	tenant   string
	clientID string
	secret   string
	token    string
}

func (a *admin) signIn() error {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {a.clientID},
		"client_secret": {a.secret},
		"scope":         {"https://graph.microsoft.com/.default"},
	}
	resp, err := a.client.PostForm(a.base+"/"+a.tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		return fmt.Errorf("harness: token: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("harness: token: HTTP %d: %s", resp.StatusCode, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return fmt.Errorf("harness: token: no access_token in %s", body)
	}
	a.token = tok.AccessToken
	return nil
}

// call sends a Graph request and decodes the JSON answer into out (if any).
// Expired tokens are renewed once: setup spans a day of virtual time and
// tokens live an hour.
func (a *admin) call(method, path string, in, out any) error {
	for attempt := 0; ; attempt++ {
		status, body, err := a.send(method, path, in)
		if err != nil {
			return err
		}
		if status == http.StatusUnauthorized && attempt == 0 {
			if err := a.signIn(); err != nil {
				return err
			}
			continue
		}
		if status >= 300 {
			return fmt.Errorf("harness: %s %s: HTTP %d: %s", method, path, status, strings.TrimSpace(string(body)))
		}
		if out != nil && len(body) > 0 {
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("harness: %s %s: decode: %w", method, path, err)
			}
		}
		return nil
	}
}

func (a *admin) send(method, path string, in any) (int, []byte, error) {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, fmt.Errorf("harness: encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("harness: %s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token == "" {
		if err := a.signIn(); err != nil {
			return 0, nil, err
		}
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("harness: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("harness: %s %s: read: %w", method, path, err)
	}
	return resp.StatusCode, body, nil
}

type idOnly struct {
	ID string `json:"id"`
}

func target(kind, groupID string) map[string]any {
	switch kind {
	case "all":
		return map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}
	case "exclude":
		return map[string]any{"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": groupID}
	}
	return map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": groupID}
}
