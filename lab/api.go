package lab

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/harness"
)

// maxBody bounds a control request's JSON body.
const maxBody = 64 << 10

// maxAdvance bounds one jump ahead: every event on the way runs (connector
// polls, sync cycles), and the call answers when they have.
const maxAdvance = 7 * 24 * time.Hour

func (l *Lab) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", l.readyz)
	sub, _ := fs.Sub(consoleFS, "console")
	mux.Handle("GET /", http.FileServerFS(sub))

	api := func(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if !l.authorized(w, r) {
				return
			}
			if err := h(w, r); err != nil {
				writeError(w, err)
			}
		})
	}
	api("GET /lab/v1/state", func(w http.ResponseWriter, _ *http.Request) error {
		st, err := l.State()
		if err != nil {
			return err
		}
		writeJSON(w, 200, st)
		return nil
	})
	api("GET /lab/v1/events", l.events)
	api("POST /lab/v1/devices/{serial}/powerOn", func(w http.ResponseWriter, r *http.Request) error {
		return l.ack(w, l.PowerOn(r.PathValue("serial")))
	})
	api("POST /lab/v1/devices/{serial}/reset", func(w http.ResponseWriter, r *http.Request) error {
		return l.ack(w, l.ResetDevice(r.PathValue("serial")))
	})
	api("POST /lab/v1/devices", func(w http.ResponseWriter, r *http.Request) error {
		var nd harness.NewDevice
		if err := readJSON(r, &nd); err != nil {
			return err
		}
		return l.ack(w, l.AddDevice(nd))
	})
	api("POST /lab/v1/connectors/{name}/{action}", func(w http.ResponseWriter, r *http.Request) error {
		switch r.PathValue("action") {
		case "down":
			return l.ack(w, l.SetConnector(r.PathValue("name"), false))
		case "up":
			return l.ack(w, l.SetConnector(r.PathValue("name"), true))
		}
		return badRequest("connector action %q: want up or down", r.PathValue("action"))
	})
	api("POST /lab/v1/clock/pause", func(w http.ResponseWriter, _ *http.Request) error { return l.ack(w, l.Pause()) })
	api("POST /lab/v1/clock/resume", func(w http.ResponseWriter, _ *http.Request) error { return l.ack(w, l.Resume()) })
	api("POST /lab/v1/clock/speed", func(w http.ResponseWriter, r *http.Request) error {
		var in struct {
			Speed float64 `json:"speed"`
		}
		if err := readJSON(r, &in); err != nil {
			return err
		}
		if err := l.SetSpeed(in.Speed); err != nil {
			return badRequest("%v", err)
		}
		return l.ack(w, nil)
	})
	api("POST /lab/v1/clock/advance", func(w http.ResponseWriter, r *http.Request) error {
		var in struct {
			By string `json:"by"`
		}
		if err := readJSON(r, &in); err != nil {
			return err
		}
		d, err := time.ParseDuration(in.By)
		if err != nil || d <= 0 {
			return badRequest("advance: by %q: want a positive Go duration such as 30m or 2h", in.By)
		}
		if d > maxAdvance {
			return badRequest("advance: by %s: at most %s per call (every event on the way runs)", d, maxAdvance)
		}
		if err := l.Advance(d); err != nil {
			return badRequest("%v", err)
		}
		return l.ack(w, nil)
	})
	l.snapshotRoutes(api)
	return mux
}

// readyz answers 200 once the set-up has been replayed and the clock
// answers (an operation round-trips through it), else 503.
func (l *Lab) readyz(w http.ResponseWriter, _ *http.Request) {
	if err := l.ping(); err != nil {
		writeJSON(w, 503, map[string]string{"status": "not ready", "reason": err.Error()})
		return
	}
	writeJSON(w, 200, map[string]any{"status": "ready", "clock": l.Clock()})
}

func (l *Lab) ping() error {
	if !l.ready {
		return errors.New("setting up")
	}
	select {
	case <-l.Done():
		return errors.New("the lab's clock has stopped")
	default:
		return nil
	}
}

// authorized accepts the console key or a Graph admin token.
func (l *Lab) authorized(w http.ResponseWriter, r *http.Request) bool {
	raw, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if raw == "" && r.Method == http.MethodGet {
		raw = r.URL.Query().Get("key") // EventSource cannot set headers
	}
	if raw != "" && subtle.ConstantTimeCompare([]byte(raw), []byte(l.key)) == 1 {
		return true
	}
	if r.Header.Get("Authorization") != "" {
		status, err := l.Authorize(r)
		if err == nil {
			return true
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="autopilotsim-lab"`)
		writeJSON(w, status, apiError("Unauthorized", err.Error()))
		return false
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="autopilotsim-lab"`)
	writeJSON(w, 401, apiError("Unauthorized", "send Authorization: Bearer <console key or admin app token>"))
	return false
}

// ack answers a change that is in the world with the clock.
func (l *Lab) ack(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"ok": true, "clock": l.Clock()})
	return nil
}

// events streams the lab's state as server-sent events ("state"), every
// EventInterval while the client listens, so the console's rows move with
// the clock.
func (l *Lab) events(w http.ResponseWriter, r *http.Request) error {
	fl, ok := w.(http.Flusher)
	if !ok {
		return errors.New("lab: streaming unsupported")
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(200)
	t := time.NewTicker(l.interval)
	defer t.Stop()
	var last []byte
	for {
		st, err := l.State()
		if err != nil {
			return nil // the lab stopped: end the stream
		}
		b, _ := json.Marshal(st)
		if string(b) != string(last) {
			fmt.Fprintf(w, "event: state\ndata: %s\n\n", b)
			fl.Flush()
			last = b
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-l.Done():
			return nil
		case <-t.C:
		}
	}
}

type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &httpError{400, fmt.Sprintf(format, a...)}
}

func writeError(w http.ResponseWriter, err error) {
	status, code := 500, "InternalError"
	var he *httpError
	switch {
	case errors.As(err, &he):
		status, code = he.status, "BadRequest"
	case errors.Is(err, harness.ErrNotFound):
		status, code = 404, "NotFound"
	case errors.Is(err, harness.ErrConflict):
		status, code = 409, "Conflict"
	case strings.Contains(err.Error(), "lab: add device:"):
		status, code = 400, "BadRequest"
	}
	writeJSON(w, status, apiError(code, err.Error()))
}

func apiError(code, msg string) map[string]any {
	return map[string]any{"error": map[string]string{"code": code, "message": msg}}
}

func readJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return badRequest("reading the body: %v", err)
	}
	if len(body) > maxBody {
		return &httpError{413, "body over " + strconv.Itoa(maxBody) + " bytes"}
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("JSON body: %v", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
