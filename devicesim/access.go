package devicesim

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// Conditional Access after provisioning (F36). Windows Autopilot known
// issues (https://learn.microsoft.com/en-us/autopilot/known-issues),
// "Device-based Conditional Access policies": a hybrid device deployed with
// Autopilot has two device IDs, and the hybrid one's compliance is N/A
// until a user signs in (Intune then syncs with it), so a policy that
// requires a compliant device blocks the device at first. With
// Config.CheckAccess the device asks the service twice once it is hybrid
// joined: when provisioning ends, and after the user signed out and back
// in, as the hybrid ESP's Sign out button asks ([DOC] S6). The decision is
// the service's (mockgraph's sign-in channel); the device records it.

// AccessChecker is implemented by a Cloud that can ask Conditional Access
// for a decision (HTTPCloud, mockgraph's /_private/signin/v1/access).
type AccessChecker interface {
	// Access signs the user in to a cloud app from the hybrid device
	// deviceID; userSignIn is true for the user's Windows sign-in after
	// the ESP.
	Access(deviceID, upn string, userSignIn bool) (AccessAnswer, error)
}

// AccessAnswer is a Conditional Access decision.
type AccessAnswer struct {
	Result     string // granted | blocked
	Compliance string // the hybrid object's compliance: compliant | N/A
	Policy     string // the policy that blocked
	Reason     string
}

// AccessResult is the two decisions of a hybrid joined device (F36).
type AccessResult struct {
	AtProvisioningEnd, AfterSignIn AccessAnswer
}

// signInProofMessage is what the device signs on the sign-in channel
// (PRIVATE_API.md "Sign-in").
func signInProofMessage(deviceID string) []byte {
	return []byte("autopilotsim-signin:" + strings.ToLower(deviceID))
}

// Access implements AccessChecker.
func (c *HTTPCloud) Access(deviceID, upn string, userSignIn bool) (AccessAnswer, error) {
	body := map[string]any{"deviceId": deviceID, "userPrincipalName": upn, "userSignIn": userSignIn}
	c.mu.Lock()
	der, key := c.certDER, c.key
	c.mu.Unlock()
	if key != nil {
		sig, err := key.Sign(nil, signInProofMessage(deviceID), crypto.Hash(0))
		if err != nil {
			return AccessAnswer{}, fmt.Errorf("sign the sign-in proof: %w", err)
		}
		body["certificate"], body["signature"] = base64.StdEncoding.EncodeToString(der), base64.StdEncoding.EncodeToString(sig)
	}
	var out struct {
		Result     string `json:"result"`
		Compliance string `json:"compliance"`
		Policy     string `json:"policy"`
		Reason     string `json:"reason"`
	}
	if _, err := c.doAs("", http.MethodPost, "/_private/signin/v1/access", body, &out); err != nil {
		return AccessAnswer{}, err
	}
	return AccessAnswer{Result: out.Result, Compliance: out.Compliance, Policy: out.Policy, Reason: out.Reason}, nil
}

// checkAccess runs when the device ends hybrid joined: the two sign-ins of
// the user, and Conditional Access's decisions.
func (d *Device) checkAccess() {
	ac, ok := d.cfg.Cloud.(AccessChecker)
	if !d.cfg.CheckAccess || !ok {
		return
	}
	ask := func(when string, userSignIn bool) AccessAnswer {
		ans, err := ac.Access(d.res.HybridDeviceID, d.cfg.UserPrincipalName, userSignIn)
		if err != nil {
			ans = AccessAnswer{Result: "error", Reason: err.Error()}
		}
		line := fmt.Sprintf("Conditional Access %s: %s (compliance %s)", when, ans.Result, ans.Compliance)
		if ans.Policy != "" {
			line += fmt.Sprintf(" by %q: %s", ans.Policy, ans.Reason)
		} else if ans.Result == "error" {
			line += ": " + ans.Reason
		}
		d.log("conditionalAccess", line)
		return ans
	}
	r := &AccessResult{AtProvisioningEnd: ask("at the end of provisioning", false)}
	d.log("conditionalAccess", "the user signs out and back in")
	r.AfterSignIn = ask("after the user's sign-in", true)
	d.res.Access = r
}
