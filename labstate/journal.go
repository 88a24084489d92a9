package labstate

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// File names inside a state directory.
const (
	journalFile = "journal"
	lockFile    = "LOCK"
	snapshotDir = "snapshots"
)

// Dir is a locked state directory and its open journal.
type Dir struct {
	path string
	lock *os.File

	mu      sync.Mutex
	f       *os.File // the journal, nil until the meta record is written
	size    int64
	records int
	last    time.Time // the newest record's time: Append keeps the order parse checks
}

// Open locks dir (creating it, 0700) and reads its journal. A torn last
// frame is truncated; other damage is an error. It returns the records,
// meta first, or none for a new (or reset) directory.
func Open(dir string) (*Dir, []Record, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("labstate: state directory %s: %w", dir, err)
	}
	lk, err := lockDir(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, nil, fmt.Errorf("labstate: state directory %s: %w", dir, err)
	}
	d := &Dir{path: dir, lock: lk}
	recs, err := d.openJournal()
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return d, recs, nil
}

// Path is the directory.
func (d *Dir) Path() string { return d.path }

func (d *Dir) journalPath() string { return filepath.Join(d.path, journalFile) }

func (d *Dir) openJournal() ([]Record, error) {
	f, err := os.OpenFile(d.journalPath(), os.O_RDWR, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("labstate: %w", err)
	}
	b, err := readAllLimited(f, MaxJournal+headerSize, "the journal")
	if err != nil {
		f.Close()
		return nil, err
	}
	recs, end, err := parse(b, journalMagic, "journal")
	var fe *frameError
	if len(recs) == 0 && (errors.Is(err, errNoMeta) || errors.As(err, &fe) && fe.torn) {
		// Begin writes the meta record atomically, so a journal without
		// one is a crash before the first acknowledged change: start anew.
		f.Close()
		if err := os.Remove(d.journalPath()); err != nil {
			return nil, fmt.Errorf("labstate: %w", err)
		}
		return nil, syncDir(d.path)
	}
	if errors.As(err, &fe) && fe.torn {
		// A write cut short by a crash: it was never acknowledged.
		if terr := f.Truncate(end); terr != nil {
			f.Close()
			return nil, fmt.Errorf("labstate: truncating the torn tail of %s at byte %d: %w", d.journalPath(), end, terr)
		}
		if serr := f.Sync(); serr != nil {
			f.Close()
			return nil, fmt.Errorf("labstate: %w", serr)
		}
		err = nil
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("labstate: %s: %w", d.journalPath(), err)
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("labstate: %w", err)
	}
	d.f, d.size, d.records, d.last = f, end, len(recs), lastAt(recs)
	return recs, nil
}

var errNoMeta = fmt.Errorf("%w: no meta record", ErrCorrupt)

// parse reads a header and its records; the first must be the meta
// record, and no other. A frame error comes back with the records before it.
func parse(b []byte, magic [8]byte, kind string) ([]Record, int64, error) {
	if err := checkHeader(b, magic, kind); err != nil {
		return nil, 0, err
	}
	payloads, end, ferr := readFrames(b[headerSize:], headerSize)
	var recs []Record
	for i, p := range payloads {
		r, err := DecodeRecord(p)
		if err != nil {
			return nil, 0, fmt.Errorf("record %d: %w", i+1, err)
		}
		if (i == 0) != (r.Kind == KindMeta) {
			return nil, 0, fmt.Errorf("%w: record %d is a %s record; the meta record comes first, once", ErrCorrupt, i+1, r.Kind)
		}
		if i > 0 && r.At.Before(recs[i-1].At) {
			// The lab journals each change at its clock's now, and that clock
			// only moves forward: an earlier time is damage, not a lab.
			return nil, 0, fmt.Errorf("%w: record %d is at %s, before record %d (%s); a lab's records go forward in time",
				ErrCorrupt, i+1, r.At.Format(time.RFC3339Nano), i, recs[i-1].At.Format(time.RFC3339Nano))
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 && ferr == nil {
		return nil, 0, fmt.Errorf("%w: %s", errNoMeta, kind)
	}
	return recs, end, ferr
}

// Begin starts a new journal with its meta record (a new or reset
// directory).
func (d *Dir) Begin(meta Record) error {
	if meta.Kind != KindMeta {
		return fmt.Errorf("labstate: a journal begins with a meta record, not %s", meta.Kind)
	}
	p, err := meta.Encode()
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f != nil {
		return errors.New("labstate: the journal has begun")
	}
	data := appendFrame(header(journalMagic), p)
	if err := writeAtomic(d.journalPath(), data); err != nil {
		return err
	}
	f, err := os.OpenFile(d.journalPath(), os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("labstate: %w", err)
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return fmt.Errorf("labstate: %w", err)
	}
	d.f, d.size, d.records, d.last = f, int64(len(data)), 1, meta.At
	return nil
}

// Append writes one record and fsyncs it: once it returns nil the change
// survives a crash.
func (d *Dir) Append(r Record) error {
	if r.Kind == KindMeta {
		return errors.New("labstate: the meta record is written by Begin")
	}
	p, err := r.Encode()
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		return errors.New("labstate: the journal has not begun (or is closed)")
	}
	if r.At.Before(d.last) {
		return fmt.Errorf("labstate: a record at %s after one at %s: records go forward in time", r.At.Format(time.RFC3339Nano), d.last.Format(time.RFC3339Nano))
	}
	frame := appendFrame(nil, p)
	if d.size+int64(len(frame)) > MaxJournal {
		return fmt.Errorf("labstate: the journal would pass %d bytes (%d records); save a snapshot and reset the lab", MaxJournal, d.records)
	}
	if _, err := d.f.Write(frame); err != nil {
		// Cut back what may have been written, so the next record does not
		// follow a torn one.
		_ = d.f.Truncate(d.size)
		_, _ = d.f.Seek(d.size, io.SeekStart)
		return fmt.Errorf("labstate: journal write: %w", err)
	}
	if err := d.f.Sync(); err != nil {
		return fmt.Errorf("labstate: journal fsync: %w", err)
	}
	d.size += int64(len(frame))
	d.records++
	d.last = r.At
	return nil
}

// Records is how many records the journal holds.
func (d *Dir) Records() int { d.mu.Lock(); defer d.mu.Unlock(); return d.records }

// Close releases the journal and the lock.
func (d *Dir) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var err error
	if d.f != nil {
		err = d.f.Close()
		d.f = nil
	}
	if d.lock != nil {
		_ = unlockDir(d.lock)
		d.lock = nil
	}
	return err
}

// writeAtomic writes a file under a temporary name, fsyncs it, renames it
// into place and fsyncs the directory: readers see the old or the new file.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("labstate: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("labstate: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("labstate: writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("labstate: fsync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("labstate: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("labstate: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("labstate: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("labstate: fsync directory %s: %w", dir, err)
	}
	return nil
}

// lastAt is the newest record's time (zero for none).
func lastAt(recs []Record) time.Time {
	if len(recs) == 0 {
		return time.Time{}
	}
	return recs[len(recs)-1].At
}
