package tenantconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jnode is one JSON value with the position of its first character. The
// standard decoder does not report positions of values, and Source.Fields
// needs the position of every property, so the loader parses JSON itself.
type jnode struct {
	kind   byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	str    string
	num    string
	b      bool
	keys   []string // object keys in file order
	fields map[string]*jnode
	items  []*jnode
	pos    Pos
}

// get returns the field key of an object node, or nil.
func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != 'o' {
		return nil
	}
	return n.fields[key]
}

// getFold returns the field whose key equals key case-insensitively (Graph
// property names are case-insensitive; PowerShell tools keep the case Graph
// sent, but hand edits may not).
func (n *jnode) getFold(key string) *jnode {
	if v := n.get(key); v != nil {
		return v
	}
	if n == nil || n.kind != 'o' {
		return nil
	}
	for _, k := range n.keys {
		if strings.EqualFold(k, key) {
			return n.fields[k]
		}
	}
	return nil
}

// jsonSyntaxError is a malformed JSON file's problem with its position.
type jsonSyntaxError struct {
	Pos Pos
	Msg string
}

func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 256

type jparser struct {
	src       []byte
	off       int
	line, col int
}

// decodeText turns file bytes into UTF-8 text. Windows PowerShell 5.1's
// Out-File writes UTF-16LE with a byte-order mark by default, which is how
// IntuneBackupAndRestore's files arrive from Windows machines
// (https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.utility/out-file, -Encoding);
// PowerShell 7 and Python write UTF-8, sometimes with a BOM.
func decodeText(b []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		le := b[0] == 0xFF
		b = b[2:]
		if len(b)%2 != 0 {
			return nil, fmt.Errorf("UTF-16 text with an odd number of bytes")
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			if le {
				u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			} else {
				u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			}
		}
		return []byte(string(utf16.Decode(u))), nil
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("not UTF-8 or UTF-16 text")
	}
	return b, nil
}

// parseJSON parses one JSON document.
func parseJSON(src []byte) (*jnode, error) {
	p := &jparser{src: src, line: 1, col: 1}
	p.skipSpace()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.off < len(p.src) {
		return nil, p.errf("unexpected %s after the JSON value", p.peekDesc())
	}
	return n, nil
}

func (p *jparser) pos() Pos { return Pos{Line: p.line, Col: p.col} }

func (p *jparser) errf(format string, a ...any) error {
	return &jsonSyntaxError{Pos: p.pos(), Msg: fmt.Sprintf(format, a...)}
}

func (p *jparser) peekDesc() string {
	if p.off >= len(p.src) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(p.src[p.off:])
	return fmt.Sprintf("%q", r)
}

// advance moves over n bytes, keeping line and column (in characters).
func (p *jparser) advance(n int) {
	end := p.off + n
	for p.off < end {
		r, size := utf8.DecodeRune(p.src[p.off:])
		p.off += size
		if r == '\n' {
			p.line++
			p.col = 1
		} else {
			p.col++
		}
	}
}

func (p *jparser) skipSpace() {
	for p.off < len(p.src) {
		switch p.src[p.off] {
		case ' ', '\t', '\r', '\n':
			p.advance(1)
		default:
			return
		}
	}
}

