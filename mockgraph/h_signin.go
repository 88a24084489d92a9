package mockgraph

import (
	"fmt"
	"net/http"
	"strings"
)

// The sign-in channel (PRIVATE_API.md "Sign-in"): a user of a hybrid joined
// device signs in to a cloud app, and Conditional Access decides with the
// device's hybrid object (conditional_access.go). Windows Autopilot known
// issues (https://learn.microsoft.com/en-us/autopilot/known-issues), "Device-based
// Conditional Access policies": a hybrid device deployed with Autopilot has
// two device IDs; "the hybrid compliance state displays as N/A … until a
// user signs in. Intune only syncs with the Hybrid device ID after a
// successful user sign-in", so a policy requiring a compliant device blocks
// it meanwhile; a user's sign-in, or a policy that also accepts a hybrid
// joined device ("Require compliant or Microsoft Entra hybrid joined
// device"), resolves it.
//
// CHOICE [INF]: the sign-in that makes Intune sync is the user's Windows
// sign-in after the hybrid ESP's Sign out (userSignIn true); the device is
// then taken to meet the compliance policies, at once (the compliance
// evaluation's delay is not modelled).

// SignInProofMessage is what a device signs with its device certificate's
// key on the sign-in channel (as for DRS, another message so a proof of
// one is no proof of the other).
func SignInProofMessage(deviceID string) []byte {
	return []byte("autopilotsim-signin:" + strings.ToLower(deviceID))
}

// privSignIn: POST /_private/signin/v1/access.
func (s *Server) privSignIn(w http.ResponseWriter, r *http.Request) *apiError {
	var b struct {
		DeviceID          string `json:"deviceId"`
		UserPrincipalName string `json:"userPrincipalName"`
		UserSignIn        bool   `json:"userSignIn"`
		Certificate       string `json:"certificate"`
		Signature         string `json:"signature"`
	}
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	if strings.TrimSpace(b.DeviceID) == "" || strings.TrimSpace(b.UserPrincipalName) == "" {
		return privErr(400, "BadRequest", "deviceId and userPrincipalName are required.")
	}
	var d *entraDevice
	for _, o := range s.st.entraByDeviceID(b.DeviceID) {
		if o.OnPremisesSyncEnabled && o.RegistrationDateTime != nil {
			d = o
		}
	}
	if d == nil {
		// Unknown and unregistered devices alike: no oracle.
		w.Header().Set("WWW-Authenticate", `Bearer realm="autopilotsim-private"`)
		return errUnauthenticated("No registered hybrid device " + b.DeviceID + ".")
	}
	if e := checkDeviceKey(d, b.Certificate, b.Signature, SignInProofMessage(d.DeviceID)); e != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="autopilotsim-private"`)
		return e
	}
	if b.UserSignIn && (d.IsCompliant == nil || !*d.IsCompliant) {
		yes := true
		d.IsCompliant = &yes
		s.record("intune.compliance", d.DisplayName+" compliant: Intune synced with the hybrid device ID after the user's sign-in")
		s.deviceChanged(d.ID)
	}
	dec := s.evaluateAccess(d)
	out := map[string]any{"result": "granted", "compliance": compliance(d)}
	if !dec.Granted {
		out["result"], out["policy"], out["reason"] = "blocked", dec.Policy, dec.Reason
	}
	s.record("ca.signin", fmt.Sprintf("%s %s userSignIn=%t %v", d.DisplayName, b.UserPrincipalName, b.UserSignIn, out["result"]))
	writeJSON(w, 200, out)
	return nil
}
