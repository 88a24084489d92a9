package devicesim_test

import (
	"errors"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/devicesim"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

func throttled(retryAfter time.Duration) error {
	return &devicesim.CloudError{Status: 429, RetryAfter: retryAfter, Err: errors.New("429 TooManyRequests")}
}

func serverError(status int) error {
	return &devicesim.CloudError{Status: status, Err: errors.New("server error")}
}

// details returns the trace details of the device's events with step.
func details(tr *sim.Trace, step string) []string {
	var out []string
	for _, e := range tr.For("device/S1") {
		if e.Step == step {
			out = append(out, e.Detail)
		}
	}
	return out
}

var _ = Describe("a device against a faulty cloud", func() {
	happy := func() *fakeCloud {
		return &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 30 * time.Minute}
	}

	It("waits out Retry-After before downloading the profile again, and joins", func() {
		cloud := happy()
		cloud.fail = map[string][]error{"profile": {throttled(30 * time.Second), throttled(45 * time.Second)}}
		res, tr := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.Outcome).To(Equal(devicesim.OutcomeHybridJoined))
		c := cloud.calls["profile"]
		Expect(c).To(HaveLen(3))
		Expect([]time.Duration{c[1].Sub(c[0]), c[2].Sub(c[1])}).To(Equal([]time.Duration{30 * time.Second, 45 * time.Second}))
		Expect(details(tr, "profileDownload")).To(ContainElements(
			"HTTP 429: retry 1/3 in 30s (Retry-After)", "HTTP 429: retry 2/3 in 45s (Retry-After)"))
	})

	It("backs off 3s, 6s, 12s on server errors, then gives up with the MDM failure", func() {
		cloud := happy()
		cloud.fail = map[string][]error{"enroll": {serverError(500), serverError(502), serverError(503), serverError(500)}}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.Outcome).To(Equal(devicesim.OutcomeFailed))
		Expect(res.FailedStage).To(Equal(devicesim.StageMDMEnrollment))
		Expect(res.ErrorCode).To(Equal(devicesim.CodeMDMFailure))
		c := cloud.calls["enroll"]
		Expect(c).To(HaveLen(1 + transport.MaxRetries))
		Expect([]time.Duration{c[1].Sub(c[0]), c[2].Sub(c[1]), c[3].Sub(c[2])}).To(Equal([]time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second}))
	})

	It("does not retry an answer that is no transient error", func() {
		cloud := happy()
		cloud.fail = map[string][]error{"enroll": {&devicesim.CloudError{Status: 403, Err: errors.New("403 Forbidden")}}}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.FailedStage).To(Equal(devicesim.StageMDMEnrollment))
		Expect(cloud.calls["enroll"]).To(HaveLen(1))
	})

	DescribeTable("shows an enrollment refusal with the HRESULT and message Windows shows (F29, F30; MS-MDE2 faults)",
		func(code, wantHRESULT, wantMsg string) {
			cloud := happy()
			cloud.fail = map[string][]error{"enroll": {&devicesim.CloudError{Status: 403, Code: code, Err: errors.New("403 " + code)}}}
			res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
			Expect(res.Outcome).To(Equal(devicesim.OutcomeFailed))
			Expect(res.FailedStage).To(Equal(devicesim.StageMDMEnrollment))
			Expect(res.ErrorCode).To(Equal(wantHRESULT))
			Expect(res.Detail).To(ContainSubstring(wantMsg))
		},
		Entry("platform blocked", "DeviceNotSupported", "80180014", "does not support this version of Windows"),
		Entry("device limit / not allowed", "Authorization", "80180003", "not authorized to enroll"),
		Entry("no Intune licence (F28)", "UserValidation", "80180018", "MDM terms of use"),
		Entry("anything else: the generic MDM failure", "SomethingElse", "80180018", "MDM enrollment failed"),
	)

	It("tells a reused device's one-time-limit refusal from a platform restriction (F26)", func() {
		cloud := happy()
		cloud.fail = map[string][]error{"enroll": {&devicesim.CloudError{Status: 403, Code: "DeviceNotSupported",
			Err: errors.New("403 DeviceNotSupported: Enrollment blocked for AP device by SDM One Time Limit Check")}}}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.ErrorCode).To(Equal("80180014"))
		Expect(res.Detail).To(ContainSubstring("cannot re-enroll through Autopilot without a user while Intune holds its earlier record"))
		Expect(res.Detail).NotTo(ContainSubstring("does not support this version of Windows"))
	})

	It("pushes the next blob sync back by Retry-After", func() {
		cloud := happy()
		cloud.fail = map[string][]error{"odj": {throttled(5 * time.Minute)}}
		res, tr := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.Outcome).To(Equal(devicesim.OutcomeHybridJoined))
		c := cloud.calls["odj"]
		Expect(c[1].Sub(c[0])).To(Equal(5 * time.Minute))
		Expect(c[2].Sub(c[1])).To(Equal(time.Minute), "then the usual interval")
		Expect(details(tr, "odjBlobWait")).To(ContainElement("sync throttled: next in 5m0s (Retry-After)"))
	})

	It("pushes the next device-join task back by Retry-After", func() {
		cloud := happy()
		cloud.fail = map[string][]error{"register": {throttled(10 * time.Minute)}}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.Outcome).To(Equal(devicesim.OutcomeHybridJoined))
		c := cloud.calls["register"]
		Expect(c[1].Sub(c[0])).To(Equal(10 * time.Minute))
		Expect(c[2].Sub(c[1])).To(Equal(4 * time.Minute))
	})

	It("delays its next step by the answer's latency", func() {
		plain, slow := happy(), happy()
		slow.latency = 10 * time.Second
		run(lan, devicesim.VPNNone, plain, &fakeDC{})
		run(lan, devicesim.VPNNone, slow, &fakeDC{})
		// Only the profile answer comes before the enrollment request.
		Expect(slow.calls["enroll"][0].Sub(plain.calls["enroll"][0])).To(Equal(10 * time.Second))
		Expect(slow.calls["odj"][1].Sub(slow.calls["odj"][0])).To(Equal(time.Minute + 10*time.Second))
	})

	It("still ends the 25-minute budget on time when answers are late (F14, S30)", func() {
		cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 1000 * time.Hour, latency: 7 * time.Second}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.FailedStage).To(Equal(devicesim.StageODJBlobWait))
		Expect(res.FinishedAt.Sub(res.TimerStartedAt)).To(Equal(25 * time.Minute))
	})

	It("still ends the ESP registration wait on time when DRS answers are late (S11)", func() {
		cloud := &fakeCloud{registered: true, profile: hybrid, odjID: "r1", blobAfter: 2 * time.Minute, syncedAfter: 1000 * time.Hour, latency: 7 * time.Second}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.ErrorCode).To(Equal(devicesim.CodeTimeout))
		// ESP timeout 60 min + 40 min for hybrid (the fake's enrollment answer).
		Expect(res.FinishedAt.Sub(res.TimerStartedAt)).To(Equal(100 * time.Minute))
	})

	It("acts on a final error answer when it arrives, not at request time", func() {
		cloud := happy()
		cloud.fail = map[string][]error{"enroll": {&devicesim.CloudError{Status: 403, Latency: 10 * time.Second, Err: errors.New("403 Forbidden")}}}
		res, _ := run(lan, devicesim.VPNNone, cloud, &fakeDC{})
		Expect(res.FailedStage).To(Equal(devicesim.StageMDMEnrollment))
		Expect(res.FinishedAt.Sub(cloud.calls["enroll"][0])).To(Equal(10 * time.Second))
	})
})

