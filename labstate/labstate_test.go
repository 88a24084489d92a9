package labstate_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/labstate"
)

var t0 = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

func meta() labstate.Record {
	return labstate.Record{Kind: labstate.KindMeta, At: t0, Meta: &labstate.Meta{Scenario: "lab", ScenarioSHA256: strings.Repeat("ab", 32),
		Seed: 7, Start: t0, SigningKey: []byte{1, 2, 3}, Created: t0}}
}

func power(serial string, at time.Duration) labstate.Record {
	return labstate.Record{Kind: labstate.KindLab, At: t0.Add(at), Lab: &labstate.LabOp{Op: "powerOn", Serial: serial}}
}

func openNew(dir string) *labstate.Dir {
	d, recs, err := labstate.Open(dir)
	Expect(err).NotTo(HaveOccurred())
	Expect(recs).To(BeEmpty())
	Expect(d.Begin(meta())).To(Succeed())
	return d
}

var _ = Describe("the journal", func() {
	var dir string
	BeforeEach(func() { dir = filepath.Join(GinkgoT().TempDir(), "state") })

	It("gives back every appended record after a reopen, meta first, in files only the owner reads", func() {
		d := openNew(dir)
		Expect(d.Append(power("A", time.Second))).To(Succeed())
		Expect(d.Append(power("B", 2*time.Second))).To(Succeed())
		Expect(d.Close()).To(Succeed())
		d, recs, err := labstate.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		defer d.Close()
		Expect(recs).To(HaveLen(3))
		Expect(recs[0].Kind).To(Equal(labstate.KindMeta))
		Expect(recs[2].Lab.Serial).To(Equal("B"))
		Expect(recs[2].At).To(Equal(t0.Add(2 * time.Second)))
		st, err := os.Stat(filepath.Join(dir, "journal"))
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o600)))
		st, err = os.Stat(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o700)))
		Expect(d.Append(power("C", 3*time.Second))).To(Succeed(), "appends continue after the last record")
	})

	It("refuses a second opener while the first holds the lock", func() {
		d := openNew(dir)
		defer d.Close()
		_, _, err := labstate.Open(dir)
		Expect(err).To(MatchError(ContainSubstring("stop it first")))
	})

	DescribeTable("truncates a torn last frame and keeps what came before",
		func(cut func(b []byte) []byte) {
			d := openNew(dir)
			Expect(d.Append(power("A", time.Second))).To(Succeed())
			Expect(d.Close()).To(Succeed())
			full, err := os.ReadFile(filepath.Join(dir, "journal"))
			Expect(err).NotTo(HaveOccurred())
			d = openNew(filepath.Join(dir, "ref"))
			Expect(d.Close()).To(Succeed())
			Expect(os.WriteFile(filepath.Join(dir, "journal"), cut(full), 0o600)).To(Succeed())
			d, recs, err := labstate.Open(dir)
			Expect(err).NotTo(HaveOccurred())
			defer d.Close()
			Expect(recs).To(HaveLen(1), "the torn record was never acknowledged")
			Expect(d.Append(power("B", 2*time.Second))).To(Succeed())
			Expect(d.Close()).To(Succeed())
			d, recs, err = labstate.Open(dir)
			Expect(err).NotTo(HaveOccurred())
			Expect(recs).To(HaveLen(2))
			Expect(recs[1].Lab.Serial).To(Equal("B"))
		},
		Entry("inside the frame header", func(b []byte) []byte {
			return append(b[:len(b)-len(lastPayload(b))-5:len(b)-len(lastPayload(b))-5], 0, 0, 0)
		}),
		Entry("inside the payload", func(b []byte) []byte { return b[:len(b)-3] }),
		Entry("a last frame whose bytes were not all written (zeros)", func(b []byte) []byte {
			c := append([]byte(nil), b...)
			for i := len(c) - 10; i < len(c); i++ {
				c[i] = 0
			}
			return c
		}),
	)

	DescribeTable("refuses damage that is not a torn tail, with a clear message",
		func(mangle func(b []byte) []byte, want string) {
			d := openNew(dir)
			Expect(d.Append(power("A", time.Second))).To(Succeed())
			Expect(d.Append(power("B", 2*time.Second))).To(Succeed())
			Expect(d.Close()).To(Succeed())
			b, err := os.ReadFile(filepath.Join(dir, "journal"))
			Expect(err).NotTo(HaveOccurred())
			Expect(os.WriteFile(filepath.Join(dir, "journal"), mangle(b), 0o600)).To(Succeed())
			_, _, err = labstate.Open(dir)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("a flipped byte in a middle record", func(b []byte) []byte { b[40] ^= 0xff; return b }, "CRC mismatch"),
		Entry("another format version", func(b []byte) []byte { b[8] = 2; return b }, "format version 2; this autopilotsim reads version 1"),
		Entry("not a journal", func(b []byte) []byte { copy(b, "GARBAGE!"); return b }, "not an autopilotsim lab journal"),
		Entry("a snapshot in the journal's place", func(b []byte) []byte { copy(b, "APSSNAP\x00"); return b }, "this is a lab snapshot, not a journal"),
	)

	It("refuses a record that goes back in time, on append and on open", func() {
		d := openNew(dir)
		Expect(d.Append(power("A", time.Minute))).To(Succeed())
		Expect(d.Append(power("B", time.Second))).To(MatchError(ContainSubstring(
			"a record at 2026-01-05T08:00:01Z after one at 2026-01-05T08:01:00Z: records go forward in time")))
		Expect(d.Append(power("C", time.Minute))).To(Succeed(), "the same instant is forward enough")
		Expect(d.Close()).To(Succeed())
		b, err := labstate.JournalBytes(meta(), power("A", time.Minute), power("B", time.Second))
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, "journal"), b, 0o600)).To(Succeed())
		_, _, err = labstate.Open(dir)
		Expect(err).To(MatchError(And(ContainSubstring("record 3 is at 2026-01-05T08:00:01Z, before record 2 (2026-01-05T08:01:00Z)"),
			ContainSubstring("a lab's records go forward in time"))))
		Expect(err).To(MatchError(labstate.ErrCorrupt))
	})

	It("refuses a record over the bound and an invalid record", func() {
		d := openNew(dir)
		defer d.Close()
		big := labstate.Record{Kind: labstate.KindGraph, At: t0, Graph: &labstate.GraphWrite{Method: "POST", URI: "/x", Status: 201,
			Body: bytes.Repeat([]byte("x"), labstate.MaxRecord)}}
		Expect(d.Append(big)).To(MatchError(ContainSubstring("over the 8388608-byte bound")))
		Expect(d.Append(labstate.Record{Kind: labstate.KindGraph, At: t0, Graph: &labstate.GraphWrite{Method: "GET", URI: "/x", Status: 200}})).
			To(MatchError(ContainSubstring(`method "GET" is not a write`)))
		// Replay rebuilds the request from the target: one that no request
		// line can carry is refused here, not left to the replay.
		for uri, msg := range map[string]string{
			"/ 0000000000": "holds white space or a control character",
			"/x\ty":        "holds white space or a control character",
			"/%zz":         "is not a request target",
		} {
			Expect(d.Append(labstate.Record{Kind: labstate.KindGraph, At: t0, Graph: &labstate.GraphWrite{Method: "POST", URI: uri, Status: 201}})).
				To(MatchError(And(ContainSubstring(msg), ContainSubstring(fmt.Sprintf("%q", uri)))), uri)
		}
	})
})

