package mockgraph

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// RequestLogEntry is one request as the server saw it (Config.LogRequests).
type RequestLogEntry struct {
	At           time.Time
	Method, Path string // Path includes the query
	// Client is the request's User-Agent. The simulated clients name
	// themselves there (e.g. autopilotsim-device/LAB0001), so repeats are
	// matched per client.
	Client       string
	Status       int           // 0: the client went away during added latency
	RetryAfter   time.Duration // the Retry-After this answer carried, if any
	RetryAttempt int           // the client's Retry-Attempt header (kiota, §1.4)
	// Latency is the latency faults added to this answer (see
	// Config.RealTimeLatency for how it was applied).
	Latency time.Duration
	// HonouredRetryAfter is set on a request that repeats one answered with
	// Retry-After (same client, method and path): true when it came at
	// least that long after, by the clock.
	HonouredRetryAfter *bool
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// logNote carries what the inner middleware learns about a request (the
// added latency) out to logRequest.
type logNote struct{ latency time.Duration }

type logNoteKey struct{}

func noteOf(r *http.Request) *logNote {
	n, _ := r.Context().Value(logNoteKey{}).(*logNote)
	return n
}

// logRequest wraps the handler when Config.LogRequests is set.
func (s *Server) logRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_private/requests" {
			next.ServeHTTP(w, r) // reading the log is not part of it
			return
		}
		client := r.Header.Get("User-Agent")
		key := client + "\x00" + r.Method + " " + r.URL.RequestURI()
		at := s.now()
		rec := &statusRecorder{ResponseWriter: w}
		note := &logNote{}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), logNoteKey{}, note)))
		e := RequestLogEntry{At: at, Method: r.Method, Path: r.URL.RequestURI(), Client: client, Status: rec.status, Latency: note.latency}
		e.RetryAttempt, _ = strconv.Atoi(r.Header.Get("Retry-Attempt"))
		if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err == nil && ra >= 0 {
			e.RetryAfter = time.Duration(ra) * time.Second
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if m, ok := s.retryUntil[key]; ok {
			h := !at.Before(m.until)
			e.HonouredRetryAfter = &h
			delete(s.retryUntil, key)
		}
		if e.RetryAfter > 0 {
			// The wait counts from when the answer arrived: after any
			// added latency.
			s.retryUntil[key] = retryMark{until: at.Add(e.Latency + e.RetryAfter), entry: s.reqLogged}
		}
		s.reqLog = append(s.reqLog, e)
		s.reqLogged++
		if n := s.cfg.RequestLogLimit; n > 0 && len(s.reqLog) >= 2*n {
			// Drop the oldest in blocks so trimming stays amortised O(1).
			s.reqLog = append([]RequestLogEntry(nil), s.reqLog[len(s.reqLog)-n:]...)
			// A throttled answer that left the log stops judging its
			// repeat: a client that never repeats (it gave up, or paged
			// on with another query) would otherwise grow retryUntil for
			// as long as the lab runs.
			oldest := s.reqLogged - n
			for k, m := range s.retryUntil {
				if m.entry < oldest {
					delete(s.retryUntil, k)
				}
			}
		}
	})
}

// retryMark is an answer with Retry-After awaiting its repeat: when the
// wait ends, and the answer's number in the log (reqLogged at the time).
type retryMark struct {
	until time.Time
	entry int
}

// logged returns the entries within the limit, oldest first. Callers hold s.mu.
func (s *Server) logged() []RequestLogEntry {
	l := s.reqLog
	if n := s.cfg.RequestLogLimit; n > 0 && len(l) > n {
		l = l[len(l)-n:]
	}
	return append([]RequestLogEntry(nil), l...)
}

// privRequests serves the request log as JSON (PRIVATE_API.md), so a lab
// user can see what their own client sent and whether it waited out
// Retry-After. ?client= keeps one User-Agent; ?last=N the newest N.
func (s *Server) privRequests(w http.ResponseWriter, r *http.Request) *apiError {
	if !s.cfg.LogRequests {
		return privErr(404, "NotFound", "The request log is off (mockgraph Config.LogRequests; autopilotsim serve turns it on).")
	}
	q := r.URL.Query()
	last := 0
	if v := q.Get("last"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return privErr(400, "BadRequest", fmt.Sprintf("last=%q: want a positive integer.", v))
		}
		last = n
	}
	client, filter := q.Get("client"), q.Has("client")
	out := []map[string]any{}
	for _, e := range s.logged() {
		if filter && e.Client != client {
			continue
		}
		m := map[string]any{"at": e.At.Format(time.RFC3339Nano), "method": e.Method, "path": e.Path, "client": e.Client,
			"status": e.Status, "retryAfterSeconds": int(e.RetryAfter / time.Second), "retryAttempt": e.RetryAttempt,
			"latency": e.Latency.String(), "honouredRetryAfter": nil}
		if e.HonouredRetryAfter != nil {
			m["honouredRetryAfter"] = *e.HonouredRetryAfter
		}
		out = append(out, m)
	}
	if last > 0 && len(out) > last {
		out = out[len(out)-last:]
	}
	writeJSON(w, 200, map[string]any{"value": out})
	return nil
}

// RequestLog returns the requests logged so far, in arrival order.
func (s *Server) RequestLog() []RequestLogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logged()
}
