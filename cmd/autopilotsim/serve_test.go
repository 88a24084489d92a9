package main

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

var _ = Describe("autopilotsim serve --fault", func() {
	It("collects repeated faults in order", func() {
		var f faultFlag
		Expect(f.Set("path=^/beta/deviceManagement/,status=429,p=0.2,retryAfter=5s")).To(Succeed())
		Expect(f.Set("path=^/v1.0/groups,latency=2s")).To(Succeed())
		Expect(f.faults).To(HaveLen(2))
		Expect(f.faults[0].Status).To(Equal(429))
		Expect(*f.faults[0].Probability).To(Equal(0.2))
		Expect(f.faults[0].RetryAfter).To(Equal(scenarios.Duration(5 * time.Second)))
		Expect(f.faults[1].Latency).To(Equal(scenarios.Duration(2 * time.Second)))
		Expect(*f.faults[1].Probability).To(Equal(1.0))
	})

	DescribeTable("exits 2 with a clear message on a bad fault",
		func(args []string, msg string) {
			code, _, errOut := cli(append([]string{"serve", "--scenario", "testdata/pass.yaml"}, args...)...)
			Expect(code).To(Equal(2))
			Expect(errOut).To(ContainSubstring(msg))
		},
		Entry("unknown key", []string{"--fault", "path=x,stauts=429"}, `invalid argument "path=x,stauts=429" for "--fault" flag: fault "path=x,stauts=429": unknown key "stauts" (did you mean "status"?)`),
		Entry("status no fault answers", []string{"--fault", "path=x,status=404"}, `status 404 is not one a fault answers (want one of 429, 500, 502, 503, 504)`),
		Entry("probability out of range", []string{"--fault", "path=x,status=500,p=0"}, `probability 0 is outside (0, 1]`),
		Entry("latency only with retryAfter", []string{"--fault", "path=x,latency=2s,retryAfter=5s"}, `retryAfter needs status 429, 503 or 504`),
		Entry("bare number", []string{"--fault", "path=x,latency=2"}, `latency: bare number 2 is not a duration`),
		Entry("bad regexp", []string{"--fault", "path=(,status=500"}, `path: bad regular expression "("`),
		Entry("pairs split by a space", []string{"--fault", "path=x,status=500", "retryAfter=5s"}, `unexpected argument "retryAfter=5s"`),
	)
})

var _ = Describe("autopilotsim serve --start", func() {
	wall := func() time.Time { return time.Date(2026, 11, 23, 17, 30, 12, 987654321, time.FixedZone("x", 3600)) }
	DescribeTable("picks the lab's T0",
		func(v string, want time.Time) {
			got, err := parseStart(v, wall)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("now: the wall clock, whole seconds, UTC", "now", time.Date(2026, 11, 23, 16, 30, 12, 0, time.UTC)),
		Entry("epoch: the T0 of runs", "epoch", time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)),
		Entry("an RFC 3339 time", "2027-03-01T09:00:00+02:00", time.Date(2027, 3, 1, 7, 0, 0, 0, time.UTC)),
	)

	It("exits 2 on anything else, naming the forms it takes", func() {
		code, _, errOut := cli("serve", "--scenario", "testdata/pass.yaml", "--start", "tomorrow")
		Expect(code).To(Equal(2))
		Expect(errOut).To(ContainSubstring(`--start: "tomorrow" is not now, epoch or an RFC 3339 time`))
	})
})
