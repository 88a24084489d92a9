package transport

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The simulation's latency protocol between mockgraph and the simulated
// clients (mockgraph/faults.go). A virtual clock cannot hold an HTTP
// answer back while the one scheduler goroutine waits for it, so mockgraph
// answers at once and says how much later the answer "arrives"; the client
// delays its own next step by that much on its clock.
const (
	// LatencyHeader (response) is the added latency as Go duration text
	// ("2.5s"): treat the answer as arriving that much after the request.
	LatencyHeader = "Autopilotsim-Latency"
	// AcceptLatencyHeader (request), value AcceptLatencyVirtual: the client
	// applies LatencyHeader itself on its own clock, so a server in
	// real-time mode must not block it (a simulated client calls from the
	// scheduler's goroutine: blocking it would stop the clock it waits on).
	AcceptLatencyHeader  = "Autopilotsim-Accept-Latency"
	AcceptLatencyVirtual = "virtual"
)

// The retry policy every simulated client shares, modelled on the Graph Go
// SDK's retry handler (kiota-http-go retry_handler.go, graph-api.md §1.4,
// S8): at most MaxRetries retries; Retry-After honoured; without it an
// exponential backoff from RetryBaseDelay. Two differences, by choice: 500
// and 502 are retried too (the simulated Windows and connector clients are
// not the SDK, and a transient 5xx is what faults model), and there is no
// jitter, so runs stay reproducible.
const (
	MaxRetries     = 3
	RetryBaseDelay = 3 * time.Second
)

// Answer is what a simulated client reads from a response besides its body.
type Answer struct {
	Status     int
	RetryAfter time.Duration // Retry-After; 0 when absent or unreadable
	Latency    time.Duration // LatencyHeader; 0 when absent or unreadable
}

// ReadAnswer reads the status, Retry-After and added latency of resp.
// Retry-After is seconds (fractions truncated, as kiota does) or an HTTP
// date, taken relative to the response's Date header.
func ReadAnswer(resp *http.Response) Answer {
	a := Answer{Status: resp.StatusCode}
	if v := strings.TrimSpace(resp.Header.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil {
			if secs > 0 && secs < 1e9 {
				a.RetryAfter = time.Duration(int64(secs)) * time.Second
			}
		} else if at, err := http.ParseTime(v); err == nil {
			if now, err := http.ParseTime(resp.Header.Get("Date")); err == nil && at.After(now) {
				a.RetryAfter = at.Sub(now)
			}
		}
	}
	if v := resp.Header.Get(LatencyHeader); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			a.Latency = d
		}
	}
	return a
}

// Retryable reports whether the status is one a client tries again:
// throttling (429), and the transient server errors 500, 502, 503, 504.
func (a Answer) Retryable() bool {
	switch a.Status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RetryDelay is how long to wait before retry number done+1 of a request
// answered with a, counted from when the answer arrived (add a.Latency to
// count from the request). ok is false when a is not retryable or the
// retries are spent.
func RetryDelay(a Answer, done int) (wait time.Duration, ok bool) {
	if !a.Retryable() || done >= MaxRetries || done < 0 {
		return 0, false
	}
	if a.RetryAfter > 0 {
		return a.RetryAfter, true
	}
	return RetryBaseDelay << done, true
}

// NextRetry is RetryDelay with the note every simulated client traces
// for the retry it schedules, e.g. "retry 2/3 in 6s (backoff)" or
// "retry 1/3 in 30s (Retry-After)": the one wording of the shared policy.
func NextRetry(a Answer, done int) (wait time.Duration, note string, ok bool) {
	wait, ok = RetryDelay(a, done)
	if !ok {
		return 0, "", false
	}
	why := "backoff"
	if a.RetryAfter > 0 {
		why = "Retry-After"
	}
	return wait, fmt.Sprintf("retry %d/%d in %s (%s)", done+1, MaxRetries, wait, why), true
}

// MarkSimulated names a simulated client's request (User-Agent: agent, so
// mockgraph's request log tells clients apart), asks for virtual latency,
// and numbers a retry the way the SDK does (Retry-Attempt, §1.4).
func MarkSimulated(req *http.Request, agent string, retry int) {
	if agent != "" {
		req.Header.Set("User-Agent", agent)
	}
	req.Header.Set(AcceptLatencyHeader, AcceptLatencyVirtual)
	if retry > 0 {
		req.Header.Set("Retry-Attempt", strconv.Itoa(retry))
	}
}

// ReadBody reads an answer's body, at most limit bytes (limit <= 0: all of
// it), as io.ReadAll(io.LimitReader(resp.Body, limit)) does. When the
// answer says its length and that fits the limit, the body is read into
// one buffer of that length: io.ReadAll starts at 512 bytes and doubles,
// and a fleet's clients read millions of answers (docs/SCALE.md). net/http
// ends such a body at its length, and fails one that ends early with
// io.ErrUnexpectedEOF, so the length need not be trusted further.
//
// The answer to a HEAD request says the length of the body a GET would get
// and has none (net/http's Response.ContentLength), so it is read as it comes.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	return AppendBody(nil, resp, limit)
}

// AppendBody is ReadBody appending the body to dst, so that a client that
// decodes each answer at once can read them all into a buffer it recycles
// (a device's answers were 2 % of the bytes a fleet allocated,
// docs/SCALE.md). With a nil dst it is ReadBody: an empty body reads as an
// empty, non-nil slice.
func AppendBody(dst []byte, resp *http.Response, limit int64) ([]byte, error) {
	n := resp.ContentLength
	head := resp.Request != nil && resp.Request.Method == http.MethodHead
	if n < 0 || (limit > 0 && n > limit) || n > maxExactBody || head {
		var r io.Reader = resp.Body
		if limit > 0 {
			r = io.LimitReader(resp.Body, limit)
		}
		if dst == nil {
			return io.ReadAll(r)
		}
		b := bytes.NewBuffer(dst)
		_, err := b.ReadFrom(r)
		return b.Bytes(), err
	}
	start := len(dst)
	if dst == nil {
		dst = make([]byte, 0, n)
	}
	dst = slices.Grow(dst, int(n))[:start+int(n)]
	if _, err := io.ReadFull(resp.Body, dst[start:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return dst, nil
}

// maxExactBody is the largest announced length ReadBody allocates at once
// before reading; a longer body is read as it comes.
const maxExactBody = 64 << 20
