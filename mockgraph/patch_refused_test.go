package mockgraph_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Graph refuses a PATCH whole: when one property of the body is invalid the
// answer is an error and the object is exactly as before. mockgraph used to
// apply the properties it had checked before the invalid one (found by
// fuzzing; FuzzGraphWrites keeps checking it).
var _ = Describe("a refused PATCH", func() {
	var w *world
	var deviceID, groupID, dynID string

	BeforeEach(func() {
		w = newWorld(delays)
		ap := w.importDevice("A1", "Lab")
		for _, d := range w.srv.EntraDevices() {
			if d.DeviceID == ap.AzureADDeviceID {
				deviceID = d.ID
			}
		}
		Expect(deviceID).NotTo(BeEmpty())
		groupID = w.createGroup("Assigned", "")
		dynID = w.createGroup("Lab devices", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:Lab"))`)
	})

	snapshot := func(path string) map[string]any {
		r := w.do("GET", path, nil)
		Expect(r.status).To(Equal(http.StatusOK), r.raw)
		return r.body
	}

	DescribeTable("changes nothing",
		func(target func() string, body func() map[string]any, status int) {
			path := target()
			before := snapshot(path)
			members, _ := w.srv.GroupMembers(groupID)
			r := w.do("PATCH", path, body())
			Expect(r.status).To(Equal(status), r.raw)
			Expect(r.errCode()).NotTo(BeEmpty())
			Expect(snapshot(path)).To(Equal(before))
			after, _ := w.srv.GroupMembers(groupID)
			Expect(after).To(Equal(members))
		},
		Entry("a device: accountEnabled valid, displayName blank",
			func() string { return "/v1.0/devices/" + deviceID },
			func() map[string]any { return map[string]any{"accountEnabled": false, "displayName": " "} }, 400),
		Entry("a device: displayName valid, a read-only property",
			func() string { return "/v1.0/devices/" + deviceID },
			func() map[string]any {
				return map[string]any{"displayName": "Renamed", "accountEnabled": false, "operatingSystem": "Linux"}
			}, 400),
		Entry("a group: displayName valid, a rule on an assigned group",
			func() string { return "/v1.0/groups/" + groupID },
			func() map[string]any {
				return map[string]any{"displayName": "Renamed", "description": "d", "membershipRule": `(device.devicePhysicalIds -any (_ -eq "x"))`}
			}, 400),
		Entry("a group: one existing member and one unknown",
			func() string { return "/v1.0/groups/" + groupID },
			func() map[string]any {
				return map[string]any{"displayName": "Renamed", "members@odata.bind": []string{
					"https://graph.microsoft.com/v1.0/directoryObjects/" + deviceID,
					"https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-4000-8000-000000000000"}}
			}, 404),
		Entry("a dynamic group: a new rule, an invalid processing state",
			func() string { return "/v1.0/groups/" + dynID },
			func() map[string]any {
				return map[string]any{"displayName": "Renamed", "membershipRule": `(device.devicePhysicalIds -any (_ -eq "[OrderID]:Other"))`,
					"membershipRuleProcessingState": "Sometimes"}
			}, 400),
	)

	It("still applies a valid PATCH whole", func() {
		r := w.do("PATCH", "/v1.0/groups/"+groupID, map[string]any{"displayName": "Renamed",
			"members@odata.bind": []string{"https://graph.microsoft.com/v1.0/directoryObjects/" + deviceID}})
		Expect(r.status).To(Equal(http.StatusNoContent), r.raw)
		Expect(snapshot("/v1.0/groups/" + groupID)["displayName"]).To(Equal("Renamed"))
		members, _ := w.srv.GroupMembers(groupID)
		Expect(members).To(ConsistOf(deviceID))
		r = w.do("PATCH", "/v1.0/devices/"+deviceID, map[string]any{"displayName": "PC-1", "accountEnabled": false})
		Expect(r.status).To(Equal(http.StatusNoContent), r.raw)
		d := snapshot("/v1.0/devices/" + deviceID)
		Expect(d["displayName"]).To(Equal("PC-1"))
		Expect(d["accountEnabled"]).To(BeFalse())
	})
})
