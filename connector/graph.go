package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/internal/flatjson"
	"github.com/autopilotsim/autopilotsim/internal/strpack"
	"github.com/autopilotsim/autopilotsim/transport"
)

// The private connector channel of mockgraph/PRIVATE_API.md ("Connector
// channel"). Only the client side is here.

// ClaimedRequest is one ODJ request handed to the connector by claim.
type ClaimedRequest struct {
	ID                                string `json:"id"`
	DeviceID                          string `json:"deviceId"`
	SerialNumber                      string `json:"serialNumber"`
	Domain                            string `json:"domain"`
	OrganizationalUnit                string `json:"organizationalUnit"`
	ComputerNameStaticPrefix          string `json:"computerNameStaticPrefix"`
	ComputerNameSuffixRandomCharCount int    `json:"computerNameSuffixRandomCharCount"`
	RetryCount                        int    `json:"retryCount"`
}

type heartbeatBody struct {
	DisplayName string `json:"displayName"`
	Domain      string `json:"domain"`
	Version     string `json:"version"`
}

type claimBody struct {
	Max int `json:"max"`
}

type claimResponse struct {
	Requests []ClaimedRequest `json:"requests"`
}

// resultBody is the success or failure result; omitempty keeps each shape to
// the fields PRIVATE_API.md lists for it.
type resultBody struct {
	ConnectorID       string `json:"connectorId"`
	Success           bool   `json:"success"`
	ComputerName      string `json:"computerName,omitempty"`
	DistinguishedName string `json:"distinguishedName,omitempty"`
	Blob              string `json:"blob,omitempty"`
	ErrorCode         uint32 `json:"errorCode,omitempty"`
	DiagnosticCode    string `json:"diagnosticCode,omitempty"`
	ErrorDescription  string `json:"errorDescription,omitempty"`
}

// graphError is Graph's error envelope.
type graphError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// StatusError is a non-success HTTP answer from the service.
type StatusError struct {
	Status     int
	Code       string // Graph error code, when the body had one
	Body       string
	RetryAfter time.Duration // the answer's Retry-After, 0 when absent
}

func (e *StatusError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("HTTP %d %s", e.Status, e.Code)
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

// graphClient is the thin HTTP side.
type graphClient struct {
	http    *http.Client
	base    string
	timeout time.Duration
	agent   string // User-Agent, so the service's request log tells connectors apart
	// credential is the installation credential (Config.Credential).
	credential string
	// strs holds what the connector keeps of its requests to the end of
	// the run (internal/strpack).
	strs *strpack.Arena
}

// post sends one request; retry numbers a retry (Retry-Attempt). The
// answer (status, Retry-After, added latency) comes back with any error.
func (g graphClient) post(path string, retry int, in, out any, want ...int) (transport.Answer, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return transport.Answer{}, fmt.Errorf("encode %s: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base+path, bytes.NewReader(body))
	if err != nil {
		return transport.Answer{}, fmt.Errorf("POST %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if g.credential != "" {
		req.Header.Set("Authorization", "Bearer "+g.credential)
	}
	transport.MarkSimulated(req, g.agent, retry)
	resp, err := g.http.Do(req)
	if err != nil {
		return transport.Answer{}, fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	ans := transport.ReadAnswer(resp)
	raw, err := transport.ReadBody(resp, 1<<20)
	if err != nil {
		return ans, fmt.Errorf("POST %s: read body: %w", path, err)
	}
	ok := false
	for _, w := range want {
		ok = ok || resp.StatusCode == w
	}
	if !ok {
		se := &StatusError{Status: resp.StatusCode, Body: string(raw), RetryAfter: ans.RetryAfter}
		var ge graphError
		if flatjson.Unmarshal(raw, &ge) == nil {
			se.Code = ge.Error.Code
		}
		return ans, fmt.Errorf("POST %s: %w", path, se)
	}
	if out != nil {
		if err := flatjson.Unmarshal(raw, out); err != nil {
			return ans, fmt.Errorf("POST %s: decode: %w", path, err)
		}
	}
	return ans, nil
}

func connectorPath(id, verb string) string {
	return "/_private/odj/v1/connectors/" + url.PathEscape(id) + "/" + verb
}

func (g graphClient) heartbeat(id string, retry int, hb heartbeatBody) (transport.Answer, error) {
	return g.post(connectorPath(id, "heartbeat"), retry, hb, nil, http.StatusOK)
}

func (g graphClient) claim(id string, retry, max int) ([]ClaimedRequest, transport.Answer, error) {
	var out claimResponse
	ans, err := g.post(connectorPath(id, "claim"), retry, claimBody{Max: max}, &out, http.StatusOK)
	if err != nil {
		return nil, ans, err
	}
	// A request's strings in the connector's arena: the event log keeps
	// its id and device id to the end of the run, and each Pack of its
	// own was an object a device for the collector to reach
	// (internal/strpack).
	for i := range out.Requests {
		r := &out.Requests[i]
		g.strs.Pack(&r.ID, &r.DeviceID, &r.SerialNumber, &r.Domain, &r.OrganizationalUnit, &r.ComputerNameStaticPrefix)
	}
	return out.Requests, ans, nil
}

func (g graphClient) result(requestID string, retry int, r resultBody) (transport.Answer, error) {
	return g.post("/_private/odj/v1/requests/"+url.PathEscape(requestID)+"/result", retry, r, nil, http.StatusNoContent, http.StatusOK)
}

// isNotRegistered reports the claim answer of a connector the service does
// not know yet (404 ConnectorNotRegistered).
func isNotRegistered(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == http.StatusNotFound &&
		(se.Code == "" || strings.EqualFold(se.Code, "ConnectorNotRegistered"))
}
