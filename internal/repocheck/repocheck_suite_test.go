package repocheck_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestRepocheck(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "repocheck")
}
