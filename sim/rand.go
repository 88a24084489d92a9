package sim

import (
	"hash/fnv"
	"math/rand/v2"
	"sync"
)

// Streams derives one independent random stream per named component from a
// scenario seed. A component's draws depend only on the seed and its own
// name, so adding a device or a connector does not shift anyone else's luck.
type Streams struct {
	seed uint64
	mu   sync.Mutex
	m    map[string]*rand.Rand
}

// NewStreams returns the stream family for seed.
func NewStreams(seed uint64) *Streams {
	return &Streams{seed: seed, m: map[string]*rand.Rand{}}
}

// Seed returns the seed the family derives from.
func (s *Streams) Seed() uint64 { return s.seed }

// Stream returns the random stream for name, creating it on first use. The
// same (seed, name) always yields the same sequence.
func (s *Streams) Stream(name string) *rand.Rand {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.m[name]; ok {
		return r
	}
	r := s.Fresh(name)
	s.m[name] = r
	return r
}

// Fresh returns the stream Stream(name) would return the first time,
// without keeping it: for a component that asks once (each device), so
// that a fleet's streams are not held in the family's map to the end of
// the run. Stream(name) afterwards starts the same sequence again.
func (s *Streams) Fresh(name string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	// The generator and its source in one allocation: a fleet keeps one
	// stream a device to the end of the run, and every object the
	// collector reaches costs it a lookup of its span (docs/SCALE.md,
	// "Why CPU per device is not flat").
	st := new(stream)
	st.src.Seed(s.seed, h.Sum64())
	st.r = *rand.New(&st.src)
	return &st.r
}

// stream is a generator together with the PCG source it draws from.
type stream struct {
	r   rand.Rand
	src rand.PCG
}

// GUID draws a version-4 GUID from r, in canonical lower-case text. Every
// simulated system names its objects with it so ids follow the seed.
func GUID(r *rand.Rand) string {
	t := GUIDBytes(r)
	return string(t[:])
}

// GUIDBytes is GUID's text as bytes, for a caller that keeps it somewhere
// of its own (strpack.Arena); it draws from r as GUID does.
func GUIDBytes(r *rand.Rand) [36]byte {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return guidText(b)
}

// GUIDText writes b as a GUID's canonical lower-case text, its bytes in the
// order given (8-4-4-4-12 hex digits): the text fmt's "%x-%x-%x-%x-%x" over
// the five groups writes, in one allocation (fmt boxed each group and the
// array, seven allocations a GUID, and mockgraph draws one for every
// request it answers).
func GUIDText(b [16]byte) string {
	t := guidText(b)
	return string(t[:])
}

func guidText(b [16]byte) [36]byte {
	const hexDigits = "0123456789abcdef"
	var t [36]byte
	n := 0
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			t[n] = '-'
			n++
		}
		t[n], t[n+1] = hexDigits[x>>4], hexDigits[x&0x0f]
		n += 2
	}
	return t
}
