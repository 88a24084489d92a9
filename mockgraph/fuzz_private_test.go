package mockgraph

import (
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"
	"unicode/utf8"
)

// The private channels (PRIVATE_API.md) are protocol entry points too:
// each target below sends one fuzzed request to a fresh fuzzWorld
// (fuzz_world_test.go) and checks the channel's documented answers, its
// authentication (a credential of the wrong kind, none, or a made-up one
// is 401; another client's is never a success), and that a refused request
// changes nothing.

// Credential choices: the client's own, another client's of the same
// kind, or not one of its kind at all.
const (
	credOwn = iota
	credOther
	credWrongKind
	credNone
	credGarbage
	credAdmin
	credKinds
)

// segment is the path segment for a fuzzed id: "" names the world's own
// object, "~" its second one, anything else is sent escaped.
func segment(id, own, second string) string {
	switch id {
	case "":
		return own
	case "~":
		return second
	}
	return url.PathEscape(id)
}

// cleaned reports whether the router answers target with a redirect to its
// cleaned form (gorilla/mux: "." and ".." segments, double slashes) rather
// than routing it.
func cleaned(target string) bool {
	p := target
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	u, err := url.Parse(p)
	if err != nil {
		return false
	}
	c := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && c != "/" {
		c += "/"
	}
	return c != u.Path
}

// notUTF8 reports whether target's decoded path or query is not UTF-8.
func notUTF8(target string) bool {
	u, err := url.Parse(target)
	if err != nil {
		return false
	}
	if !utf8.ValidString(u.Path) {
		return true
	}
	vals, _ := url.ParseQuery(u.RawQuery)
	for k, vs := range vals {
		for _, v := range append(vs, k) {
			if !utf8.ValidString(v) {
				return true
			}
		}
	}
	return false
}

func (w *fuzzWorld) credFor(kind uint8, own, other, wrong string) string {
	switch kind % credKinds {
	case credOwn:
		return own
	case credOther:
		return other
	case credWrongKind:
		return wrong
	case credNone:
		return ""
	case credGarbage:
		return "odjc_" + strings.Repeat("A", 43)
	}
	return fwShared.admin
}

// withStatus adds 301 when the router cleans the path first, and 404/405
// when an id with a slash reaches another route.
// An id that is not UTF-8 is refused (400) before anything else
// (checkURLText).
func withStatus(target string, ok ...int) []int {
	if notUTF8(target) { // checked before the router cleans the path
		return []int{http.StatusBadRequest}
	}
	if cleaned(target) {
		return []int{http.StatusMovedPermanently}
	}
	return append(ok, http.StatusNotFound, http.StatusMethodNotAllowed)
}