var _ = Describe("HTTPCloud against a faulty service", func() {
	It("names the device, takes latency virtually, and hands back Retry-After and latency", func() {
		var got http.Header
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Header.Clone()
			w.Header().Set(transport.LatencyHeader, "1.5s")
			switch r.URL.Path {
			case "/_private/enrollment/v1/enroll":
				w.Header().Set("Retry-After", "20")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(429)
				_, _ = w.Write([]byte(`{"error":{"code":"TooManyRequests","message":"Please retry again later."}}`))
			case "/_private/drs/v1/register":
				w.WriteHeader(404)
			default:
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"state":"pending"}`))
			}
		})
		client, stop := transport.ServeHTTPMemory(h)
		DeferCleanup(stop)
		c := &devicesim.HTTPCloud{Client: client, BaseURL: "http://graph.local", Agent: "autopilotsim-device/S1"}

		_, err := c.Enroll(devicesim.EnrollRequest{Serial: "S1"})
		var ce *devicesim.CloudError
		Expect(errors.As(err, &ce)).To(BeTrue())
		Expect([]any{ce.Status, ce.RetryAfter, ce.Latency}).To(Equal([]any{429, 20 * time.Second, 1500 * time.Millisecond}))
		Expect(err).To(MatchError(ContainSubstring("429 TooManyRequests: Please retry again later.")))
		Expect(got.Get("User-Agent")).To(Equal("autopilotsim-device/S1"))
		Expect(got.Get(transport.AcceptLatencyHeader)).To(Equal(transport.AcceptLatencyVirtual))

		odj, err := c.ODJRequest("r1")
		Expect(err).NotTo(HaveOccurred())
		Expect(odj.Latency).To(Equal(1500 * time.Millisecond))
		reg, err := c.Register("dev", "thumb")
		Expect(err).NotTo(HaveOccurred())
		Expect(reg).To(Equal(devicesim.RegisterAnswer{Found: false, Latency: 1500 * time.Millisecond}))
	})
})
