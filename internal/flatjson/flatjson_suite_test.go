package flatjson_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestFlatjson(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "flatjson")
}
