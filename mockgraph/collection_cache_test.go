package mockgraph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
)

// The list cache (listcache.go) keeps a query's filtered, ordered rows
// between pages. These specs page through Autopilot devices and change
// the tenant between pages: every page must answer as if computed afresh.
var _ = Describe("list cache", func() {
	const (
		apPath = "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities"
		// contains(serialNumber) is the filter the service takes (§4.3) and
		// reads a stable property, so it pages from the cache.
		cached = apPath + "?$filter=contains(serialNumber,'CA')&$top=10"
	)
	var w *world

	importSerials := func(w *world, serials ...string) {
		var rows []any
		for _, s := range serials {
			rows = append(rows, map[string]any{"serialNumber": s, "groupTag": "A"})
		}
		r := w.do("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import", map[string]any{"importedWindowsAutopilotDeviceIdentities": rows})
		Expect(r.status).To(Equal(200), r.raw)
		w.run(time.Minute)
	}
	serialRange := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("CA%03d", i))
		}
		return out
	}
	serials := func(r reply) []string {
		Expect(r.status).To(Equal(200), r.raw)
		var out []string
		for _, v := range r.values() {
			out = append(out, v["serialNumber"].(string))
		}
		return out
	}
	next := func(r reply) string {
		n, _ := r.body["@odata.nextLink"].(string)
		return n
	}
	idOf := func(serial string) string {
		for _, d := range w.srv.AutopilotDevices() {
			if d.SerialNumber == serial {
				return d.ID
			}
		}
		Fail("no device " + serial)
		return ""
	}

	BeforeEach(func() {
		w = newWorld(mockgraph.Delays{})
		importSerials(w, serialRange(0, 30)...)
	})

	It("shows a device deleted between page 1 and page 2", func() {
		p1 := w.do("GET", cached, nil)
		Expect(serials(p1)).To(Equal(serialRange(0, 10)))
		Expect(w.do("DELETE", apPath+"/"+idOf("CA003"), nil).status).To(Equal(204))
		// The $skiptoken is an offset into the current result: one row
		// fewer before it shifts page 2 by one.
		p2 := w.do("GET", next(p1), nil)
		Expect(serials(p2)).To(Equal(serialRange(11, 21)))
	})

	It("shows a device added between page 1 and page 2", func() {
		ordered := apPath + "?$filter=contains(serialNumber,'CA')&$orderby=serialNumber&$top=10"
		p1 := w.do("GET", ordered, nil)
		Expect(serials(p1)).To(Equal(serialRange(0, 10)))
		importSerials(w, "CA0005") // sorts between CA000 and CA001
		p2 := w.do("GET", next(p1), nil)
		Expect(serials(p2)).To(Equal(serialRange(9, 19)))
		var all []string
		for p := w.do("GET", ordered+"&$count=true", nil, "ConsistencyLevel", "eventual"); ; p = w.do("GET", next(p), nil) {
			if all == nil {
				Expect(p.body["@odata.count"]).To(BeNumerically("==", 31))
			}
			all = append(all, serials(p)...)
			if next(p) == "" {
				break
			}
		}
		Expect(all).To(HaveLen(31))
		Expect(all[1]).To(Equal("CA0005"))
	})

	It("shows a device added at the end on the last page and in $count", func() {
		p1 := w.do("GET", cached+"&$count=true", nil)
		Expect(p1.body["@odata.count"]).To(BeNumerically("==", 30))
		importSerials(w, "CA999")
		p3 := w.do("GET", apPath+"?$filter=contains(serialNumber,'CA')&$top=10&$skiptoken=MockGraphPage_20", nil)
		Expect(serials(p3)).To(Equal(append(serialRange(20, 30), "CA999")[:10]))
		Expect(next(p3)).NotTo(BeEmpty())
		Expect(serials(w.do("GET", next(p3), nil))).To(Equal([]string{"CA999"}))
		Expect(w.do("GET", cached+"&$count=true", nil).body["@odata.count"]).To(BeNumerically("==", 31))
	})

	It("builds cached pages from the live entities", func() {
		p1 := w.do("GET", cached, nil)
		Expect(w.do("POST", apPath+"/"+idOf("CA012")+"/updateDeviceProperties", map[string]any{"groupTag": "B", "displayName": "moved"}).status).To(Equal(204))
		p2 := w.do("GET", next(p1), nil)
		Expect(p2.values()[2]).To(HaveKeyWithValue("serialNumber", "CA012"))
		Expect(p2.values()[2]).To(HaveKeyWithValue("groupTag", "B"))
		Expect(p2.values()[2]).To(HaveKeyWithValue("displayName", "moved"))
	})

	It("re-evaluates a filter on a property changed in place", func() {
		byTag := apPath + "?$filter=groupTag eq 'A'&$top=10"
		p1 := w.do("GET", byTag, nil)
		Expect(serials(p1)).To(Equal(serialRange(0, 10)))
		for _, s := range []string{"CA001", "CA015"} {
			Expect(w.do("POST", apPath+"/"+idOf(s)+"/updateDeviceProperties", map[string]any{"groupTag": "B"}).status).To(Equal(204))
		}
		p2 := w.do("GET", next(p1), nil)
		Expect(serials(p2)).To(Equal(append(serialRange(11, 15), serialRange(16, 22)...)))
	})

	It("counts through the same rows: /$count follows deletes and ignores $orderby", func() {
		count := apPath + "/$count?$filter=contains(serialNumber,'CA00')&$orderby=serialNumber desc"
		c := w.do("GET", count, nil)
		Expect(c.status).To(Equal(200), c.raw)
		Expect(c.header.Get("Content-Type")).To(HavePrefix("text/plain"))
		Expect(c.raw).To(Equal("10"))
		Expect(w.do("DELETE", apPath+"/"+idOf("CA003"), nil).status).To(Equal(204))
		Expect(w.do("GET", count, nil).raw).To(Equal("9"))
		Expect(w.do("GET", apPath+"/$count", nil).raw).To(Equal("29"))
	})

	It("keeps v1.0 and beta pages apart", func() {
		Expect(w.do("GET", cached, nil).values()[0]).NotTo(HaveKey("deploymentProfileAssignmentStatus"))
		Expect(w.do("GET", "/beta/deviceManagement/windowsAutopilotDeviceIdentities?$filter=contains(serialNumber,'CA')&$top=10", nil).values()[0]).
			To(HaveKey("deploymentProfileAssignmentStatus"))
		Expect(w.do("GET", cached, nil).values()[0]).NotTo(HaveKey("deploymentProfileAssignmentStatus"))
	})

	It("answers a cached page with the bytes of a cold one", func() {
		const q = apPath + "?$filter=contains(serialNumber,'CA')&$orderby=serialNumber desc&$top=7&$skiptoken=MockGraphPage_14&$select=serialNumber,groupTag"
		w.do("GET", apPath+"?$filter=contains(serialNumber,'CA')&$orderby=serialNumber desc&$top=7", nil) // fills the cache
		warm := w.do("GET", q, nil)
		cold := newWorld(mockgraph.Delays{})
		importSerials(cold, serialRange(0, 30)...)
		Expect(warm.raw).To(Equal(cold.do("GET", q, nil).raw))
		Expect(serials(warm)).To(Equal([]string{"CA015", "CA014", "CA013", "CA012", "CA011", "CA010", "CA009"}))
	})

	It("writes pages exactly as encoding/json does, with writeJSON's Content-Type", func() {
		odd := "Ünï <&> \u2028 \"q\" \\ \t é"
		Expect(w.do("POST", apPath+"/"+idOf("CA002")+"/updateDeviceProperties", map[string]any{"displayName": odd}).status).To(Equal(204))
		for _, path := range []string{cached + "&$count=true", "/beta/deviceManagement/windowsAutopilotDeviceIdentities", "/v1.0/devices?$top=5"} {
			r := w.do("GET", path, nil, "ConsistencyLevel", "eventual")
			Expect(r.status).To(Equal(200), r.raw)
			dec := json.NewDecoder(bytes.NewReader([]byte(r.raw)))
			dec.UseNumber()
			var v any
			Expect(dec.Decode(&v)).To(Succeed())
			again, err := json.Marshal(v)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.raw).To(Equal(string(again)), path)
		}
		Expect(w.do("GET", cached, nil).raw).To(ContainSubstring(`\u003c\u0026\u003e \u2028 \"q\"`))
		one := w.do("GET", apPath+"/"+idOf("CA002"), nil)
		Expect(w.do("GET", cached, nil).header.Get("Content-Type")).To(Equal(one.header.Get("Content-Type")))
	})
})
