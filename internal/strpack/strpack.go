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
// response's strings are one object. mockad's packAttrs does the same for
// a directory entry's values.
package strpack

import "unsafe"

// Pack copies the strings ps point to into one new allocation and points
// each at its copy: their values do not change, only where their bytes
// live. The copies are never written again, as a string's bytes must not
// be. Call it on strings nothing else holds yet (just decoded), or the
// old allocation stays alive beside the new one.
func Pack(ps ...*string) {
	n := 0
	for _, p := range ps {
		n += len(*p)
	}
	if n == 0 {
		return
	}
	buf := make([]byte, 0, n)
	for _, p := range ps {
		if len(*p) == 0 {
			continue
		}
		start := len(buf)
		buf = append(buf, *p...)
		*p = unsafe.String(&buf[start], len(*p))
	}
}
