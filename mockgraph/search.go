package mockgraph

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/autopilotsim/autopilotsim/mockgraph/odata"
)

// $search on directory collections (graph-api.md §1.2, §9.2, §10.2; Graph's
// "Use the $search query parameter" page, directory objects section):
//
//	$search="clause" [AND|OR] "clause" …   parentheses group
//	clause = property:text, the whole clause in double quotes; a '"' or
//	         '\' inside it is escaped with '\'
//
// displayName and description are searched by token: the value and the
// text are cut at spaces and punctuation, at letter/digit changes and at
// lower→upper case changes ("OneVideo" → one, video), and every token of
// the text must start a token of the value, case-insensitively. Other
// properties are searched with startsWith, as the page says for
// properties that are not tokenised. AND binds tighter than OR.
// INFER (not observed): whether the order of the text's tokens matters,
// and the exact messages Graph sends for malformed input; the mock
// ignores token order and answers 400 Request_BadRequest with the
// position of the error.

// searchMode says how one property is matched.
type searchMode int

const (
	searchTokens     searchMode = iota // tokenised prefix match
	searchStartsWith                   // case-insensitive startsWith
)

// searchSpec lists a collection's searchable properties. entity names the
// type in messages ("Group").
type searchSpec struct {
	entity string
	props  map[string]searchMode // lower-case name → mode
}

func (sp *searchSpec) mode(prop string) (searchMode, bool) {
	m, ok := sp.props[strings.ToLower(prop)]
	return m, ok
}

var (
	groupSearch = &searchSpec{entity: "Group", props: map[string]searchMode{
		"displayname": searchTokens, "description": searchTokens,
		"mail": searchStartsWith, "mailnickname": searchStartsWith, "proxyaddresses": searchStartsWith,
		"membershiprule": searchStartsWith, "securityidentifier": searchStartsWith, "id": searchStartsWith,
	}}
	deviceSearch = &searchSpec{entity: "Device", props: map[string]searchMode{
		"displayname": searchTokens,
		"deviceid":    searchStartsWith, "operatingsystem": searchStartsWith, "operatingsystemversion": searchStartsWith,
		"physicalids": searchStartsWith, "trusttype": searchStartsWith, "enrollmentprofilename": searchStartsWith, "id": searchStartsWith,
	}}
	// directoryObjectSearch serves mixed member lists (devices and groups).
	directoryObjectSearch = &searchSpec{entity: "DirectoryObject", props: map[string]searchMode{
		"displayname": searchTokens, "description": searchTokens, "id": searchStartsWith,
	}}
)

// searchExpr is a parsed $search.
type searchExpr interface {
	// match reports whether the object read through get satisfies the
	// expression; spec gives each property's mode.
	match(sp *searchSpec, get odata.Getter) bool
	String() string
}

type searchClause struct {
	prop string
	text string
}

type searchBool struct {
	and  bool
	l, r searchExpr
}

// searchSyntaxError is a malformed $search; pos is a 1-based character
// offset into the $search value.
type searchSyntaxError struct {
	pos int
	msg string
}

func (e *searchSyntaxError) Error() string {
	return fmt.Sprintf("syntax error at position %d: %s", e.pos, e.msg)
}

const maxSearchDepth = 32

// parseSearch parses the value of $search (already URL-decoded).
func parseSearch(src string) (searchExpr, error) {
	if !utf8.ValidString(src) {
		return nil, &searchSyntaxError{1, "the value is not valid UTF-8"}
	}
	p := &searchParser{src: []rune(src)}
	p.skipSpace()
	if p.i == len(p.src) {
		return nil, &searchSyntaxError{1, `the value is empty; expected "property:text"`}
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.src) {
		if p.src[p.i] == ')' {
			return nil, &searchSyntaxError{p.i + 1, "')' without a matching '('"}
		}
		return nil, &searchSyntaxError{p.i + 1, fmt.Sprintf("unexpected %q; clauses are joined with AND or OR", p.word())}
	}
	return e, nil
}

type searchParser struct {
	src   []rune
	i     int
	depth int
}

func (p *searchParser) skipSpace() {
	for p.i < len(p.src) && unicode.IsSpace(p.src[p.i]) {
		p.i++
	}
}

