package mockgraph_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Skipping the ESP's user phase with the DMClient CSP's
// FirstSyncStatus/SkipUserStatusPage OMA-URI (hybrid-join-behaviour.md F19):
// the enrollment answer carries it when a custom profile targets the device.
var _ = Describe("SkipUserStatusPage through an OMA-URI custom profile", func() {
	const uri = "./Vendor/MSFT/DMClient/Provider/MS DM Server/FirstSyncStatus/SkipUserStatusPage"
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	custom := func(settings ...map[string]any) string {
		list := []any{}
		for _, s := range settings {
			list = append(list, s)
		}
		r := w.do("POST", "/v1.0/deviceManagement/deviceConfigurations", map[string]any{
			"@odata.type": "#microsoft.graph.windows10CustomConfiguration", "displayName": "Skip user ESP", "omaSettings": list})
		Expect(r.status).To(Equal(201), r.raw)
		return r.body["id"].(string)
	}
	assign := func(id string, targets ...map[string]any) {
		var as []any
		for _, t := range targets {
			as = append(as, map[string]any{"target": t})
		}
		r := w.do("POST", "/v1.0/deviceManagement/deviceConfigurations/"+id+"/assign", map[string]any{"assignments": as})
		Expect(r.status).To(Equal(200), r.raw)
	}
	skip := func(serial string) any {
		w.importDevice(serial, "")
		r := w.priv("POST", "/_private/enrollment/v1/enroll", map[string]any{"serialNumber": serial, "joinType": "DeviceJoinForDomainJoin"})
		Expect(r.status).To(Equal(201), r.raw)
		return r.body["esp"].(map[string]any)["skipUserStatusPage"]
	}
	boolean := func(v any) map[string]any {
		return map[string]any{"@odata.type": "#microsoft.graph.omaSettingBoolean", "omaUri": uri, "value": v}
	}

	It("is false without such a profile", func() {
		Expect(skip("SK0")).To(BeFalse())
	})

	DescribeTable("reads the setting from a profile that reaches the device",
		func(setting map[string]any, target func(gid string) []map[string]any, want bool) {
			gid := w.createGroup("Autopilot", `(device.devicePhysicalIds -any (_ -startsWith "[ZTDId]"))`)
			assign(custom(setting), target(gid)...)
			Expect(skip("SK1")).To(Equal(want))
		},
		Entry("boolean true through a device group", boolean(true), func(g string) []map[string]any { return []map[string]any{groupTarget("group", g)} }, true),
		Entry("boolean false", boolean(false), func(g string) []map[string]any { return []map[string]any{groupTarget("group", g)} }, false),
		Entry("string \"True\" (the registry value is a string)", map[string]any{"@odata.type": "#microsoft.graph.omaSettingString", "omaUri": uri, "value": "True"},
			func(g string) []map[string]any { return []map[string]any{groupTarget("group", g)} }, true),
		Entry("through All devices", boolean(true), func(string) []map[string]any { return []map[string]any{groupTarget("all", "")} }, true),
		Entry("excluded", boolean(true), func(g string) []map[string]any {
			return []map[string]any{groupTarget("all", ""), groupTarget("exclude", g)}
		}, false),
		Entry("through All users only (arrives in the user phase it would skip)", boolean(true), func(string) []map[string]any {
			return []map[string]any{{"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}
		}, false),
		Entry("another OMA-URI", map[string]any{"@odata.type": "#microsoft.graph.omaSettingBoolean", "omaUri": "./Vendor/MSFT/Policy/Config/Start/HideSleep", "value": true},
			func(g string) []map[string]any { return []map[string]any{groupTarget("group", g)} }, false),
	)

	DescribeTable("refuses malformed omaSettings with 400",
		func(settings any, msg string) {
			r := w.do("POST", "/v1.0/deviceManagement/deviceConfigurations", map[string]any{
				"@odata.type": "#microsoft.graph.windows10CustomConfiguration", "displayName": "Bad", "omaSettings": settings})
			Expect(r.status).To(Equal(400), r.raw)
			Expect(r.raw).To(ContainSubstring(msg))
		},
		Entry("not a list", map[string]any{"omaUri": uri}, "must be an array"),
		Entry("not an object", []any{"x"}, "must be an omaSetting object"),
		Entry("no @odata.type", []any{map[string]any{"omaUri": uri, "value": true}}, "omaSetting subtype"),
		Entry("a Boolean setting with a string value", []any{map[string]any{"@odata.type": "#microsoft.graph.omaSettingBoolean", "omaUri": uri, "value": "yes"}}, "must be a Boolean for omaSettingBoolean"),
		Entry("a String setting with a Boolean value", []any{map[string]any{"@odata.type": "#microsoft.graph.omaSettingString", "omaUri": uri, "value": true}}, "must be a String for omaSettingString"),
		Entry("not an OMA-URI", []any{map[string]any{"@odata.type": "#microsoft.graph.omaSettingBoolean", "omaUri": "HKLM\\\\x", "value": true}}, "starting with './'"),
	)
})
