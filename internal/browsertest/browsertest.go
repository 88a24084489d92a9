// Package browsertest is what the specs that open pages in a real headless
// browser share: finding Debian's chromium (installed by `make tools`) and a
// folder for their screenshots. It is for Ginkgo specs only.
package browsertest

import (
	"os"
	"os/exec"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Chromium returns the path of a chromium (or Chrome) binary. CI must run
// the browser specs, so under CI=true a missing browser fails the spec;
// elsewhere it is skipped with how to install one.
func Chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		Fail("chromium is not installed in CI (make tools, which make test runs, installs it)")
	}
	Skip("chromium not installed: run `make tools` (or `make test`) to install it")
	return ""
}

// ScreenshotDir returns a function giving the folder for screenshots: the
// environment variable env when set, else a new temporary folder named
// after prefix (kept, so the PNGs can be looked at after the run).
func ScreenshotDir(env, prefix string) func() string {
	return sync.OnceValue(func() string {
		if d := os.Getenv(env); d != "" {
			Expect(os.MkdirAll(d, 0o755)).To(Succeed())
			return d
		}
		d, err := os.MkdirTemp("", prefix)
		Expect(err).NotTo(HaveOccurred())
		return d
	})
}
