package rules

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokKind enumerates the tokens of rules-and-ad.md A.8 ("A Go simulator needs
// a hand-written lexer with these tokens").
type tokKind int

const (
	tEOF tokKind = iota
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
	tString // "..." with `" escape, or '...' with '' escape
	tNumber // [-]digits
	tWord   // identifier, dotted name, keyword, or operator (with hyphen)
)

func (k tokKind) String() string {
	switch k {
	case tEOF:
		return "end of rule"
	case tLParen:
		return "'('"
	case tRParen:
		return "')'"
	case tLBrack:
		return "'['"
	case tRBrack:
		return "']'"
	case tComma:
		return "','"
	case tString:
		return "string"
	case tNumber:
		return "number"
	default:
		return "word"
	}
}

type token struct {
	kind   tokKind
	pos    int    // byte offset of the first character
	text   string // word text without hyphen; string value (unescaped)
	hyphen bool   // tWord preceded by '-' (an operator spelling)
	num    int64  // tNumber value
}

// describe names the token for error details.
func (t token) describe(src string) string {
	switch t.kind {
	case tWord:
		if t.hyphen {
			return "'-" + t.text + "'"
		}
		return "'" + t.text + "'"
	case tString:
		return "string " + strconv.Quote(t.text)
	case tNumber:
		return "number " + strconv.FormatInt(t.num, 10)
	}
	return t.kind.String()
}

type lexer struct {
	src  string
	pos  int
	opts *Options
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// enDash is U+2013, which the docs print in "–ne" and "–and" (A.1).
const enDash = "\u2013"

// next returns the next token, or a *SyntaxError for text no token starts with.
func (l *lexer) next() (token, *SyntaxError) {
	// Whitespace: spaces, tabs and newlines (A.1 "Whitespace", A.2 ws).
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			l.pos++
			continue
		}
		break
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	switch c {
	case '(':
		l.pos++
		return token{kind: tLParen, pos: start}, nil
	case ')':
		l.pos++
		return token{kind: tRParen, pos: start}, nil
	case '[':
		l.pos++
		return token{kind: tLBrack, pos: start}, nil
	case ']':
		l.pos++
		return token{kind: tRBrack, pos: start}, nil
	case ',':
		l.pos++
		return token{kind: tComma, pos: start}, nil
	case '"':
		return l.dqString()
	case '\'':
		return l.sqString()
	case '-':
		if l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]) {
			return l.number()
		}
		if l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]) {
			l.pos++
			t := l.word(start)
			t.hyphen = true
			return t, nil
		}
		return token{}, newError(l.src, start, CodeQueryCompilation, msgQueryCompilation,
			"'-' must be followed by an operator name or a digit")
	}
	if strings.HasPrefix(l.src[l.pos:], enDash) {
		after := l.pos + len(enDash)
		if l.opts.AcceptEnDash && after < len(l.src) && isIdentStart(l.src[after]) {
			l.pos = after
			t := l.word(start)
			t.hyphen = true
			return t, nil
		}
		return token{}, newError(l.src, start, CodeQueryCompilation, msgQueryCompilation,
			"en dash U+2013 is not an operator hyphen; type '-'")
	}
	if isDigit(c) {
		return l.number()
	}
	if isIdentStart(c) {
		return l.word(start), nil
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	return token{}, newError(l.src, start, CodeQueryCompilation, msgQueryCompilation,
		"unexpected character "+strconv.QuoteRune(r))
}

// word lexes ident { "." ident }; l.pos is at the identifier's first byte.
// Consuming every identifier character gives the keyword boundary A.8 asks
// for (so "in" never matches the start of "int…" or "notIn").
func (l *lexer) word(start int) token {
	s := l.pos
	l.pos++ // first char already checked by isIdentStart
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if isIdentChar(c) {
			l.pos++
			continue
		}
		if c == '.' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]) {
			l.pos += 2
			continue
		}
		break
	}
	return token{kind: tWord, pos: start, text: l.src[s:l.pos]}
}

func (l *lexer) number() (token, *SyntaxError) {
	start := l.pos
	if l.src[l.pos] == '-' {
		l.pos++
	}
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	if l.pos < len(l.src) && (isIdentChar(l.src[l.pos]) || l.src[l.pos] == '.') {
		return token{}, newError(l.src, start, CodeQueryCompilation, msgQueryCompilation,
			"malformed number; only integers are allowed and strings need double quotes")
	}
	n, err := strconv.ParseInt(l.src[start:l.pos], 10, 64)
	if err != nil {
		return token{}, newError(l.src, start, CodeQueryCompilation, msgQueryCompilation,
			"number out of range")
	}
	return token{kind: tNumber, pos: start, num: n}, nil
}

// dqString lexes "..." where `" is an embedded quote (A.1 "Embedded \"",
// [DOC] A1/A2). A backtick before anything else is a literal backtick. With
// Options.BackslashEscape, \" and \\ are escapes too.
func (l *lexer) dqString() (token, *SyntaxError) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.pos++
			return token{kind: tString, pos: start, text: b.String()}, nil
		case c == '`' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '"':
			b.WriteByte('"')
			l.pos += 2
		case c == '\\' && l.opts.BackslashEscape && l.pos+1 < len(l.src) &&
			(l.src[l.pos+1] == '"' || l.src[l.pos+1] == '\\'):
			b.WriteByte(l.src[l.pos+1])
			l.pos += 2
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return token{}, newError(l.src, start, CodeQueryCompilation, msgQueryCompilation,
		"unterminated string")
}

// sqString lexes '...' where ” is an embedded quote (A.1 "Single quotes",
// [DOC] A1/A6).
func (l *lexer) sqString() (token, *SyntaxError) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\'' {
			if l.pos+1 < len(l.src) && l.src[l.pos+1] == '\'' {
				b.WriteByte('\'')
				l.pos += 2
				continue
			}
			l.pos++
			return token{kind: tString, pos: start, text: b.String()}, nil
		}
		b.WriteByte(c)
		l.pos++
	}
	return token{}, newError(l.src, start, CodeQueryCompilation, msgQueryCompilation,
		"unterminated string")
}
