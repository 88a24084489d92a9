package labstate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ErrLocked means another process (a running lab) holds the directory.
var ErrLocked = errors.New("another process holds the state directory (is a lab running on it? stop it first)")

// snapshotExt ends a snapshot file's name.
const snapshotExt = ".apsnap"

var snapshotName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// SnapshotInfo describes a saved snapshot.
type SnapshotInfo struct {
	Name     string    `json:"name"`
	Scenario string    `json:"scenario"`
	Records  int       `json:"records"` // the meta record included
	Bytes    int64     `json:"bytes"`
	Clock    time.Time `json:"clock"` // virtual time of its last record
	Saved    time.Time `json:"saved"` // wall clock
}

// CheckName refuses a snapshot name that is not a plain file name.
func CheckName(name string) error {
	if !snapshotName.MatchString(name) || strings.Contains(name, "..") {
		return fmt.Errorf("labstate: snapshot name %q: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// Export writes the journal as one snapshot file (header, then the same
// frames). The lab may keep running: appends wait while it copies.
func (d *Dir) Export(w io.Writer) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		return errors.New("labstate: nothing to export: the journal has not begun")
	}
	b := make([]byte, d.size-headerSize)
	if _, err := d.f.ReadAt(b, headerSize); err != nil {
		return fmt.Errorf("labstate: reading the journal: %w", err)
	}
	if _, err := w.Write(header(snapshotMagic)); err != nil {
		return fmt.Errorf("labstate: export: %w", err)
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("labstate: export: %w", err)
	}
	return nil
}

// Save stores the journal as snapshot name (replacing one of that name).
func (d *Dir) Save(name string) (SnapshotInfo, error) {
	if err := CheckName(name); err != nil {
		return SnapshotInfo{}, err
	}
	var buf bytes.Buffer
	if err := d.Export(&buf); err != nil {
		return SnapshotInfo{}, err
	}
	if err := os.MkdirAll(filepath.Join(d.path, snapshotDir), 0o700); err != nil {
		return SnapshotInfo{}, fmt.Errorf("labstate: %w", err)
	}
	path := filepath.Join(d.path, snapshotDir, name+snapshotExt)
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		return SnapshotInfo{}, err
	}
	return d.info(name)
}

// List describes the saved snapshots, by name.
func (d *Dir) List() ([]SnapshotInfo, error) {
	ents, err := os.ReadDir(filepath.Join(d.path, snapshotDir))
	if errors.Is(err, os.ErrNotExist) {
		return []SnapshotInfo{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("labstate: %w", err)
	}
	out := []SnapshotInfo{}
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), snapshotExt)
		if !ok || e.IsDir() || CheckName(name) != nil {
			continue
		}
		in, err := d.info(name)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (d *Dir) info(name string) (SnapshotInfo, error) {
	path := filepath.Join(d.path, snapshotDir, name+snapshotExt)
	f, err := os.Open(path)
	if err != nil {
		return SnapshotInfo{}, fmt.Errorf("labstate: snapshot %q: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return SnapshotInfo{}, fmt.Errorf("labstate: %w", err)
	}
	recs, err := ReadSnapshot(f)
	if err != nil {
		return SnapshotInfo{}, fmt.Errorf("snapshot %q: %w", name, err)
	}
	return SnapshotInfo{Name: name, Scenario: recs[0].Meta.Scenario, Records: len(recs), Bytes: st.Size(),
		Clock: recs[len(recs)-1].At, Saved: st.ModTime().UTC()}, nil
}

// ReadSnapshot reads and checks a snapshot file: version, every frame's
// CRC (a snapshot is written whole, so a short one is refused too) and
// every record.
func ReadSnapshot(r io.Reader) ([]Record, error) {
	b, err := readAllLimited(r, MaxJournal+headerSize, "the snapshot")
	if err != nil {
		return nil, err
	}
	recs, _, err := parse(b, snapshotMagic, "snapshot")
	if err != nil {
		return nil, fmt.Errorf("labstate: snapshot refused: %w", err)
	}
	return recs, nil
}

// Restore makes snapshot name the journal: the next serve on this
// directory replays it. The lab must be stopped (this Dir holds the lock).
func (d *Dir) Restore(name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(d.path, snapshotDir, name+snapshotExt))
	if err != nil {
		return fmt.Errorf("labstate: snapshot %q: %w", name, err)
	}
	defer f.Close()
	return d.Import(f)
}

// Import makes a snapshot file the journal (after checking all of it).
func (d *Dir) Import(r io.Reader) error {
	recs, err := ReadSnapshot(r)
	if err != nil {
		return err
	}
	data := header(journalMagic)
	for _, rec := range recs {
		p, err := rec.Encode()
		if err != nil {
			return err
		}
		data = appendFrame(data, p)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f != nil {
		_ = d.f.Close()
		d.f = nil
	}
	if err := writeAtomic(d.journalPath(), data); err != nil {
		return err
	}
	d.size, d.records, d.last = int64(len(data)), len(recs), lastAt(recs)
	return nil
}

// Reset removes the journal: the next serve starts from the scenario.
// Snapshots stay.
func (d *Dir) Reset() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f != nil {
		_ = d.f.Close()
		d.f = nil
	}
	if err := os.Remove(d.journalPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("labstate: reset: %w", err)
	}
	d.size, d.records, d.last = 0, 0, time.Time{}
	return syncDir(d.path)
}