// FuzzDeviceChannels: what a device sends (profile download, enrollment,
// its ODJ request's state, DRS registration).
func FuzzDeviceChannels(f *testing.F) {
	fwInit(f)
	for _, s := range []struct {
		route, cred uint8
		id, body    string
	}{
		{0, 0, "", `{"serialNumber":"A1","hardwareHash":"aGFzaA=="}`},
		{0, 0, "", `{"serialNumber":"A1","hardwareHash":"aGFzaA=!"}`},
		{0, 0, "", `{"serialNumber":"ZZ9","hardwareHash":"aGFzaA=="}`},
		{1, 0, "", `{"serialNumber":"B1","hardwareHash":"aGFzaA==","joinType":"DeviceJoinForDomainJoin","userPrincipalName":"alice@contoso.com"}`},
		{1, 0, "", `{"serialNumber":"A1","hardwareHash":"aGFzaA==","joinType":"AzureADJoin"}`},
		{1, 0, "", `{"serialNumber":"A1","hardwareHash":"aGFzaA==","joinType":"Workplace"}`},
		{2, credOwn, "", ""}, {2, credOther, "", ""}, {2, credWrongKind, "", ""}, {2, credNone, "", ""}, {2, credOwn, "~", ""},
		{2, credOwn, "../../requests", ""}, {2, credOwn, "x/result", ""},
		{3, 0, "", `{"deviceId":"` + fwSyncedID + `","certificateThumbprint":"` + fwShared.thumbprint + `","certificate":"` + fwShared.certB64 + `","signature":"` + fwShared.signature + `"}`},
		{3, 0, "", `{"deviceId":"` + fwSyncedID + `","certificate":"` + fwShared.certB64 + `","signature":"AAAA"}`},
		{3, 0, "", `{"deviceId":"` + fwSyncedID + `","certificate":"","signature":""}`},
		{3, 0, "", `{"deviceId":"00000000-0000-0000-0000-000000000000"}`},
		{0, 0, "", `{`}, {1, 0, "", `[]`}, {3, 0, "", `null`},
	} {
		f.Add(s.route, s.cred, s.id, s.body)
	}
	var pool worldPool
	f.Fuzz(func(t *testing.T, route, cred uint8, id, body string) {
		w, before := pool.get(t)
		defer pool.done(t)
		switch route % 4 {
		case 0:
			w.call("POST", "/_private/autopilot/v1/profile", "", body, "")
			w.answered(t, "profile "+body, before, 200, 400, 404)
		case 1:
			w.call("POST", "/_private/enrollment/v1/enroll", "", body, "")
			w.answered(t, "enroll "+body, before, 201, 400, 403, 404)
		case 2:
			target := "/_private/odj/v1/requests/" + segment(id, w.ids["odjA1"], w.ids["odjB1"])
			token := w.credFor(cred, w.devA, w.devB, w.connA)
			w.call("GET", target, token, "", "")
			switch c := cred % credKinds; {
			case cleaned(target):
				w.answered(t, target, before, withStatus(target)...)
			case c == credOwn:
				w.answered(t, target, before, withStatus(target, 200, 401)...)
			case c == credOther && id == "":
				w.answered(t, target, before, 404) // another device's request is unknown to it
			case c == credOther:
				w.answered(t, target, before, withStatus(target, 200, 401)...)
			default:
				w.answered(t, target, before, withStatus(target, 401)...)
			}
		case 3:
			w.call("POST", "/_private/drs/v1/register", "", body, "")
			w.answered(t, "drs "+body, before, 200, 400, 401, 404)
		}
	})
}

