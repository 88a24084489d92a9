package mockgraph

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"unsafe"

	"github.com/autopilotsim/autopilotsim/internal/strpack"
)

// What the tenant keeps of a device's hardware hash. The hash is about
// 4,096 characters (DDS's length, graph-api.md §5.3) and, kept as sent, it
// was the largest part of a device's record: a fleet of 100,000 held
// 400 MB of hashes. The service needs the hash for two things only: to
// return an import record as it was posted, and to recognise the machine
// that presents it (PRIVATE_API.md "Authentication").

// hashDigest is SHA-256 of a hardware hash as sent; the zero value is "no
// hash", which matches nothing (the service always has one).
type hashDigest [sha256.Size]byte

func digestOf(hash string) hashDigest {
	if hash == "" {
		return hashDigest{}
	}
	return sha256.Sum256(stringBytes(hash))
}

// stringBytes is s's bytes without a copy, for SHA-256, which only reads
// them: the copy []byte(s) makes was a 4 KB allocation for every hash a
// device presents (1 % of a fleet's bytes).
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// matches compares the presented hash with the kept one in constant time.
func (d hashDigest) matches(presented string) bool {
	if d == (hashDigest{}) || presented == "" {
		return false
	}
	p := sha256.Sum256(stringBytes(presented))
	return subtle.ConstantTimeCompare(d[:], p[:]) == 1
}

// storedHash is an import record's hardwareIdentifier: the decoded bytes
// when the text is exactly their standard base64 (3 bytes kept for every 4
// characters), else the text as posted (not base64, or with line breaks or
// stray padding bits), so that String gives back what the client sent.
type storedHash struct {
	raw    []byte
	text   string
	digest hashDigest
}

func keepHash(hash string) storedHash {
	if hash == "" {
		return storedHash{}
	}
	h := storedHash{digest: digestOf(hash)}
	enc := base64.StdEncoding.Strict()
	if b, err := enc.DecodeString(hash); err == nil && enc.EncodedLen(len(b)) == len(hash) {
		h.raw = b
	} else {
		h.text = hash
	}
	return h
}

// String is the hash as it was posted (in one allocation, strpack.Base64).
func (h storedHash) String() string {
	if h.raw != nil {
		return strpack.Base64(h.raw)
	}
	return h.text
}
