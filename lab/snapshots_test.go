package lab_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/lab"
	"github.com/autopilotsim/autopilotsim/labstate"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

var labSHA = strings.Repeat("5a", 32)

func startStateLab(dir string) (*lab.Lab, error) {
	sc, err := scenarios.Load("../harness/testdata/lab.yaml")
	Expect(err).NotTo(HaveOccurred())
	return lab.Start(sc, lab.Options{ServeOptions: harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0"},
		StateDir: dir, ScenarioSHA256: labSHA})
}

var _ = Describe("the lab's snapshots", func() {
	It("answers 409 on a lab without --state-dir, 401 without credentials", func() {
		l := startLab(1)
		Expect(do("GET", l.URL()+"/lab/v1/snapshots", "", "").status).To(Equal(401))
		a := do("GET", l.URL()+"/lab/v1/snapshots", l.Key(), "")
		Expect(a.status).To(Equal(409))
		Expect(a.raw).To(ContainSubstring("this lab runs without --state-dir"))
		Expect(do("GET", l.URL()+"/lab/v1/export", l.Key(), "").status).To(Equal(409))
	})

	It("saves, lists and exports a running lab, and a restarted lab has its operations", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "state")
		l, err := startStateLab(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(l.PowerOn("LAB0001")).To(Succeed())
		Expect(l.Pause()).To(Succeed())
		Expect(do("POST", l.URL()+"/lab/v1/snapshots", l.Key(), `{"name":"../x"}`).status).To(Equal(400))
		a := do("POST", l.URL()+"/lab/v1/snapshots", l.Key(), `{"name":"one"}`)
		Expect(a.status).To(Equal(200), a.raw)
		Expect(a.body["records"]).To(BeNumerically("==", 3)) // meta, powerOn, pause
		a = do("GET", l.URL()+"/lab/v1/snapshots", l.Key(), "")
		Expect(a.raw).To(ContainSubstring(`"name":"one"`))
		a = do("GET", l.URL()+"/lab/v1/export", l.Key(), "")
		Expect(a.status).To(Equal(200))
		recs, err := labstate.ReadSnapshot(strings.NewReader(a.raw))
		Expect(err).NotTo(HaveOccurred())
		Expect(recs[1].Lab.Serial).To(Equal("LAB0001"))
		clock := l.Clock()
		l.Close()

		l, err = startStateLab(dir)
		Expect(err).NotTo(HaveOccurred())
		defer l.Close()
		Expect(device(l, "LAB0001").PoweredOn).To(BeTrue())
		Expect(l.Clock().Paused).To(BeTrue(), "paused when it stopped")
		Expect(l.Clock().Now).To(BeTemporally("~", clock.Now, time.Second))
	})
})

var _ = Describe("a journal that does not replay", func() {
	It("is refused with the record, the answers and what to do", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "state")
		l, err := startStateLab(dir)
		Expect(err).NotTo(HaveOccurred())
		l.Close()
		d, _, err := labstate.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		// A group created without a token: the replay answers 401.
		Expect(d.Append(labstate.Record{Kind: labstate.KindGraph, At: sim0.Add(time.Minute), Graph: &labstate.GraphWrite{
			Method: "POST", URI: "/v1.0/groups", Body: []byte(`{}`), Status: 201, ID: "x"}})).To(Succeed())
		Expect(d.Close()).To(Succeed())
		_, err = startStateLab(dir)
		Expect(err).To(MatchError(And(ContainSubstring("record 3 of 3 (graph at"), ContainSubstring("diverges: POST /v1.0/groups answered 401, recorded 201"),
			ContainSubstring("reset this one: autopilotsim lab snapshot reset"))))
	})
})

