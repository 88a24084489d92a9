package scenarios_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

var _ = Describe("limits", func() {
	batch := func(n int) string {
		return edit("  - serial: DEV0001\n", fmt.Sprintf("  - count: %d\n    serialPrefix: DEV\n", n))
	}

	It("accepts a fleet of MaxDevices", func() {
		sc, err := scenarios.LoadBytes("s.yaml", []byte(batch(scenarios.MaxDevices)))
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.DeviceCount()).To(Equal(scenarios.MaxDevices))
		Expect(sc.ExpandDevices()).To(HaveLen(scenarios.MaxDevices))
	})

	It("refuses a fleet over MaxDevices with the line of the count", func() {
		_, err := scenarios.LoadBytes("s.yaml", []byte(batch(scenarios.MaxDevices+1)))
		Expect(errorLines(err)).To(ContainElement(fmt.Sprintf("s.yaml:35:12: devices[0].count: count %d takes the scenario over %d devices",
			scenarios.MaxDevices+1, scenarios.MaxDevices)))
	})

	It("refuses a file over MaxFileBytes before parsing it", func() {
		path := filepath.Join(GinkgoT().TempDir(), "big.yaml")
		Expect(os.WriteFile(path, []byte(base+"#"+strings.Repeat("x", scenarios.MaxFileBytes)+"\n"), 0o644)).To(Succeed())
		_, err := scenarios.Load(path)
		Expect(errorLines(err)).To(ConsistOf(path + ": file is larger than 1048576 bytes (MaxFileBytes): not a scenario"))
		_, err = scenarios.LoadBytes("big.yaml", []byte(strings.Repeat(" ", scenarios.MaxFileBytes+1)))
		Expect(err).To(MatchError(ContainSubstring("MaxFileBytes")))
	})

	It("reads no more than MaxFileBytes of an endless file", func() {
		if _, err := os.Stat("/dev/zero"); err != nil {
			Fail("this spec needs /dev/zero")
		}
		_, err := scenarios.Load("/dev/zero")
		Expect(err).To(MatchError(ContainSubstring("MaxFileBytes")))
	})

	It("refuses a YAML alias bomb with an error, not a hang", func() {
		var b strings.Builder
		b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i < 10; i++ {
			fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
		}
		b.WriteString("name: *a9\n")
		_, err := scenarios.LoadBytes("bomb.yaml", []byte(b.String()))
		Expect(err).To(HaveOccurred())
	})
})
