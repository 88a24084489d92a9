package mockad

import (
	"bytes"

	ber "github.com/go-asn1-ber/asn1-ber"
)

// decodePacket is ber.DecodePacketErr with far fewer allocations for the
// messages clients actually send: definite lengths in their shortest form,
// one-octet tags and the universal types LDAP uses (BOOLEAN, INTEGER,
// OCTET STRING, NULL, ENUMERATED). The library reads every element through
// an io.Reader (a 1-byte slice per identifier and length octet, a 512-byte
// io.ReadAll buffer per value, each constructed element's content copied
// again at every level); the seam decodes every request and every result it
// rewrites, so in a fleet that was about a tenth of all the memory
// allocated. The tree is the same as the library's, field for field (a
// constructed element's Data is its children's encodings, which for the
// shortest-form lengths accepted here are the bytes as received); anything
// else, malformed input included, goes to the library, so errors and odd
// encodings are handled exactly as before.
func decodePacket(raw []byte) (*ber.Packet, error) {
	if p := leanDecode(raw); p != nil {
		return p, nil
	}
	return ber.DecodePacketErr(raw)
}

// berCount is what leanScan found: elements and child links of a tree.
type berCount struct{ elements, children int }

// leanDecode returns nil when raw's first element is not one it decodes
// exactly as the library would.
func leanDecode(raw []byte) *ber.Packet {
	var cnt berCount
	end, ok := leanScan(raw, 0, len(raw), 0, &cnt)
	if !ok {
		return nil
	}
	// One copy of the message, and the elements, their buffers and their
	// child lists each in one allocation. Slices into the copy are capped
	// at their length, so that a write to any of them reallocates instead
	// of running into a neighbour.
	b := &leanBuilder{
		raw:      append([]byte(nil), raw[:end]...),
		packets:  make([]ber.Packet, cnt.elements),
		buffers:  make([]bytes.Buffer, cnt.elements),
		children: make([]*ber.Packet, cnt.children),
	}
	p, _ := b.build(0)
	return p
}

// leanHeader reads the identifier and length octets at i (content before
// end): the content's offset and length, or !ok for what leanDecode leaves
// to the library.
func leanHeader(raw []byte, i, end int) (content, length int, ok bool) {
	if i+2 > end || raw[i]&0x1f == 0x1f { // high-tag-number form
		return 0, 0, false
	}
	l := int(raw[i+1])
	if l < 0x80 {
		return i + 2, l, i+2+l <= end
	}
	k := l & 0x7f
	// Indefinite (0x80), 0xff, over 4 octets, or not the shortest form
	// (a leading zero octet, or a length that fits the short form): the
	// library's re-encoding of such an element differs from its bytes.
	if k == 0 || k > 4 || i+2+k > end || raw[i+2] == 0 {
		return 0, 0, false
	}
	n := 0
	for _, x := range raw[i+2 : i+2+k] {
		n = n<<8 | int(x)
	}
	if n < 0x80 || i+2+k+n > end {
		return 0, 0, false
	}
	if ber.MaxPacketLengthBytes > 0 && int64(n) > ber.MaxPacketLengthBytes {
		return 0, 0, false
	}
	return i + 2 + k, n, true
}

// leanScan checks the element at i (within end) and counts it and its
// descendants; it returns the offset just past the element.
func leanScan(raw []byte, i, end, depth int, cnt *berCount) (int, bool) {
	if ber.MaxNestingDepth > 0 && depth >= ber.MaxNestingDepth {
		return 0, false
	}
	c, n, ok := leanHeader(raw, i, end)
	if !ok {
		return 0, false
	}
	cnt.elements++
	class, constructed, tag := ber.Class(raw[i]&0xc0), raw[i]&0x20 != 0, ber.Tag(raw[i]&0x1f)
	if !constructed {
		if class == ber.ClassUniversal {
			switch tag {
			case ber.TagBoolean, ber.TagInteger, ber.TagOctetString, ber.TagNULL, ber.TagEnumerated:
			default:
				return 0, false // types the library parses further (OIDs, strings it checks, times)
			}
		}
		return c + n, true
	}
	// An end-of-contents marker (universal primitive tag 0), which the
	// library refuses in a definite-length element, is left to it above.
	for j := c; j < c+n; {
		next, ok := leanScan(raw, j, c+n, depth+1, cnt)
		if !ok {
			return 0, false
		}
		cnt.children++
		j = next
	}
	return c + n, true
}

// leanBuilder builds the tree leanScan checked, from its slabs.
type leanBuilder struct {
	raw      []byte
	packets  []ber.Packet
	buffers  []bytes.Buffer
	children []*ber.Packet
}

func (b *leanBuilder) build(i int) (*ber.Packet, int) {
	raw := b.raw
	c, n, _ := leanHeader(raw, i, len(raw))
	p, buf := &b.packets[0], &b.buffers[0]
	b.packets, b.buffers = b.packets[1:], b.buffers[1:]
	p.ClassType, p.TagType, p.Tag = ber.Class(raw[i]&0xc0), ber.Type(raw[i]&0x20), ber.Tag(raw[i]&0x1f)
	content := raw[c : c+n : c+n]
	p.Data = buf
	if n > 0 { // the library's Buffer of an empty element holds no slice
		*buf = *bytes.NewBuffer(content)
	}
	if p.TagType == ber.TypeConstructed {
		k := 0
		for j := c; j < c+n; k++ {
			_, next := leanSkip(raw, j)
			j = next
		}
		kids := b.children[:0:k]
		b.children = b.children[k:]
		for j := c; j < c+n; {
			var child *ber.Packet
			child, j = b.build(j)
			kids = append(kids, child)
		}
		p.Children = kids
		return p, c + n
	}
	p.Children = b.children[:0:0]
	if p.ClassType == ber.ClassUniversal {
		p.ByteValue = content
		switch p.Tag {
		case ber.TagBoolean:
			v, _ := ber.ParseInt64(content)
			p.Value = v != 0
		case ber.TagInteger, ber.TagEnumerated:
			p.Value, _ = ber.ParseInt64(content)
		case ber.TagOctetString:
			p.Value = string(content)
		}
	}
	return p, c + n
}

// leanSkip returns the content offset of the element at i and the offset
// past it (already checked by leanScan).
func leanSkip(raw []byte, i int) (int, int) {
	c, n, _ := leanHeader(raw, i, len(raw))
	return c, c + n
}
