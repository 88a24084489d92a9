package mockgraph_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("a reused device's earlier deployment (F26)", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld(delays)
		w.assignProfile(w.createProfile("Hybrid", true, false), "all", "")
	})
	previous := func(serial, name string) reply {
		return w.priv("POST", "/_private/enrollment/v1/previous", map[string]any{"serialNumber": serial, "hardwareHash": testHash, "deviceName": name})
	}
	enroll := func(serial, upn string) reply {
		return w.priv("POST", "/_private/enrollment/v1/enroll", map[string]any{"serialNumber": serial, "userPrincipalName": upn, "joinType": "DeviceJoinForDomainJoin"})
	}

	It("leaves a stale hybrid Entra object and an Intune record", func() {
		r := previous("P1", "AP-OLD1")
		Expect(r.status).To(Equal(201), r.raw)
		md := w.do("GET", "/beta/deviceManagement/managedDevices/"+r.body["managedDeviceId"].(string), nil)
		Expect(md.status).To(Equal(200), md.raw)
		Expect(md.body["serialNumber"]).To(Equal("P1"))
		ed := w.do("GET", "/v1.0/devices/"+r.body["entraObjectId"].(string), nil)
		Expect(ed.status).To(Equal(200), ed.raw)
		Expect(ed.body["trustType"]).To(Equal("ServerAd"))
		Expect(ed.body["displayName"]).To(Equal("AP-OLD1"))
	})

	It("refuses the user-less re-enrollment while the record exists: DeviceNotSupported, One Time Limit Check (0x80180014)", func() {
		Expect(previous("P1", "AP-OLD1").status).To(Equal(201))
		w.importDevice("P1", "")
		r := enroll("P1", "")
		Expect(r.status).To(Equal(403), r.raw)
		Expect(r.errCode()).To(Equal("DeviceNotSupported"))
		Expect(r.raw).To(ContainSubstring("Enrollment blocked for AP device by SDM One Time Limit Check"))
	})

	It("lets a user-driven enrollment through, and the user-less one once the admin deleted the record", func() {
		rec := previous("P1", "AP-OLD1")
		Expect(rec.status).To(Equal(201))
		previous("P2", "AP-OLD2")
		w.importDevice("P1", "")
		w.importDevice("P2", "")
		Expect(enroll("P2", "alice@contoso.com").status).To(Equal(201), "the article names only the user-less modes")
		del := w.do("DELETE", "/beta/deviceManagement/managedDevices/"+rec.body["managedDeviceId"].(string), nil)
		Expect(del.status).To(Equal(204), del.raw)
		Expect(enroll("P1", "").status).To(Equal(201))
	})

	DescribeTable("refuses a malformed earlier deployment with a clear 4xx",
		func(body map[string]any, status int, want string) {
			Expect(previous("P9", "AP-OLD9").status).To(Equal(201))
			r := w.priv("POST", "/_private/enrollment/v1/previous", body)
			Expect(r.status).To(Equal(status), r.raw)
			Expect(r.raw).To(ContainSubstring(want))
		},
		Entry("no serial", map[string]any{"deviceName": "AP-X"}, 400, "serialNumber is required"),
		Entry("no name", map[string]any{"serialNumber": "P3"}, 400, "deviceName is required"),
		Entry("a hash that is not base64", map[string]any{"serialNumber": "P3", "deviceName": "AP-X", "hardwareHash": "%%"}, 400, "not base64"),
		Entry("a serial Intune already holds", map[string]any{"serialNumber": "p9", "deviceName": "AP-X"}, 409, "already exists"),
	)
})
