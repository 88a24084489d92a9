package lab_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/lab"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// startLab starts harness/testdata/lab.yaml on free loopback ports.
func startLab(speed float64) *lab.Lab {
	sc, err := scenarios.Load("../harness/testdata/lab.yaml")
	Expect(err).NotTo(HaveOccurred())
	l, err := lab.Start(sc, lab.Options{ServeOptions: harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: speed},
		EventInterval: 20 * time.Millisecond})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(l.Close)
	return l
}

type answer struct {
	status int
	body   map[string]any
	raw    string
}

func do(method, u, auth, body string) answer {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	res, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, raw: string(b)}
	_ = json.Unmarshal(b, &a.body)
	return a
}

func state(l *lab.Lab) harness.State {
	st, err := l.State()
	Expect(err).NotTo(HaveOccurred())
	return st
}

func device(l *lab.Lab, serial string) harness.DeviceView {
	for _, d := range state(l).Devices {
		if d.Serial == serial {
			return d
		}
	}
	Fail("no device " + serial)
	return harness.DeviceView{}
}

func adminToken(l *lab.Lab) (string, map[string]any) {
	id, secret := harness.AdminApp()
	res, err := http.PostForm(l.GraphURL()+"/"+l.TenantID()+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {id}, "client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default"}})
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	var tok map[string]any
	Expect(json.NewDecoder(res.Body).Decode(&tok)).To(Succeed())
	Expect(res.StatusCode).To(Equal(200), "%v", tok)
	return tok["access_token"].(string), tok
}