var _ = Describe("snapshots", func() {
	var (
		dir string
		d   *labstate.Dir
	)
	BeforeEach(func() {
		dir = filepath.Join(GinkgoT().TempDir(), "state")
		d = openNew(dir)
		DeferCleanup(func() { d.Close() })
		Expect(d.Append(power("A", time.Second))).To(Succeed())
	})

	It("saves, lists and restores: the journal is the snapshot's again", func() {
		in, err := d.Save("before-b")
		Expect(err).NotTo(HaveOccurred())
		Expect(in.Records).To(Equal(2))
		Expect(in.Clock).To(Equal(t0.Add(time.Second)))
		Expect(d.Append(power("B", 2*time.Second))).To(Succeed())
		list, err := d.List()
		Expect(err).NotTo(HaveOccurred())
		Expect(list).To(HaveLen(1))
		Expect(list[0].Name).To(Equal("before-b"))
		Expect(d.Restore("before-b")).To(Succeed())
		Expect(d.Close()).To(Succeed())
		d2, recs, err := labstate.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		d = d2
		Expect(recs).To(HaveLen(2))
		Expect(recs[1].Lab.Serial).To(Equal("A"))
	})

	It("exports one file that imports into another directory", func() {
		var buf bytes.Buffer
		Expect(d.Export(&buf)).To(Succeed())
		other, recs, err := labstate.Open(filepath.Join(GinkgoT().TempDir(), "other"))
		Expect(err).NotTo(HaveOccurred())
		defer other.Close()
		Expect(recs).To(BeEmpty())
		Expect(other.Import(bytes.NewReader(buf.Bytes()))).To(Succeed())
		Expect(other.Close()).To(Succeed())
		other, recs, err = labstate.Open(other.Path())
		Expect(err).NotTo(HaveOccurred())
		Expect(recs).To(HaveLen(2))
	})

	It("resets to the scenario: no journal, snapshots kept", func() {
		_, err := d.Save("keep")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Reset()).To(Succeed())
		Expect(d.Close()).To(Succeed())
		d2, recs, err := labstate.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		d = d2
		Expect(recs).To(BeEmpty())
		list, _ := d.List()
		Expect(list).To(HaveLen(1))
	})

	DescribeTable("refuses an incompatible or corrupt snapshot with a clear message",
		func(mangle func(b []byte) []byte, want string) {
			var buf bytes.Buffer
			Expect(d.Export(&buf)).To(Succeed())
			err := d.Import(bytes.NewReader(mangle(buf.Bytes())))
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("cut short", func(b []byte) []byte { return b[:len(b)-4] }, "snapshot refused"),
		Entry("a flipped byte", func(b []byte) []byte { b[len(b)-2] ^= 1; return b }, "CRC mismatch"),
		Entry("a newer version", func(b []byte) []byte { b[8] = 9; return b }, "snapshot format version 9"),
		Entry("a journal, not a snapshot", func(b []byte) []byte { copy(b, "APSJRNL\x00"); return b }, "this is a lab journal, not a snapshot"),
		Entry("empty", func([]byte) []byte { return nil }, "snapshot header: 0 bytes"),
		Entry("a header only", func(b []byte) []byte { return b[:12] }, "no meta record: snapshot"),
	)

	DescribeTable("refuses names that are not plain file names",
		func(name string) {
			_, err := d.Save(name)
			Expect(err).To(MatchError(ContainSubstring("snapshot name")))
		},
		Entry("a path", "../x"), Entry("empty", ""), Entry("hidden", ".x"), Entry("a slash", "a/b"),
	)
})

// lastPayload is the last frame's payload: the journal in these specs
// ends with a powerOn record.
func lastPayload(b []byte) []byte {
	i := bytes.LastIndex(b, []byte(`{"kind":"lab"`))
	return b[i:]
}
