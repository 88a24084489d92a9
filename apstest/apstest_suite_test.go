package apstest_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestApstest(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "apstest")
}
