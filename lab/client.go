package lab

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
	"time"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/labstate"
)

// Client calls a lab's control API (the `autopilotsim lab` commands use
// it). Token is the console key or a Graph admin app token.
type Client struct {
	URL   string // e.g. http://127.0.0.1:8090
	Token string
	HTTP  *http.Client // nil: a client with a 60 s timeout
	// TokenSource, when set, gives a fresh token: called when Token is
	// empty and once again after a 401 (a jump ahead can carry the lab's
	// clock past a Graph token's expiry).
	TokenSource func(ctx context.Context) (string, error)
}

// APIError is a refusal of the control API, with its status and message.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	if c.TokenSource != nil && c.Token == "" {
		if err := c.refresh(ctx); err != nil {
			return err
		}
	}
	err := c.send(ctx, method, path, in, out)
	var ae *APIError
	if c.TokenSource != nil && errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		if err := c.refresh(ctx); err != nil {
			return err
		}
		return c.send(ctx, method, path, in, out)
	}
	return err
}

func (c *Client) refresh(ctx context.Context) error {
	tok, err := c.TokenSource(ctx)
	if err != nil {
		return fmt.Errorf("lab client: token: %w", err)
	}
	c.Token = tok
	return nil
}

func (c *Client) send(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.URL, "/")+path, body)
	if err != nil {
		return fmt.Errorf("lab client: %w", err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("lab client: %w", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("lab client: %w", err)
	}
	if res.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		if e.Error.Message == "" {
			e.Error.Message = strings.TrimSpace(string(b))
		}
		return &APIError{Status: res.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("lab client: %s %s: %w", method, path, err)
		}
	}
	return nil
}

// State reads the lab.
func (c *Client) State(ctx context.Context) (harness.State, error) {
	var st harness.State
	err := c.call(ctx, "GET", "/lab/v1/state", nil, &st)
	return st, err
}

// PowerOn switches a device on.
func (c *Client) PowerOn(ctx context.Context, serial string) error {
	return c.call(ctx, "POST", "/lab/v1/devices/"+url.PathEscape(serial)+"/powerOn", nil, nil)
}

// Reset resets a device (switched off, OOBE again on the next power-on).
func (c *Client) Reset(ctx context.Context, serial string) error {
	return c.call(ctx, "POST", "/lab/v1/devices/"+url.PathEscape(serial)+"/reset", nil, nil)
}

// AddDevice imports a device.
func (c *Client) AddDevice(ctx context.Context, d harness.NewDevice) error {
	return c.call(ctx, "POST", "/lab/v1/devices", d, nil)
}

// Connector stops (up false) or starts a connector.
func (c *Client) Connector(ctx context.Context, name string, up bool) error {
	action := "down"
	if up {
		action = "up"
	}
	return c.call(ctx, "POST", "/lab/v1/connectors/"+url.PathEscape(name)+"/"+action, nil, nil)
}

// Pause stops the lab's simulated time.
func (c *Client) Pause(ctx context.Context) error {
	return c.call(ctx, "POST", "/lab/v1/clock/pause", nil, nil)
}

// Resume lets it run again.
func (c *Client) Resume(ctx context.Context) error {
	return c.call(ctx, "POST", "/lab/v1/clock/resume", nil, nil)
}

// SetSpeed sets simulated seconds per wall second.
func (c *Client) SetSpeed(ctx context.Context, speed float64) error {
	return c.call(ctx, "POST", "/lab/v1/clock/speed", map[string]float64{"speed": speed}, nil)
}

// Advance jumps the lab's time ahead.
func (c *Client) Advance(ctx context.Context, by time.Duration) error {
	return c.call(ctx, "POST", "/lab/v1/clock/advance", map[string]string{"by": by.String()}, nil)
}

// Ready reports whether the lab answers /readyz with 200.
func (c *Client) Ready(ctx context.Context) error {
	return c.call(ctx, "GET", "/readyz", nil, nil)
}

// Snapshots lists a lab's saved snapshots (serve --state-dir).
func (c *Client) Snapshots(ctx context.Context) ([]labstate.SnapshotInfo, error) {
	var out struct {
		Snapshots []labstate.SnapshotInfo `json:"snapshots"`
	}
	err := c.call(ctx, "GET", "/lab/v1/snapshots", nil, &out)
	return out.Snapshots, err
}

// SaveSnapshot saves the lab's state as snapshot name.
func (c *Client) SaveSnapshot(ctx context.Context, name string) (labstate.SnapshotInfo, error) {
	var out labstate.SnapshotInfo
	err := c.call(ctx, "POST", "/lab/v1/snapshots", map[string]string{"name": name}, &out)
	return out, err
}

// Export writes the lab's state as one snapshot file to w.
func (c *Client) Export(ctx context.Context, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(c.URL, "/")+"/lab/v1/export", nil)
	if err != nil {
		return fmt.Errorf("lab client: %w", err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Minute}
	}
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("lab client: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return &APIError{Status: res.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	if _, err := io.Copy(w, io.LimitReader(res.Body, labstate.MaxJournal+64)); err != nil {
		return fmt.Errorf("lab client: export: %w", err)
	}
	return nil
}
