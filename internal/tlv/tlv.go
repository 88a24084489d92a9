// Package tlv writes BER elements (X.690 §8.1: identifier, length,
// contents), the encoding LDAP messages travel in (RFC 4511 §5.1), in the
// form go-asn1-ber's Packet.Bytes writes them: a one-octet identifier,
// the length in its shortest form (the long form from 128), an INTEGER or
// ENUMERATED in its fewest two's-complement octets. mockad's seam writes
// search entries and rewritten results with it, ldapclient its requests;
// both compare their bytes with the library's in their specs.
//
// It leaves out high tag numbers (31 and up, which LDAP does not use) and
// reading, which each caller does under its own rules.
package tlv

// Append appends one element: identifier id, the shortest-form length,
// then content.
func Append(b []byte, id byte, content []byte) []byte {
	return append(AppendLength(append(b, id), len(content)), content...)
}

// AppendString is Append for a string content, without converting it.
func AppendString(b []byte, id byte, s string) []byte {
	return append(AppendLength(append(b, id), len(s)), s...)
}

// Size is the encoded size of an element with n octets of content.
func Size(n int) int { return 1 + LengthSize(n) + n }

// AppendInteger appends an element of identifier id (INTEGER 0x02,
// ENUMERATED 0x0a) holding v as the library encodes an int64: the fewest
// two's-complement octets (ber.NewInteger, encodeInteger).
func AppendInteger(b []byte, id byte, v int64) []byte {
	n := 1
	for x := v; x > 127; x >>= 8 {
		n++
	}
	for x := v; x < -128; x >>= 8 {
		n++
	}
	b = append(b, id, byte(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*uint(i))))
	}
	return b
}

// LengthSize is how many octets AppendLength writes for n.
func LengthSize(n int) int {
	if n < 0x80 {
		return 1
	}
	k := 1
	for m := n; m > 0xff; m >>= 8 {
		k++
	}
	return 1 + k
}

// AppendLength appends n as a BER length in its shortest form.
func AppendLength(b []byte, n int) []byte {
	if n < 0x80 {
		return append(b, byte(n))
	}
	k := LengthSize(n) - 1
	b = append(b, 0x80|byte(k))
	for i := k - 1; i >= 0; i-- {
		b = append(b, byte(n>>(8*i)))
	}
	return b
}
