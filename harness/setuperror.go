package harness

import (
	"errors"
	"fmt"
	"strings"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// SetupError is a step of building a scenario's world or replaying the
// admin's setup that failed, located at the scenario object it came from:
// File:Line and the object's YAML path (e.g. tenant.groups[2].membershipRule).
// When the mocks refused what the scenario set up, it comes wrapped in an
// *InvalidError: the scenario is invalid input, not a failed expectation.
type SetupError struct {
	File string
	Line int    // 0 when unknown (a scenario built in code)
	Path string // YAML path of the object or field
	Err  error
}

func (e *SetupError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ":")
		if e.Line > 0 {
			fmt.Fprintf(&b, "%d:", e.Line)
		}
		b.WriteString(" ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *SetupError) Unwrap() error { return e.Err }

// Graph properties of the admin's requests → the scenario keys they come
// from, so a refusal points at the field (setup.go builds the bodies).
var (
	groupFields = map[string]string{"membershipRule": "membershipRule", "displayName": "name",
		"membershipRuleProcessingState": "paused", "mailNickname": "name"}
	deploymentProfileFields = map[string]string{"displayName": "name", "language": "language",
		"deviceNameTemplate": "deviceNameTemplate", "extractHardwareHash": "convertAllTargeted",
		"hybridAzureADJoinSkipConnectivityCheck": "skipConnectivityCheck", "hidePrivacySettings": "hidePrivacySettings",
		"hideEULA": "hideEula", "userType": "userType", "skipKeyboardSelectionPage": "skipKeyboard"}
	domainJoinFields = map[string]string{"displayName": "name", "organizationalUnit": "ou",
		"computerNameStaticPrefix": "prefix", "computerNameSuffixRandomCharCount": "randomChars",
		"activeDirectoryDomainName": "domain"}
	espFields = map[string]string{"displayName": "name", "priority": "priority",
		"installProgressTimeoutInMinutes": "timeout"}
)

// located ties err, from the step that set up the object at path, to its
// place in the scenario. fields maps the Graph properties of the object's
// request to its keys, so a refusal naming a property points at the field.
// A refusal by the mocks (or invalid set by the caller for a mockad
// refusal) is wrapped in an *InvalidError. The clock's own signals (a step
// that waits, the admin busy) pass through untouched.
func (w *world) located(path string, err error, fields map[string]string, invalid bool) error {
	if err == nil {
		return nil
	}
	var we *waitError
	var se *SetupError
	if errors.As(err, &we) || errors.Is(err, errAdminBusy) || errors.As(err, &se) {
		return err
	}
	var ge *GraphError
	if errors.As(err, &ge) {
		invalid = invalid || ge.Refused()
		if key := fields[ge.Property]; key != "" {
			path += "." + key
		}
	}
	located := &SetupError{File: w.sc.File, Line: lineOf(w.sc, path), Path: path, Err: err}
	if invalid {
		return &InvalidError{Err: located}
	}
	return located
}

// lineOf is the line of path in the scenario's file, or of its nearest
// ancestor there (a defaulted field is not in the file); 0 when unknown.
func lineOf(sc *scenarios.Scenario, path string) int {
	for p := path; p != ""; {
		if l, ok := sc.Lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
}
