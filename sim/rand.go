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
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	r := rand.New(rand.NewPCG(s.seed, h.Sum64()))
	s.m[name] = r
	return r
}
