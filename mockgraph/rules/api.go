package rules

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Properties are a device's values by Graph property name ("devicePhysicalIds",
// "displayName", "deviceOSType", "accountEnabled", …). Values are string,
// bool, int/int64, []string or nil. Lookup is case-insensitive: the canonical
// spelling (as in the rules-and-ad.md A.4 table) is tried first, then any key
// equal under Unicode case folding (the lexicographically smallest such key
// wins, so the result never depends on map iteration order). "memberOf", if
// a rule uses it, holds the object IDs of the groups the device is in.
// GraphField maps each rule property to the Graph device field it reads.
type Properties map[string]any

// MaxRuleLength is the documented limit on a rule body, in characters
// (rules-and-ad.md A.1 "Length", [DOC] A1; the 2019 text, A2, said 2,048).
const MaxRuleLength = 3072

// Options holds every behaviour the reference marks UNCERTAIN, in one place.
// The zero value is the default Parse uses; each field is phrased so that
// false/0 means the default choice documented in doc.go.
type Options struct {
	// MaxLength is the rule length limit in characters (runes); 0 means
	// MaxRuleLength (3,072). Set 2048 to model the 2019 service (A2).
	MaxLength int
	// CaseSensitiveValues makes -eq/-startsWith/-contains/-in/-match and their
	// negations compare case-sensitively. Default false: A1 says "Regex and
	// string operations aren't case sensitive" (A.3).
	CaseSensitiveValues bool
	// CaseSensitiveProperties makes property names (devicePhysicalIds vs
	// devicePhysicalIDs) and the object prefix case-sensitive. Default false:
	// the docs call them case-sensitive but their own examples mix cases
	// (A.1 "Property-name case", UNCERTAIN).
	CaseSensitiveProperties bool
	// RejectParenlessQuantifier rejects `p -any _ -op v` (no parentheses
	// round the body) with "Invalid operands found for operator", as some
	// portal versions did (memdocs #373, azure-docs #81987). Default false: the
	// current docs and the Autopilot seed print that form (A.5; seed
	// 000_0f0e88d49ffaae66.txt "Create a device group"), and the body binds to
	// exactly one item predicate (A.2 notes, UNCERTAIN).
	RejectParenlessQuantifier bool
	// NullFailsNegativeOperators makes -ne "x", -notStartsWith, -notContains,
	// -notMatch, -notIn false on a null/absent attribute. Default false: null is
	// "not matching", so the negative operator is true (A.3, UNCERTAIN).
	NullFailsNegativeOperators bool
	// BackslashEscape also accepts \" (and \\) inside double-quoted strings.
	// Default false: the 2025 text says "backslash" but its example uses the
	// backtick (A.1 "Embedded \"", UNCERTAIN).
	BackslashEscape bool
	// AcceptEnDash treats U+2013 (–) like '-' before an operator word. Default
	// false: the docs' "–ne" is typesetting (A.1 "En dash", UNCERTAIN).
	AcceptEnDash bool
	// RejectQuotedBooleans rejects "true"/"false" (quoted) against boolean
	// properties. Default false: accepted, as A10 does (A.1 "Booleans",
	// UNCERTAIN).
	RejectQuotedBooleans bool
}

func (o Options) maxLength() int {
	if o.MaxLength > 0 {
		return o.MaxLength
	}
	return MaxRuleLength
}

// Error codes carried in SyntaxError.Code. They are this package's stable
// identifiers; the text Graph shows is in SyntaxError.Msg.
const (
	CodeQueryCompilation      = "QueryCompilationError"      // A.7 [DOC] A3
	CodeAttributeNotSupported = "AttributeNotSupported"      // A.7 [DOC] A3
	CodeOperatorNotSupported  = "OperatorNotSupported"       // A.7 [DOC] A3
	CodeInvalidOperands       = "InvalidOperands"            // A.7 [ISSUE] azure-docs #81987, #16182
	CodeNoObjectType          = "InvalidObjectTypeException" // A.7 [ISSUE] msgraph-sdk-dotnet #2601
	CodeInvalidObjectType     = "InvalidObjectType"          // A.7 [ISSUE] azure-docs #50521 (text for user. in a device rule UNCERTAIN)
	CodeRuleTooLong           = "RuleTooLong"                // A.1/A.7 (text UNCERTAIN)
	CodeMemberOf              = "MemberOfRestriction"        // A.2 notes, [DOC] A6 (text UNCERTAIN)
)

