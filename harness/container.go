package harness

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// The container path: `autopilotsim serve` in a Docker container, so a lab
// or a CI job can run the mocks as a service next to other containers.
// The image is built FROM scratch around a static binary: the machines this
// project runs on reach no image registry (DEVELOPERS.md), so nothing may be
// pulled. Run with TESTCONTAINERS_RYUK_DISABLED=true for the same reason (the
// reaper image cannot be pulled); the Makefile exports it.

const (
	containerGraphPort = "8080/tcp"
	containerLDAPPort  = "3389/tcp"
	// readyLine is the last line `serve` prints once the lab is up.
	readyLine = "Ctrl+C stops the lab."
)

// Container is a running autopilotsim lab container.
type Container struct {
	c testcontainers.Container
}

// BuildStaticBinary compiles cmd/autopilotsim with CGO disabled into dir,
// from the module rooted at moduleDir, and returns the binary's path.
func BuildStaticBinary(ctx context.Context, moduleDir, dir string) (string, error) {
	out := filepath.Join(dir, "autopilotsim")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/autopilotsim")
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("harness: build static binary: %w: %s", err, b)
	}
	return out, nil
}

// StartContainer builds an image FROM scratch holding binary and scenario
// and starts `autopilotsim serve` in it; it returns once the lab is ready.
func StartContainer(ctx context.Context, binary, scenario string, buildLog io.Writer) (*Container, error) {
	dir, err := os.MkdirTemp("", "autopilotsim-image-")
	if err != nil {
		return nil, fmt.Errorf("harness: container: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := copyFile(binary, filepath.Join(dir, "autopilotsim"), 0o755); err != nil {
		return nil, err
	}
	if err := copyFile(scenario, filepath.Join(dir, "scenario.yaml"), 0o644); err != nil {
		return nil, err
	}
	dockerfile := `FROM scratch
COPY autopilotsim /autopilotsim
COPY scenario.yaml /scenario.yaml
EXPOSE 8080 3389
ENTRYPOINT ["/autopilotsim", "serve", "--scenario", "/scenario.yaml", "--graph", "0.0.0.0:8080", "--ldap", "0.0.0.0:3389"]
`
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return nil, fmt.Errorf("harness: container: %w", err)
	}
	if buildLog == nil {
		buildLog = io.Discard
	}
	req := testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			FromDockerfile: testcontainers.FromDockerfile{Context: dir, Dockerfile: "Dockerfile", BuildLogWriter: buildLog},
			ExposedPorts:   []string{containerGraphPort, containerLDAPPort},
			WaitingFor:     wait.ForLog(readyLine),
		},
		Started: true,
	}
	c, err := testcontainers.GenericContainer(ctx, req)
	if err != nil {
		if c != nil {
			_ = c.Terminate(ctx)
		}
		return nil, fmt.Errorf("harness: container: %w", err)
	}
	return &Container{c: c}, nil
}

// containerHost is where mapped ports are reachable. With a local engine
// (no DOCKER_HOST, or a unix socket) that is this machine's loopback: the
// address testcontainers derives from the default gateway is not one this
// project may dial (DEVELOPERS.md: tests send traffic to loopback only).
// TESTCONTAINERS_HOST_OVERRIDE or a tcp DOCKER_HOST are honoured as given.
func (c *Container) containerHost(ctx context.Context) (string, error) {
	dh := os.Getenv("DOCKER_HOST")
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" && (dh == "" || strings.HasPrefix(dh, "unix://")) {
		return "127.0.0.1", nil
	}
	return c.c.Host(ctx)
}

func (c *Container) endpoint(ctx context.Context, port string) (string, error) {
	host, err := c.containerHost(ctx)
	if err != nil {
		return "", fmt.Errorf("harness: container host: %w", err)
	}
	p, err := c.c.MappedPort(ctx, port)
	if err != nil {
		return "", fmt.Errorf("harness: container port %s: %w", port, err)
	}
	return fmt.Sprintf("%s:%s", host, p.Port()), nil
}

// GraphURL is mockgraph's base URL as seen from the host.
func (c *Container) GraphURL(ctx context.Context) (string, error) {
	hp, err := c.endpoint(ctx, containerGraphPort)
	if err != nil {
		return "", err
	}
	return "http://" + hp, nil
}

// LDAPAddr is the first domain's DC as seen from the host.
func (c *Container) LDAPAddr(ctx context.Context) (string, error) {
	return c.endpoint(ctx, containerLDAPPort)
}

// Logs returns what the container printed.
func (c *Container) Logs(ctx context.Context) (string, error) {
	rc, err := c.c.Logs(ctx)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
}

// Terminate stops and removes the container and its image.
func (c *Container) Terminate(ctx context.Context) error { return c.c.Terminate(ctx) }

func copyFile(from, to string, mode os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("harness: container: %w", err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		return fmt.Errorf("harness: container: %w", err)
	}
	return nil
}
