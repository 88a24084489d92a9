package labstate_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/autopilotsim/autopilotsim/labstate"
)

func seedJournal(f *testing.F) []byte {
	dir := f.TempDir()
	d, _, err := labstate.Open(dir)
	if err != nil {
		f.Fatal(err)
	}
	defer d.Close()
	if err := d.Begin(meta()); err != nil {
		f.Fatal(err)
	}
	_ = d.Append(power("A", time.Second))
	_ = d.Append(labstate.Record{Kind: labstate.KindLDAP, At: t0.Add(2 * time.Second), LDAP: &labstate.LDAPWrite{Domain: "corp.example", Op: "add", DN: "CN=x,DC=corp",
		Attrs: []labstate.LDAPAttr{{Name: "objectClass", Values: []string{"computer"}}}}})
	b, err := os.ReadFile(filepath.Join(dir, "journal"))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzJournalOpen: any file in the journal's place opens (a torn tail
// truncated) or is refused with an error; never a panic. What opens
// reopens to the same records.
func FuzzJournalOpen(f *testing.F) {
	good := seedJournal(f)
	f.Add(good)
	f.Add(good[:len(good)-5])
	f.Add([]byte("APSJRNL\x00\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "journal"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		d, recs, err := labstate.Open(dir)
		if err != nil {
			return
		}
		d.Close()
		d, again, err := labstate.Open(dir)
		if err != nil {
			t.Fatalf("opened once, then: %v", err)
		}
		d.Close()
		if len(again) != len(recs) {
			t.Fatalf("%d records, then %d", len(recs), len(again))
		}
	})
}

// FuzzReadSnapshot: a snapshot file is read whole or refused.
func FuzzReadSnapshot(f *testing.F) {
	good := seedJournal(f)
	snap := append([]byte("APSSNAP\x00"), good[8:]...)
	f.Add(snap)
	f.Add(snap[:20])
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := labstate.ReadSnapshot(bytes.NewReader(b))
		if err == nil && (len(recs) == 0 || recs[0].Meta == nil) {
			t.Fatalf("accepted a snapshot without its meta record: %d records", len(recs))
		}
	})
}

// FuzzDecodeRecord: a record payload decodes to a valid record (one that
// encodes again) or is refused.
func FuzzDecodeRecord(f *testing.F) {
	for _, r := range []labstate.Record{meta(), power("A", 0)} {
		b, _ := r.Encode()
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"graph","at":"2026-01-05T08:00:00Z","graph":{"method":"POST","uri":"/v1.0/groups","status":201}}`))
	f.Add([]byte(`{"kind":"clock","at":"2026-01-05T08:00:00Z","clock":{"op":"speed","speed":0}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := labstate.DecodeRecord(b)
		if err != nil {
			return
		}
		if _, err := r.Encode(); err != nil {
			t.Fatalf("decoded but does not encode: %v", err)
		}
	})
}