// Graph's message texts (rules-and-ad.md A.7). The portal and Graph prefix
// them with GraphMessagePrefix.
const (
	msgQueryCompilation      = "Query compilation error."
	msgAttributeNotSupported = "Attribute not supported."
	msgOperatorNotSupported  = "Operator isn't supported on attribute."
	msgInvalidOperands       = "Invalid operands found for operator."
	msgNoObjectType          = "No object type"
	msgInvalidObjectType     = "Invalid object type."
	// UNCERTAIN: no source gives the over-length text; A.7 suggests this shape.
	msgRuleTooLong = "The rule exceeds the maximum length of %d characters."
	// UNCERTAIN: A6 states the restriction, no source gives the error text.
	msgMemberOf = "The memberOf attribute can't be used with other rules or operators."
)

// GraphMessagePrefix starts every validation error the portal/Graph shows
// ("Failed to save dynamic group. Dynamic membership rule validation error:
// Invalid object type.", azure-docs #50521; A.7).
const GraphMessagePrefix = "Dynamic membership rule validation error: "

// SyntaxError is returned by Parse for a rule Graph would reject.
type SyntaxError struct {
	Pos  int    // 0-based byte offset of the offending token in the rule
	Line int    // 1-based line
	Col  int    // 1-based column, counted in characters (runes)
	Msg  string // the text Graph returns (A.7), e.g. "Query compilation error."
	Code string // one of the Code* constants
	// Detail says what exactly is wrong, for people and logs; Graph's own
	// text (Msg) is terse and carries no position.
	Detail string
}

// Error gives position and message: "rules: 1:38: Query compilation error. (detail)".
func (e *SyntaxError) Error() string {
	s := fmt.Sprintf("rules: %d:%d: %s", e.Line, e.Col, e.Msg)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// GraphMessage is the exact message for the "message" field of Graph's 400
// Request_BadRequest body: GraphMessagePrefix + Msg (A.7).
func (e *SyntaxError) GraphMessage() string { return GraphMessagePrefix + e.Msg }

func newError(src string, pos int, code, msg, detail string) *SyntaxError {
	if pos < 0 {
		pos = 0
	}
	if pos > len(src) {
		pos = len(src)
	}
	line, col := 1, 1
	for _, r := range src[:pos] {
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return &SyntaxError{Pos: pos, Line: line, Col: col, Msg: msg, Code: code, Detail: detail}
}

// Rule is a parsed, type-checked device membership rule. It is immutable and
// safe for concurrent use.
type Rule struct {
	root  node
	opts  Options
	props []string // sorted canonical property names the rule reads
}

// Parse parses a device membership rule with the default Options. A rule
// Graph would reject gives a *SyntaxError.
func Parse(src string) (*Rule, error) { return ParseWith(src, Options{}) }

// ParseWith parses a device membership rule with explicit Options.
func ParseWith(src string, opts Options) (*Rule, error) {
	if n := utf8.RuneCountInString(src); n > opts.maxLength() {
		// Position: the first character past the limit.
		pos, i := 0, 0
		for p := range src {
			if i == opts.maxLength() {
				pos = p
				break
			}
			i++
		}
		return nil, newError(src, pos, CodeRuleTooLong, fmt.Sprintf(msgRuleTooLong, opts.maxLength()),
			fmt.Sprintf("rule has %d characters", n))
	}
	p := &parser{src: src, opts: opts}
	root, err := p.parseRule()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	collectProps(root, seen)
	props := make([]string, 0, len(seen))
	for k := range seen {
		props = append(props, k)
	}
	sort.Strings(props)
	return &Rule{root: root, opts: opts, props: props}, nil
}

// Match reports whether a device with the given properties satisfies the
// rule. A nil rule matches nothing.
func (r *Rule) Match(p Properties) bool {
	if r == nil || r.root == nil {
		return false
	}
	ev := evaluator{p: p, opts: &r.opts}
	return r.root.eval(ev)
}

// String prints the rule in canonical form: `device.` + the property's
// canonical spelling, hyphenated camel-case operators, double-quoted strings
// (single-quoted when the value holds a backtick or backslash), quantifier
// bodies in parentheses, and parentheses only where precedence needs them.
// Parse(r.String()) yields the same tree.
func (r *Rule) String() string {
	if r == nil || r.root == nil {
		return ""
	}
	var b strings.Builder
	r.root.print(&b, precOr)
	return b.String()
}

// Properties returns the canonical names of the device properties the rule
// reads, sorted (e.g. ["deviceOSType", "devicePhysicalIds"]). The group
// engine re-evaluates a device only when one of these changes.
func (r *Rule) Properties() []string {
	if r == nil {
		return nil
	}
	return append([]string(nil), r.props...)
}
