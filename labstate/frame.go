package labstate

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Format constants (doc.go).
const (
	Version    = 1
	MaxRecord  = 8 << 20 // bytes of one record's payload
	MaxJournal = 1 << 30 // bytes of a journal file
	headerSize = 12
	frameHead  = 8
)

var (
	journalMagic  = [8]byte{'A', 'P', 'S', 'J', 'R', 'N', 'L', 0}
	snapshotMagic = [8]byte{'A', 'P', 'S', 'S', 'N', 'A', 'P', 0}
	castagnoli    = crc32.MakeTable(crc32.Castagnoli)
)

// ErrCorrupt marks data that is not a valid journal or snapshot.
var ErrCorrupt = errors.New("labstate: corrupt")

func header(magic [8]byte) []byte {
	b := make([]byte, headerSize)
	copy(b, magic[:])
	binary.LittleEndian.PutUint32(b[8:], Version)
	return b
}

// checkHeader reads a header of the given kind ("journal", "snapshot").
func checkHeader(b []byte, magic [8]byte, kind string) error {
	if len(b) < headerSize {
		return fmt.Errorf("%w: %s header: %d bytes, want %d", ErrCorrupt, kind, len(b), headerSize)
	}
	if !bytes.Equal(b[:8], magic[:]) {
		other := "journal"
		if magic == journalMagic {
			other = "snapshot"
		}
		if kind == "journal" && bytes.Equal(b[:8], snapshotMagic[:]) || kind == "snapshot" && bytes.Equal(b[:8], journalMagic[:]) {
			return fmt.Errorf("%w: this is a lab %s, not a %s", ErrCorrupt, other, kind)
		}
		return fmt.Errorf("%w: not an autopilotsim lab %s (magic %q)", ErrCorrupt, kind, b[:8])
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != Version {
		return fmt.Errorf("labstate: %s format version %d; this autopilotsim reads version %d (use the autopilotsim that wrote it)", kind, v, Version)
	}
	return nil
}

// appendFrame frames a payload.
func appendFrame(dst, payload []byte) []byte {
	var h [frameHead]byte
	binary.LittleEndian.PutUint32(h[:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[4:], crc32.Checksum(payload, castagnoli))
	return append(append(dst, h[:]...), payload...)
}

// frameError says why a frame could not be read; torn is true when the
// frame runs to the end of the data (a write cut short), false when data
// follows it (corruption).
type frameError struct {
	off  int64
	torn bool
	msg  string
}

func (e *frameError) Error() string {
	return fmt.Sprintf("%v: frame at byte %d: %s", ErrCorrupt, e.off, e.msg)
}
func (e *frameError) Unwrap() error { return ErrCorrupt }

// readFrames splits b (after the header, which starts at byte base of the
// file) into payloads. It stops at the first bad frame and returns the
// payloads before it, the offset where the good data ends, and the error.
func readFrames(b []byte, base int64) (payloads [][]byte, end int64, err error) {
	off := 0
	for off < len(b) {
		at := base + int64(off)
		rest := b[off:]
		if len(rest) < frameHead {
			return payloads, at, &frameError{at, true, fmt.Sprintf("%d bytes, shorter than a frame header", len(rest))}
		}
		n := binary.LittleEndian.Uint32(rest[:4])
		if n > MaxRecord {
			return payloads, at, &frameError{at, false, fmt.Sprintf("length %d over the %d-byte bound", n, MaxRecord)}
		}
		if n == 0 {
			return payloads, at, &frameError{at, false, "empty record"}
		}
		if int64(len(rest)-frameHead) < int64(n) {
			return payloads, at, &frameError{at, true, fmt.Sprintf("length %d, only %d bytes left", n, len(rest)-frameHead)}
		}
		p := rest[frameHead : frameHead+int(n)]
		if crc32.Checksum(p, castagnoli) != binary.LittleEndian.Uint32(rest[4:8]) {
			torn := frameHead+int(n) == len(rest)
			return payloads, at, &frameError{at, torn, "CRC mismatch"}
		}
		payloads = append(payloads, p)
		off += frameHead + int(n)
	}
	return payloads, base + int64(off), nil
}

// readAllLimited reads at most max bytes, refusing more.
func readAllLimited(r io.Reader, max int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("labstate: reading %s: %w", what, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("labstate: %s is over %d bytes", what, max)
	}
	return b, nil
}
