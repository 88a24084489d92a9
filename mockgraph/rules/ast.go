package rules

import (
	"regexp"
	"strconv"
	"strings"
)

// op is an operator word (rules-and-ad.md A.2 CMP, LISTOP, DATEOP, ANY/ALL,
// AND/OR/NOT).
type op int

const (
	opNone op = iota
	opEq
	opNe
	opStartsWith
	opNotStartsWith
	opEndsWith
	opNotEndsWith
	opContains
	opNotContains
	opMatch
	opNotMatch
	opIn
	opNotIn
	opGe // dateTime only (user.employeeHireDate); never valid on a device property
	opLe
	opAny
	opAll
	opAnd
	opOr
	opNot
)

// opNames are the canonical spellings String() prints. Lookup is
// case-insensitive and the hyphen optional (A.1 "Operator hyphen", "Operator
// case", [DOC] A1).
var opNames = [...]string{
	opEq: "eq", opNe: "ne",
	opStartsWith: "startsWith", opNotStartsWith: "notStartsWith",
	opEndsWith: "endsWith", opNotEndsWith: "notEndsWith",
	opContains: "contains", opNotContains: "notContains",
	opMatch: "match", opNotMatch: "notMatch",
	opIn: "in", opNotIn: "notIn",
	opGe: "ge", opLe: "le",
	opAny: "any", opAll: "all",
	opAnd: "and", opOr: "or", opNot: "not",
}

var opByLower = func() map[string]op {
	m := map[string]op{}
	for o, n := range opNames {
		if n != "" {
			m[strings.ToLower(n)] = op(o)
		}
	}
	return m
}()

func lookupOp(word string) op { return opByLower[strings.ToLower(word)] }

func (o op) isCmp() bool  { return o >= opEq && o <= opNotMatch }
func (o op) isList() bool { return o == opIn || o == opNotIn }
func (o op) isDate() bool { return o == opGe || o == opLe }

// positive maps a negative comparison to its positive form; neg tells which.
func (o op) positive() (base op, neg bool) {
	switch o {
	case opNe:
		return opEq, true
	case opNotStartsWith:
		return opStartsWith, true
	case opNotEndsWith:
		return opEndsWith, true
	case opNotContains:
		return opContains, true
	case opNotMatch:
		return opMatch, true
	case opNotIn:
		return opIn, true
	}
	return o, false
}

// Printing precedence, lowest first (A.2 notes: comparison > -not > -and >
// -or; -any/-all print as atoms because their body is always parenthesised).
const (
	precOr = iota + 1
	precAnd
	precNot
	precAtom
)

// node is one element of a parsed rule.
type node interface {
	eval(ev evaluator) bool
	print(b *strings.Builder, minPrec int)
	prec() int
}

type binNode struct {
	op   op // opAnd or opOr
	l, r node
}

type notNode struct{ x node }

// litKind is the type of a literal operand.
type litKind int

const (
	litString litKind = iota
	litNumber
	litBool
	litNull
)

type literal struct {
	kind litKind
	str  string // string value, or the decimal text of a number
	num  int64
	b    bool
	// Precomputed for case-insensitive comparison.
	lower string
	ascii bool
	// quotedBool is a "true"/"false" string accepted against a boolean
	// property; it prints quoted so the tree round-trips.
	quotedBool bool
}

func newLiteral(k litKind, s string) literal {
	l := literal{kind: k, str: s, lower: strings.ToLower(s), ascii: isASCII(s)}
	return l
}

// cmpNode is `subject -op operand`. subject is a device property, or the
// current collection element (`_`, or `group.objectId` under memberOf).
type cmpNode struct {
	prop    *propDef // nil for an item reference
	item    string   // "_" or "group.objectId" when prop is nil
	op      op
	base    op   // positive form of op
	neg     bool // op is the negated form of base
	val     literal
	list    []literal      // -in / -notIn
	re      *regexp.Regexp // -match / -notMatch
	boolCmp bool           // subject is a boolean property
}

// quantNode is `collection -any|-all (body)`.
type quantNode struct {
	prop propDef
	op   op // opAny or opAll
	body node
}

func (n *binNode) prec() int {
	if n.op == opOr {
		return precOr
	}
	return precAnd
}
func (n *notNode) prec() int   { return precNot }
func (n *cmpNode) prec() int   { return precAtom }
func (n *quantNode) prec() int { return precAtom }

func printChild(b *strings.Builder, n node, minPrec int) {
	if n.prec() < minPrec {
		b.WriteByte('(')
		n.print(b, precOr)
		b.WriteByte(')')
		return
	}
	n.print(b, minPrec)
}

func (n *binNode) print(b *strings.Builder, _ int) {
	p := n.prec()
	// Left-associative: the left child may be the same operator unbracketed,
	// the right child needs brackets, so the tree shape survives a reparse.
	printChild(b, n.l, p)
	b.WriteString(" -")
	b.WriteString(opNames[n.op])
	b.WriteByte(' ')
	printChild(b, n.r, p+1)
}

func (n *notNode) print(b *strings.Builder, _ int) {
	// Always bracket the operand: "-not (x -eq y)" reads unambiguously and
	// parses to the same tree as "-not x -eq y" (A.1 precedence).
	b.WriteString("-not (")
	n.x.print(b, precOr)
	b.WriteByte(')')
}

func (n *cmpNode) print(b *strings.Builder, _ int) {
	if n.prop != nil {
		b.WriteString("device.")
		b.WriteString(n.prop.name)
	} else {
		b.WriteString(n.item)
	}
	b.WriteString(" -")
	b.WriteString(opNames[n.op])
	b.WriteByte(' ')
	if n.op.isList() {
		b.WriteByte('[')
		for i, l := range n.list {
			if i > 0 {
				b.WriteString(", ")
			}
			l.print(b)
		}
		b.WriteByte(']')
		return
	}
	n.val.print(b)
}

func (n *quantNode) print(b *strings.Builder, _ int) {
	b.WriteString("device.")
	b.WriteString(n.prop.name)
	b.WriteString(" -")
	b.WriteString(opNames[n.op])
	b.WriteString(" (")
	n.body.print(b, precOr)
	b.WriteByte(')')
}

func (l literal) print(b *strings.Builder) {
	switch l.kind {
	case litNull:
		b.WriteString("null")
	case litBool:
		s := strconv.FormatBool(l.b)
		if l.quotedBool {
			s = `"` + s + `"`
		}
		b.WriteString(s)
	case litNumber:
		b.WriteString(strconv.FormatInt(l.num, 10))
	default:
		// A value holding a backtick or backslash can't always be written
		// in double quotes unambiguously (`" is an escape, \ may be one), so
		// it is printed in single quotes, whose only escape is ''.
		if strings.ContainsAny(l.str, "`\\") {
			b.WriteByte('\'')
			b.WriteString(strings.ReplaceAll(l.str, "'", "''"))
			b.WriteByte('\'')
			return
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(l.str, `"`, "`\""))
		b.WriteByte('"')
	}
}

// collectProps records the canonical names of the properties a tree reads.
func collectProps(n node, seen map[string]bool) {
	switch n := n.(type) {
	case *binNode:
		collectProps(n.l, seen)
		collectProps(n.r, seen)
	case *notNode:
		collectProps(n.x, seen)
	case *cmpNode:
		if n.prop != nil {
			seen[n.prop.name] = true
		}
	case *quantNode:
		seen[n.prop.name] = true
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
