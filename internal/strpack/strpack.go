// Package strpack moves strings that a simulated system keeps to the end of
// a run into one allocation between them.
//
// A string decoded from a JSON body is an allocation of its own. A large
// fleet keeps a few dozen of them per device to the end of the run (the
// ODJ blob's fields on the device, the enrollment and profile answers,
// mockgraph's records of what the connector and Entra Connect sent), and
// the collector visits every live object on every cycle: at 100,000
// devices, finding the span of each object it marks was the largest
// single cost of the run (make bench-scale's CPU profile,
// runtime.spanClass.sizeclass under tryDeferToSpanScan). Packed, a
// response's strings are one object, and so are a directory entry's
// values (mockad's packAttrs).
//
// Base64 writes a string in one allocation too, for the 4 KB hardware
// hashes that every device's sends and every import answer carry.
package strpack

import (
	"encoding/base64"
	"sync"
	"unsafe"
)

// Pack copies the strings ps point to into one new allocation and points
// each at its copy: their values do not change, only where their bytes
// live. The copies are never written again, as a string's bytes must not
// be. Call it on strings nothing else holds yet (just decoded), or the
// old allocation stays alive beside the new one.
func Pack(ps ...*string) { PackFunc(len(ps), func(i int) *string { return ps[i] }) }

// PackSlice is Pack for the strings of ss, in place.
func PackSlice(ss []string) { PackFunc(len(ss), func(i int) *string { return &ss[i] }) }

// PackFunc is Pack for the n strings at(0) … at(n-1): for strings that sit
// in a field of each element of a slice (a DN's RDN values), without a
// slice of pointers to them.
func PackFunc(n int, at func(int) *string) {
	if size := sizeOf(n, at); size > 0 {
		appendAll(make([]byte, 0, size), n, at)
	}
}

// sizeOf is the bytes of the n strings at(0) … at(n-1).
func sizeOf(n int, at func(int) *string) int {
	size := 0
	for i := range n {
		size += len(*at(i))
	}
	return size
}

// appendAll appends the bytes of the n strings at(0) … at(n-1) to buf,
// which must have room for them all (so that it is never moved), points
// each non-empty string at its copy, and returns buf grown.
func appendAll(buf []byte, n int, at func(int) *string) []byte {
	for i := range n {
		p := at(i)
		if len(*p) == 0 {
			continue
		}
		start := len(buf)
		buf = append(buf, *p...)
		*p = unsafe.String(&buf[start], len(*p))
	}
	return buf
}

// Base64 is b in standard base64 with padding (base64.StdEncoding), in one
// allocation: EncodeToString encodes into a buffer and then copies it into
// the string, two 4 KB allocations for every hardware hash (the harness
// derives one for each of a device's three sends, mockgraph writes one for
// each import record it answers with: 3.7 % of the bytes a 1,000-device
// fleet allocated, docs/SCALE.md). The buffer is never written again once
// it is the string's bytes, as strings.Builder does.
func Base64(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	out := base64.StdEncoding.AppendEncode(make([]byte, 0, base64.StdEncoding.EncodedLen(len(b))), b)
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// Arena packs strings that live as long as a world into shared chunks of
// arenaChunk bytes: one allocation for the strings of many records, where
// Pack makes one for each call. A fleet of 100,000 devices keeps about 64
// objects a device to the end of its run, and the collector's cost of a
// cycle follows the count (docs/SCALE.md, "Why CPU per device is not
// flat"); mockgraph's ids and the strings its records, the connector's
// requests and the devices' answers keep were about a fifth of them.
//
// A chunk lives while any string in it does, so an arena is for strings
// kept to the end of a run, not for those of one request. Its methods are
// safe for concurrent use. The zero value is ready; a nil *Arena packs as
// Pack does.
//
// Bound: the strings it holds, plus the unused end of one chunk.
type Arena struct {
	mu  sync.Mutex
	buf []byte
}

// arenaChunk is the size of an Arena's chunks; a string of more than a
// quarter of it gets an allocation of its own.
const arenaChunk = 16 << 10

// Pack is the package's Pack into a's chunks.
func (a *Arena) Pack(ps ...*string) {
	if a == nil {
		Pack(ps...)
		return
	}
	at := func(i int) *string { return ps[i] }
	size := sizeOf(len(ps), at)
	if size == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	buf, chunk := a.room(size)
	buf = appendAll(buf, len(ps), at)
	if chunk {
		a.buf = buf
	}
}

// String is string(b), its bytes in a's chunks.
func (a *Arena) String(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if a == nil {
		return string(b)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	buf, chunk := a.room(len(b))
	start := len(buf)
	buf = append(buf, b...)
	if chunk {
		a.buf = buf
	}
	return unsafe.String(&buf[start], len(b))
}

// room is where size more bytes go, and whether it is the arena's chunk:
// the current chunk when they fit, a new chunk when not, a buffer of their
// own when they are more than a quarter of a chunk. Called with a.mu held.
func (a *Arena) room(size int) ([]byte, bool) {
	if size > arenaChunk/4 {
		return make([]byte, 0, size), false
	}
	if len(a.buf)+size > cap(a.buf) {
		a.buf = make([]byte, 0, arenaChunk)
	}
	return a.buf, true
}