func (p *jparser) value(depth int) (*jnode, error) {
	if depth > maxDepth {
		return nil, p.errf("nesting deeper than %d", maxDepth)
	}
	if p.off >= len(p.src) {
		return nil, p.errf("unexpected end of file, want a value")
	}
	at := p.pos()
	switch c := p.src[p.off]; {
	case c == '{':
		return p.object(at, depth)
	case c == '[':
		return p.array(at, depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &jnode{kind: 's', str: s, pos: at}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(at)
	default:
		for _, lit := range []struct {
			text string
			node jnode
		}{{"true", jnode{kind: 'b', b: true}}, {"false", jnode{kind: 'b'}}, {"null", jnode{kind: 'z'}}} {
			if bytes.HasPrefix(p.src[p.off:], []byte(lit.text)) {
				p.advance(len(lit.text))
				n := lit.node
				n.pos = at
				return &n, nil
			}
		}
		return nil, p.errf("unexpected %s, want a value", p.peekDesc())
	}
}

func (p *jparser) object(at Pos, depth int) (*jnode, error) {
	n := &jnode{kind: 'o', fields: map[string]*jnode{}, pos: at}
	p.advance(1)
	p.skipSpace()
	if p.off < len(p.src) && p.src[p.off] == '}' {
		p.advance(1)
		return n, nil
	}
	for {
		p.skipSpace()
		if p.off >= len(p.src) || p.src[p.off] != '"' {
			return nil, p.errf("unexpected %s, want a property name in double quotes", p.peekDesc())
		}
		keyPos := p.pos()
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		if _, dup := n.fields[k]; dup {
			return nil, &jsonSyntaxError{Pos: keyPos, Msg: fmt.Sprintf("duplicate property %q", k)}
		}
		p.skipSpace()
		if p.off >= len(p.src) || p.src[p.off] != ':' {
			return nil, p.errf("unexpected %s, want ':'", p.peekDesc())
		}
		p.advance(1)
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, k)
		n.fields[k] = v
		p.skipSpace()
		if p.off < len(p.src) && p.src[p.off] == ',' {
			p.advance(1)
			continue
		}
		if p.off < len(p.src) && p.src[p.off] == '}' {
			p.advance(1)
			return n, nil
		}
		return nil, p.errf("unexpected %s, want ',' or '}'", p.peekDesc())
	}
}

func (p *jparser) array(at Pos, depth int) (*jnode, error) {
	n := &jnode{kind: 'a', pos: at}
	p.advance(1)
	p.skipSpace()
	if p.off < len(p.src) && p.src[p.off] == ']' {
		p.advance(1)
		return n, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.items = append(n.items, v)
		p.skipSpace()
		if p.off < len(p.src) && p.src[p.off] == ',' {
			p.advance(1)
			continue
		}
		if p.off < len(p.src) && p.src[p.off] == ']' {
			p.advance(1)
			return n, nil
		}
		return nil, p.errf("unexpected %s, want ',' or ']'", p.peekDesc())
	}
}

// str reads a string literal; the standard library unquotes it once its
// end is found, so escapes follow encoding/json exactly.
func (p *jparser) str() (string, error) {
	start := p.off
	i := p.off + 1
	for i < len(p.src) {
		switch c := p.src[i]; {
		case c == '\\':
			i += 2
			continue
		case c == '"':
			var s string
			if err := json.Unmarshal(p.src[start:i+1], &s); err != nil {
				return "", p.errf("invalid string: %v", err)
			}
			p.advance(i + 1 - start)
			return s, nil
		case c < 0x20:
			p.advance(i - start)
			return "", p.errf("control character in string")
		}
		i++
	}
	return "", p.errf("unterminated string")
}

func (p *jparser) number(at Pos) (*jnode, error) {
	i := p.off
	for i < len(p.src) && strings.IndexByte("+-.eE0123456789", p.src[i]) >= 0 {
		i++
	}
	text := string(p.src[p.off:i])
	if !json.Valid([]byte(text)) {
		return nil, p.errf("invalid number %q", text)
	}
	p.advance(i - p.off)
	return &jnode{kind: 'n', num: text, pos: at}, nil
}

// pointerToken escapes one JSON pointer reference token (RFC 6901 §3).
func pointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// collectFields records the position of every value below n, keyed by its
// JSON pointer relative to n.
func collectFields(n *jnode, prefix string, out map[string]Pos) {
	switch n.kind {
	case 'o':
		for _, k := range n.keys {
			v := n.fields[k]
			ptr := prefix + "/" + pointerToken(k)
			out[ptr] = v.pos
			collectFields(v, ptr, out)
		}
	case 'a':
		for i, v := range n.items {
			ptr := fmt.Sprintf("%s/%d", prefix, i)
			out[ptr] = v.pos
			collectFields(v, ptr, out)
		}
	}
}
