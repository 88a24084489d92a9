package devicesim_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestDevicesim(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "devicesim")
}
