package tlv_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestTLV(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "tlv")
}
