// Package rules models Microsoft Entra ID dynamic membership rules for device
// groups: the text an admin types into a dynamic device group, such as the
// Autopilot rules of the seed 000_0f0e88d49ffaae66.txt ("Create a device
// group"):
//
//	(device.devicePhysicalIDs -any _ -startsWith "[ZTDId]")
//	(device.devicePhysicalIds -any _ -eq "[OrderID]:179887111881")
//	(device.devicePhysicalIds -any _ -eq "[PurchaseOrderId]:76222342342")
//
// Parse turns a rule into a type-checked tree, or into a *SyntaxError carrying
// the byte offset, line and column of the offending token and the text Graph
// returns (SyntaxError.Msg, SyntaxError.GraphMessage for the 400 body). Match
// evaluates the tree against one device's Properties; String prints the
// canonical form, which parses back to the same tree; Properties lists the
// device properties a rule reads, so the group engine knows which device
// changes need a re-evaluation.
//
// The sources are Microsoft's "Dynamic membership rules for groups in
// Microsoft Entra ID" (https://learn.microsoft.com/en-us/entra/identity/users/groups-dynamic-membership)
// and the pages and issues around it, cited as sections A.1 … A.9 and
// sources A1 … A10; docs/SOURCES.md lists each with its public URL.
//
// # What it models
//
//   - Lexis (A.1): operators with or without the leading hyphen, in any case
//     (-eq, eq, -EQ); -eq -ne -startsWith -notStartsWith -endsWith
//     -notEndsWith -contains -notContains -match -notMatch -in -notIn -any
//     -all -and -or -not, and -ge/-le (recognised, then rejected: they are
//     for dateTime user properties only). An operator word must end at a
//     non-identifier character, so "in" never matches inside "int…" (A.8).
//     Double-quoted strings with the backtick escape (`"), single-quoted
//     strings where two single quotes stand for one (accepted everywhere, not only in arrays),
//     bare true/false/null in any case, integers (compared as their decimal
//     text), arrays after -in/-notIn only. Whitespace is spaces, tabs and
//     newlines and is needed only where two words would otherwise run
//     together.
//   - Grammar (A.2): precedence comparison > -not > -and > -or, -and/-or
//     left-associative, parentheses, -not as a prefix only. -any/-all take a
//     parenthesised body (any mix of -and/-or/-not over item predicates on
//     `_`) or, paren-less, exactly one item predicate.
//   - Types (A.4): the device property table, case-insensitive names,
//     extensionAttribute1…15; devicePhysicalIds and systemLabels are string
//     collections; accountEnabled and isRooted are boolean (only -eq/-ne with
//     true/false/null); memberOf takes only `-any (group.objectId -in
//     [...])`, alone in its rule, with at most 50 groups (A6).
//     organizationalUnit and every other name give "Attribute not
//     supported.".
//   - Semantics (A.3): string and regex comparisons are case-insensitive;
//     -contains is a substring test; -match is an unanchored search; -eq null
//     is true for an absent or empty value; positive operators on null are
//     false and negative ones true; -any over an empty collection is false,
//     -all true; an operator applied directly to a collection is true if any
//     element matches (its negation: if none does).
//   - Errors (A.7): Msg is Graph's text — "Query compilation error.",
//     "Attribute not supported.", "Operator isn't supported on attribute.",
//     "Invalid operands found for operator." (inside a quantifier body
//     followed by "Invalid operands found for operator -any|-all", as in
//     azure-docs #16182), "No object type" (no device. prefix), "Invalid
//     object type." (user. in a device rule). Detail says what exactly is
//     wrong. The 3,072-character limit (A.1) is counted in characters.
//
// # Regular expressions
//
// -match uses Go's regexp (RE2), with (?i) prepended unless values are
// case-sensitive. The service most likely uses .NET regular expressions
// (A.3, INFER). Differences a rule author may hit: RE2 has no look-around
// ((?=…), (?<=…)), no backreferences (\1), no atomic groups or possessive
// quantifiers, no conditionals — such patterns are valid in Entra but this
// package reports "Query compilation error." for them; \d and \w match ASCII
// only in RE2 but any Unicode digit/letter in .NET; $ in .NET also matches
// before a final newline. A pattern invalid in both ("*PC", E2) is rejected
// as Graph does.
//
// # The switch: Options
//
// Every point the reference marks UNCERTAIN is one field of Options, used via
// ParseWith; Parse uses the zero value, whose choices are:
//
//   - MaxLength 0 → 3,072 characters (2,048 in the 2019 docs).
//   - CaseSensitiveValues false: comparisons ignore case ([DOC] A1).
//   - CaseSensitiveProperties false: devicePhysicalIDs = devicePhysicalIds.
//   - RejectParenlessQuantifier false: `-any _ -eq "x"` is accepted and binds
//     to one predicate, as the seed and current docs print it.
//   - NullFailsNegativeOperators false: `deviceCategory -ne "BYOD"` is true
//     for a device with no category (vector 19).
//   - BackslashEscape false: only `" escapes a quote; \ is literal.
//   - AcceptEnDash false: "–eq" (U+2013) is a compilation error.
//   - RejectQuotedBooleans false: `accountEnabled -eq "true"` is accepted.
//
// Further choices without a switch, all UNCERTAIN or INFER: `-not -not x` and
// `x -not -eq y` are rejected (A.2 notes); $null is rejected (A.2);
// `-startsWith null` and other null operands off -eq/-ne give "Invalid
// operands found for operator."; a boolean literal against a string property
// and a non-boolean against a boolean property give the same; the texts for
// over-length rules and memberOf misuse are invented (A.7 has none); an
// empty string value counts as null; non-ASCII case folding uses
// strings.ToLower, close to but not identical with .NET's invariant culture.
//
// # What it leaves out
//
// User rules (user.*, "Direct Reports for", dateTime properties with
// system.now/-plus/-minus, assignedPlans) — a device group never needs them,
// so user. gives "Invalid object type.". The rule builder's 5-expression limit
// (user rules only). The real tenants' memberOf bug ("Wrong property
// applied", entra-docs #921) — memberOf works as documented. Processing
// state, delays and membership bookkeeping belong to the group engine in
// mockgraph, not here. Evaluation details for the beta
// evaluateDynamicMembership API (which sub-expression matched) are not
// produced.
//
// Source IDs in comments (S1…S42, F1…F42, seed 000/004, §n) are listed with
// their public URLs in docs/SOURCES.md.
package rules
