package mockgraph_test

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Input a hostile or broken client sends: each gets a Graph answer, never a
// panic (which net/http would turn into a dropped connection).
var _ = Describe("hostile input", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	DescribeTable("pages without overflow when $top is near MaxInt64 and a $skiptoken offsets the page",
		func(path string) {
			r := w.do("GET", path+"?$top=9223372036854775807&$skiptoken=MockGraphPage_1", nil)
			Expect(r.status).To(Equal(200), r.raw)
			Expect(r.values()).To(BeEmpty())
			Expect(r.body).NotTo(HaveKey("@odata.nextLink"))
		},
		Entry("Autopilot devices", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities"),
		Entry("managed devices", "/beta/deviceManagement/managedDevices"),
		Entry("device configurations", "/beta/deviceManagement/deviceConfigurations"),
	)

	It("pages the rows that exist with a huge $top and a $skiptoken", func() {
		w.importDevice("SER1", "")
		w.importDevice("SER2", "")
		r := w.do("GET", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$top=9223372036854775806&$skiptoken=MockGraphPage_1", nil)
		Expect(r.status).To(Equal(200), r.raw)
		Expect(r.values()).To(HaveLen(1))
	})

	DescribeTable("refuses a query option that is not UTF-8 with 400 instead of storing U+FFFD",
		func(rawQuery, wantCode string) {
			path := strings.SplitN(rawQuery, "?", 2)
			req, err := http.NewRequest("GET", base+path[0]+"?"+path[1], nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Authorization", "Bearer "+w.token)
			req.Header.Set("ConsistencyLevel", "eventual")
			r := w.send(req)
			Expect(r.status).To(Equal(400), r.raw)
			Expect(r.errCode()).To(Equal(wantCode))
			Expect(r.errMessage()).To(ContainSubstring("UTF-8"))
		},
		Entry("$filter on groups", "/v1.0/groups?$filter=displayName%20eq%20'%FF'", "Request_BadRequest"),
		Entry("$search on devices", "/v1.0/devices?$search=%22displayName:%C3%28%22", "Request_BadRequest"),
		Entry("$filter on an Intune collection", "/beta/deviceManagement/managedDevices?$filter=serialNumber%20eq%20'%80'", "BadRequest"),
		Entry("a query option name", "/v1.0/groups?%FE=1", "Request_BadRequest"),
	)

	DescribeTable("refuses a JSON body that is not UTF-8 with 400",
		func(method, path, body, wantCode string) {
			r := w.do(method, path, body)
			Expect(r.status).To(Equal(400), r.raw)
			Expect(r.errCode()).To(Equal(wantCode))
			Expect(r.errMessage()).To(ContainSubstring("invalid UTF-8"))
		},
		Entry("a group name", "POST", "/v1.0/groups",
			"{\"displayName\":\"bad \xff\",\"mailEnabled\":false,\"mailNickname\":\"bad\",\"securityEnabled\":true}", "Request_BadRequest"),
		Entry("an Intune configuration", "POST", "/beta/deviceManagement/deviceConfigurations",
			"{\"@odata.type\":\"#microsoft.graph.windowsDomainJoinConfiguration\",\"displayName\":\"\xc3\x28\"}", "BadRequest"),
		Entry("a private channel", "POST", "/_private/autopilot/v1/profile", "{\"serialNumber\":\"\xed\xa0\x80\"}", "Request_BadRequest"),
	)

	It("names the same bad query option on every request when two are bad (the first in key order)", func() {
		for range 20 {
			req, err := http.NewRequest("GET", base+"/v1.0/groups?$top=%FF&$filter=%FE&$orderby=%FD", nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Authorization", "Bearer "+w.token)
			r := w.send(req)
			Expect(r.status).To(Equal(400), r.raw)
			Expect(r.errMessage()).To(ContainSubstring("'$filter'"))
		}
	})

	It("keeps valid non-ASCII text", func() {
		r := w.do("POST", "/v1.0/groups", map[string]any{"displayName": "Geräte – Zürich", "mailEnabled": false, "mailNickname": "geraete", "securityEnabled": true})
		Expect(r.status).To(Equal(201), r.raw)
		Expect(r.body["displayName"]).To(Equal("Geräte – Zürich"))
	})
})
