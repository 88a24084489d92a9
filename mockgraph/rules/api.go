package rules

// PLACEHOLDER written by the lead so mockgraph compiles while the rules
// engineer builds the real parser; the rules engineer owns and replaces this
// file (keeping these exported names and signatures).

import "errors"

// Properties are a device's values by Graph property name ("devicePhysicalIds",
// "displayName", "deviceOSType", "accountEnabled", …). Values are string,
// bool, int/int64, []string or nil. Lookup is case-insensitive.
type Properties map[string]any

// Rule is a parsed dynamic membership rule.
type Rule struct{ src string }

// Parse parses a device membership rule.
func Parse(src string) (*Rule, error) { return nil, errors.New("rules: not implemented") }

// Match reports whether a device with the given properties satisfies the rule.
func (r *Rule) Match(p Properties) bool { return false }

// String prints the rule in canonical form.
func (r *Rule) String() string { return r.src }
