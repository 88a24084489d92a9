package sim_test

import (
	"fmt"
	"math/rand/v2"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/sim"
)

var _ = Describe("GUID", func() {
	It("writes the text fmt's %x over the five groups wrote, a version-4 RFC 4122 GUID, draw for draw", func() {
		r1, r2 := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
		for range 1000 {
			var b [16]byte
			for i := 0; i < 16; i += 8 {
				v := r2.Uint64()
				for j := range 8 {
					b[i+j] = byte(v >> (8 * j))
				}
			}
			b[6] = b[6]&0x0f | 0x40
			b[8] = b[8]&0x3f | 0x80
			want := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
			got := sim.GUID(r1)
			Expect(got).To(Equal(want))
			Expect(got).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`))
		}
	})
})
