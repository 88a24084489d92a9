package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/internal/flatjson"
	"github.com/autopilotsim/autopilotsim/transport"
)

// adminAgent is the User-Agent of the harness's admin calls, so the request
// log tells them from the simulated systems'.
const adminAgent = "autopilotsim-admin"

// admin is the Graph client the harness uses as the tenant's administrator:
// the same requests an admin's script (WindowsAutopilotIntune, curl) sends.
type admin struct {
	client   *http.Client
	base     string // e.g. http://graph.local
	tenant   string
	clientID string
	secret   string
	token    string
	// step is the journal of the step running now (see runStep); nil
	// outside a step: calls then neither retry nor wait.
	step *stepJournal
	// The admin is one script: while a step waits (busy), a step that
	// wants to call the service queues behind it, in order.
	busy  *stepJournal
	queue []func()
}

// errAdminBusy stops a step that wants to call while another step waits;
// runStep queues it.
var errAdminBusy = errors.New("harness: the admin is waiting on an earlier call")

// stepJournal lets a step of admin calls (a schedule callback) wait on the
// clock without being rewritten as callbacks: when a call must wait
// (Retry-After, a backoff, an answer's added latency), the step returns a
// *waitError and runs again from the top later; the calls that already
// succeeded are answered from the journal, in order, without being sent
// again, so each is sent once and the step's code stays straight-line.
// Steps must therefore be deterministic given the answers, which they are:
// they only read the scenario and the answers.
type stepJournal struct {
	done    []journalEntry
	pos     int // next entry to replay in this run of the step
	retries int // consecutive retries of the call after the journal
}

type journalEntry struct {
	method, path string
	body         []byte
}

// waitError asks runStep to run the step again after wait.
type waitError struct {
	wait time.Duration
	why  string
}

func (e *waitError) Error() string {
	return fmt.Sprintf("harness: admin call waits %s: %s", e.wait, e.why)
}

// runStep runs fn, a step of admin calls, and runs it again on the clock
// while it asks to wait (*waitError). While one step waits the admin is
// busy: a step that fails meanwhile is queued and runs again, in order,
// when the waiting step is done, whether it failed on errAdminBusy (its
// first call) or before calling at all (it may depend on the waiting step:
// assign a profile still being created). Any other failure is the run's
// setup error. Steps that make no admin call (power-on, connector start)
// just run.
func (w *world) runStep(actor, step string, fn func() error) {
	a := w.admin
	if a == nil { // no tenant admin (tests): nothing can wait
		if err := fn(); err != nil {
			w.failSetup(err)
		}
		return
	}
	j := &stepJournal{}
	var attempt func()
	attempt = func() {
		if w.setupErr != nil {
			return
		}
		j.pos, a.step = 0, j
		err := fn()
		a.step = nil
		var we *waitError
		switch {
		case errors.As(err, &we):
			a.busy = j
			w.trace.Record(w.sched.Now(), actor, "wait", fmt.Sprintf("%s: %s; again in %s", step, we.why, we.wait))
			w.sched.AfterFunc(we.wait, actor, "", attempt)
		case err != nil && a.busy != nil && a.busy != j:
			a.queue = append(a.queue, attempt)
		case err != nil:
			w.failSetup(err)
		case a.busy == j:
			a.busy = nil
			for len(a.queue) > 0 && a.busy == nil && w.setupErr == nil {
				next := a.queue[0]
				a.queue = a.queue[1:]
				next()
			}
		}
	}
	attempt()
}

// failSetup stops the run on a step's error. The admin's wait state goes
// with it: nothing runs a queued step after a setup error.
func (w *world) failSetup(err error) {
	w.setupErr = err
	if w.admin != nil {
		w.admin.busy, w.admin.queue = nil, nil
	}
	w.sched.Halt()
	if w.onFail != nil {
		w.onFail(err) // a lab: Halt does not stop the real-time driver
	}
}

