package mockgraph

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/autopilotsim/autopilotsim/mockgraph/odata"
)

var searchSeeds = []string{
	`"displayName:Autopilot"`,
	`"displayName:auto" AND "description:lab"`,
	`("displayName:a" OR "displayName:b") AND "mailNickname:c"`,
	`"displayName:say \"hi\" \\ there"`,
	`"displayName:OneVideo"`, `"displayName:x" OR "displayName:y" OR "displayName:z"`,
	`displayName:x`, `"displayName:x`, `"x"`, `"displayName:"`, `"displayName:x" AND`, `("displayName:x"`,
	`"displayName:x")`, `"displayName:x" "displayName:y"`, `NOT "displayName:x"`, `"display name:x"`,
	`"displayName:a\b"`, `""`, ``, `   `, `(((("displayName:x"))))`, "\"displayName:\xff\"", `"foo:bar"`,
}

// FuzzParseSearch: $search is parser input. Any value either parses, and
// then prints back to text that parses to the same expression and can be
// evaluated, or is refused with a positioned message; never a panic.
func FuzzParseSearch(f *testing.F) {
	for _, s := range searchSeeds {
		f.Add(s)
	}
	obj := odata.MapGetter(map[string]any{"displayName": "Autopilot OneVideo 2024", "description": nil, "proxyAddresses": []any{"smtp:a@b"}})
	f.Fuzz(func(t *testing.T, src string) {
		e, err := parseSearch(src)
		if err != nil {
			se, ok := err.(*searchSyntaxError)
			if !ok {
				t.Fatalf("%q: error of type %T: %v", src, err, err)
			}
			if se.msg == "" || se.pos < 1 || se.pos > utf8.RuneCountInString(src)+1 {
				t.Fatalf("%q: bad error %q at %d", src, se.msg, se.pos)
			}
			return
		}
		printed := e.String()
		again, err := parseSearch(printed)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", src, printed, err)
		}
		if again.String() != printed {
			t.Fatalf("%q: round trip %q → %q", src, printed, again.String())
		}
		for _, sp := range []*searchSpec{groupSearch, deviceSearch, directoryObjectSearch} {
			if sp.unsupported(e) == "" {
				_ = e.match(sp, obj)
			}
		}
	})
}

// FuzzSearchRequests: the same input through GET /groups?$search= with
// ConsistencyLevel: eventual gets 200 or a 400 Graph error with code and
// message, never a panic or a 5xx.
func FuzzSearchRequests(f *testing.F) {
	for _, s := range searchSeeds {
		f.Add(s)
	}
	srv, token := fuzzServer(f)
	f.Fuzz(func(t *testing.T, src string) {
		req := httptest.NewRequest("GET", "/v1.0/groups?%24search="+url.QueryEscape(src), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("ConsistencyLevel", "eventual")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest:
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("error body without code/message for %q: %s", src, rec.Body.String())
			}
			if !strings.HasPrefix(e.Error.Code, "Request_") {
				t.Fatalf("code %q for %q", e.Error.Code, src)
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, src, rec.Body.String())
		}
	})
}
