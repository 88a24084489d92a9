package mockgraph_test

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/sim"
)

var delays = mockgraph.Delays{ImportProcessing: 5 * time.Minute, GroupEvaluation: 10 * time.Minute, ProfileAssignment: 15 * time.Minute}

var _ = Describe("config", func() {
	It("refuses a config without clock, rand or a GUID tenant", func() {
		_, err := mockgraph.New(mockgraph.Config{})
		Expect(err).To(MatchError(ContainSubstring("Clock")))
	})
})

var _ = Describe("auth", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	It("issues an RS256 JWT with roles, aud, tid and exp from the clock", func() {
		parts := strings.Split(w.token, ".")
		Expect(parts).To(HaveLen(3))
		hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
		Expect(string(hdr)).To(ContainSubstring(`"alg":"RS256"`))
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var c map[string]any
		Expect(json.Unmarshal(payload, &c)).To(Succeed())
		Expect(c["aud"]).To(Equal("https://graph.microsoft.com"))
		Expect(c["tid"]).To(Equal(tenantID))
		Expect(c["roles"]).To(ContainElement("Group.ReadWrite.All"))
		Expect(c["exp"]).To(BeNumerically("==", w.sched.Now().Add(3599*time.Second).Unix()))
	})

	DescribeTable("token endpoint refusals",
		func(id, secret string, status int, code string) {
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default"}}
			resp, err := w.client.PostForm(base+"/"+tenantID+"/oauth2/v2.0/token", form)
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			var out map[string]any
			Expect(json.NewDecoder(resp.Body).Decode(&out)).To(Succeed())
			Expect(resp.StatusCode).To(Equal(status))
			Expect(out["error"]).To(Equal(code))
		},
		Entry("wrong secret", "admin", "nope", 401, "invalid_client"),
		Entry("unknown app", "ghost", "x", 400, "unauthorized_client"),
	)

	DescribeTable("401 InvalidAuthenticationToken",
		func(mk func(w *world) string) {
			r := w.doAs(mk(w), "GET", "/v1.0/devices", nil)
			Expect(r.status).To(Equal(401))
			Expect(r.errCode()).To(Equal("InvalidAuthenticationToken"))
			Expect(r.body["error"].(map[string]any)["message"]).NotTo(BeEmpty())
		},
		Entry("missing", func(*world) string { return "" }),
		Entry("garbage", func(*world) string { return "not.a.jwt" }),
		Entry("tampered", func(w *world) string {
			p := strings.Split(w.token, ".")
			return p[0] + "." + p[1] + "x." + p[2]
		}),
		Entry("expired by the virtual clock", func(w *world) string { w.run(2 * time.Hour); return w.token }),
	)

	It("answers 403 Authorization_RequestDenied when the app lacks the role", func() {
		tok := w.getToken("reader", "r")
		r := w.doAs(tok, "GET", "/v1.0/groups", nil)
		Expect(r.status).To(Equal(403))
		Expect(r.errCode()).To(Equal("Authorization_RequestDenied"))
		Expect(w.doAs(tok, "GET", "/v1.0/devices", nil).status).To(Equal(200))
	})

	It("answers 403 in Intune's shape on deviceManagement", func() {
		tok := w.getToken("reader", "r")
		r := w.doAs(tok, "GET", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities", nil)
		Expect(r.status).To(Equal(403))
		Expect(r.errCode()).To(Equal("Forbidden"))
		Expect(r.body["error"].(map[string]any)["message"]).To(ContainSubstring(`"_version": 3`))
	})

	It("publishes discovery and JWKS", func() {
		r := w.doAs("", "GET", "/"+tenantID+"/v2.0/.well-known/openid-configuration", nil)
		Expect(r.status).To(Equal(200))
		Expect(r.body["token_endpoint"]).To(Equal(base + "/" + tenantID + "/oauth2/v2.0/token"))
		k := w.doAs("", "GET", "/"+tenantID+"/discovery/v2.0/keys", nil)
		Expect(k.body["keys"]).To(HaveLen(1))
	})
})

