package harness

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the cloud's error answers, in words", func() {
	DescribeTable("newGraphError",
		func(status int, body, message, code, property string, refused bool) {
			e := newGraphError("POST", "/v1.0/groups", status, []byte(body))
			Expect(e.Message).To(Equal(message))
			Expect(e.Code).To(Equal(code))
			Expect(e.Property).To(Equal(property))
			Expect(e.Refused()).To(Equal(refused))
		},
		Entry("Entra: message and details, the detail's target",
			400, `{"error":{"code":"Request_BadRequest","details":[{"code":"QueryCompilationError","message":"rules: 1:34: bad","target":"membershipRule"}],"message":"Dynamic membership rule validation error: Query compilation error."}}`,
			"Dynamic membership rule validation error: Query compilation error.; rules: 1:34: bad", "Request_BadRequest", "membershipRule", true),
		Entry("Intune: the JSON inside the message, without the support suffix; the quoted property",
			400, `{"error":{"code":"BadRequest","message":"{\r\n  \"_version\": 3,\r\n  \"Message\": \"'organizationalUnit' must be a distinguished name, got 'OU=A'. - Operation ID (for customer support): 0000 - Activity ID: a5c5 - Url: http://graph.local/x\",\r\n  \"RetryAfter\": null\r\n}"}}`,
			"'organizationalUnit' must be a distinguished name, got 'OU=A'.", "BadRequest", "organizationalUnit", true),
		Entry("not Graph's JSON: kept as text", 404, "no such thing\n", "no such thing", "", "", true),
		Entry("an empty body: the status text", 409, "", "Conflict", "", "", true),
		Entry("blank body, a status net/http has no name for: the number", 571, " ", "HTTP 571", "", "", false),
		Entry("throttling is not a refusal", 429, `{"error":{"code":"TooManyRequests","message":"slow down"}}`, "slow down", "TooManyRequests", "", false),
		Entry("permissions are not the scenario's fault", 403, `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}`, "Insufficient privileges", "Authorization_RequestDenied", "", false),
		Entry("a server error is not a refusal", 500, `{"error":{"code":"InternalServerError","message":"oops"}}`, "oops", "InternalServerError", "", false),
	)

	It("formats method, path, status and code after the words", func() {
		e := newGraphError("POST", "/v1.0/groups", 400, []byte(`{"error":{"code":"BadRequest","message":"no."}}`))
		Expect(e.Error()).To(Equal("no. (POST /v1.0/groups: HTTP 400 BadRequest)"))
	})
})

// FuzzGraphError: any answer body gives an error with words, never a panic.
func FuzzGraphError(f *testing.F) {
	f.Add(400, []byte(`{"error":{"code":"BadRequest","message":"{\"Message\":\"'x' bad - Operation ID (for customer support): 1\"}","details":[{"target":"y","message":"z"}]}}`))
	f.Add(404, []byte(`not json`))
	f.Add(500, []byte(`{"error":"invalid_client"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := newGraphError("GET", "/x", status, body)
		if e.Message == "" && status >= 100 && status < 600 && len(body) > 0 {
			t.Fatalf("no words for %d %q", status, body)
		}
		_ = e.Error()
		_ = e.Refused()
	})
}
