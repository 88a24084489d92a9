package labcontainer

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/lab"
)

//go:embed Dockerfile
var dockerfile []byte

// Ports inside the container.
const (
	GraphPort = "8080/tcp"
	LDAPPort  = "3389/tcp"
	UIPort    = "8090/tcp"
)

// BuildBinary builds a static autopilotsim (CGO_ENABLED=0) from the module
// at moduleDir into dir: what the image holds.
func BuildBinary(ctx context.Context, moduleDir, dir string) (string, error) {
	out := filepath.Join(dir, "autopilotsim")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, "./cmd/autopilotsim")
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("labcontainer: build static binary: %w: %s", err, b)
	}
	return out, nil
}

// Options pick what the container runs.
type Options struct {
	Binary   string // a static autopilotsim (BuildBinary)
	Scenario string // the scenario file the lab serves
	// BuildLog receives the image build's output (nil: discarded).
	BuildLog io.Writer
	// Startup bounds the wait for /readyz (zero: 60 s).
	Startup time.Duration
}

// Container is a running lab.
type Container struct {
	c testcontainers.Container
}

// Start builds the image from the Dockerfile of this package and starts
// it; it returns once the image's health check (GET /readyz inside the
// container) reports healthy.
func Start(ctx context.Context, o Options) (*Container, error) {
	dir, err := imageContext(o)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if o.BuildLog == nil {
		o.BuildLog = io.Discard
	}
	if o.Startup <= 0 {
		o.Startup = 60 * time.Second
	}
	req := testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			FromDockerfile: testcontainers.FromDockerfile{Context: dir, Dockerfile: "Dockerfile", BuildLogWriter: o.BuildLog},
			ExposedPorts:   []string{GraphPort, LDAPPort, UIPort},
			// The image's HEALTHCHECK runs `autopilotsim lab health`
			// (GET /readyz) inside the container: waiting on Docker's
			// health status needs no route from here to the container.
			WaitingFor: wait.ForHealthCheck().WithStartupTimeout(o.Startup),
		},
		Started: true,
	}
	c, err := testcontainers.GenericContainer(ctx, req)
	if err != nil {
		if c != nil {
			_ = c.Terminate(ctx)
		}
		return nil, fmt.Errorf("labcontainer: %w", err)
	}
	return &Container{c: c}, nil
}

// imageContext writes the image's build context (the Dockerfile of this
// package, the binary, the scenario) into a new folder for the caller to
// remove.
func imageContext(o Options) (string, error) {
	if o.Binary == "" || o.Scenario == "" {
		return "", fmt.Errorf("labcontainer: Options.Binary and Options.Scenario are required")
	}
	dir, err := os.MkdirTemp("", "autopilotsim-lab-image-")
	if err != nil {
		return "", fmt.Errorf("labcontainer: %w", err)
	}
	for _, f := range []struct {
		from, to string
		mode     os.FileMode
	}{{o.Binary, "autopilotsim", 0o755}, {o.Scenario, "scenario.yaml", 0o644}} {
		b, err := os.ReadFile(f.from)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, f.to), b, f.mode)
		}
		if err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("labcontainer: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), dockerfile, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("labcontainer: %w", err)
	}
	return dir, nil
}

// RunCLI runs the image once as a batch job does: the entrypoint replaced
// by the binary with args (a Kubernetes Job's command and args), the host
// folders of binds (host path to container path) mounted, no network. It
// returns the exit code and what the command printed once it exits. The
// image's user (65532) must be able to write where args write.
func RunCLI(ctx context.Context, o Options, binds map[string]string, args ...string) (int, string, error) {
	dir, err := imageContext(o)
	if err != nil {
		return 0, "", err
	}
	defer os.RemoveAll(dir)
	if o.BuildLog == nil {
		o.BuildLog = io.Discard
	}
	var mounts []string
	for host, in := range binds {
		mounts = append(mounts, host+":"+in)
	}
	sort.Strings(mounts)
	req := testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			FromDockerfile: testcontainers.FromDockerfile{Context: dir, Dockerfile: "Dockerfile", BuildLogWriter: o.BuildLog},
			Entrypoint:     append([]string{"/autopilotsim"}, args...),
			HostConfigModifier: func(hc *container.HostConfig) {
				hc.Binds = mounts
				hc.NetworkMode = "none"
			},
			WaitingFor: wait.ForExit().WithExitTimeout(5 * time.Minute),
		},
		Started: true,
	}
	c, err := testcontainers.GenericContainer(ctx, req)
	if c != nil {
		defer func() { _ = c.Terminate(context.WithoutCancel(ctx)) }()
	}
	if err != nil {
		return 0, "", fmt.Errorf("labcontainer: %w", err)
	}
	st, err := c.State(ctx)
	if err != nil {
		return 0, "", fmt.Errorf("labcontainer: state: %w", err)
	}
	rc, err := c.Logs(ctx)
	if err != nil {
		return 0, "", fmt.Errorf("labcontainer: logs: %w", err)
	}
	defer rc.Close()
	out, err := io.ReadAll(rc)
	return st.ExitCode, string(out), err
}

