package labstate_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestLabstate(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "labstate")
}
