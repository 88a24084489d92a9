package strpack_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestStrpack(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "strpack")
}
