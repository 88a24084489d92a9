package entrasync

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/autopilotsim/autopilotsim/sim"
)

// DecodeGUID turns a 16-byte objectGUID into its canonical string. The
// first three fields are little-endian (MS-DTYP 2.3.4.2 GUID packet
// representation; rules-and-ad.md B.8): bytes 3670ec933991834a972ea1998cc91865
// → 93ec7036-9139-4a83-972e-a1998cc91865.
func DecodeGUID(b []byte) (string, error) {
	if len(b) != 16 {
		return "", fmt.Errorf("entrasync: objectGUID has %d bytes, want 16", len(b))
	}
	// The first three groups are little-endian numbers, the last two bytes
	// in order (MS-DTYP 2.3.4.2 GUID packet representation).
	var g [16]byte
	g[0], g[1], g[2], g[3] = b[3], b[2], b[1], b[0]
	g[4], g[5], g[6], g[7] = b[5], b[4], b[7], b[6]
	copy(g[8:], b[8:])
	return sim.GUIDText(g), nil
}

// EncodeGUID is the inverse of DecodeGUID (used by tests and fakes).
func EncodeGUID(s string) ([]byte, error) {
	g, err := ParseGUID(s)
	if err != nil {
		return nil, err
	}
	h := strings.ReplaceAll(g, "-", "")
	out := make([]byte, 16)
	for i := 0; i < 16; i++ {
		v, _ := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		out[i] = byte(v)
	}
	// swap the three little-endian fields
	out[0], out[1], out[2], out[3] = out[3], out[2], out[1], out[0]
	out[4], out[5] = out[5], out[4]
	out[6], out[7] = out[7], out[6]
	return out, nil
}

// ParseGUID validates the canonical 8-4-4-4-12 hex form (either case, no
// braces) and returns it in lower case.
func ParseGUID(s string) (string, error) {
	if len(s) != 36 {
		return "", fmt.Errorf("entrasync: %q is not a GUID", s)
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", fmt.Errorf("entrasync: %q is not a GUID", s)
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return "", fmt.Errorf("entrasync: %q is not a GUID", s)
			}
		}
	}
	return strings.ToLower(s), nil
}

// maxSubAuthorities is SID_MAX_SUB_AUTHORITIES (MS-DTYP 2.4.2).
const maxSubAuthorities = 15

// ErrBadSID is wrapped by every DecodeSID error.
var ErrBadSID = errors.New("entrasync: malformed objectSid")

// DecodeSID turns a binary SID into its string form (MS-DTYP 2.4.2.2 and
// 2.4.2.1; rules-and-ad.md B.8): revision byte (must be 1), sub-authority
// count (at most 15), a 48-bit big-endian identifier authority, then the
// sub-authorities as 32-bit little-endian values; the length must match
// exactly. An authority of 2^32 or more is written in hex, as MS-DTYP
// 2.4.2.1 requires.
func DecodeSID(b []byte) (string, error) {
	if len(b) < 8 {
		return "", fmt.Errorf("%w: %d bytes, want at least 8", ErrBadSID, len(b))
	}
	if b[0] != 1 {
		return "", fmt.Errorf("%w: revision %d, want 1", ErrBadSID, b[0])
	}
	n := int(b[1])
	if n > maxSubAuthorities {
		return "", fmt.Errorf("%w: %d sub-authorities, at most %d", ErrBadSID, n, maxSubAuthorities)
	}
	if len(b) != 8+4*n {
		return "", fmt.Errorf("%w: %d bytes for %d sub-authorities, want %d", ErrBadSID, len(b), n, 8+4*n)
	}
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	// Written into a buffer on the stack and copied once: room for the
	// longest, 15 sub-authorities of 10 digits.
	var buf [4 + 14 + maxSubAuthorities*11]byte
	t := append(buf[:0], "S-1-"...)
	if auth >= 1<<32 {
		t = fmt.Appendf(t, "0x%012X", auth)
	} else {
		t = strconv.AppendUint(t, auth, 10)
	}
	for i := 0; i < n; i++ {
		t = append(t, '-')
		t = strconv.AppendUint(t, uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10)
	}
	return string(t), nil
}

// EncodeSID is the inverse of DecodeSID (used by tests and fakes).
func EncodeSID(s string) ([]byte, error) {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || parts[0] != "S" || parts[1] != "1" {
		return nil, fmt.Errorf("%w: %q", ErrBadSID, s)
	}
	var auth uint64
	var err error
	if strings.HasPrefix(parts[2], "0x") {
		auth, err = strconv.ParseUint(parts[2][2:], 16, 48)
	} else {
		auth, err = strconv.ParseUint(parts[2], 10, 32)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: authority %q: %v", ErrBadSID, parts[2], err)
	}
	subs := parts[3:]
	if len(subs) > maxSubAuthorities {
		return nil, fmt.Errorf("%w: %d sub-authorities", ErrBadSID, len(subs))
	}
	out := make([]byte, 8, 8+4*len(subs))
	out[0], out[1] = 1, byte(len(subs))
	for i := 0; i < 6; i++ {
		out[2+i] = byte(auth >> (8 * (5 - i)))
	}
	for _, p := range subs {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%w: sub-authority %q: %v", ErrBadSID, p, err)
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(v))
	}
	return out, nil
}
