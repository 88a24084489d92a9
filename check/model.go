package check

import (
	"errors"
	"fmt"
)

// Severity of a finding, in SARIF's words (error, warning, note).
type Severity string

// The severities, most severe first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityNote    Severity = "note"
)

// rank orders severities: error 3, warning 2, note 1, anything else 0.
func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityNote:
		return 1
	}
	return 0
}

// AtLeast reports whether s is as severe as t or more.
func (s Severity) AtLeast(t Severity) bool { return s.rank() >= t.rank() && s.rank() > 0 }

// ParseSeverity reads "error", "warning" or "note" (the --fail-on values).
func ParseSeverity(s string) (Severity, error) {
	switch Severity(s) {
	case SeverityError, SeverityWarning, SeverityNote:
		return Severity(s), nil
	}
	return "", &InvalidInputError{What: "fail-on", Err: fmt.Errorf("severity %q: want error, warning or note", s)}
}

// Finding is one problem a static rule found in the configuration.
type Finding struct {
	RuleID   string   `json:"ruleId"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Object names what the finding is about ("Domain Join profile
	// \"Corp\"", "connector ODJCONN01").
	Object string `json:"object"`
	// File is relative to the configuration folder (or the environment
	// file's path for findings about the environment); Pointer is the JSON
	// pointer of the offending value inside the object; Line and Col are
	// 1-based, 0 when unknown.
	File    string `json:"file,omitempty"`
	Pointer string `json:"pointer,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	HelpURI string `json:"helpUri"`
	// External marks a finding located outside the configuration folder
	// (the environment file, the cohort file); File is then that file's
	// path as given.
	External bool `json:"inEnvironment,omitempty"`
}

// key identifies a finding across base and head: rule, object and message
// (positions move when a file is edited, so they are left out).
func (f Finding) key() string { return f.RuleID + "\x00" + f.Object + "\x00" + f.Message }

// InvalidInputError means the input could not be read or makes no sense
// (a configuration folder, an environment file, a cohort file, an option):
// the CLI exits 2 on it. Use errors.As, or IsInvalidInput.
type InvalidInputError struct {
	What string // "config", "base", "environment", "cohorts", "fail-on", …
	Err  error
}

func (e *InvalidInputError) Error() string { return e.What + ": " + e.Err.Error() }
func (e *InvalidInputError) Unwrap() error { return e.Err }

// IsInvalidInput reports whether err (or an error it wraps) is an
// InvalidInputError.
func IsInvalidInput(err error) bool {
	var ie *InvalidInputError
	return errors.As(err, &ie)
}