// word is the run of non-space characters at the cursor, for messages.
func (p *searchParser) word() string {
	j := p.i
	for j < len(p.src) && !unicode.IsSpace(p.src[j]) && j-p.i < 40 {
		j++
	}
	return string(p.src[p.i:j])
}

// keyword consumes kw (upper case, then a space, quote or parenthesis).
func (p *searchParser) keyword(kw string) bool {
	p.skipSpace()
	n := len(kw)
	if p.i+n > len(p.src) || string(p.src[p.i:p.i+n]) != kw {
		return false
	}
	if p.i+n < len(p.src) {
		if c := p.src[p.i+n]; !unicode.IsSpace(c) && c != '"' && c != '(' {
			return false
		}
	}
	p.i += n
	return true
}

// or and and parse left-associative chains; AND binds tighter than OR.
func (p *searchParser) or() (searchExpr, error)  { return p.chain("OR", p.and) }
func (p *searchParser) and() (searchExpr, error) { return p.chain("AND", p.primary) }

// chain parses operand (kw operand)*, folding to the left.
func (p *searchParser) chain(kw string, operand func() (searchExpr, error)) (searchExpr, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for p.keyword(kw) {
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = searchBool{and: kw == "AND", l: l, r: r}
	}
	return l, nil
}

func (p *searchParser) primary() (searchExpr, error) {
	p.skipSpace()
	if p.i == len(p.src) {
		return nil, &searchSyntaxError{p.i + 1, `unexpected end; expected a "property:text" clause`}
	}
	switch c := p.src[p.i]; {
	case c == '(':
		p.depth++
		if p.depth > maxSearchDepth {
			return nil, &searchSyntaxError{p.i + 1, "parentheses nested too deeply"}
		}
		open := p.i
		p.i++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i == len(p.src) || p.src[p.i] != ')' {
			return nil, &searchSyntaxError{open + 1, "'(' is not closed"}
		}
		p.i++
		p.depth--
		return e, nil
	case c == '"':
		return p.clause()
	default:
		w := p.word()
		switch strings.ToUpper(w) {
		case "AND", "OR":
			return nil, &searchSyntaxError{p.i + 1, fmt.Sprintf("%s needs a clause before it", w)}
		case "NOT":
			return nil, &searchSyntaxError{p.i + 1, "NOT is not supported in $search on directory objects"}
		}
		hint := strings.Trim(w, `"`)
		if !strings.Contains(hint, ":") {
			hint = "displayName:" + hint
		}
		return nil, &searchSyntaxError{p.i + 1, fmt.Sprintf(`unexpected %q; each clause must be in double quotes, e.g. "%s"`, w, hint)}
	}
}

// clause reads "property:text" with \" and \\ escapes.
func (p *searchParser) clause() (searchExpr, error) {
	start := p.i
	p.i++ // opening quote
	var b strings.Builder
	for {
		if p.i == len(p.src) {
			return nil, &searchSyntaxError{start + 1, "the clause's double quote is not closed"}
		}
		c := p.src[p.i]
		if c == '"' {
			p.i++
			break
		}
		if c == '\\' {
			if p.i+1 == len(p.src) || (p.src[p.i+1] != '"' && p.src[p.i+1] != '\\') {
				return nil, &searchSyntaxError{p.i + 1, `'\' inside a clause must be followed by '"' or '\'`}
			}
			c = p.src[p.i+1]
			p.i++
		}
		b.WriteRune(c)
		p.i++
	}
	body := b.String()
	colon := strings.IndexByte(body, ':')
	if colon < 0 {
		return nil, &searchSyntaxError{start + 1, fmt.Sprintf(`clause "%s" names no property; write "property:text", e.g. "displayName:%s"`, body, body)}
	}
	prop, text := body[:colon], body[colon+1:]
	if !validSearchProp(prop) {
		return nil, &searchSyntaxError{start + 2, fmt.Sprintf("%q is not a property name", prop)}
	}
	if text == "" {
		return nil, &searchSyntaxError{start + 2 + utf8.RuneCountInString(prop), fmt.Sprintf("clause for '%s' has no text to search for", prop)}
	}
	return searchClause{prop: prop, text: text}, nil
}

