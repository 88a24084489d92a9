package lab_test

import (
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestLab(t *testing.T) {
	RegisterFailHandler(Fail)
	// The lab's clock runs on its own goroutine; under -race on a shared
	// machine a state change can take longer than Gomega's 1 s default.
	SetDefaultEventuallyTimeout(15 * time.Second)
	RunSpecs(t, "lab")
}