var _ = Describe("a lab's clock in its journal", func() {
	It("is journaled every 24 h of lab time, so a restart replays through days it did not see a change", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "state")
		l, err := startStateLab(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(l.Pause()).To(Succeed())
		Expect(l.Advance(60 * time.Hour)).To(Succeed())
		clock := l.Clock()
		l.Close()
		d, recs, err := labstate.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Close()).To(Succeed())
		var ops []string
		for _, r := range recs[1:] {
			Expect(r.Kind).To(Equal(labstate.KindClock))
			ops = append(ops, fmt.Sprintf("%s +%s", r.Clock.Op, r.At.Sub(recs[0].At).Round(time.Second))) // real time ran for a moment before the pause
		}
		Expect(ops).To(Equal([]string{"pause +0s", "checkpoint +24h0m0s", "checkpoint +48h0m0s", "advance +60h0m0s", "checkpoint +60h0m0s"}))
		l, err = startStateLab(dir)
		Expect(err).NotTo(HaveOccurred())
		defer l.Close()
		Expect(l.Clock().Now).To(BeTemporally("~", clock.Now, time.Millisecond))
	})

	It("journals the catch-up with the wall clock (--start now) too, so a restart finds no gap", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "state")
		sc, err := scenarios.Load("../harness/testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		// A lab whose T0 lies 50 h back: starting, it catches up with the
		// wall clock, as a restarted lab does after a weekend.
		start := func() *lab.Lab {
			l, err := lab.Start(sc, lab.Options{ServeOptions: harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0",
				Start: time.Now().Add(-50 * time.Hour), WallClock: true}, StateDir: dir, ScenarioSHA256: labSHA})
			Expect(err).NotTo(HaveOccurred())
			return l
		}
		l := start()
		Expect(l.Pause()).To(Succeed())
		l.Close()
		l = start() // replays through the checkpoints, then catches up again
		l.Close()
		d, recs, err := labstate.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Close()).To(Succeed())
		var ops []string
		for i, r := range recs[1:] {
			Expect(r.At.Sub(recs[i].At)).To(BeNumerically("<=", 24*time.Hour))
			ops = append(ops, r.Clock.Op)
		}
		Expect(ops).To(Equal([]string{"checkpoint", "checkpoint", "pause", "checkpoint", "checkpoint", "checkpoint"}),
			"24 h, 48 h, the pause, the first stop, the second start's catch-up, the second stop")
		Expect(recs[4].Clock.Paused).To(BeTrue(), "the catch-up's checkpoint carries the pause it resumes with")
	})

	It("refuses, before replaying, a journal with more than 24 h between two records", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "state")
		l, err := startStateLab(dir)
		Expect(err).NotTo(HaveOccurred())
		l.Close()
		d, recs, err := labstate.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		// A record 5,000 years on (a fuzzer's find): replaying the clock
		// there would run every connector poll on the way.
		far := recs[0].At.AddDate(5000, 0, 0)
		Expect(d.Append(labstate.Record{Kind: labstate.KindLab, At: far, Lab: &labstate.LabOp{Op: "powerOn", Serial: "LAB0001"}})).To(Succeed())
		Expect(d.Close()).To(Succeed())
		_, err = startStateLab(dir)
		// Record 2 is the checkpoint Close writes: the lab ran in real time
		// for a moment before it, so its milliseconds vary with the machine.
		Expect(err).To(MatchError(And(MatchRegexp(`record 3 of 3 \(lab at 7026-01-05T08:00:00\.000Z\) comes more than 24h0m0s after record 2 \(at 2026-01-05T08:00:00\.\d{3}Z\)`),
			ContainSubstring("a lab journals its clock every 24h0m0s of lab time, so the journal is damaged or was edited"))))
	})
})

// FuzzReplayRecord: a journal whose second record is arbitrary bytes
// (framed with a valid CRC) makes the lab start or refuse, never panic.
func FuzzReplayRecord(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	for _, s := range []string{
		`{"kind":"lab","at":"2026-01-05T08:00:01Z","lab":{"op":"powerOn","serial":"LAB0001"}}`,
		`{"kind":"lab","at":"2026-01-05T08:00:01Z","lab":{"op":"addDevice","device":{"serial":"X"}}}`,
		`{"kind":"graph","at":"2026-01-05T08:00:01Z","graph":{"method":"POST","uri":"/v1.0/groups","body":"e30=","status":201}}`,
		`{"kind":"ldap","at":"2026-01-05T08:00:01Z","ldap":{"domain":"corp.contoso.com","op":"delete","dn":"CN=x","code":0}}`,
		`{"kind":"clock","at":"2026-01-05T07:00:00Z","clock":{"op":"speed","speed":2}}`,
	} {
		f.Add([]byte(s))
	}
	sc, err := scenarios.Load("../harness/testdata/lab.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		rec, err := labstate.DecodeRecord(payload)
		if err != nil || rec.Kind == labstate.KindMeta {
			return // the journal's parser refuses it (FuzzJournalOpen)
		}
		dir := filepath.Join(t.TempDir(), "state")
		d, _, err := labstate.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		meta := labstate.Record{Kind: labstate.KindMeta, At: sim0, Meta: &labstate.Meta{Scenario: "lab", ScenarioSHA256: labSHA, Seed: 1, Start: sim0, SigningKey: der}}
		if err := d.Begin(meta); err != nil {
			t.Fatal(err)
		}
		if err := d.Append(rec); err != nil {
			d.Close()
			return
		}
		d.Close()
		l, err := lab.Start(sc, lab.Options{ServeOptions: harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0"}, StateDir: dir, ScenarioSHA256: labSHA})
		if err == nil {
			l.Close()
		}
	})
}

var sim0 = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
