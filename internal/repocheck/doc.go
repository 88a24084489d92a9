// Package repocheck checks that the repository stands on its own.
//
// Two rules, both run as specs (go test ./internal/repocheck/):
//
//   - no tracked Go or Markdown file links to, or names, a folder outside the
//     repository that a clone would not have (the research notes the project
//     was built from);
//   - every source ID a Markdown file cites (S30, G-S7, F19, P6, A1, B.5,
//     seed 000, …) has a row in docs/SOURCES.md, every link into
//     docs/SOURCES.md names an anchor that exists, and no Markdown file cites
//     a bare internal section number (§n) or an internal issue number
//     ("issue #4"): those must be links into docs/SOURCES.md.
//
// What it leaves out: Go comments are checked for outside links only, not
// for their source IDs (docs/SOURCES.md explains how to read those), and
// links to the web are not fetched.
package repocheck
