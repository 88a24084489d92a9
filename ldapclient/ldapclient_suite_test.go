package ldapclient_test

import (
	"log"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestLdapclient(t *testing.T) {
	RegisterFailHandler(Fail)
	// glauth's server logs through the standard logger; keep it with the
	// spec output.
	log.SetOutput(GinkgoWriter)
	RunSpecs(t, "ldapclient")
}
