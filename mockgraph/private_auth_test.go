package mockgraph_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Every private channel is authenticated the way its real service
// authenticates its client (creds.go, PRIVATE_API.md "Authentication").
var _ = Describe("private channel authentication", func() {
	var w *world
	var reqID, devID string
	blob := base64.StdEncoding.EncodeToString([]byte(`{"machinePassword":"secret"}`))

	BeforeEach(func() {
		w = newWorld(delays)
		dj := w.do("POST", "/beta/deviceManagement/deviceConfigurations", map[string]any{
			"@odata.type": "#microsoft.graph.windowsDomainJoinConfiguration", "displayName": "DJ",
			"activeDirectoryDomainName": "corp.contoso.com", "computerNameStaticPrefix": "AP-", "computerNameSuffixRandomCharCount": 12})
		Expect(dj.status).To(Equal(201), dj.raw)
		a := w.do("POST", "/beta/deviceManagement/deviceConfigurations/"+dj.body["id"].(string)+"/assign",
			map[string]any{"assignments": []any{map[string]any{"target": groupTarget("all", "")}}})
		Expect(a.status).To(Equal(200), a.raw)
		w.importDevice("A1", "")
		w.importDevice("B1", "")
		for _, serial := range []string{"A1", "B1"} {
			r := w.priv("POST", "/_private/enrollment/v1/enroll", map[string]any{"serialNumber": serial, "joinType": "DeviceJoinForDomainJoin"})
			Expect(r.status).To(Equal(201), r.raw)
			Expect(r.body["deviceCredential"]).To(HavePrefix("mdm_"))
			if serial == "A1" {
				reqID = r.body["odjRequestId"].(string)
			}
		}
		devID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
		Expect(w.priv("POST", "/_private/odj/v1/connectors/c1/heartbeat", map[string]any{"domain": "corp.contoso.com"}).status).To(Equal(200))
	})

	// Another client's credential of the right kind, and a made-up one.
	otherDevice := func() string {
		for id, cred := range w.creds.devices {
			if id != reqID {
				return cred
			}
		}
		Fail("no second device")
		return ""
	}
	otherConnector := func() string { return w.connectorCred("c-other") }

	type call struct{ method, path string }
	routes := func() map[call]map[string]any {
		return map[call]map[string]any{
			{"GET", "/_private/odj/v1/requests/" + reqID}:              nil,
			{"POST", "/_private/odj/v1/requests/" + reqID + "/result"}: {"connectorId": "c1", "success": true, "blob": blob},
			{"POST", "/_private/odj/v1/connectors/c1/heartbeat"}:       {"domain": "corp.contoso.com"},
			{"POST", "/_private/odj/v1/connectors/c1/claim"}:           {"max": 5},
			{"POST", "/_private/odj/v1/connectors"}:                    {"id": "rogue", "domain": "corp.contoso.com"},
			{"PUT", "/_private/sync/v1/devices/oid-1"}:                 {"displayName": "X", "deviceId": devID},
			{"DELETE", "/_private/sync/v1/devices/oid-1"}:              nil,
			{"POST", "/_private/enrollment/v1/existing"}:               {"serialNumber": "E1", "deviceName": "E1", "ownership": "company", "joinType": "azureADJoined"},
			{"POST", "/_private/signin/v1/access"}:                     {"deviceId": devID, "userPrincipalName": "alice@contoso.com"},
			{"POST", "/_private/enrollment/v1/previous"}:               {"serialNumber": "P1", "deviceName": "AP-OLD1"},
			{"GET", "/_private/requests"}:                              nil,
		}
	}

	It("refuses every credentialed route without a credential (401) and changes nothing", func() {
		for c, body := range routes() {
			var b any
			if body != nil {
				b = body
			}
			r := w.doAs("", c.method, c.path, b)
			Expect(r.status).To(Equal(http.StatusUnauthorized), "%s %s: %s", c.method, c.path, r.raw)
		}
		Expect(w.srv.ODJRequests()[0].State).To(Equal("pending"))
		Expect(w.srv.EntraDevices()).To(HaveLen(2)) // the two imports' objects, no synced one
	})

	It("refuses a made-up bearer and a credential of another kind (401)", func() {
		for c, body := range routes() {
			var b any
			if body != nil {
				b = body
			}
			for _, tok := range []string{"mdm_" + strings.Repeat("A", 43), otherDevice()} {
				if strings.HasPrefix(c.path, "/_private/odj/v1/requests/") && !strings.HasSuffix(c.path, "/result") && tok == otherDevice() {
					continue // a device credential is the right kind there: see the next spec
				}
				r := w.doAs(tok, c.method, c.path, b)
				Expect(r.status).To(Equal(http.StatusUnauthorized), "%s %s: %s", c.method, c.path, r.raw)
			}
		}
	})

	It("hands an ODJ request only to the device it was made for", func() {
		Expect(w.doAs(otherDevice(), "GET", "/_private/odj/v1/requests/"+reqID, nil).status).To(Equal(404))
		r := w.priv("GET", "/_private/odj/v1/requests/"+reqID, nil)
		Expect(r.status).To(Equal(200), r.raw)
		Expect(r.body["state"]).To(Equal("pending"))
	})

	It("lets a connector act only as itself, for its installed domain, on requests it claimed", func() {
		other := otherConnector() // installed for other.contoso.com
		Expect(w.doAs(other, "POST", "/_private/odj/v1/connectors/c1/claim", map[string]any{"max": 5}).status).To(Equal(403))
		Expect(w.doAs(other, "POST", "/_private/odj/v1/connectors/c-other/heartbeat", map[string]any{"domain": "corp.contoso.com"}).status).To(Equal(403))
		Expect(w.priv("POST", "/_private/odj/v1/connectors/c1/claim", map[string]any{"max": 5}).body["requests"]).To(HaveLen(2))
		r := w.doAs(other, "POST", "/_private/odj/v1/requests/"+reqID+"/result", map[string]any{"connectorId": "c-other", "success": true, "blob": blob})
		Expect(r.status).To(Equal(403), r.raw)
		r = w.doAs(other, "POST", "/_private/odj/v1/requests/"+reqID+"/result", map[string]any{"connectorId": "c1", "success": true, "blob": blob})
		Expect(r.status).To(Equal(403), r.raw)
		Expect(w.priv("POST", "/_private/odj/v1/requests/"+reqID+"/result", map[string]any{"connectorId": "c1", "success": true, "blob": blob}).status).To(Equal(204))
	})

	It("installs a connector over the wire only for an admin token, with a fresh credential each time", func() {
		r := w.do("POST", "/_private/odj/v1/connectors", map[string]any{"id": "c9", "domain": "corp.contoso.com"})
		Expect(r.status).To(Equal(201), r.raw)
		cred := r.body["credential"].(string)
		Expect(cred).To(HavePrefix("odjc_"))
		Expect(w.doAs(cred, "POST", "/_private/odj/v1/connectors/c9/heartbeat", map[string]any{"domain": "corp.contoso.com"}).status).To(Equal(200))
		again := w.do("POST", "/_private/odj/v1/connectors", map[string]any{"id": "c9", "domain": "corp.contoso.com"})
		Expect(again.body["credential"]).NotTo(Equal(cred))
		reader := w.getToken("reader", "r")
		Expect(w.doAs(reader, "POST", "/_private/odj/v1/connectors", map[string]any{"id": "c8", "domain": "corp.contoso.com"}).status).To(Equal(403))
		Expect(w.doAs(reader, "GET", "/_private/requests", nil).status).To(Equal(403))
	})

	It("registers with DRS only with the key of the certificate Entra Connect synced", func() {
		der, thumb, key := deviceCert(devID)
		Expect(w.priv("PUT", "/_private/sync/v1/devices/oid-1", map[string]any{"displayName": "AP-1", "deviceId": devID, "certificateThumbprint": thumb}).status).To(Equal(201))
		otherDER, _, otherKey := deviceCert(devID) // same subject, another key: not the synced certificate
		for _, body := range []map[string]any{
			{"deviceId": devID, "certificateThumbprint": thumb},
			drsBody(devID, otherDER, otherKey),
			func() map[string]any {
				b := drsBody(devID, der, key)
				b["signature"] = drsBody(devID, otherDER, otherKey)["signature"]
				return b
			}(),
		} {
			r := w.doAs("", "POST", "/_private/drs/v1/register", body)
			Expect(r.status).To(Equal(401), r.raw)
		}
		Expect(w.srv.EntraDevices()).To(ContainElement(HaveField("RegistrationDateTime", BeNil())))
		r := w.doAs("", "POST", "/_private/drs/v1/register", drsBody(devID, der, key))
		Expect(r.status).To(Equal(200), r.raw)
	})

	It("serves the profile and enrollment only to the machine with the registered hardware hash", func() {
		for _, path := range []string{"/_private/autopilot/v1/profile", "/_private/enrollment/v1/enroll"} {
			r := w.doAs("", "POST", path, map[string]any{"serialNumber": "A1", "hardwareHash": "b3RoZXI=", "joinType": "AzureADJoin"})
			Expect(r.status).To(Equal(404), r.raw)
			Expect(r.errCode()).To(Equal("ZtdDeviceIsNotRegistered"))
			r = w.doAs("", "POST", path, map[string]any{"serialNumber": "A1", "joinType": "AzureADJoin"})
			Expect(r.status).To(Equal(400), r.raw)
		}
	})

	It("issues credentials no seed predicts: two worlds with the same seed differ", func() {
		other := newWorld(delays)
		Expect(w.srv.IssueSyncCredential("s")).NotTo(Equal(other.srv.IssueSyncCredential("s")))
		w.run(time.Minute)
	})
})