var _ = Describe("headers and error shapes", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	It("sends request-id, client-request-id and a Date from the clock", func() {
		r := w.do("GET", "/v1.0/devices", nil, "client-request-id", "abc")
		Expect(r.header.Get("request-id")).To(HaveLen(36))
		Expect(r.header.Get("client-request-id")).To(Equal("abc"))
		Expect(r.header.Get("Date")).To(Equal(w.sched.Now().Format(http.TimeFormat)))
		Expect(r.body["@odata.context"]).To(Equal(base + "/v1.0/$metadata#devices"))
	})

	It("uses the directory shape for groups", func() {
		r := w.do("GET", "/v1.0/groups/00000000-0000-4000-8000-000000000000", nil)
		Expect(r.status).To(Equal(404))
		Expect(r.errCode()).To(Equal("Request_ResourceNotFound"))
		inner := r.body["error"].(map[string]any)["innerError"].(map[string]any)
		Expect(inner["request-id"]).To(Equal(r.header.Get("request-id")))
	})

	It("uses Intune's JSON-in-message shape on deviceManagement", func() {
		r := w.do("GET", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/nope", nil)
		Expect(r.status).To(Equal(404))
		Expect(r.errCode()).To(Equal("ResourceNotFound"))
		var doc map[string]any
		Expect(json.Unmarshal([]byte(r.body["error"].(map[string]any)["message"].(string)), &doc)).To(Succeed())
		Expect(doc["_version"]).To(BeNumerically("==", 3))
	})

	It("serves beta-only resources only under /beta", func() {
		r := w.do("GET", "/v1.0/deviceManagement/windowsAutopilotDeploymentProfiles", nil)
		Expect(r.status).To(Equal(400))
		Expect(r.body["error"].(map[string]any)["message"]).To(ContainSubstring("Resource not found for the segment 'windowsAutopilotDeploymentProfiles'"))
		Expect(w.do("GET", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles", nil).status).To(Equal(200))
	})

	It("refuses a direct POST of an Autopilot device as the service does", func() {
		r := w.do("POST", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities", map[string]any{"serialNumber": "X"})
		Expect(r.status).To(Equal(400))
		Expect(r.errCode()).To(Equal("No method match route template"))
	})

	DescribeTable("malformed JSON bodies get a clear 400",
		func(path, body, code, msg string) {
			r := w.do("POST", path, body)
			Expect(r.status).To(Equal(400), r.raw)
			Expect(r.errCode()).To(Equal(code))
			Expect(r.raw).To(ContainSubstring(msg))
		},
		Entry("truncated group", "/v1.0/groups", `{"displayName":`, "Request_BadRequest", "Invalid JSON"),
		Entry("wrong type", "/v1.0/groups", `{"displayName":5}`, "Request_BadRequest", "wrong type"),
		Entry("empty body", "/v1.0/groups", ` `, "Request_BadRequest", "empty"),
		Entry("trailing data", "/v1.0/groups", `{} {}`, "Request_BadRequest", "unexpected data"),
		Entry("array import", "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities", `[1]`, "BadRequest", "Invalid JSON"),
		Entry("profile without type", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles", `{"displayName":"x"}`, "BadRequest", "@odata.type"),
	)

	It("accepts gzip request bodies (the Go SDK compresses)", func() {
		req, _ := http.NewRequest("POST", base+"/v1.0/groups", gz(`{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`))
		req.Header.Set("Authorization", "Bearer "+w.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := w.client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(201))
		Expect(resp.Header.Get("Location")).To(HavePrefix(base + "/v1.0/groups/"))
	})
})

var _ = Describe("import", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	It("creates the Autopilot device and its Entra object after the delay", func() {
		r := w.do("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", map[string]any{
			"serialNumber": "LAB0001", "groupTag": "HAADJ", "purchaseOrderIdentifier": "PO-7", "hardwareIdentifier": "aGFzaA=="})
		Expect(r.status).To(Equal(201))
		id := r.body["id"].(string)
		Expect(r.body["state"].(map[string]any)["deviceImportStatus"]).To(Equal("unknown"))
		w.run(4 * time.Minute)
		Expect(w.srv.AutopilotDevices()).To(BeEmpty())
		w.run(time.Minute)
		aps := w.srv.AutopilotDevices()
		Expect(aps).To(HaveLen(1))
		imp := w.do("GET", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/"+id, nil)
		st := imp.body["state"].(map[string]any)
		Expect(st["deviceImportStatus"]).To(Equal("complete"))
		Expect(st["deviceRegistrationId"]).To(Equal(aps[0].ID))
		eds := w.srv.EntraDevices()
		Expect(eds).To(HaveLen(1))
		Expect(eds[0].DisplayName).To(Equal("LAB0001"))
		Expect(eds[0].DeviceID).To(Equal(aps[0].AzureADDeviceID))
		Expect(eds[0].PhysicalIDs).To(ConsistOf("[ZTDID]:"+aps[0].ID, "[OrderId]:HAADJ", "[PurchaseOrderId]:PO-7"))
		g := w.do("GET", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/"+aps[0].ID, nil)
		Expect(g.body["serialNumber"]).To(Equal("LAB0001"))
		Expect(g.body["enrollmentState"]).To(Equal("notContacted"))
		Expect(g.body["lastContactedDateTime"]).To(Equal("0001-01-01T00:00:00Z"))
	})

	It("reports 806 for a duplicate and 802 for a bad hash via the import action", func() {
		w.importDevice("DUP1", "")
		r := w.do("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import", map[string]any{
			"importedWindowsAutopilotDeviceIdentities": []any{
				map[string]any{"serialNumber": "DUP1"}, map[string]any{"serialNumber": "BAD", "hardwareIdentifier": "%%%"},
				map[string]any{"serialNumber": ""},
			}})
		Expect(r.status).To(Equal(200))
		w.run(time.Hour)
		list := w.do("GET", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", nil).values()
		codes := map[string]any{}
		for _, it := range list {
			st := it["state"].(map[string]any)
			codes[it["serialNumber"].(string)+"/"+st["deviceImportStatus"].(string)] = st["deviceErrorCode"]
		}
		Expect(codes).To(HaveKeyWithValue("DUP1/error", BeNumerically("==", 806)))
		Expect(codes).To(HaveKeyWithValue("BAD/error", BeNumerically("==", 802)))
		Expect(codes).To(HaveKeyWithValue("/error", BeNumerically("==", 803)))
	})

	It("deletes an Autopilot device; an unknown id gives 400", func() {
		d := w.importDevice("DEL1", "")
		Expect(w.do("DELETE", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/"+d.ID, nil).status).To(Equal(204))
		r := w.do("DELETE", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/"+d.ID, nil)
		Expect(r.status).To(Equal(400))
		Expect(r.raw).To(ContainSubstring("Cannot find device with ztd Id"))
	})

	It("runs updateDeviceProperties, assignUserToDevice and unassignUserFromDevice", func() {
		d := w.importDevice("ACT1", "A")
		p := "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/" + d.ID
		Expect(w.do("POST", p+"/updateDeviceProperties", map[string]any{"groupTag": "B"}).status).To(Equal(204))
		Expect(w.srv.EntraDevices()[0].PhysicalIDs).To(ContainElement("[OrderId]:B"))
		Expect(w.do("POST", p+"/assignUserToDevice", map[string]any{"userPrincipalName": "alice@contoso.com", "addressableUserName": "Alice"}).status).To(Equal(204))
		Expect(w.do("GET", p, nil).body["userPrincipalName"]).To(Equal("alice@contoso.com"))
		Expect(w.do("POST", p+"/unassignUserFromDevice", nil).status).To(Equal(204))
		Expect(w.do("GET", p, nil).body["userPrincipalName"]).To(Equal(""))
		Expect(w.do("POST", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/zz/updateDeviceProperties", map[string]any{}).errCode()).To(Equal("ResourceNotFound"))
	})
})

var _ = Describe("OData", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld(mockgraph.Delays{})
		var rows []any
		for i := 0; i < 25; i++ {
			rows = append(rows, map[string]any{"serialNumber": "SN" + string(rune('A'+i)), "groupTag": map[bool]string{true: "even", false: "odd"}[i%2 == 0]})
		}
		Expect(w.do("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import", map[string]any{"importedWindowsAutopilotDeviceIdentities": rows}).status).To(Equal(200))
		w.run(time.Minute)
	})

	It("pages with an absolute nextLink built from the request host", func() {
		r := w.do("GET", "/v1.0/devices?$top=10", nil)
		Expect(r.values()).To(HaveLen(10))
		next := r.body["@odata.nextLink"].(string)
		Expect(next).To(HavePrefix(base + "/v1.0/devices?"))
		seen := len(r.values())
		for next != "" {
			p := w.do("GET", next, nil)
			seen += len(p.values())
			next, _ = p.body["@odata.nextLink"].(string)
		}
		Expect(seen).To(Equal(25))
	})

	It("filters, selects and counts", func() {
		r := w.do("GET", "/v1.0/devices?$filter=startswith(displayName,'SNA') or displayName eq 'SNB'&$select=displayName", nil)
		Expect(r.values()).To(HaveLen(2))
		Expect(r.values()[0]).To(HaveKey("displayName"))
		Expect(r.values()[0]).NotTo(HaveKey("deviceId"))
		c := w.do("GET", "/v1.0/devices?$count=true&$filter=physicalIds/any(p:startswith(p,'[OrderId]:even'))", nil, "ConsistencyLevel", "eventual")
		Expect(c.body["@odata.count"]).To(BeNumerically("==", 13))
	})

	It("requires ConsistencyLevel for advanced queries", func() {
		r := w.do("GET", "/v1.0/devices?$filter=displayName ne 'SNA'", nil)
		Expect(r.status).To(Equal(400))
		Expect(r.errCode()).To(Equal("Request_UnsupportedQuery"))
		ok := w.do("GET", "/v1.0/devices?$filter=displayName ne 'SNA'&$count=true", nil, "ConsistencyLevel", "eventual")
		Expect(ok.body["@odata.count"]).To(BeNumerically("==", 24))
	})

	It("refuses serialNumber eq on Autopilot devices and accepts contains", func() {
		r := w.do("GET", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$filter=serialNumber eq 'SNA'", nil)
		Expect(r.status).To(Equal(400))
		Expect(r.errCode()).To(Equal("BadRequest"))
		ok := w.do("GET", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?%24filter=contains(serialNumber,'SNC')", nil)
		Expect(ok.values()).To(HaveLen(1))
	})

	It("orders and rejects malformed filters", func() {
		r := w.do("GET", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$orderby=serialNumber desc&$top=1", nil)
		Expect(r.values()[0]["serialNumber"]).To(Equal("SNY"))
		bad := w.do("GET", "/v1.0/devices?$filter=displayName eq", nil)
		Expect(bad.status).To(Equal(400))
		Expect(bad.raw).To(ContainSubstring("Invalid filter clause"))
	})
})

var _ = Describe("groups", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	It("adds devices to a dynamic group after the evaluation delay", func() {
		gid := w.createGroup("Autopilot HAADJ", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:HAADJ"))`)
		all := w.createGroup("All AP", `(device.devicePhysicalIDs -any (_ -startsWith "[ZTDid]"))`)
		w.do("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", map[string]any{"serialNumber": "G1", "groupTag": "HAADJ"})
		w.do("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", map[string]any{"serialNumber": "G2", "groupTag": "OTHER"})
		w.run(5 * time.Minute) // imported
		m, _ := w.srv.GroupMembers(gid)
		Expect(m).To(BeEmpty())
		w.run(10 * time.Minute) // evaluated
		m, _ = w.srv.GroupMembers(gid)
		Expect(m).To(HaveLen(1))
		m, _ = w.srv.GroupMembers(all)
		Expect(m).To(HaveLen(2))
		r := w.do("GET", "/v1.0/groups/"+gid+"/members", nil)
		Expect(r.values()[0]["@odata.type"]).To(Equal("#microsoft.graph.device"))
		Expect(r.values()[0]["displayName"]).To(Equal("G1"))
	})

	It("refuses a bad rule with Graph's 400", func() {
		r := w.do("POST", "/v1.0/groups", map[string]any{"displayName": "Bad", "mailEnabled": false, "mailNickname": "bad", "securityEnabled": true,
			"groupTypes": []string{"DynamicMembership"}, "membershipRule": "device.nonsense -eq", "membershipRuleProcessingState": "On"})
		Expect(r.status).To(Equal(400))
		Expect(r.errCode()).To(Equal("Request_BadRequest"))
		Expect(r.raw).To(ContainSubstring("membershipRule"))
	})

	It("handles $ref adds with the real errors", func() {
		d := w.importDevice("M1", "")
		eid := w.srv.EntraDevices()[0].ID
		_ = d
		gid := w.createGroup("Static", "")
		ref := map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + eid}
		Expect(w.do("POST", "/v1.0/groups/"+gid+"/members/$ref", ref).status).To(Equal(204))
		dup := w.do("POST", "/v1.0/groups/"+gid+"/members/$ref", ref)
		Expect(dup.status).To(Equal(400))
		Expect(dup.raw).To(ContainSubstring("already exist"))
		missing := w.do("POST", "/v1.0/groups/"+gid+"/members/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-4000-8000-000000000000"})
		Expect(missing.status).To(Equal(404))
		dyn := w.createGroup("Dyn", `(device.devicePhysicalIDs -any (_ -startsWith "[ZTDid]"))`)
		Expect(w.do("POST", "/v1.0/groups/"+dyn+"/members/$ref", ref).errCode()).To(Equal("Authorization_RequestDenied"))
		Expect(w.do("DELETE", "/v1.0/groups/"+gid+"/members/"+eid+"/$ref", nil).status).To(Equal(204))
	})
})

var _ = Describe("profile resolution", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	statusOf := func(w *world, serial string) mockgraph.AutopilotDevice {
		for _, d := range w.srv.AutopilotDevices() {
			if d.SerialNumber == serial {
				return d
			}
		}
		return mockgraph.AutopilotDevice{}
	}

	It("assigns through a group after the assignment delay, blank while assigning", func() {
		gid := w.createGroup("HAADJ", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:HAADJ"))`)
		pid := w.createProfile("Hybrid UD", true, true)
		w.assignProfile(pid, "group", gid)
		w.importDevice("P1", "HAADJ") // runs 1h: import + evaluation + assignment
		Expect(statusOf(w, "P1").DeploymentProfileAssignmentStatus).To(Equal("assignedUnkownSyncState"))
		Expect(statusOf(w, "P1").AssignedProfileID).To(Equal(pid))
		r := w.fetchProfile("P1")
		Expect(r.status).To(Equal(200))
		Expect(r.body["profileSource"]).To(Equal("assigned"))
		prof := r.body["profile"].(map[string]any)
		Expect(prof["cloudAssignedDomainJoinMethod"]).To(BeNumerically("==", 1))
		Expect(prof["hybridJoinSkipDCConnectivityCheck"]).To(BeTrue())
	})

	It("shows pending and serves a blank profile while assigning", func() {
		gid := w.createGroup("HAADJ", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:HAADJ"))`)
		pid := w.createProfile("Hybrid UD", true, false)
		w.assignProfile(pid, "group", gid)
		w.do("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", map[string]any{"serialNumber": "P2", "groupTag": "HAADJ", "hardwareIdentifier": testHash})
		w.run(15 * time.Minute) // imported at 5, member at 15, assigned at 30
		Expect(statusOf(w, "P2").DeploymentProfileAssignmentStatus).To(Equal("pending"))
		r := w.fetchProfile("P2")
		Expect(r.body["blank"]).To(BeTrue())
		Expect(r.body["profileSource"]).To(Equal("none"))
		Expect(r.body["profileStatus"]).To(Equal("assigning"))
		w.run(15 * time.Minute)
		Expect(w.fetchProfile("P2").body["profileSource"]).To(Equal("assigned"))
	})

	It("gives the oldest-created profile when several apply (S12)", func() {
		gid := w.createGroup("AP", `(device.devicePhysicalIDs -any (_ -startsWith "[ZTDid]"))`)
		older := w.createProfile("Older Entra", false, false)
		newer := w.createProfile("Newer hybrid", true, false)
		w.assignProfile(newer, "group", gid)
		w.assignProfile(older, "group", gid)
		w.importDevice("P3", "")
		Expect(statusOf(w, "P3").AssignedProfileID).To(Equal(older))
		Expect(w.fetchProfile("P3").body["profile"].(map[string]any)["cloudAssignedDomainJoinMethod"]).To(BeNumerically("==", 0))
	})

	It("falls back to the All-devices default profile, and excludes", func() {
		def := w.createProfile("Default", false, false)
		w.assignProfile(def, "all", "")
		w.importDevice("P4", "")
		Expect(w.fetchProfile("P4").body["profileSource"]).To(Equal("default"))
		ex := w.createGroup("Excluded", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:NOAP"))`)
		w.assignProfile(def, "exclude", ex)
		w.importDevice("P5", "NOAP")
		Expect(statusOf(w, "P5").DeploymentProfileAssignmentStatus).To(Equal("notAssigned"))
		Expect(w.fetchProfile("P5").body["profileSource"]).To(Equal("none"))
	})

	It("answers none without any profile and 404 for an unregistered serial", func() {
		w.importDevice("P6", "")
		r := w.fetchProfile("P6")
		Expect(r.body["profileSource"]).To(Equal("none"))
		Expect(r.body["profile"]).To(BeNil())
		nr := w.fetchProfile("UNKNOWN")
		Expect(nr.status).To(Equal(404))
		Expect(nr.errCode()).To(Equal("ZtdDeviceIsNotRegistered"))
	})

	It("lists profile assignments with admin-tool ids", func() {
		gid := w.createGroup("G", "")
		pid := w.createProfile("P", true, false)
		w.assignProfile(pid, "group", gid)
		r := w.do("GET", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid+"/assignments", nil)
		Expect(r.values()[0]["id"]).To(Equal(pid + "_" + gid + "_0"))
		Expect(r.values()[0]["target"].(map[string]any)["@odata.type"]).To(Equal("#microsoft.graph.groupAssignmentTarget"))
		p := w.do("GET", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid, nil)
		Expect(p.body["outOfBoxExperienceSetting"].(map[string]any)["eulaHidden"]).To(BeTrue())
		Expect(p.body["hybridAzureADJoinSkipConnectivityCheck"]).To(BeFalse())
	})
})

var _ = Describe("enrollment and ODJ", func() {
	var w *world
	var gid string
	BeforeEach(func() {
		w = newWorld(delays)
		gid = w.createGroup("HAADJ", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:HAADJ"))`)
		pid := w.createProfile("Hybrid", true, false)
		w.assignProfile(pid, "group", gid)
	})

	createDJ := func(w *world, domain string, target map[string]any) string {
		r := w.do("POST", "/beta/deviceManagement/deviceConfigurations", map[string]any{
			"@odata.type": "#microsoft.graph.windowsDomainJoinConfiguration", "displayName": "DJ " + domain,
			"activeDirectoryDomainName": domain, "computerNameStaticPrefix": "AP-", "computerNameSuffixRandomCharCount": 12,
			"organizationalUnit": "OU=Autopilot,DC=corp,DC=contoso,DC=com"})
		Expect(r.status).To(Equal(201), r.raw)
		id := r.body["id"].(string)
		a := w.do("POST", "/beta/deviceManagement/deviceConfigurations/"+id+"/assign", map[string]any{"assignments": []any{map[string]any{"target": target}}})
		Expect(a.status).To(Equal(200), a.raw)
		return id
	}

	enroll := func(w *world, serial string) reply {
		r := w.priv("POST", "/_private/enrollment/v1/enroll", map[string]any{"serialNumber": serial, "userPrincipalName": "alice@contoso.com", "joinType": "DeviceJoinForDomainJoin"})
		Expect(r.status).To(Equal(201), r.raw)
		return r
	}

	It("validates the suffix count 3–14", func() {
		r := w.do("POST", "/beta/deviceManagement/deviceConfigurations", map[string]any{
			"@odata.type": "#microsoft.graph.windowsDomainJoinConfiguration", "displayName": "DJ",
			"activeDirectoryDomainName": "corp.contoso.com", "computerNameSuffixRandomCharCount": 15})
		Expect(r.status).To(Equal(400))
		Expect(r.raw).To(ContainSubstring("between 3 and 14"))
	})

	It("resolves the domain join at enrollment, routes by domain, completes, and the device sees the blob", func() {
		createDJ(w, "corp.contoso.com", groupTarget("group", gid))
		w.importDevice("E1", "HAADJ")
		er := enroll(w, "E1")
		reqID := er.body["odjRequestId"].(string)
		Expect(er.body["esp"].(map[string]any)["timeoutMinutes"]).To(BeNumerically("==", 60))
		Expect(er.body["esp"].(map[string]any)["hybridExtraMinutes"]).To(BeNumerically("==", 40))

		Expect(w.priv("POST", "/_private/odj/v1/connectors/c-other/claim", map[string]any{"max": 5}).errCode()).To(Equal("ConnectorNotRegistered"))
		w.priv("POST", "/_private/odj/v1/connectors/c-other/heartbeat", map[string]any{"displayName": "OTHER", "domain": "other.contoso.com", "version": "6.2501.2000.5"})
		Expect(w.priv("POST", "/_private/odj/v1/connectors/c-other/claim", map[string]any{"max": 5}).body["requests"]).To(BeEmpty())
		Expect(w.priv("POST", "/_private/odj/v1/connectors/c1/heartbeat", map[string]any{"displayName": "ODJCONN01", "domain": "corp.contoso.com", "version": "6.2501.2000.5"}).status).To(Equal(200))
		cl := w.priv("POST", "/_private/odj/v1/connectors/c1/claim", map[string]any{"max": 5})
		reqs := cl.body["requests"].([]any)
		Expect(reqs).To(HaveLen(1))
		Expect(reqs[0].(map[string]any)["computerNameStaticPrefix"]).To(Equal("AP-"))
		Expect(w.priv("GET", "/_private/odj/v1/requests/"+reqID, nil).body["state"]).To(Equal("inProgress"))
		blob := base64.StdEncoding.EncodeToString([]byte(`{"computerName":"AP-123"}`))
		Expect(w.priv("POST", "/_private/odj/v1/requests/"+reqID+"/result", map[string]any{"connectorId": "c1", "success": true, "computerName": "AP-123", "blob": blob}).status).To(Equal(204))
		g := w.priv("GET", "/_private/odj/v1/requests/"+reqID, nil)
		Expect(g.body["state"]).To(Equal("completed"))
		Expect(g.body["blob"]).To(Equal(blob))
		Expect(w.priv("POST", "/_private/odj/v1/requests/"+reqID+"/result", map[string]any{"connectorId": "c1", "success": true, "blob": blob}).status).To(Equal(409))
		conns := w.do("GET", "/beta/deviceManagement/domainJoinConnectors", nil).values()
		Expect(conns).To(HaveLen(2))
		Expect(conns[1]["state"]).To(Equal("active"))
		w.run(2 * time.Hour)
		Expect(w.do("GET", "/beta/deviceManagement/domainJoinConnectors/c1", nil).body["state"]).To(Equal("error"))
	})

	It("retries failures then marks the request failed", func() {
		createDJ(w, "corp.contoso.com", groupTarget("all", ""))
		w.importDevice("E2", "HAADJ")
		reqID := enroll(w, "E2").body["odjRequestId"].(string)
		w.priv("POST", "/_private/odj/v1/connectors/c1/heartbeat", map[string]any{"domain": "corp.contoso.com"})
		for i := 0; i < 3; i++ {
			Expect(w.priv("POST", "/_private/odj/v1/connectors/c1/claim", map[string]any{}).body["requests"]).To(HaveLen(1))
			Expect(w.priv("POST", "/_private/odj/v1/requests/"+reqID+"/result", map[string]any{"connectorId": "c1", "success": false, "errorCode": 8557}).status).To(Equal(204))
		}
		reqs := w.srv.ODJRequests()
		Expect(reqs[0].State).To(Equal("failed"))
		Expect(reqs[0].RetryCount).To(Equal(2))
		Expect(w.priv("GET", "/_private/odj/v1/requests/"+reqID, nil).body["blob"]).To(BeNil())
	})

	It("makes no ODJ request when no Domain Join profile targets the device, and honours exclusions", func() {
		ex := w.createGroup("Ex", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:HAADJ"))`)
		dj := createDJ(w, "corp.contoso.com", groupTarget("all", ""))
		w.do("POST", "/beta/deviceManagement/deviceConfigurations/"+dj+"/assign", map[string]any{"assignments": []any{
			map[string]any{"target": groupTarget("all", "")}, map[string]any{"target": groupTarget("exclude", ex)}}})
		w.importDevice("E3", "HAADJ")
		Expect(enroll(w, "E3").body["odjRequestId"]).To(BeNil())
	})

	It("picks the oldest Domain Join configuration and the highest-priority ESP", func() {
		createDJ(w, "old.contoso.com", groupTarget("group", gid))
		createDJ(w, "new.contoso.com", groupTarget("all", ""))
		esp := w.do("POST", "/beta/deviceManagement/deviceEnrollmentConfigurations", map[string]any{
			"@odata.type": "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration", "displayName": "ESP 90",
			"installProgressTimeoutInMinutes": "90", "priority": 1})
		Expect(esp.status).To(Equal(201), esp.raw)
		Expect(w.do("POST", "/beta/deviceManagement/deviceEnrollmentConfigurations/"+esp.body["id"].(string)+"/assign",
			map[string]any{"enrollmentConfigurationAssignments": []any{map[string]any{"target": groupTarget("group", gid)}}}).status).To(Equal(204))
		w.importDevice("E4", "HAADJ")
		er := enroll(w, "E4")
		Expect(er.body["esp"].(map[string]any)["timeoutMinutes"]).To(BeNumerically("==", 90))
		Expect(w.srv.ODJRequests()[0].Domain).To(Equal("old.contoso.com"))
		md := w.do("GET", "/v1.0/deviceManagement/managedDevices", nil).values()
		Expect(md).To(HaveLen(1))
		Expect(md[0]["serialNumber"]).To(Equal("E4"))
	})
})

var _ = Describe("Entra Connect and DRS", func() {
	It("answers DRS 404 before the sync export and 200 after", func() {
		w := newWorld(delays)
		devID := "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
		der, thumb, key := deviceCert(devID)
		reg := w.priv("POST", "/_private/drs/v1/register", drsBody(devID, der, key))
		Expect(reg.status).To(Equal(404))
		Expect(reg.errCode()).To(Equal("DirectoryError"))
		Expect(reg.body["error"].(map[string]any)["clientErrorCode"]).To(Equal("0x801c03f2"))
		put := w.priv("PUT", "/_private/sync/v1/devices/oid-1", map[string]any{"displayName": "AP-123", "deviceId": devID, "onPremisesSecurityIdentifier": "S-1-5-21-1", "certificateThumbprint": thumb})
		Expect(put.status).To(Equal(201))
		Expect(put.body["trustType"]).To(Equal("ServerAd"))
		Expect(put.body["registrationDateTime"]).To(BeNil())
		Expect(w.priv("PUT", "/_private/sync/v1/devices/oid-1", map[string]any{"displayName": "AP-123", "deviceId": devID, "certificateThumbprint": thumb}).status).To(Equal(200))
		ok := w.priv("POST", "/_private/drs/v1/register", drsBody(devID, der, key))
		Expect(ok.status).To(Equal(200))
		Expect(ok.body["registrationDateTime"]).To(Equal(w.sched.Now().Format(time.RFC3339)))
		eds := w.srv.EntraDevices()
		Expect(eds).To(HaveLen(1))
		Expect(eds[0].OnPremisesSyncEnabled).To(BeTrue())
		Expect(w.priv("DELETE", "/_private/sync/v1/devices/oid-1", nil).status).To(Equal(204))
		Expect(w.srv.EntraDevices()).To(BeEmpty())
	})
})

var _ = Describe("faults", func() {
	It("injects 429 with Retry-After on matching paths only", func() {
		w := newWorld(delays, func(c *mockgraph.Config) {
			c.Faults = []mockgraph.Fault{{Path: "^/v1.0/groups", Status: 429, Probability: 1, RetryAfter: 10 * time.Second, Count: 2}}
			c.LogRequests = true
		})
		r := w.do("GET", "/v1.0/groups", nil)
		Expect(r.status).To(Equal(429))
		Expect(r.header.Get("Retry-After")).To(Equal("10"))
		Expect(r.errCode()).To(Equal("TooManyRequests"))
		Expect(w.do("GET", "/v1.0/groups", nil).status).To(Equal(429)) // retried at once: not honoured
		w.run(10 * time.Second)
		Expect(w.do("GET", "/v1.0/groups", nil).status).To(Equal(200))
		Expect(w.do("GET", "/v1.0/devices", nil).status).To(Equal(200))
		var honoured []any
		for _, e := range w.srv.RequestLog() {
			if e.Path == "/v1.0/groups" {
				if e.HonouredRetryAfter == nil {
					honoured = append(honoured, nil)
				} else {
					honoured = append(honoured, *e.HonouredRetryAfter)
				}
			}
		}
		Expect(honoured).To(Equal([]any{nil, false, true}))
	})
	It("enforces Intune's per-app write budget per 20 s of virtual time", func() {
		w := newWorld(delays, func(c *mockgraph.Config) { c.IntuneThrottling = true })
		body := map[string]any{"@odata.type": "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile", "displayName": "P"}
		for i := 0; i < 100; i++ {
			Expect(w.do("POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles", body).status).To(Equal(201))
		}
		r := w.do("POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles", body)
		Expect(r.status).To(Equal(429))
		Expect(r.header.Get("Retry-After")).To(Equal("20"))
		Expect(w.do("GET", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles?$top=1", nil).status).To(Equal(200))
		w.run(20 * time.Second)
		Expect(w.do("POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles", body).status).To(Equal(201))
	})

	DescribeTable("rejects a bad fault config",
		func(f mockgraph.Fault, msg string) {
			_, err := mockgraph.New(mockgraph.Config{Clock: sim.NewScheduler(time.Time{}, nil), Rand: rand.New(rand.NewPCG(1, 1)),
				TenantID: tenantID, TenantDomain: "x.onmicrosoft.com", Faults: []mockgraph.Fault{f}})
			Expect(err).To(MatchError(ContainSubstring(msg)))
		},
		Entry("bad regexp", mockgraph.Fault{Path: "(", Status: 429, Probability: 1}, "path pattern"),
		Entry("bad status", mockgraph.Fault{Path: "x", Status: 404, Probability: 1}, "status 404"),
		Entry("bad probability", mockgraph.Fault{Path: "x", Status: 500, Probability: 0}, "probability"),
	)
})

var _ = Describe("with the real rules parser", func() {
	It("evaluates the three Autopilot rule forms and reports a positioned parse error", func() {
		w := newWorld(delays, func(c *mockgraph.Config) { c.RuleCompiler = nil })
		tag := w.createGroup("Tag", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:HAADJ"))`)
		all := w.createGroup("All", `(device.devicePhysicalIDs -any (_ -startsWith "[ZTDid]"))`)
		po := w.createGroup("PO", `(device.devicePhysicalIds -any (_ -eq "[PurchaseOrderId]:PO-1"))`)
		w.do("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", map[string]any{"serialNumber": "R1", "groupTag": "HAADJ", "purchaseOrderIdentifier": "PO-1"})
		w.do("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", map[string]any{"serialNumber": "R2"})
		w.run(time.Hour)
		for gid, n := range map[string]int{tag: 1, all: 2, po: 1} {
			m, _ := w.srv.GroupMembers(gid)
			Expect(m).To(HaveLen(n))
		}
		r := w.do("POST", "/v1.0/groups", map[string]any{"displayName": "Bad", "mailEnabled": false, "mailNickname": "bad", "securityEnabled": true,
			"groupTypes": []string{"DynamicMembership"}, "membershipRule": `(device.devicePhysicalIds -any (_ -eq "x")`, "membershipRuleProcessingState": "On"})
		Expect(r.status).To(Equal(400))
		Expect(r.errCode()).To(Equal("Request_BadRequest"))
		Expect(r.body["error"].(map[string]any)["message"]).To(HavePrefix("Dynamic membership rule validation error"))
		Expect(r.body["error"].(map[string]any)["details"]).To(HaveLen(1))
	})
})

var _ = Describe("determinism", func() {
	It("gives the same ids for the same seed and requests", func() {
		run := func() []mockgraph.AutopilotDevice {
			w := newWorld(delays)
			w.importDevice("D1", "X")
			w.importDevice("D2", "Y")
			return w.srv.AutopilotDevices()
		}
		Expect(run()).To(Equal(run()))
	})
})

var _ = Describe("over loopback", func() {
	It("builds nextLinks from the real host:port and serves the deviceId alternate key", func() {
		w := newWorld(mockgraph.Delays{})
		ts := httptest.NewServer(w.srv.Handler())
		DeferCleanup(ts.Close)
		w.client = ts.Client()
		for i := 0; i < 3; i++ {
			w.do("POST", ts.URL+"/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", map[string]any{"serialNumber": "L" + string(rune('0'+i))})
		}
		w.run(time.Minute)
		r := w.do("GET", ts.URL+"/v1.0/devices?$top=2", nil)
		Expect(r.body["@odata.nextLink"]).To(HavePrefix(ts.URL + "/v1.0/devices?"))
		Expect(r.body["@odata.context"]).To(Equal(ts.URL + "/v1.0/$metadata#devices"))
		devID := r.values()[0]["deviceId"].(string)
		g := w.do("GET", ts.URL+"/v1.0/devices(deviceId='"+devID+"')", nil)
		Expect(g.status).To(Equal(200), g.raw)
		Expect(g.body["deviceId"]).To(Equal(devID))
		f := w.do("GET", ts.URL+"/beta/devices?$filter=deviceId eq '"+devID+"'", nil)
		Expect(f.values()).To(HaveLen(1))
		id := f.values()[0]["id"].(string)
		Expect(w.do("PATCH", ts.URL+"/v1.0/devices/"+id, map[string]any{"accountEnabled": false}).status).To(Equal(204))
		Expect(w.do("GET", ts.URL+"/v1.0/devices/"+id, nil).body["accountEnabled"]).To(BeFalse())
		Expect(w.do("PATCH", ts.URL+"/v1.0/devices/"+id, map[string]any{"physicalIds": []string{}}).status).To(Equal(400))
	})
})
