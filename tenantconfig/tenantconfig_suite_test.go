package tenantconfig_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestTenantconfig(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "tenantconfig")
}