func (a *admin) signIn() error {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {a.clientID},
		"client_secret": {a.secret},
		"scope":         {"https://graph.microsoft.com/.default"},
	}
	req, err := http.NewRequest(http.MethodPost, a.base+"/"+a.tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("harness: token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	a.mark(req)
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("harness: token: %w", err)
	}
	defer resp.Body.Close()
	body, _ := transport.ReadBody(resp, 0)
	ans := transport.ReadAnswer(resp)
	if resp.StatusCode != http.StatusOK {
		if we := a.wait(ans, "token"); we != nil {
			return we
		}
		return fmt.Errorf("harness: token: %w", newGraphError(http.MethodPost, "/"+a.tenant+"/oauth2/v2.0/token", resp.StatusCode, body))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return fmt.Errorf("harness: token: no access_token in %s", body)
	}
	a.token = tok.AccessToken
	if a.step != nil {
		a.step.retries = 0
		if ans.Latency > 0 {
			return &waitError{wait: ans.Latency, why: "token answer arrives " + ans.Latency.String() + " later"}
		}
	}
	return nil
}

// mark names the admin's request and numbers a retry within the step.
func (a *admin) mark(req *http.Request) {
	retries := 0
	if a.step != nil {
		retries = a.step.retries
	}
	transport.MarkSimulated(req, adminAgent, retries)
}

// wait turns a throttled or transient answer into a *waitError as
// transport's retry policy says (the Graph SDK's, which an admin script
// would use), or nil when it is not retried.
func (a *admin) wait(ans transport.Answer, what string) *waitError {
	if a.step == nil {
		return nil
	}
	d, note, ok := transport.NextRetry(ans, a.step.retries)
	if !ok {
		return nil
	}
	a.step.retries++
	return &waitError{wait: d + ans.Latency, why: fmt.Sprintf("%s: HTTP %d, %s", what, ans.Status, note)}
}

// call sends a Graph request and decodes the JSON answer into out (if any).
// Expired tokens are renewed once: setup spans a day of virtual time and
// tokens live an hour. Inside a step (runStep) a throttled or transient
// answer, or one with added latency, makes the step wait on the clock.
func (a *admin) call(method, path string, in, out any) error {
	if j := a.step; j != nil && j.pos < len(j.done) {
		e := j.done[j.pos]
		j.pos++
		if e.method != method || e.path != path {
			return fmt.Errorf("harness: admin step replay: call %d was %s %s, now %s %s", j.pos, e.method, e.path, method, path)
		}
		return decodeInto(method, path, e.body, out)
	}
	if a.busy != nil && a.busy != a.step {
		return errAdminBusy
	}
	for attempt := 0; ; attempt++ {
		ans, body, err := a.send(method, path, in)
		if err != nil {
			return err
		}
		if ans.Status == http.StatusUnauthorized && attempt == 0 {
			if err := a.signIn(); err != nil {
				return err
			}
			continue
		}
		if ans.Status >= 300 {
			if we := a.wait(ans, method+" "+path); we != nil {
				return we
			}
			return newGraphError(method, path, ans.Status, body)
		}
		if j := a.step; j != nil {
			j.retries = 0
			j.done = append(j.done, journalEntry{method: method, path: path, body: body})
			j.pos++
			if ans.Latency > 0 {
				return &waitError{wait: ans.Latency, why: fmt.Sprintf("%s %s: answer arrives %s later", method, path, ans.Latency)}
			}
		}
		return decodeInto(method, path, body, out)
	}
}

func decodeInto(method, path string, body []byte, out any) error {
	if out != nil && len(body) > 0 {
		if err := flatjson.Unmarshal(body, out); err != nil {
			return fmt.Errorf("harness: %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

func (a *admin) send(method, path string, in any) (transport.Answer, []byte, error) {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return transport.Answer{}, nil, fmt.Errorf("harness: encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return transport.Answer{}, nil, fmt.Errorf("harness: %s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token == "" {
		if err := a.signIn(); err != nil {
			return transport.Answer{}, nil, err
		}
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	a.mark(req)
	resp, err := a.client.Do(req)
	if err != nil {
		return transport.Answer{}, nil, fmt.Errorf("harness: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, err := transport.ReadBody(resp, 0)
	if err != nil {
		return transport.Answer{}, nil, fmt.Errorf("harness: %s %s: read: %w", method, path, err)
	}
	return transport.ReadAnswer(resp), body, nil
}

type idOnly struct {
	ID string `json:"id"`
}

func target(kind, groupID string) map[string]any {
	switch kind {
	case "all":
		return map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}
	case "exclude":
		return map[string]any{"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": groupID}
	}
	return map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": groupID}
}