func validSearchProp(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c < 128 && unicode.IsLetter(c) || i > 0 && c < 128 && unicode.IsDigit(c)) {
			return false
		}
	}
	return true
}

// unsupported names the first property the collection cannot search, as
// the message of Graph's 400 Request_UnsupportedQuery (modelled on its
// "Unsupported sort property 'mail' for 'Group'." text, §1.2 [obs]); "" if
// every property is searchable.
func (sp *searchSpec) unsupported(e searchExpr) string {
	switch n := e.(type) {
	case searchClause:
		if _, ok := sp.mode(n.prop); !ok {
			return fmt.Sprintf("Unsupported search property '%s' for '%s'.", n.prop, sp.entity)
		}
	case searchBool:
		if m := sp.unsupported(n.l); m != "" {
			return m
		}
		return sp.unsupported(n.r)
	}
	return ""
}

func (c searchClause) match(sp *searchSpec, get odata.Getter) bool {
	mode, _ := sp.mode(c.prop)
	var vals []string
	switch v := get(c.prop).(type) {
	case string:
		vals = []string{v}
	case []string:
		vals = v
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				vals = append(vals, s)
			}
		}
	}
	for _, v := range vals {
		if mode == searchTokens && tokensMatch(searchTokenize(v), searchTokenize(c.text)) ||
			mode == searchStartsWith && strings.HasPrefix(strings.ToLower(v), strings.ToLower(c.text)) {
			return true
		}
	}
	return false
}

func (c searchClause) String() string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(c.prop+":"+c.text) + `"`
}

func (b searchBool) match(sp *searchSpec, get odata.Getter) bool {
	if b.and {
		return b.l.match(sp, get) && b.r.match(sp, get)
	}
	return b.l.match(sp, get) || b.r.match(sp, get)
}

// String prints the expression with the parentheses it needs and no more:
// parsing is left-associative and AND binds tighter than OR, so only an OR
// under an AND, or an operator on the right-hand side, is wrapped. A
// parsed expression prints to text that parses back to the same String.
func (b searchBool) String() string {
	op := " OR "
	if b.and {
		op = " AND "
	}
	l := b.l.String()
	if lb, ok := b.l.(searchBool); ok && b.and && !lb.and {
		l = "(" + l + ")"
	}
	r := b.r.String()
	if _, ok := b.r.(searchBool); ok {
		r = "(" + r + ")"
	}
	return l + op + r
}

// tokensMatch: every wanted token starts some token of the value. Text
// with no letters or digits (e.g. "--") has no tokens and matches nothing.
func tokensMatch(have, want []string) bool {
	if len(want) == 0 {
		return false
	}
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.HasPrefix(h, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// searchTokenize cuts s into lower-case tokens at non-alphanumerics, at
// letter/digit changes, at lower→upper changes and before the last upper
// case letter of an upper-case run that a lower-case letter follows
// ("HTTPServer" → http, server).
func searchTokenize(s string) []string {
	var toks []string
	rs := []rune(s)
	start := -1
	kind := func(r rune) int {
		switch {
		case unicode.IsDigit(r):
			return 1
		case unicode.IsUpper(r):
			return 2
		case unicode.IsLetter(r):
			return 3
		}
		return 0
	}
	flush := func(end int) {
		if start >= 0 && end > start {
			toks = append(toks, strings.ToLower(string(rs[start:end])))
		}
		start = -1
	}
	for i, r := range rs {
		k := kind(r)
		if k == 0 {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := kind(rs[i-1])
		switch {
		case (prev == 1) != (k == 1): // letter ↔ digit
			flush(i)
			start = i
		case prev == 3 && k == 2: // lower → Upper
			flush(i)
			start = i
		case prev == 2 && k == 3 && i-1 > start: // "HTTPServer": cut before 'S'
			flush(i - 1)
			start = i - 1
		}
	}
	flush(len(rs))
	return toks
}

// searchMatcher binds a parsed $search to its collection.
type searchMatcher struct {
	spec *searchSpec
	expr searchExpr
}

// match reports whether the entity read through get satisfies the
// $search; a nil matcher (no $search) matches everything.
func (m *searchMatcher) match(get odata.Getter) bool {
	return m == nil || m.expr.match(m.spec, get)
}
