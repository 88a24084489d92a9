package mockgraph_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// transitiveMembers / transitiveMemberOf follow nested groups
// (graph-api.md §9.1, §10.1); members / memberOf stay direct.
var _ = Describe("nested groups", func() {
	var w *world
	var parent, child, dev string
	names := func(path string) []string {
		r := w.do("GET", path, nil)
		Expect(r.status).To(Equal(200), r.raw)
		var out []string
		for _, v := range r.values() {
			out = append(out, v["displayName"].(string))
		}
		return out
	}
	addRef := func(gid, oid string) {
		r := w.do("POST", "/v1.0/groups/"+gid+"/members/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + oid})
		Expect(r.status).To(Equal(204), r.raw)
	}
	BeforeEach(func() {
		w = newWorld(delays)
		parent = w.createGroup("Parent", "")
		child = w.createGroup("Child", "")
		w.importDevice("NEST1", "")
		for _, e := range w.srv.EntraDevices() {
			if e.DisplayName == "NEST1" {
				dev = e.ID // the Entra object, not the Autopilot id
			}
		}
		addRef(child, dev)
		addRef(parent, child)
	})

	It("lists direct members under members and the nested ones under transitiveMembers", func() {
		Expect(names("/v1.0/groups/" + parent + "/members")).To(Equal([]string{"Child"}))
		Expect(names("/v1.0/groups/" + parent + "/transitiveMembers")).To(Equal([]string{"Child", "NEST1"}))
		Expect(names("/v1.0/groups/" + parent + "/transitiveMembers/graph.device")).To(Equal([]string{"NEST1"}))
		r := w.do("GET", "/v1.0/groups/"+parent+"/transitiveMembers/$count", nil, "ConsistencyLevel", "eventual")
		Expect(r.status).To(Equal(200), r.raw)
		Expect(r.raw).To(Equal("2"))
	})

	It("lists the direct groups under memberOf and every enclosing one under transitiveMemberOf", func() {
		Expect(names("/v1.0/devices/" + dev + "/memberOf")).To(Equal([]string{"Child"}))
		Expect(names("/v1.0/devices/"+dev+"/transitiveMemberOf")).To(Equal([]string{"Parent", "Child"}), "groups in creation order")
		Expect(names("/v1.0/devices/" + dev + "/transitiveMemberOf/graph.group")).To(Equal([]string{"Parent", "Child"}))
	})

	It("terminates on a cycle and lists each object once", func() {
		addRef(child, parent)
		Expect(names("/v1.0/groups/" + parent + "/transitiveMembers")).To(Equal([]string{"Child", "NEST1"}))
		Expect(names("/v1.0/devices/" + dev + "/transitiveMemberOf")).To(Equal([]string{"Parent", "Child"}))
	})
})
