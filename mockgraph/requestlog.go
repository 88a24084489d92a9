package mockgraph

import (
	"net/http"
	"strconv"
	"time"
)

// RequestLogEntry is one request as the server saw it (Config.LogRequests).
type RequestLogEntry struct {
	At           time.Time
	Method, Path string // Path includes the query
	Status       int
	RetryAfter   time.Duration // the Retry-After this answer carried, if any
	RetryAttempt int           // the client's Retry-Attempt header (kiota, §1.4)
	// HonouredRetryAfter is set on a request that repeats one answered with
	// Retry-After: true when it came at least that long after, by the clock.
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

// logRequest wraps the handler when Config.LogRequests is set.
func (s *Server) logRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.RequestURI()
		at := s.now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		e := RequestLogEntry{At: at, Method: r.Method, Path: r.URL.RequestURI(), Status: rec.status}
		e.RetryAttempt, _ = strconv.Atoi(r.Header.Get("Retry-Attempt"))
		if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err == nil && ra >= 0 {
			e.RetryAfter = time.Duration(ra) * time.Second
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if until, ok := s.retryUntil[key]; ok {
			h := !at.Before(until)
			e.HonouredRetryAfter = &h
			delete(s.retryUntil, key)
		}
		if e.RetryAfter > 0 {
			s.retryUntil[key] = at.Add(e.RetryAfter)
		}
		s.reqLog = append(s.reqLog, e)
	})
}

// RequestLog returns the requests logged so far, in arrival order.
func (s *Server) RequestLog() []RequestLogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestLogEntry(nil), s.reqLog...)
}
