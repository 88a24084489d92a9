package mockgraph

import (
	"math/rand/v2"
	"slices"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// naiveTable is the table as it was before deletes left holes: creation
// order kept by shifting the rest of the order down on a delete.
type naiveTable struct {
	ids  []string
	vals map[string]*int
}

func (n *naiveTable) put(id string, v *int) {
	if _, ok := n.vals[id]; !ok {
		n.ids = append(n.ids, id)
	}
	n.vals[id] = v
}

func (n *naiveTable) del(id string) bool {
	if _, ok := n.vals[id]; !ok {
		return false
	}
	delete(n.vals, id)
	n.ids = slices.DeleteFunc(n.ids, func(x string) bool { return x == id })
	return true
}

func (n *naiveTable) list() []*int {
	var out []*int
	for _, id := range n.ids {
		out = append(out, n.vals[id])
	}
	return out
}

var _ = Describe("table", func() {
	It("keeps creation order through replaces, deletes and compaction, as shifting the order down did", func() {
		rng := rand.New(rand.NewPCG(1, 2))
		t, naive := newTable[int](), &naiveTable{vals: map[string]*int{}}
		for step := range 20_000 {
			id := strconv.Itoa(rng.IntN(500))
			switch rng.IntN(3) {
			case 0, 1:
				v := step
				t.put(id, &v)
				naive.put(id, &v)
			case 2:
				Expect(t.del(id)).To(Equal(naive.del(id)), "step %d del %s", step, id)
			}
			if step%97 == 0 {
				Expect(t.list()).To(Equal(naive.list()), "step %d", step)
			}
			got, ok := t.get(id)
			want, wok := naive.vals[id]
			Expect(ok).To(Equal(wok))
			Expect(got).To(BeIdenticalTo(want))
		}
		Expect(t.list()).To(Equal(naive.list()))
	})

	It("squeezes out its holes once they are half of the order", func() {
		t := newTable[int]()
		for i := range 1000 {
			t.put(strconv.Itoa(i), &i)
		}
		for i := range 999 {
			Expect(t.del(strconv.Itoa(i))).To(BeTrue())
		}
		Expect(len(t.items)).To(BeNumerically("<", 1000), "the holes were squeezed out")
		Expect(t.list()).To(HaveLen(1))
		Expect(*t.list()[0]).To(Equal(999))
		Expect(t.del("999")).To(BeTrue())
		Expect(t.list()).To(BeNil(), "an empty table lists nil, as before")
		Expect(t.del("999")).To(BeFalse())
	})

	It("changes its version on every put and delete, not on a delete of nothing", func() {
		t := newTable[int]()
		v := 1
		t.put("a", &v)
		v0 := t.ver
		t.put("a", &v)
		Expect(t.ver).To(BeNumerically(">", v0))
		v1 := t.ver
		Expect(t.del("b")).To(BeFalse())
		Expect(t.ver).To(Equal(v1))
		Expect(t.del("a")).To(BeTrue())
		Expect(t.ver).To(BeNumerically(">", v1))
	})
})

var _ = Describe("the Entra index by deviceId", func() {
	It("finds every object that carries a deviceId, oldest first and in any case, and forgets the deleted and the re-keyed", func() {
		st := newStore()
		add := func(id, deviceID string) *entraDevice {
			d := &entraDevice{ID: id, DeviceID: deviceID, seq: st.nextSeq()}
			st.entra.put(d.ID, d)
			st.indexEntra(d)
			return d
		}
		ids := func(ds []*entraDevice) []string {
			var out []string
			for _, d := range ds {
				out = append(out, d.ID)
			}
			return out
		}
		add("a", "DEV-1")
		Expect(ids(st.entraByDeviceID("dev-1"))).To(Equal([]string{"a"}))
		b := add("b", "dev-1")
		c := add("c", "Dev-1")
		add("z", "dev-2")
		st.indexEntra(b) // indexed twice: listed once
		Expect(ids(st.entraByDeviceID("DEV-1"))).To(Equal([]string{"a", "b", "c"}))
		Expect(st.entra.del("a")).To(BeTrue())
		Expect(ids(st.entraByDeviceID("dev-1"))).To(Equal([]string{"b", "c"}))
		c.DeviceID = "dev-3" // re-keyed
		st.indexEntra(c)
		Expect(ids(st.entraByDeviceID("dev-1"))).To(Equal([]string{"b"}))
		Expect(ids(st.entraByDeviceID("dev-3"))).To(Equal([]string{"c"}))
		Expect(st.entra.del("b")).To(BeTrue())
		Expect(st.entraByDeviceID("dev-1")).To(BeEmpty())
		Expect(st.entraIdx.byDeviceID).NotTo(HaveKey("dev-1"))
		Expect(st.entraIdx.more).NotTo(HaveKey("dev-1"))
		Expect(ids(st.entraByDeviceID("dev-2"))).To(Equal([]string{"z"}))
	})
})
