package odata

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 64

// Expr is a node of a parsed $filter expression.
type Expr interface{ expr() }

// Binary is a comparison (eq, ne, gt, ge, lt, le) or a logical and/or.
type Binary struct {
	Op   string // lower case
	L, R Expr
}

// Not negates X.
type Not struct{ X Expr }

// In is `X in (v1, v2, ...)`.
type In struct {
	X    Expr
	List []Expr
}

// Call is a function call: startswith, endswith, contains.
type Call struct {
	Name string // lower case
	Args []Expr
}

// Lambda is `Path/any(v: Body)` or `Path/all(v: Body)`; an any() without a
// body (`Path/any()`) is true for a non-empty collection.
type Lambda struct {
	Path Prop
	Kind string // "any" or "all"
	Var  string
	Body Expr // nil for the bodiless any()
}

// Prop is a property path (`a/b`), or a lambda variable (`c`), or a path
// below a lambda variable (`c/id`).
type Prop struct{ Path []string }

// Lit is a literal: string, float64, bool, time.Time or nil (null).
type Lit struct{ Value any }

func (Binary) expr() {}
func (Not) expr()    {}
func (In) expr()     {}
func (Call) expr()   {}
func (Lambda) expr() {}
func (Prop) expr()   {}
func (Lit) expr()    {}

// String renders the path as written, "/"-separated.
func (p Prop) String() string { return strings.Join(p.Path, "/") }

// SyntaxError reports malformed $filter text with the byte offset.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("Syntax error at position %d: %s", e.Pos, e.Msg)
}

// Walk calls fn for e and every node below it, parents first.
func Walk(e Expr, fn func(Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch n := e.(type) {
	case Binary:
		Walk(n.L, fn)
		Walk(n.R, fn)
	case Not:
		Walk(n.X, fn)
	case In:
		Walk(n.X, fn)
		for _, x := range n.List {
			Walk(x, fn)
		}
	case Call:
		for _, a := range n.Args {
			Walk(a, fn)
		}
	case Lambda:
		Walk(n.Path, fn)
		Walk(n.Body, fn)
	}
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tDate
	tLParen
	tRParen
	tComma
	tColon
	tSlash
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func lex(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			out = append(out, token{tLParen, "(", i})
			i++
		case c == ')':
			out = append(out, token{tRParen, ")", i})
			i++
		case c == ',':
			out = append(out, token{tComma, ",", i})
			i++
		case c == ':':
			out = append(out, token{tColon, ":", i})
			i++
		case c == '/':
			out = append(out, token{tSlash, "/", i})
			i++
		case c == '\'':
			// OData escapes a quote inside a string by doubling it.
			start := i
			i++
			var b strings.Builder
			closed := false
			for i < len(src) {
				if src[i] == '\'' {
					if i+1 < len(src) && src[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(src[i])
				i++
			}
			if !closed {
				return nil, &SyntaxError{start, "unterminated string literal"}
			}
			out = append(out, token{tString, b.String(), start})
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			start := i
			i++
			isDate := false
			for i < len(src) {
				d := src[i]
				if d >= '0' && d <= '9' || d == '.' {
					i++
					continue
				}
				// A datetime literal is unquoted: 2024-01-31T10:00:00Z.
				if d == '-' || d == ':' || d == 'T' || d == 'Z' || d == '+' {
					isDate = true
					i++
					continue
				}
				break
			}
			text := src[start:i]
			if isDate {
				out = append(out, token{tDate, text, start})
			} else {
				out = append(out, token{tNumber, text, start})
			}
		case c == '_' || c == '@' || c == '$' || c < 0x80 && unicode.IsLetter(rune(c)):
			start := i
			for i < len(src) {
				d := src[i]
				if d == '_' || d == '.' || d == '@' || d == '$' || d >= '0' && d <= '9' || d < 0x80 && unicode.IsLetter(rune(d)) {
					i++
					continue
				}
				break
			}
			out = append(out, token{tIdent, src[start:i], start})
		default:
			return nil, &SyntaxError{i, fmt.Sprintf("unexpected character %q", c)}
		}
	}
	out = append(out, token{tEOF, "", len(src)})
	return out, nil
}

type parser struct {
	toks  []token
	i     int
	depth int
	vars  map[string]bool
}

// ParseFilter parses a $filter expression.
func ParseFilter(src string) (Expr, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &SyntaxError{0, "empty $filter expression"}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, vars: map[string]bool{}}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, &SyntaxError{t.pos, fmt.Sprintf("unexpected %q after end of expression", t.text)}
	}
	if err := checkBool(e); err != nil {
		return nil, err
	}
	return e, nil
}

// checkBool rejects a filter whose top level is not a predicate (`$filter=displayName`).
func checkBool(e Expr) error {
	switch n := e.(type) {
	case Binary, Not, In, Lambda:
		return nil
	case Call:
		return nil
	case Lit:
		if _, ok := n.Value.(bool); ok {
			return nil
		}
	}
	return &SyntaxError{0, "the $filter expression must evaluate to a Boolean"}
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, w)
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return &SyntaxError{p.peek().pos, "expression nested too deeply"}
	}
	return nil
}

