package harness

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// GraphError is an answer of the cloud that an admin call of the setup did
// not expect, in words: Graph's error JSON ({"error":{"code","message",
// "details"}}) unescaped, and Intune's message (itself a JSON document with
// a "Message", as Intune sends it) unwrapped.
// https://learn.microsoft.com/en-us/graph/errors#json-representation
type GraphError struct {
	Method, Path string
	Status       int
	Code         string // e.g. Request_BadRequest, BadRequest
	Message      string // the message, and its details' messages, in words
	// Property is the request property the cloud names as the culprit: a
	// detail's "target", or the quoted name that starts Intune's message
	// ('organizationalUnit' must be …); "" when it names none.
	Property string
}

func (e *GraphError) Error() string {
	code := ""
	if e.Code != "" {
		code = " " + e.Code
	}
	return fmt.Sprintf("%s (%s %s: HTTP %d%s)", e.Message, e.Method, e.Path, e.Status, code)
}

// Refused reports whether the cloud refused the request itself (a 4xx
// other than sign-in, permission and throttling answers): what the scenario
// asked for is invalid, so a run is invalid input rather than a failure.
func (e *GraphError) Refused() bool {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestTimeout, http.StatusTooManyRequests:
		return false
	}
	return e.Status >= 400 && e.Status < 500
}

// intuneSuffix is what Intune appends to its messages for support.
var intuneSuffix = regexp.MustCompile(`\s+- Operation ID \(for customer support\):.*$`)

// intuneProperty is the quoted property an Intune validation message starts with.
var intuneProperty = regexp.MustCompile(`^'([A-Za-z][A-Za-z0-9@.]*)'`)

// newGraphError reads an error answer. A body that is not Graph's error
// JSON is kept as text, so nothing the cloud said is lost.
func newGraphError(method, path string, status int, body []byte) *GraphError {
	e := &GraphError{Method: method, Path: path, Status: status}
	var doc struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Details []struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Target  string `json:"target"`
			} `json:"details"`
		} `json:"error"`
	}
	text := strings.TrimSpace(string(body))
	if err := json.Unmarshal(body, &doc); err != nil || (doc.Error.Code == "" && doc.Error.Message == "") {
		e.Message = text
		if e.Message == "" {
			e.Message = statusWords(status)
		}
		return e
	}
	e.Code = doc.Error.Code
	msg := unwrapIntune(doc.Error.Message)
	if m := intuneProperty.FindStringSubmatch(msg); m != nil {
		e.Property = m[1]
	}
	parts := []string{msg}
	for _, d := range doc.Error.Details {
		if d.Target != "" && e.Property == "" {
			e.Property = d.Target
		}
		if dm := unwrapIntune(d.Message); dm != "" && dm != msg {
			parts = append(parts, dm)
		}
	}
	e.Message = strings.Join(parts, "; ")
	if e.Message == "" {
		e.Message = statusWords(status)
	}
	return e
}

// statusWords names a status for an answer that said nothing: its text,
// or, for a status net/http has no name for, the number itself.
func statusWords(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return fmt.Sprintf("HTTP %d", status)
}

// unwrapIntune returns the "Message" of Intune's JSON-in-a-string error
// message, without the support suffix; other messages as they are.
func unwrapIntune(msg string) string {
	msg = strings.TrimSpace(msg)
	if strings.HasPrefix(msg, "{") {
		var inner struct {
			Message string `json:"Message"`
		}
		if err := json.Unmarshal([]byte(msg), &inner); err == nil && inner.Message != "" {
			msg = inner.Message
		}
	}
	return strings.TrimSpace(intuneSuffix.ReplaceAllString(msg, ""))
}
