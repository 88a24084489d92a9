package harness_test

import (
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestHarness(t *testing.T) {
	// testcontainers' reaper (Ryuk) is an image pulled from Docker Hub,
	// which our machines and CI cannot reach; the container spec cleans up
	// after itself. The Makefile exports this too; setting it here makes a
	// plain `go test ./harness/` behave the same. testcontainers reads its
	// configuration once, on first use, after this point.
	if _, set := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !set {
		t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "harness")
}