// host is where mapped ports are reachable: loopback for a local engine
// (no DOCKER_HOST, or a unix socket), else what testcontainers says.
func (c *Container) host(ctx context.Context) (string, error) {
	dh := os.Getenv("DOCKER_HOST")
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" && (dh == "" || strings.HasPrefix(dh, "unix://")) {
		return "127.0.0.1", nil
	}
	return c.c.Host(ctx)
}

func (c *Container) endpoint(ctx context.Context, port string) (string, error) {
	h, err := c.host(ctx)
	if err != nil {
		return "", fmt.Errorf("labcontainer: host: %w", err)
	}
	p, err := c.c.MappedPort(ctx, port)
	if err != nil {
		return "", fmt.Errorf("labcontainer: port %s: %w", port, err)
	}
	return fmt.Sprintf("%s:%s", h, p.Port()), nil
}

// GraphURL is mockgraph's base URL from the host.
func (c *Container) GraphURL(ctx context.Context) (string, error) {
	hp, err := c.endpoint(ctx, GraphPort)
	return "http://" + hp, err
}

// LDAPAddr is the first domain's DC (host:port) from the host.
func (c *Container) LDAPAddr(ctx context.Context) (string, error) { return c.endpoint(ctx, LDAPPort) }

// ConsoleURL is the console's and control API's base URL from the host.
func (c *Container) ConsoleURL(ctx context.Context) (string, error) {
	hp, err := c.endpoint(ctx, UIPort)
	return "http://" + hp, err
}

// GraphToken gets an access token for the lab's admin app (client
// credentials) from the lab's token endpoint: good for Graph and for the
// control API.
func (c *Container) GraphToken(ctx context.Context) (string, error) {
	base, err := c.GraphURL(ctx)
	if err != nil {
		return "", err
	}
	tenant, err := c.tenant(ctx)
	if err != nil {
		return "", err
	}
	id, secret := harness.AdminApp()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret},
		"scope": {"https://graph.microsoft.com/.default"}}
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/"+tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("labcontainer: token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("labcontainer: token: %w", err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error_description"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&tok); err != nil || res.StatusCode != 200 {
		return "", fmt.Errorf("labcontainer: token: HTTP %d %s %v", res.StatusCode, tok.Error, err)
	}
	return tok.AccessToken, nil
}

// tenant is the lab's tenant id (the {tenant} of its token endpoint), read
// from the token endpoint serve prints.
func (c *Container) tenant(ctx context.Context) (string, error) {
	logs, err := c.Logs(ctx)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(logs, "\n") {
		if i := strings.Index(line, "/oauth2/v2.0/token"); i > 0 && strings.Contains(line, "POST ") {
			u := strings.Fields(line[strings.Index(line, "POST ")+5:])[0]
			parts := strings.Split(strings.TrimSuffix(u, "/oauth2/v2.0/token"), "/")
			return parts[len(parts)-1], nil
		}
	}
	return "", fmt.Errorf("labcontainer: the lab did not print its token endpoint")
}

// Control is a control API client for the lab, signed in with GraphToken
// (a new one after a 401: a jump ahead can expire a token).
func (c *Container) Control(ctx context.Context) (*lab.Client, error) {
	u, err := c.ConsoleURL(ctx)
	if err != nil {
		return nil, err
	}
	return &lab.Client{URL: u, TokenSource: c.GraphToken}, nil
}

// Logs returns what the lab printed (addresses, credentials, console key).
func (c *Container) Logs(ctx context.Context) (string, error) {
	rc, err := c.c.Logs(ctx)
	if err != nil {
		return "", fmt.Errorf("labcontainer: logs: %w", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
}

// Terminate stops and removes the container.
func (c *Container) Terminate(ctx context.Context) error { return c.c.Terminate(ctx) }
