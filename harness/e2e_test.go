package harness_test

import (
	"bytes"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

func runJSON(scs []*scenarios.Scenario, opts harness.Options) (*results.Run, []byte) {
	run := harness.RunAll(scs, opts)
	var buf bytes.Buffer
	Expect(results.WriteJSON(&buf, run)).To(Succeed())
	return run, buf.Bytes()
}

func failures(run *results.Run) string {
	var b bytes.Buffer
	for _, s := range run.Scenarios {
		if s.Error != "" {
			fmt.Fprintf(&b, "%s: error: %s\n", s.Name, s.Error)
		}
		for _, e := range s.Expectations {
			if !e.Passed {
				fmt.Fprintf(&b, "%s: %s: %s\n", s.Name, e.Description, e.Detail)
			}
		}
	}
	return b.String()
}

var _ = Describe("the scenario catalogue end to end", Ordered, func() {
	var (
		catalogue []*scenarios.Scenario
		memRun    *results.Run
		memJSON   []byte
	)
	BeforeAll(func() {
		var err error
		catalogue, err = scenarios.LoadPaths([]string{"../scenarios/catalogue"})
		Expect(err).NotTo(HaveOccurred())
		Expect(catalogue).NotTo(BeEmpty())
		memRun, memJSON = runJSON(catalogue, harness.Options{Wire: harness.WireMemory})
	})

	It("meets every expectation over the in-memory wire", func() {
		Expect(memRun.Passed()).To(BeTrue(), failures(memRun))
	})

	// A second run with the same seed over the other wire: byte-identical
	// output shows both that the wire does not matter and that a run
	// replays byte for byte (a third, in-memory run would add minutes under
	// the race detector and nothing this one does not show).
	It("replays byte for byte with the same seed, over loopback sockets too", func() {
		_, loopJSON := runJSON(catalogue, harness.Options{Wire: harness.WireLoopback})
		Expect(string(loopJSON)).To(Equal(string(memJSON)))
	})

	It("changes the random parts, not the outcomes, with another seed", func() {
		seed := uint64(987654321)
		other, otherJSON := runJSON(catalogue, harness.Options{Seed: &seed})
		Expect(other.Passed()).To(BeTrue(), failures(other))
		Expect(string(otherJSON)).NotTo(Equal(string(memJSON)))
	})
})
