package graphsdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// fetchToken runs the client-credentials grant against the mock's token
// endpoint, POST {graph}/{tenant}/oauth2/v2.0/token (graph-api.md §2).
func fetchToken(ctx context.Context, graph, tenant, clientID, secret string) (string, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {clientID},
		"client_secret": {secret},
		"scope":         {"https://graph.microsoft.com/.default"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, graph+"/"+tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("token: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", fmt.Errorf("token: decode %d answer: %w", resp.StatusCode, err)
	}
	switch {
	case resp.StatusCode != http.StatusOK:
		return "", fmt.Errorf("token: %d %s: %s", resp.StatusCode, body.Error, body.Description)
	case !strings.EqualFold(body.TokenType, "Bearer"), body.AccessToken == "", body.ExpiresIn <= 0:
		return "", fmt.Errorf("token: unexpected answer: type %q, expires_in %d, token %d bytes", body.TokenType, body.ExpiresIn, len(body.AccessToken))
	}
	return body.AccessToken, nil
}

// staticToken is the AccessTokenProvider graph-api.md §13 recommends for
// tests: a fixed token, handed out only to allowed hosts, exactly as
// kiota-authentication-azure-go's provider behaves (S8). It bypasses MSAL.
type staticToken struct {
	token string
	hosts *authentication.AllowedHostsValidator
}

func (p *staticToken) GetAuthorizationToken(_ context.Context, u *url.URL, _ map[string]any) (string, error) {
	if !p.hosts.IsUrlHostValid(u) {
		return "", nil // no Authorization header for other hosts (S8)
	}
	return p.token, nil
}

func (p *staticToken) GetAllowedHostsValidator() *authentication.AllowedHostsValidator {
	return p.hosts
}

// newSDK builds the official v1.0 client with its default middleware
// (retry, redirect, compression, telemetry) against base, e.g.
// http://127.0.0.1:PORT/v1.0. The adapter's base URL is set before the
// client is built (§13: the client only defaults it when empty).
func newSDK(base, token string) (*msgraphsdk.GraphServiceClient, error) {
	hosts, err := authentication.NewAllowedHostsValidatorErrorCheck([]string{"127.0.0.1", "localhost"})
	if err != nil {
		return nil, fmt.Errorf("sdk: allowed hosts: %w", err)
	}
	auth := authentication.NewBaseBearerTokenAuthenticationProvider(&staticToken{token: token, hosts: hosts})
	adapter, err := msgraphsdk.NewGraphRequestAdapter(auth)
	if err != nil {
		return nil, fmt.Errorf("sdk: adapter: %w", err)
	}
	adapter.SetBaseUrl(base)
	return msgraphsdk.NewGraphServiceClient(adapter), nil
}

// rawClient sends plain JSON requests with a bearer token (none when token
// is empty): the beta resources, for which no SDK is available here
// (README.md), and mockgraph's private channel.
type rawClient struct {
	base, token string
}

// rawAnswer is one HTTP answer with its JSON body decoded (nil if empty).
type rawAnswer struct {
	Status int
	Body   map[string]any
	Text   string
	Header http.Header
}

func (c *rawClient) do(ctx context.Context, method, path string, body any) (*rawAnswer, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("raw %s %s: encode body: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("raw %s %s: %w", method, path, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("raw %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("raw %s %s: read body: %w", method, path, err)
	}
	a := &rawAnswer{Status: resp.StatusCode, Text: string(data), Header: resp.Header}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &a.Body); err != nil {
			return nil, fmt.Errorf("raw %s %s: %d answer is not a JSON object: %w (%.200s)", method, path, resp.StatusCode, err, data)
		}
	}
	return a, nil
}

// mustDo is do with an expected status; it returns the decoded body.
func (c *rawClient) mustDo(ctx context.Context, method, path string, body any, status int) map[string]any {
	GinkgoHelper()
	a, err := c.do(ctx, method, path, body)
	Expect(err).NotTo(HaveOccurred())
	Expect(a.Status).To(Equal(status), "%s %s answered %d: %s", method, path, a.Status, a.Text)
	return a.Body
}

// values returns the "value" array of a collection answer as objects.
func values(body map[string]any) []map[string]any {
	GinkgoHelper()
	raw, ok := body["value"].([]any)
	Expect(ok).To(BeTrue(), "no value array in %v", body)
	out := make([]map[string]any, 0, len(raw))
	for _, v := range raw {
		m, ok := v.(map[string]any)
		Expect(ok).To(BeTrue(), "value item %v is not an object", v)
		out = append(out, m)
	}
	return out
}

// expectODataError asserts err is the SDK's ODataError with the status and
// code, a message (the SDK's Error() dereferences it, addendum) and an
// innerError carrying the request ids (graph-api.md §1.3).
func expectODataError(err error, status int, code string) *odataerrors.ODataError {
	GinkgoHelper()
	Expect(err).To(HaveOccurred())
	var oe *odataerrors.ODataError
	Expect(errors.As(err, &oe)).To(BeTrue(), "error %T (%v) is not an *odataerrors.ODataError", err, err)
	Expect(oe.ResponseStatusCode).To(Equal(status))
	main := oe.GetErrorEscaped()
	Expect(main).NotTo(BeNil(), "ODataError without an error object")
	Expect(main.GetCode()).To(HaveValue(Equal(code)))
	Expect(main.GetMessage()).To(HaveValue(Not(BeEmpty())))
	Expect(oe.Error()).To(Equal(*main.GetMessage()))
	inner := main.GetInnerError()
	Expect(inner).NotTo(BeNil(), "ODataError without innerError")
	Expect(inner.GetRequestId()).To(HaveValue(Not(BeEmpty())))
	Expect(inner.GetClientRequestId()).To(HaveValue(Not(BeEmpty())))
	Expect(inner.GetDate()).NotTo(BeNil())
	return oe
}

// ptr returns a pointer to v (the SDK's setters and query parameters take pointers).
func ptr[T any](v T) *T { return &v }
