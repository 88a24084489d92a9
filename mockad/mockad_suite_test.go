package mockad_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestMockad(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "mockad")
}
