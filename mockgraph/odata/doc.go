// Package odata parses and evaluates the OData system query options mockgraph
// honours: $filter (comparison eq/ne/gt/ge/lt/le, and/or/not, in, the
// string functions startswith/endswith/contains, any()/all() lambdas over
// collections, datetime literals), $orderby and $select.
//
// It models the query language only, evaluated over an entity's JSON
// representation (map[string]any). Which property supports which operator is
// a per-resource decision of the real service (graph-api.md §1.2, §4.3) and is
// made by mockgraph on the parsed tree, not here.
//
// Left out: $search, $expand, arithmetic operators (add, sub, ...), the
// has operator, type casts (isof/cast), and functions other than the three
// string predicates.
//
// Source IDs in comments (S1…S42, F1…F42, seed 000/004, §n) are listed with
// their public URLs in docs/SOURCES.md.
package odata
