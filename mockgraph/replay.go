package mockgraph

import (
	"context"
	"net/http"
)

type replayKey struct{}

func replaying(r *http.Request) bool { return r.Context().Value(replayKey{}) != nil }

// ServeReplay serves a recorded request again, as a lab's journal replay
// does: through authentication and the handlers as usual (the token still
// verifies with the same SigningKey at the same simulated time), but
// without faults, throttling or Config.Intercept, since the recorded
// answer already got past them.
func (s *Server) ServeReplay(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), replayKey{}, true)))
}