// FuzzConnectorChannels: what the Intune Connector sends (heartbeat, claim,
// result), with its own credential, the other connector's, or none.
func FuzzConnectorChannels(f *testing.F) {
	fwInit(f)
	for _, s := range []struct {
		route, cred uint8
		id, body    string
	}{
		{0, credOwn, "", `{"displayName":"ODJCONN01","domain":"corp.contoso.com","version":"6.2501.2000.5"}`},
		{0, credOwn, "", `{"displayName":"ODJCONN01","domain":"other.contoso.com"}`},
		{0, credOther, "~", `{"domain":"other.contoso.com","version":"6.2501.2000.5"}`},
		{0, credOther, "", `{"domain":"corp.contoso.com"}`},
		{0, credOwn, "", `{"domain":""}`},
		{1, credOwn, "", `{"max":10}`}, {1, credOwn, "", `{"max":0}`}, {1, credOwn, "", `{"max":1e3}`},
		{1, credOther, "~", `{}`}, {1, credWrongKind, "", `{"max":1}`},
		{2, credOwn, "", `{"connectorId":"c1","success":true,"computerName":"AP-4KX9Q2M7ZB1","distinguishedName":"CN=AP-4KX9Q2M7ZB1,OU=Autopilot,DC=corp,DC=contoso,DC=com","blob":"eyJtYWNoaW5lUGFzc3dvcmQiOiJ4In0="}`},
		{2, credOwn, "", `{"connectorId":"c1","success":false,"errorCode":8557,"diagnosticCode":"0x00000800","errorDescription":"quota"}`},
		{2, credOwn, "", `{"connectorId":"c1","success":true,"blob":"not base64"}`},
		{2, credOwn, "~", `{"connectorId":"c1","success":true,"blob":"eA=="}`},
		{2, credOther, "", `{"connectorId":"c2","success":true,"blob":"eA=="}`},
		{2, credNone, "", `{"success":true,"blob":"eA=="}`},
		{2, credAdmin, "", `{"success":false}`},
	} {
		f.Add(s.route, s.cred, s.id, s.body)
	}
	var pool worldPool
	f.Fuzz(func(t *testing.T, route, cred uint8, id, body string) {
		w, before := pool.get(t)
		defer pool.done(t)
		var target string
		ok := []int{}
		switch route % 3 {
		case 0:
			target = "/_private/odj/v1/connectors/" + segment(id, "c1", "c2") + "/heartbeat"
			ok = append(ok, 200, 400, 401, 403)
		case 1:
			target = "/_private/odj/v1/connectors/" + segment(id, "c1", "c2") + "/claim"
			ok = append(ok, 200, 400, 401, 403, 404)
		case 2:
			target = "/_private/odj/v1/requests/" + segment(id, w.ids["odjA1"], w.ids["odjB1"]) + "/result"
			ok = append(ok, 204, 400, 401, 403, 404, 409)
		}
		w.call("POST", target, w.credFor(cred, w.connA, w.connB, w.devA), body, "")
		what := target + " " + body
		switch c := cred % credKinds; {
		case cleaned(target):
			w.answered(t, what, before, withStatus(target)...)
		case c == credOwn:
			w.answered(t, what, before, withStatus(target, ok...)...)
		case c == credOther && id == "":
			// c2 acting on c1's connector or c1's claimed request.
			w.answered(t, what, before, 400, 403, 404, 409)
		case c == credOther:
			w.answered(t, what, before, withStatus(target, ok...)...)
		default:
			w.answered(t, what, before, withStatus(target, 401)...)
		}
	})
}

// FuzzSyncChannels: what Entra Connect exports (PUT and DELETE of a synced
// device by its on-premises object id).
func FuzzSyncChannels(f *testing.F) {
	fwInit(f)
	for _, s := range []struct {
		del, cred uint8
		oid, body string
	}{
		{0, credOwn, "", `{"displayName":"SYNCED1","deviceId":"` + fwSyncedID + `","certificateThumbprint":"` + fwShared.thumbprint + `"}`},
		{0, credOwn, "oid-2", `{"displayName":"CORP-PC02","deviceId":"bbbbbbbb-cccc-4ddd-8eee-ffffffffffff","onPremisesSecurityIdentifier":"S-1-5-21-1-2-3-1105","onPremisesDistinguishedName":"CN=CORP-PC02,OU=Autopilot,DC=corp,DC=contoso,DC=com"}`},
		{0, credOwn, "oid-2", `{"displayName":"X","deviceId":"not-a-guid"}`},
		{0, credOwn, "oid-2", `{"displayName":" ","deviceId":"bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"}`},
		{0, credWrongKind, "", `{"displayName":"X","deviceId":"` + fwSyncedID + `"}`},
		{0, credNone, "", `{"displayName":"X","deviceId":"` + fwSyncedID + `"}`},
		{1, credOwn, "", ""}, {1, credOwn, "oid-404", ""}, {1, credAdmin, "", ""}, {1, credOwn, "..", ""},
	} {
		f.Add(s.del, s.cred, s.oid, s.body)
	}
	var pool worldPool
	f.Fuzz(func(t *testing.T, del, cred uint8, oid, body string) {
		w, before := pool.get(t)
		defer pool.done(t)
		target := "/_private/sync/v1/devices/" + segment(oid, fwOID, "oid-2")
		token := w.credFor(cred, w.sync, w.sync, w.connA)
		method, ok := "PUT", []int{200, 201, 400, 401}
		if del%2 == 1 {
			method, ok = "DELETE", []int{204, 401}
		}
		w.call(method, target, token, body, "")
		what := method + " " + target + " " + body
		switch c := cred % credKinds; {
		case cleaned(target):
			w.answered(t, what, before, withStatus(target)...)
		case c == credOwn || c == credOther:
			w.answered(t, what, before, withStatus(target, ok...)...)
		default:
			w.answered(t, what, before, withStatus(target, 401)...)
		}
		if method == "DELETE" && w.last.Code == http.StatusNoContent {
			// The object is gone from every group and index.
			for _, g := range w.srv.st.groups.items {
				if g.Members[w.ids["synced"]] {
					t.Fatalf("%s: the deleted device is still a member of %s", what, g.DisplayName)
				}
			}
		}
	})
}

