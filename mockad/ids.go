package mockad

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// encodeSID builds a binary SID S-1-5-<subs...> in MS-DTYP layout (B.8):
// revision 1, count, 48-bit big-endian authority 5, little-endian sub-authorities.
func encodeSID(subs ...uint32) []byte {
	b := make([]byte, 8+4*len(subs))
	b[0] = 1
	b[1] = byte(len(subs))
	b[7] = 5 // NT authority, big-endian 48 bits in bytes 2..7
	for i, s := range subs {
		binary.LittleEndian.PutUint32(b[8+4*i:], s)
	}
	return b
}

// SIDString renders a binary SID as S-1-…; it errors on malformed input.
func SIDString(b []byte) (string, error) {
	if len(b) < 8 || b[0] != 1 {
		return "", errors.New("mockad: SID: bad header")
	}
	n := int(b[1])
	if len(b) != 8+4*n {
		return "", fmt.Errorf("mockad: SID: %d sub-authorities need %d bytes, have %d", n, 8+4*n, len(b))
	}
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	// Written into a buffer on the stack and copied once (a directory
	// renders every computer's objectSid as text); room for the usual
	// five sub-authorities, append grows it for more.
	var buf [96]byte
	t := append(buf[:0], "S-1-"...)
	t = strconv.AppendUint(t, auth, 10)
	for i := 0; i < n; i++ {
		t = append(t, '-')
		t = strconv.AppendUint(t, uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10)
	}
	return string(t), nil
}

// ParseSIDString turns S-1-5-21-… into the binary layout.
func ParseSIDString(s string) ([]byte, error) {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || !strings.EqualFold(parts[0], "S") || parts[1] != "1" {
		return nil, fmt.Errorf("mockad: SID %q: want S-1-<authority>-…", s)
	}
	auth, err := strconv.ParseUint(parts[2], 10, 48)
	if err != nil {
		return nil, fmt.Errorf("mockad: SID %q: authority: %w", s, err)
	}
	if len(parts)-3 > 15 {
		return nil, fmt.Errorf("mockad: SID %q: too many sub-authorities", s)
	}
	b := make([]byte, 8, 8+4*(len(parts)-3))
	b[0] = 1
	b[1] = byte(len(parts) - 3)
	for i := 7; i >= 2; i-- {
		b[i] = byte(auth)
		auth >>= 8
	}
	for _, p := range parts[3:] {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("mockad: SID %q: sub-authority %q: %w", s, p, err)
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b, nil
}

// GUIDString renders 16 bytes in MS-DTYP GUID layout as the usual text
// (the first three fields little-endian, B.8).
func GUIDString(b []byte) (string, error) {
	if len(b) != 16 {
		return "", fmt.Errorf("mockad: GUID: %d bytes, want 16", len(b))
	}
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(b[0:4]), binary.LittleEndian.Uint16(b[4:6]),
		binary.LittleEndian.Uint16(b[6:8]), b[8:10], b[10:16]), nil
}

// validComputerName checks a NetBIOS computer name (rules-and-ad.md B.3,
// [DOC] B2): 1–15 characters, none of \ / : * ? " < > |, not starting with
// '.', not all digits, plus Samba's sAMAccountName character rules.
func validComputerName(n string) error {
	if n == "" || len(n) > 15 {
		return fmt.Errorf("computer name %q must be 1-15 characters", n)
	}
	if strings.HasPrefix(n, ".") {
		return fmt.Errorf("computer name %q starts with '.'", n)
	}
	if strings.Trim(n, "0123456789") == "" {
		return fmt.Errorf("computer name %q is all digits", n)
	}
	return validSAMChars(n)
}

// validSAMChars applies Samba's sAMAccountName character rule (B.3, [SAMBA-SRC]
// util_str.c): no " [ ] : ; | = + * ? < > / \ , or control characters, no
// trailing '.', not empty.
func validSAMChars(n string) error {
	if n == "" {
		return errors.New("empty name")
	}
	for _, r := range n {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`"[]:;|=+*?<>/\,`, r) {
			return fmt.Errorf("name %q contains invalid %q character", n, r)
		}
	}
	if strings.HasSuffix(n, ".") {
		return fmt.Errorf("name %q ends with '.'", n)
	}
	return nil
}

// validDNSLabel checks a DNS host label (B.3): letters, digits, '-', 1–63
// characters, not starting or ending with '-'. (B.3 says 2–63 for host
// names; single-letter domain labels exist, so 1 is accepted here.)
func validDNSLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		if !isAlnum(l[i]) && l[i] != '-' {
			return false
		}
	}
	return true
}
