//go:build container

package labcontainer_test

import (
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestLabcontainer(t *testing.T) {
	// testcontainers' reaper (Ryuk) is an image pulled from Docker Hub,
	// which our machines and CI cannot reach; the spec removes its container
	// itself. The Makefile exports this too; setting it here makes a plain
	// `go test ./labcontainer/` behave the same.
	if _, set := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !set {
		t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "labcontainer")
}
