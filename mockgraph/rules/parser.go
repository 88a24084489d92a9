package rules

import (
	"fmt"
	"regexp"
	"strings"
)

// parser is a recursive-descent parser over the A.2 grammar (precedence
// climbing: -or < -and < -not < comparison), with type checking against the
// A.4 property table done as each predicate is read, so every error carries
// the position of the token that caused it.
type parser struct {
	src  string
	opts Options
	lex  *lexer
	tok  token // current token
	// memberOf bookkeeping (A.2 notes, [DOC] A6: memberOf stands alone).
	memberOfPos int
	hasMemberOf bool
}

// quantCtx is the -any/-all body being parsed, nil at the top level.
type quantCtx struct {
	prop propDef
	op   op
	pos  int
}

func (p *parser) errAt(pos int, code, msg, detail string) *SyntaxError {
	return newError(p.src, pos, code, msg, detail)
}

func (p *parser) compileErr(pos int, format string, args ...any) *SyntaxError {
	return p.errAt(pos, CodeQueryCompilation, msgQueryCompilation, fmt.Sprintf(format, args...))
}

// invalidOperands builds the quantifier-body error. Inside a body the text
// names the quantifier, as the portal did: "Invalid operands found for
// operator.Invalid operands found for operator -all" (azure-docs #16182).
func (p *parser) invalidOperands(q *quantCtx, pos int, detail string) *SyntaxError {
	msg := msgInvalidOperands
	if q != nil {
		msg += "Invalid operands found for operator -" + opNames[q.op]
	}
	return p.errAt(pos, CodeInvalidOperands, msg, detail)
}

func (p *parser) advance() *SyntaxError {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) isWordOp(o op) bool {
	return p.tok.kind == tWord && lookupOp(p.tok.text) == o
}

func (p *parser) parseRule() (node, *SyntaxError) {
	p.lex = &lexer{src: p.src, opts: &p.opts}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, p.compileErr(p.tok.pos, "empty rule")
	}
	n, err := p.parseOr(nil)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		if p.tok.kind == tRParen {
			return nil, p.compileErr(p.tok.pos, "unbalanced ')'")
		}
		// E1: two expressions side by side (A.7 "a missing -and/-or").
		return nil, p.compileErr(p.tok.pos, "expected -and or -or before %s", p.tok.describe(p.src))
	}
	if p.hasMemberOf {
		if _, alone := n.(*quantNode); !alone {
			return nil, p.errAt(p.memberOfPos, CodeMemberOf, msgMemberOf,
				"device.memberOf must be the whole rule ([DOC] A6)")
		}
	}
	return n, nil
}