var _ = Describe("the lab's control API", func() {
	It("answers health and readiness without credentials, and nothing else", func() {
		l := startLab(1)
		Expect(do("GET", l.URL()+"/healthz", "", "").status).To(Equal(200))
		r := do("GET", l.URL()+"/readyz", "", "")
		Expect(r.status).To(Equal(200))
		Expect(r.body["status"]).To(Equal("ready"))
		r = do("GET", l.URL()+"/lab/v1/state", "", "")
		Expect(r.status).To(Equal(401))
		Expect(r.raw).To(ContainSubstring("send Authorization: Bearer <console key or admin app token>"))
		Expect(do("GET", l.URL()+"/lab/v1/state", "lab_wrong", "").status).To(Equal(401))
	})

	It("powers a device on, jumps the clock ahead and shows it hybrid joined, with a Graph admin token", func() {
		l := startLab(1)
		tok, _ := adminToken(l)
		Expect(do("POST", l.URL()+"/lab/v1/clock/pause", tok, "").status).To(Equal(200))
		Expect(device(l, "LAB0001").PoweredOn).To(BeFalse())
		r := do("POST", l.URL()+"/lab/v1/devices/LAB0001/powerOn", tok, "")
		Expect(r.status).To(Equal(200), r.raw)
		Expect(device(l, "LAB0001").PoweredOn).To(BeTrue(), "an acknowledged change is in the world")
		r = do("POST", l.URL()+"/lab/v1/devices/LAB0001/powerOn", tok, "")
		Expect(r.status).To(Equal(409))
		Expect(r.raw).To(ContainSubstring("already on"))
		Expect(do("POST", l.URL()+"/lab/v1/devices/NOPE/powerOn", tok, "").status).To(Equal(404))

		Expect(do("POST", l.URL()+"/lab/v1/clock/advance", tok, `{"by":"2h"}`).status).To(Equal(200))
		Eventually(func() string { return device(l, "LAB0001").Outcome }).Should(Equal("hybridJoined"))
		d := device(l, "LAB0001")
		Expect(d.Result.DistinguishedName).To(HaveSuffix(",OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com"))
		Expect(l.Clock().Paused).To(BeTrue(), "a jump keeps a paused clock paused")
		// Two simulated hours passed: the token (one simulated hour at
		// speed 1) has expired, as it would have.
		Expect(do("POST", l.URL()+"/lab/v1/devices/LAB0001/reset", tok, "").status).To(Equal(401))
		tok, _ = adminToken(l)
		Expect(state(l).Directories[0].Computers).To(ContainElement(d.Result.DistinguishedName))

		r = do("POST", l.URL()+"/lab/v1/devices/LAB0001/reset", tok, "")
		Expect(r.status).To(Equal(200), r.raw)
		Expect(device(l, "LAB0001").PoweredOn).To(BeFalse())
		Expect(device(l, "LAB0001").Outcome).To(Equal("pending"))
	})

	It("adds a device by importing it, and it joins once the import is processed", func() {
		l := startLab(1)
		key := l.Key()
		Expect(do("POST", l.URL()+"/lab/v1/clock/pause", key, "").status).To(Equal(200))
		r := do("POST", l.URL()+"/lab/v1/devices", key, `{"serial":"NEW0001","groupTag":"Sales","location":"nowhere"}`)
		Expect(r.status).To(Equal(400))
		Expect(r.raw).To(ContainSubstring(`unknown location \"nowhere\" (networks: hq-lan)`))
		r = do("POST", l.URL()+"/lab/v1/devices", key, `{"serial":"NEW0001","groupTag":"Sales","locaton":"hq-lan"}`)
		Expect(r.status).To(Equal(400))
		Expect(r.raw).To(ContainSubstring(`unknown field \"locaton\"`))
		r = do("POST", l.URL()+"/lab/v1/devices", key, `{"serial":"NEW0001","groupTag":"Sales","location":"hq-lan"}`)
		Expect(r.status).To(Equal(200), r.raw)
		Expect(do("POST", l.URL()+"/lab/v1/devices", key, `{"serial":"NEW0001","location":"hq-lan"}`).status).To(Equal(409))
		// Import processing, group evaluation, profile assignment.
		Expect(do("POST", l.URL()+"/lab/v1/clock/advance", key, `{"by":"1h"}`).status).To(Equal(200))
		Eventually(func() []string { return state(l).Tenant.Groups[0].Members }).Should(ContainElement("NEW0001"))
		Expect(do("POST", l.URL()+"/lab/v1/devices/NEW0001/powerOn", key, "").status).To(Equal(200))
		Expect(do("POST", l.URL()+"/lab/v1/clock/advance", key, `{"by":"2h"}`).status).To(Equal(200))
		Eventually(func() string { return device(l, "NEW0001").Outcome }).Should(Equal("hybridJoined"))
		Expect(device(l, "NEW0001").GroupTag).To(Equal("Sales"))
	})

	It("stops and starts a connector: a device powered on while it is down waits for its blob and fails", func() {
		l := startLab(1)
		key := l.Key()
		Expect(do("POST", l.URL()+"/lab/v1/clock/pause", key, "").status).To(Equal(200))
		Expect(do("POST", l.URL()+"/lab/v1/connectors/ODJCONN01/down", key, "").status).To(Equal(200))
		Expect(state(l).Connectors[0].Running).To(BeFalse())
		Expect(do("POST", l.URL()+"/lab/v1/connectors/NOPE/down", key, "").status).To(Equal(404))
		Expect(do("POST", l.URL()+"/lab/v1/connectors/ODJCONN01/sideways", key, "").status).To(Equal(400))
		Expect(do("POST", l.URL()+"/lab/v1/devices/LAB0001/powerOn", key, "").status).To(Equal(200))
		Expect(do("POST", l.URL()+"/lab/v1/clock/advance", key, `{"by":"2h"}`).status).To(Equal(200))
		Eventually(func() string { return device(l, "LAB0001").Outcome }).Should(Equal("failed"))
		d := device(l, "LAB0001")
		Expect(d.Result.FailedStage).To(Equal("odjBlobWait"))
		Expect(d.Result.Explanation).NotTo(BeNil())
		Expect(d.Result.Explanation.Cause).NotTo(BeEmpty())
		Expect(do("POST", l.URL()+"/lab/v1/connectors/ODJCONN01/up", key, "").status).To(Equal(200))
		Expect(state(l).Connectors[0].Running).To(BeTrue())
	})

	It("pauses, changes speed and refuses bad clock input with a clear message", func() {
		l := startLab(1)
		key := l.Key()
		Expect(do("POST", l.URL()+"/lab/v1/clock/pause", key, "").status).To(Equal(200))
		before := l.Clock().Now
		Consistently(func() time.Time { return l.Clock().Now }, 100*time.Millisecond).Should(Equal(before))
		r := do("POST", l.URL()+"/lab/v1/clock/speed", key, `{"speed":-1}`)
		Expect(r.status).To(Equal(400))
		Expect(r.raw).To(ContainSubstring("speed must be a finite number greater than 0"))
		r = do("POST", l.URL()+"/lab/v1/clock/advance", key, `{"by":"soon"}`)
		Expect(r.status).To(Equal(400))
		Expect(r.raw).To(ContainSubstring(`advance: by \"soon\": want a positive Go duration such as 30m or 2h`))
		r = do("POST", l.URL()+"/lab/v1/clock/advance", key, `{"by":"1000h"}`)
		Expect(r.status).To(Equal(400))
		Expect(r.raw).To(ContainSubstring("advance: by 1000h0m0s: at most 168h0m0s per call"))
		Expect(do("POST", l.URL()+"/lab/v1/clock/speed", key, `{"speed":60}`).status).To(Equal(200))
		Expect(do("POST", l.URL()+"/lab/v1/clock/resume", key, "").status).To(Equal(200))
		Eventually(func() time.Time { return l.Clock().Now }).Should(BeTemporally(">", before.Add(time.Second)))
		Expect(l.Clock().Speed).To(Equal(60.0))
	})

	It("streams the state as server-sent events", func() {
		l := startLab(1)
		res, err := http.Get(l.URL() + "/lab/v1/events?key=" + l.Key())
		Expect(err).NotTo(HaveOccurred())
		defer res.Body.Close()
		Expect(res.Header.Get("Content-Type")).To(Equal("text/event-stream"))
		buf := make([]byte, 4096)
		n, err := io.ReadAtLeast(res.Body, buf, 100)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(buf[:n])).To(HavePrefix("event: state\ndata: {\"scenario\":\"lab\""))
	})
})

var _ = Describe("tokens in a fast lab", func() {
	// A client trusts expires_in on its own wall clock; the lab scales the
	// token's simulated lifetime by the speed, so at --speed 60 the token
	// still works for the wall-clock hour it promises.
	It("live 3599 wall seconds at any speed: the simulated exp is scaled by the speed", func() {
		l := startLab(60)
		tok, body := adminToken(l)
		Expect(body["expires_in"]).To(BeNumerically("==", 3599))
		parts := strings.Split(tok, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		Expect(err).NotTo(HaveOccurred())
		var claims struct{ Iat, Exp int64 }
		Expect(json.Unmarshal(payload, &claims)).To(Succeed())
		Expect(claims.Exp - claims.Iat).To(Equal(int64(3599 * 60)))
		// Two simulated hours later (two wall minutes at --speed 60) the
		// token still works.
		Expect(l.Advance(2 * time.Hour)).To(Succeed())
		Eventually(func() int {
			return do("GET", l.GraphURL()+"/v1.0/groups", tok, "").status
		}).Should(Equal(200))
	})
})
