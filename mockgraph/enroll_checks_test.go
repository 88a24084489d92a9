package mockgraph_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
)

var _ = Describe("enrollment checks (F24, F29, F30) and Domain Join OUs as typed (F6, F7)", func() {
	var w *world
	var gid string
	BeforeEach(func() {
		w = newWorld(delays)
		gid = w.createGroup("HAADJ", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:HAADJ"))`)
		w.assignProfile(w.createProfile("Hybrid", true, false), "group", gid)
	})

	createDJ := func(ou string) {
		r := w.do("POST", "/beta/deviceManagement/deviceConfigurations", map[string]any{
			"@odata.type": "#microsoft.graph.windowsDomainJoinConfiguration", "displayName": "DJ",
			"activeDirectoryDomainName": "corp.contoso.com", "computerNameStaticPrefix": "AP-", "computerNameSuffixRandomCharCount": 12,
			"organizationalUnit": ou})
		Expect(r.status).To(Equal(201), r.raw)
		a := w.do("POST", "/beta/deviceManagement/deviceConfigurations/"+r.body["id"].(string)+"/assign",
			map[string]any{"assignments": []any{map[string]any{"target": groupTarget("all", "")}}})
		Expect(a.status).To(Equal(200), a.raw)
	}
	enroll := func(serial, upn string) reply {
		return w.priv("POST", "/_private/enrollment/v1/enroll", map[string]any{"serialNumber": serial, "userPrincipalName": upn, "joinType": "DeviceJoinForDomainJoin"})
	}
	restrict := func(body map[string]any, target map[string]any) {
		r := w.do("POST", "/beta/deviceManagement/deviceEnrollmentConfigurations", body)
		Expect(r.status).To(Equal(201), r.raw)
		a := w.do("POST", "/beta/deviceManagement/deviceEnrollmentConfigurations/"+r.body["id"].(string)+"/assign",
			map[string]any{"enrollmentConfigurationAssignments": []any{map[string]any{"target": target}}})
		Expect(a.status).To(Equal(204), a.raw)
	}
	allUsers := map[string]any{"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}
	blockWindows := map[string]any{"@odata.type": "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration",
		"displayName": "Block Windows", "windowsRestriction": map[string]any{"platformBlocked": true}}

	It("refuses enrollment when Windows (MDM) is blocked for all users: DeviceNotSupported (0x80180014)", func() {
		restrict(blockWindows, allUsers)
		w.importDevice("R1", "HAADJ")
		r := enroll("R1", "alice@contoso.com")
		Expect(r.status).To(Equal(403))
		Expect(r.errCode()).To(Equal("DeviceNotSupported"))
		Expect(r.raw).To(ContainSubstring("does not support this version of Windows"))
	})

	It("ignores a platform restriction assigned only to a group (user groups are not modelled)", func() {
		restrict(blockWindows, groupTarget("group", gid))
		w.importDevice("R2", "HAADJ")
		Expect(enroll("R2", "alice@contoso.com").status).To(Equal(201))
	})

	It("refuses a user's enrollment beyond the device limit: Authorization (80180003)", func() {
		restrict(map[string]any{"@odata.type": "#microsoft.graph.deviceEnrollmentLimitConfiguration", "displayName": "Limit 1", "limit": 1}, allUsers)
		w.importDevice("L1", "HAADJ")
		w.importDevice("L2", "HAADJ")
		w.importDevice("L3", "HAADJ")
		Expect(enroll("L1", "alice@contoso.com").status).To(Equal(201))
		second := enroll("L2", "ALICE@contoso.com")
		Expect(second.status).To(Equal(403))
		Expect(second.errCode()).To(Equal("Authorization"))
		Expect(enroll("L3", "bob@contoso.com").status).To(Equal(201), "another user has his own limit")
	})

	It("refuses the enrollment of a user without an Intune licence: UserValidation (F28)", func() {
		w = newWorld(delays, func(c *mockgraph.Config) { c.UnlicensedUsers = []string{"carol@contoso.com"} })
		gid := w.createGroup("HAADJ", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:HAADJ"))`)
		w.assignProfile(w.createProfile("Hybrid", true, false), "group", gid)
		w.importDevice("C1", "HAADJ")
		r := enroll("C1", "Carol@contoso.com")
		Expect(r.status).To(Equal(403))
		Expect(r.errCode()).To(Equal("UserValidation"))
		Expect(r.raw).To(ContainSubstring("MDM terms of use"))
		Expect(enroll("C1", "alice@contoso.com").status).To(Equal(201), "a licensed user enrolls")
	})

	DescribeTable("serves claims only to connectors at or above the minimum version (F11)",
		func(version string, served bool) {
			createDJ("OU=Autopilot,DC=corp,DC=contoso,DC=com")
			w.importDevice("V1", "HAADJ")
			Expect(enroll("V1", "alice@contoso.com").status).To(Equal(201))
			Expect(w.priv("POST", "/_private/odj/v1/connectors/c1/heartbeat", map[string]any{"domain": "corp.contoso.com", "version": version}).status).To(Equal(200))
			cl := w.priv("POST", "/_private/odj/v1/connectors/c1/claim", map[string]any{})
			if served {
				Expect(cl.status).To(Equal(200), cl.raw)
				Expect(cl.body["requests"]).To(HaveLen(1))
			} else {
				Expect(cl.status).To(Equal(403))
				Expect(cl.errCode()).To(Equal("ConnectorVersionNotSupported"))
			}
		},
		Entry("the minimum, 6.2501.2000.5", "6.2501.2000.5", true),
		Entry("a newer one", "6.2504.2001.8", true),
		Entry("a longer newer one", "6.2501.2000.5.1", true),
		Entry("one below", "6.2501.2000.4", false),
		Entry("a legacy connector", "6.2203.1525.2", false),
		Entry("garbage", "six", false),
	)

	It("makes no ODJ request when the Autopilot-created Entra object was deleted (F25)", func() {
		createDJ("OU=Autopilot,DC=corp,DC=contoso,DC=com")
		w.importDevice("D1", "HAADJ")
		var obj string
		for _, e := range w.srv.EntraDevices() {
			obj = e.ID
		}
		Expect(w.do("DELETE", "/v1.0/devices/"+obj, nil).status).To(Equal(204))
		r := enroll("D1", "alice@contoso.com")
		Expect(r.status).To(Equal(201), r.raw)
		Expect(r.body["odjRequestId"]).To(BeNil())
	})

	It("refuses a pre-provisioned device's user-less enrollment when its Entra object was deleted: DeviceNotFound (F34)", func() {
		createDJ("OU=Autopilot,DC=corp,DC=contoso,DC=com")
		w.importDevice("P1", "HAADJ")
		var obj string
		for _, e := range w.srv.EntraDevices() {
			obj = e.ID
		}
		Expect(w.do("DELETE", "/v1.0/devices/"+obj, nil).status).To(Equal(204))
		r := enroll("P1", "")
		Expect(r.status).To(Equal(404), r.raw)
		Expect(r.errCode()).To(Equal("DeviceNotFound"))
		Expect(r.raw).To(ContainSubstring("0x801C03F3"))
	})

	It("makes no ODJ request for a hybrid device with an assigned user (F24)", func() {
		createDJ("OU=Autopilot,DC=corp,DC=contoso,DC=com")
		d := w.importDevice("U1", "HAADJ")
		a := w.do("POST", "/beta/deviceManagement/windowsAutopilotDeviceIdentities/"+d.ID+"/assignUserToDevice",
			map[string]any{"userPrincipalName": "alice@contoso.com", "addressableUserName": "Alice"})
		Expect(a.status).To(Equal(204), a.raw)
		r := enroll("U1", "alice@contoso.com")
		Expect(r.status).To(Equal(201), r.raw)
		Expect(r.body["odjRequestId"]).To(BeNil())
	})

	DescribeTable("stores the Domain Join OU as typed; the connector meets it (seed 000 invalid examples)",
		func(ou string) {
			createDJ(ou)
			w.importDevice("O1", "HAADJ")
			r := enroll("O1", "alice@contoso.com")
			Expect(r.body["odjRequestId"]).NotTo(BeNil())
			w.priv("POST", "/_private/odj/v1/connectors/c1/heartbeat", map[string]any{"domain": "corp.contoso.com"})
			reqs := w.priv("POST", "/_private/odj/v1/connectors/c1/claim", map[string]any{}).body["requests"].([]any)
			Expect(reqs).To(HaveLen(1))
			Expect(reqs[0].(map[string]any)["organizationalUnit"]).To(Equal(ou))
		},
		Entry("a container (F6)", "CN=Computers,DC=corp,DC=contoso,DC=com"),
		Entry("no DC= parts (F7)", "OU=Mine"),
		Entry("quoted (F7)", `"OU=Mine,DC=corp,DC=contoso,DC=com"`),
	)
})