func (p *parser) parseOr(q *quantCtx) (node, *SyntaxError) {
	l, err := p.parseAnd(q)
	if err != nil {
		return nil, err
	}
	for p.isWordOp(opOr) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.parseAnd(q)
		if err != nil {
			return nil, err
		}
		l = &binNode{op: opOr, l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseAnd(q *quantCtx) (node, *SyntaxError) {
	l, err := p.parseNot(q)
	if err != nil {
		return nil, err
	}
	for p.isWordOp(opAnd) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.parseNot(q)
		if err != nil {
			return nil, err
		}
		l = &binNode{op: opAnd, l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseNot(q *quantCtx) (node, *SyntaxError) {
	if !p.isWordOp(opNot) {
		return p.parsePrimary(q)
	}
	notPos := p.tok.pos
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.isWordOp(opNot) {
		// A10 lets two -not cancel out; nothing official shows it (A.2 notes,
		// UNCERTAIN): rejected.
		return nil, p.compileErr(p.tok.pos, "-not -not is not allowed")
	}
	if p.tok.kind == tEOF {
		return nil, p.compileErr(p.tok.pos, "-not needs an expression after it (at %d)", notPos)
	}
	x, err := p.parseNot(q)
	if err != nil {
		return nil, err
	}
	return &notNode{x: x}, nil
}

func (p *parser) parsePrimary(q *quantCtx) (node, *SyntaxError) {
	switch p.tok.kind {
	case tLParen:
		open := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		n, err := p.parseOr(q)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			if p.tok.kind == tEOF {
				// E9: unbalanced parenthesis.
				return nil, p.compileErr(p.tok.pos, "'(' at offset %d is never closed", open)
			}
			return nil, p.compileErr(p.tok.pos, "expected -and, -or or ')' before %s", p.tok.describe(p.src))
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return n, nil
	case tWord:
		if p.tok.hyphen {
			return nil, p.compileErr(p.tok.pos, "expected a property, found operator %s", p.tok.describe(p.src))
		}
		if q != nil {
			return p.parseItemPredicate(q)
		}
		return p.parsePredicate()
	case tEOF:
		return nil, p.compileErr(p.tok.pos, "rule ends where an expression is expected")
	}
	return nil, p.compileErr(p.tok.pos, "expected a property or '(', found %s", p.tok.describe(p.src))
}

// parseSubject resolves `device.<property>` at the top level.
func (p *parser) parseSubject() (propDef, *SyntaxError) {
	t := p.tok
	obj, name, dotted := strings.Cut(t.text, ".")
	if !dotted {
		if t.text == "_" {
			return propDef{}, p.compileErr(t.pos, "'_' is only valid inside -any/-all")
		}
		if strings.EqualFold(t.text, "null") || strings.EqualFold(t.text, "$null") ||
			strings.EqualFold(t.text, "true") || strings.EqualFold(t.text, "false") {
			return propDef{}, p.compileErr(t.pos, "expected a property, found %s", t.describe(p.src))
		}
		// E6: no object prefix ([ISSUE] msgraph-sdk-dotnet #2601).
		return propDef{}, p.errAt(t.pos, CodeNoObjectType, msgNoObjectType,
			fmt.Sprintf("property %q needs the device. prefix", t.text))
	}
	objOK := strings.EqualFold(obj, "device")
	if p.opts.CaseSensitiveProperties {
		objOK = obj == "device"
	}
	if !objOK {
		if strings.EqualFold(obj, "user") {
			// E7: a device rule can reference device attributes only (A.1
			// "Object prefix", [DOC] A1); text from azure-docs #50521.
			return propDef{}, p.errAt(t.pos, CodeInvalidObjectType, msgInvalidObjectType,
				"a device group rule can't use user. properties")
		}
		return propDef{}, p.errAt(t.pos, CodeNoObjectType, msgNoObjectType,
			fmt.Sprintf("unknown object %q; device rules use device.", obj))
	}
	d, ok := lookupProp(name, p.opts.CaseSensitiveProperties)
	if !ok {
		// E3, E5 (organizationalUnit is not supported, A.4).
		return propDef{}, p.errAt(t.pos, CodeAttributeNotSupported, msgAttributeNotSupported,
			fmt.Sprintf("device has no property %q", name))
	}
	return d, nil
}

// readOp reads the operator after a subject.
func (p *parser) readOp(q *quantCtx) (op, int, *SyntaxError) {
	t := p.tok
	if t.kind != tWord {
		if t.kind == tEOF {
			return opNone, t.pos, p.compileErr(t.pos, "rule ends where an operator is expected")
		}
		return opNone, t.pos, p.compileErr(t.pos, "expected an operator, found %s", t.describe(p.src))
	}
	o := lookupOp(t.text)
	switch {
	case o == opNot:
		// E8: "-not can't be used as a comparison" ([DOC] A1).
		return opNone, t.pos, p.compileErr(t.pos, "-not is not a comparison operator; use -ne")
	case o == opAnd || o == opOr || o == opNone:
		return opNone, t.pos, p.compileErr(t.pos, "expected an operator, found %s", t.describe(p.src))
	}
	if err := p.advance(); err != nil {
		return opNone, t.pos, err
	}
	return o, t.pos, nil
}

func (p *parser) parsePredicate() (node, *SyntaxError) {
	subjPos := p.tok.pos
	prop, err := p.parseSubject()
	if err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	o, opPos, err := p.readOp(nil)
	if err != nil {
		return nil, err
	}
	if o == opAny || o == opAll {
		return p.parseQuantifier(prop, o, opPos, subjPos)
	}
	unsupported := func() *SyntaxError {
		return p.errAt(opPos, CodeOperatorNotSupported, msgOperatorNotSupported,
			fmt.Sprintf("-%s can't be applied to device.%s", opNames[o], prop.name))
	}
	// E11: -ge/-le are dateTime-only; no device property is a dateTime.
	if o.isDate() {
		return nil, unsupported()
	}
	switch prop.kind {
	case kBool:
		// A.3 "Boolean property": only -eq/-ne with true/false ([DOC] A3, E4).
		if o != opEq && o != opNe {
			return nil, unsupported()
		}
	case kGroupList:
		// memberOf is only `-any (group.objectId -in [...])` ([DOC] A6).
		return nil, unsupported()
	}
	c := &cmpNode{prop: &prop, op: o, boolCmp: prop.kind == kBool}
	if err := p.parseOperand(c, nil); err != nil {
		return nil, err
	}
	return c, nil
}

// parseQuantifier reads the body of `prop -any|-all ...`.
func (p *parser) parseQuantifier(prop propDef, o op, opPos, subjPos int) (node, *SyntaxError) {
	switch prop.kind {
	case kStringList:
	case kGroupList:
		if o != opAny {
			return nil, p.errAt(opPos, CodeOperatorNotSupported, msgOperatorNotSupported,
				"device.memberOf supports only -any ([DOC] A6)")
		}
		if p.hasMemberOf {
			return nil, p.errAt(subjPos, CodeMemberOf, msgMemberOf, "device.memberOf used twice")
		}
		p.hasMemberOf, p.memberOfPos = true, subjPos
	default:
		return nil, p.errAt(opPos, CodeOperatorNotSupported, msgOperatorNotSupported,
			fmt.Sprintf("-%s needs a multi-valued property; device.%s is single-valued", opNames[o], prop.name))
	}
	q := &quantCtx{prop: prop, op: o, pos: opPos}
	if p.tok.kind == tLParen {
		open := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		body, err := p.parseOr(q)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			if p.tok.kind == tEOF {
				return nil, p.compileErr(p.tok.pos, "'(' at offset %d is never closed", open)
			}
			return nil, p.compileErr(p.tok.pos, "expected -and, -or or ')' before %s", p.tok.describe(p.src))
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return &quantNode{prop: prop, op: o, body: body}, nil
	}
	// Paren-less body: exactly one item predicate (A.2 notes, UNCERTAIN;
	// seed 000_0f0e88d49ffaae66.txt "Create a device group" prints this form).
	if p.opts.RejectParenlessQuantifier {
		return nil, p.invalidOperands(q, p.tok.pos, "the -any/-all body must be in parentheses (Options.RejectParenlessQuantifier)")
	}
	if p.tok.kind != tWord || p.tok.hyphen {
		return nil, p.invalidOperands(q, p.tok.pos,
			fmt.Sprintf("expected '(' or '_' after -%s, found %s", opNames[o], p.tok.describe(p.src)))
	}
	body, err := p.parseItemPredicate(q)
	if err != nil {
		return nil, err
	}
	return &quantNode{prop: prop, op: o, body: body}, nil
}

// parseItemPredicate reads `_ -op value` (or `group.objectId -in [...]` under
// memberOf) inside a quantifier body.
func (p *parser) parseItemPredicate(q *quantCtx) (node, *SyntaxError) {
	t := p.tok
	item := ""
	switch q.prop.kind {
	case kStringList:
		if t.text == "_" {
			item = "_"
		}
	case kGroupList:
		if strings.EqualFold(t.text, "group.objectId") {
			item = "group.objectId"
		}
	}
	if item == "" {
		want := "_"
		if q.prop.kind == kGroupList {
			want = "group.objectId"
		}
		return nil, p.invalidOperands(q, t.pos,
			fmt.Sprintf("inside -%s on device.%s the subject must be %s, found %s", opNames[q.op], q.prop.name, want, t.describe(p.src)))
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	o, opPos, err := p.readOp(q)
	if err != nil {
		return nil, err
	}
	if !o.isCmp() && !o.isList() {
		return nil, p.invalidOperands(q, opPos, fmt.Sprintf("-%s is not allowed on %s", opNames[o], item))
	}
	if q.prop.kind == kGroupList && o != opIn {
		// [DOC] A6 shows only `group.objectId -in [...]`.
		return nil, p.invalidOperands(q, opPos, "memberOf supports only group.objectId -in [...]")
	}
	c := &cmpNode{item: item, op: o}
	if err := p.parseOperand(c, q); err != nil {
		return nil, err
	}
	if q.prop.kind == kGroupList && len(c.list) > 50 {
		// At most 50 source groups ([DOC] A6).
		return nil, p.errAt(opPos, CodeMemberOf, msgMemberOf, "memberOf allows at most 50 groups")
	}
	return c, nil
}

// parseOperand reads and checks the value after c.op and fills c.
func (p *parser) parseOperand(c *cmpNode, q *quantCtx) *SyntaxError {
	c.base, c.neg = c.op.positive()
	bad := func(pos int, detail string) *SyntaxError {
		if q != nil {
			return p.invalidOperands(q, pos, detail)
		}
		return p.errAt(pos, CodeInvalidOperands, msgInvalidOperands, detail)
	}
	if c.op.isList() {
		if p.tok.kind != tLBrack {
			return bad(p.tok.pos, fmt.Sprintf("-%s needs an array [\"a\", \"b\"], found %s", opNames[c.op], p.tok.describe(p.src)))
		}
		if err := p.advance(); err != nil {
			return err
		}
		c.list = []literal{}
		for p.tok.kind != tRBrack {
			if len(c.list) > 0 {
				if p.tok.kind != tComma {
					if p.tok.kind == tEOF {
						return p.compileErr(p.tok.pos, "array is never closed")
					}
					return p.compileErr(p.tok.pos, "expected ',' or ']' in array, found %s", p.tok.describe(p.src))
				}
				if err := p.advance(); err != nil {
					return err
				}
			}
			lit, pos, err := p.parseScalar()
			if err != nil {
				return err
			}
			if lit.kind == litNull {
				return bad(pos, "null can only be used with -eq or -ne, not inside an array")
			}
			if err := p.checkLiteral(c, &lit, pos, bad); err != nil {
				return err
			}
			c.list = append(c.list, lit)
		}
		return p.advance()
	}
	if p.tok.kind == tLBrack {
		return bad(p.tok.pos, fmt.Sprintf("arrays are only allowed after -in/-notIn, not -%s", opNames[c.op]))
	}
	lit, pos, err := p.parseScalar()
	if err != nil {
		return err
	}
	if lit.kind == litNull && c.op != opEq && c.op != opNe {
		// E12: "Use -eq or -ne" with null ([DOC] A1).
		return bad(pos, fmt.Sprintf("null can only be used with -eq or -ne, not -%s", opNames[c.op]))
	}
	if err := p.checkLiteral(c, &lit, pos, bad); err != nil {
		return err
	}
	if c.base == opMatch {
		if lit.kind != litString {
			return bad(pos, "-match needs a regular expression in quotes")
		}
		pat := lit.str
		if !p.opts.CaseSensitiveValues {
			pat = "(?i)" + pat // "Regex ... aren't case sensitive" (A.3)
		}
		re, rerr := regexp.Compile(pat)
		if rerr != nil {
			// E2: an invalid regex is a query compilation error ([DOC] A3).
			return p.compileErr(pos, "invalid regular expression: %v", rerr)
		}
		c.re = re
	}
	c.val = lit
	return nil
}

// checkLiteral applies the type rules of A.3 to one operand.
// A quoted "true"/"false" against a boolean property becomes a boolean.
func (p *parser) checkLiteral(c *cmpNode, lit *literal, pos int, bad func(int, string) *SyntaxError) *SyntaxError {
	if c.boolCmp {
		switch {
		case lit.kind == litBool || lit.kind == litNull:
			return nil
		case lit.kind == litString && !p.opts.RejectQuotedBooleans &&
			(strings.EqualFold(lit.str, "true") || strings.EqualFold(lit.str, "false")):
			*lit = literal{kind: litBool, b: strings.EqualFold(lit.str, "true"), quotedBool: true}
			return nil
		}
		return bad(pos, fmt.Sprintf("device.%s is boolean; compare it with true or false", c.prop.name))
	}
	if lit.kind == litBool {
		return bad(pos, "a boolean can only be compared with a boolean property; quote it for a string")
	}
	return nil
}

// parseScalar reads a string, number, true/false or null.
func (p *parser) parseScalar() (literal, int, *SyntaxError) {
	t := p.tok
	var lit literal
	switch t.kind {
	case tString:
		lit = newLiteral(litString, t.text)
	case tNumber:
		lit = newLiteral(litNumber, fmt.Sprint(t.num))
		lit.num = t.num
	case tWord:
		switch {
		case t.hyphen:
			return literal{}, t.pos, p.compileErr(t.pos, "expected a value, found operator %s", t.describe(p.src))
		case strings.EqualFold(t.text, "true"), strings.EqualFold(t.text, "false"):
			lit = literal{kind: litBool, b: strings.EqualFold(t.text, "true")}
		case strings.EqualFold(t.text, "null"):
			lit = literal{kind: litNull}
		case strings.EqualFold(t.text, "$null"):
			// A.2: "$null: treat as parse error, UNCERTAIN".
			return literal{}, t.pos, p.compileErr(t.pos, "$null is not accepted; write null")
		default:
			// A.1: "strings need [double quotes]".
			return literal{}, t.pos, p.compileErr(t.pos, "string values need double quotes: %s", t.describe(p.src))
		}
	case tEOF:
		return literal{}, t.pos, p.compileErr(t.pos, "rule ends where a value is expected")
	default:
		return literal{}, t.pos, p.compileErr(t.pos, "expected a value, found %s", t.describe(p.src))
	}
	if err := p.advance(); err != nil {
		return literal{}, t.pos, err
	}
	return lit, t.pos, nil
}