// FuzzLabChannels: the lab internals an admin token may use (pre-existing
// enrollments, connector installation, the request log).
func FuzzLabChannels(f *testing.F) {
	fwInit(f)
	for _, s := range []struct {
		route, cred uint8
		query, body string
	}{
		{0, credOwn, "", `{"serialNumber":"CNV0001","hardwareHash":"aGFzaA==","deviceName":"CORP-PC01","ownership":"company","joinType":"hybridAzureADJoined","userPrincipalName":"alice@contoso.com","manufacturer":"Contoso","model":"Laptop 7"}`},
		{0, credOwn, "", `{"serialNumber":"CNV0002","deviceName":"HOME","ownership":"personal","joinType":"azureADRegistered"}`},
		{0, credOwn, "", `{"serialNumber":"CNV0003","deviceName":"X","ownership":"shared","joinType":"azureADJoined"}`},
		{0, credOwn, "", `{"serialNumber":"CNV0004","deviceName":"X","hardwareHash":"%%%","ownership":"company","joinType":"azureADJoined"}`},
		{0, credOther, "", `{"serialNumber":"CNV0001","deviceName":"CORP-PC01","ownership":"company","joinType":"azureADJoined"}`},
		{1, credOwn, "last=5", ""}, {1, credOwn, "last=0", ""}, {1, credOwn, "client=admin&last=2", ""}, {1, credNone, "", ""},
		{2, credOwn, "", `{"id":"c3","domain":"corp.contoso.com"}`}, {2, credOwn, "", `{"id":" ","domain":"corp.contoso.com"}`},
		{2, credWrongKind, "", `{"id":"c3","domain":"corp.contoso.com"}`}, {2, credGarbage, "", `{}`},
	} {
		f.Add(s.route, s.cred, s.query, s.body)
	}
	var pool worldPool
	f.Fuzz(func(t *testing.T, route, cred uint8, query, body string) {
		w, before := pool.get(t)
		defer pool.done(t)
		// credOther is an app token without the role; credWrongKind a
		// connector's credential.
		token := w.credFor(cred, fwShared.admin, fwShared.reader, w.connA)
		var method, target string
		var ok []int
		switch route % 3 {
		case 0:
			method, target, ok = "POST", "/_private/enrollment/v1/existing", []int{201, 400, 409}
		case 1:
			q := url.Values{"last": {query}}.Encode()
			if vals, err := url.ParseQuery(query); err == nil {
				q = vals.Encode()
			}
			method, target, ok = "GET", "/_private/requests?"+q, []int{200, 400}
		case 2:
			method, target, ok = "POST", "/_private/odj/v1/connectors", []int{201, 400}
		}
		w.call(method, target, token, body, "")
		what := method + " " + target + " " + body
		switch c := cred % credKinds; {
		case notUTF8(target):
			w.answered(t, what, before, 400)
		case c == credOwn || c == credAdmin:
			w.answered(t, what, before, ok...)
		case c == credOther:
			w.answered(t, what, before, 403)
		default:
			w.answered(t, what, before, 401)
		}
	})
}