func (p *parser) or() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = Binary{"or", l, r}
	}
	return l, nil
}

func (p *parser) and() (Expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = Binary{"and", l, r}
	}
	return l, nil
}

func (p *parser) unary() (Expr, error) {
	if p.isWord("not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	}
	return p.cmp()
}

var cmpOps = map[string]bool{"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true}

func (p *parser) cmp() (Expr, error) {
	l, err := p.primary()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tIdent {
		return l, nil
	}
	op := strings.ToLower(t.text)
	if cmpOps[op] {
		p.next()
		r, err := p.primary()
		if err != nil {
			return nil, err
		}
		return Binary{op, l, r}, nil
	}
	if op == "in" {
		p.next()
		if p.peek().kind != tLParen {
			return nil, &SyntaxError{p.peek().pos, "expected '(' after 'in'"}
		}
		p.next()
		var list []Expr
		for {
			v, err := p.primary()
			if err != nil {
				return nil, err
			}
			if _, ok := v.(Lit); !ok {
				return nil, &SyntaxError{p.peek().pos, "the 'in' list takes literals only"}
			}
			list = append(list, v)
			if p.peek().kind == tComma {
				p.next()
				continue
			}
			break
		}
		if t := p.next(); t.kind != tRParen {
			return nil, &SyntaxError{t.pos, "expected ')' to close the 'in' list"}
		}
		return In{l, list}, nil
	}
	return l, nil
}

var funcs = map[string]int{"startswith": 2, "endswith": 2, "contains": 2}

func (p *parser) primary() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, &SyntaxError{c.pos, "expected ')'"}
		}
		return e, nil
	case tString:
		return Lit{t.text}, nil
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, &SyntaxError{t.pos, fmt.Sprintf("bad number %q", t.text)}
		}
		return Lit{f}, nil
	case tDate:
		tm, err := time.Parse(time.RFC3339Nano, t.text)
		if err != nil {
			if d, err2 := time.Parse("2006-01-02", t.text); err2 == nil {
				return Lit{d}, nil
			}
			return nil, &SyntaxError{t.pos, fmt.Sprintf("bad datetime literal %q", t.text)}
		}
		return Lit{tm.UTC()}, nil
	case tIdent:
		low := strings.ToLower(t.text)
		switch low {
		case "true":
			return Lit{true}, nil
		case "false":
			return Lit{false}, nil
		case "null":
			return Lit{nil}, nil
		}
		if n, ok := funcs[low]; ok && p.peek().kind == tLParen {
			return p.call(low, n)
		}
		return p.path(t)
	case tEOF:
		return nil, &SyntaxError{t.pos, "unexpected end of expression"}
	default:
		return nil, &SyntaxError{t.pos, fmt.Sprintf("unexpected %q", t.text)}
	}
}

func (p *parser) call(name string, n int) (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.next() // (
	var args []Expr
	for {
		a, err := p.primary()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if p.peek().kind == tComma {
			p.next()
			continue
		}
		break
	}
	if t := p.next(); t.kind != tRParen {
		return nil, &SyntaxError{t.pos, fmt.Sprintf("expected ')' to close %s(", name)}
	}
	if len(args) != n {
		return nil, &SyntaxError{p.peek().pos, fmt.Sprintf("%s takes %d arguments, got %d", name, n, len(args))}
	}
	return Call{name, args}, nil
}

func (p *parser) path(first token) (Expr, error) {
	segs := []string{first.text}
	for p.peek().kind == tSlash {
		p.next()
		t := p.next()
		if t.kind != tIdent {
			return nil, &SyntaxError{t.pos, "expected a property name after '/'"}
		}
		low := strings.ToLower(t.text)
		if (low == "any" || low == "all") && p.peek().kind == tLParen {
			return p.lambda(Prop{segs}, low)
		}
		segs = append(segs, t.text)
	}
	return Prop{segs}, nil
}

func (p *parser) lambda(path Prop, kind string) (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.next() // (
	if p.peek().kind == tRParen {
		p.next()
		if kind == "all" {
			return nil, &SyntaxError{p.peek().pos, "all() needs a lambda expression"}
		}
		return Lambda{Path: path, Kind: kind}, nil
	}
	v := p.next()
	if v.kind != tIdent {
		return nil, &SyntaxError{v.pos, "expected a lambda variable"}
	}
	if c := p.next(); c.kind != tColon {
		return nil, &SyntaxError{c.pos, "expected ':' after the lambda variable"}
	}
	body, err := p.or()
	if err != nil {
		return nil, err
	}
	if c := p.next(); c.kind != tRParen {
		return nil, &SyntaxError{c.pos, fmt.Sprintf("expected ')' to close %s(", kind)}
	}
	return Lambda{Path: path, Kind: kind, Var: v.text, Body: body}, nil
}
