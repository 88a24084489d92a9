package harness_test

import (
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

var _ = Describe("runs that scale", func() {
	var scs []*scenarios.Scenario
	BeforeEach(func() {
		var err error
		scs, err = scenarios.LoadPaths([]string{
			"../scenarios/catalogue/onprem-lan-hybrid.yaml",
			"../scenarios/catalogue/quota-no-delegation.yaml",
			"../scenarios/catalogue/ou-out-of-sync-scope.yaml",
		})
		Expect(err).NotTo(HaveOccurred())
	})

	It("keeps timelines and event logs of explained devices only with --timeline failed, none with none, and checks the same expectations", func() {
		all := harness.RunAll(scs, harness.Options{})
		failed := harness.RunAll(scs, harness.Options{Timeline: harness.TimelineFailed})
		none := harness.RunAll(scs, harness.Options{Timeline: harness.TimelineNone})
		kept := 0
		for i, sc := range all.Scenarios {
			Expect(failed.Scenarios[i].Expectations).To(Equal(sc.Expectations))
			Expect(none.Scenarios[i].Expectations).To(Equal(sc.Expectations))
			for j, d := range sc.Devices {
				Expect(d.Timeline).NotTo(BeEmpty())
				f, n := failed.Scenarios[i].Devices[j], none.Scenarios[i].Devices[j]
				Expect(n.Timeline).To(BeEmpty())
				Expect(n.Events).To(BeNil())
				if d.Explanation != nil {
					kept++
					Expect(f.Timeline).To(Equal(d.Timeline))
					Expect(f.Events).To(Equal(d.Events))
				} else {
					Expect(f.Timeline).To(BeEmpty())
					Expect(f.Events).To(BeNil())
				}
				// Everything else is the same.
				f.Timeline, f.Events, d.Timeline, d.Events = nil, nil, nil, nil
				Expect(f).To(Equal(d))
			}
		}
		Expect(kept).To(BeNumerically(">", 0))
	})

	It("runs scenarios in parallel with the serial run's results, handing them over in order", func() {
		serial := harness.RunAll(scs, harness.Options{})
		var (
			mu    sync.Mutex
			order []int
		)
		par := harness.RunAll(scs, harness.Options{Parallel: 3, OnScenario: func(i int, res *results.ScenarioResult) {
			mu.Lock()
			defer mu.Unlock()
			Expect(res.Name).To(Equal(scs[i].Name))
			order = append(order, i)
		}})
		Expect(par).To(Equal(serial))
		Expect(order).To(Equal([]int{0, 1, 2}))
	})

	DescribeTable("reads --timeline",
		func(text string, want harness.TimelineMode, ok bool) {
			got, err := harness.ParseTimelineMode(text)
			if ok {
				Expect(err).NotTo(HaveOccurred())
				Expect(got).To(Equal(want))
			} else {
				Expect(err).To(MatchError(ContainSubstring("all, failed or none")))
			}
		},
		Entry("all", "all", harness.TimelineAll, true),
		Entry("failed", "failed", harness.TimelineFailed, true),
		Entry("none", "none", harness.TimelineNone, true),
		Entry("unknown", "some", harness.TimelineMode(""), false),
	)
})
