package check_test

import (
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/check"
)

const djFile = "deviceManagement/deviceConfigurations/domain-join-corp__c1000000-0000-4000-8000-000000000001.json"

// copyTree copies a fixture folder so a spec can edit it.
func copyTree(src, dst string) {
	Expect(filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		Expect(err).NotTo(HaveOccurred())
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		Expect(err).NotTo(HaveOccurred())
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})).To(Succeed())
}

var _ = Describe("checking Graph JSON folders", Ordered, func() {
	var head string
	BeforeAll(func() {
		head = filepath.Join(GinkgoT().TempDir(), "tenant")
		copyTree("testdata/tenant", head)
		p := filepath.Join(head, djFile)
		data, err := os.ReadFile(p)
		Expect(err).NotTo(HaveOccurred())
		edited := strings.Replace(string(data), `"OU=Autopilot,DC=corp,DC=contoso,DC=com"`, `"CN=Computers,DC=corp,DC=contoso,DC=com"`, 1)
		Expect(edited).NotTo(Equal(string(data)))
		Expect(os.WriteFile(p, []byte(edited), 0o644)).To(Succeed())
	})

	It("passes the fixture tenant against its environment", func() {
		rep, err := check.Run(check.Options{ConfigDir: "testdata/tenant", EnvFile: "testdata/env.yaml", Seed: 5})
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.BlockingFindings()).To(BeEmpty())
		Expect(rep.Blocking()).To(BeFalse())
		Expect(byKey(rep.Cohorts)["tag=HYB @office vpn=none"].Outcome).To(Equal("hybridJoined"))
	})

	It("blocks the OU change, at the line and column of the OU in the file", func() {
		rep, err := check.Run(check.Options{ConfigDir: head, BaseDir: "testdata/tenant", EnvFile: "testdata/env.yaml", Seed: 5})
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Blocking()).To(BeTrue())
		fs := findingsOf(rep.NewFindings, "APS001")
		Expect(fs).To(HaveLen(1))
		Expect(fs[0].File).To(Equal(djFile))
		Expect(fs[0].Pointer).To(Equal("/organizationalUnit"))
		lines := strings.Split(readFile(filepath.Join(head, djFile)), "\n")
		Expect(lines[fs[0].Line-1][fs[0].Col-1:]).To(HavePrefix(`"CN=Computers`))
		var regressed []string
		for _, c := range rep.Regressions() {
			regressed = append(regressed, c.Key)
		}
		Expect(regressed).To(ContainElement("tag=HYB @office vpn=none"))
	})

	It("reports unreadable input as invalid input", func() {
		_, err := check.Run(check.Options{ConfigDir: "testdata/nope", EnvFile: "testdata/env.yaml"})
		Expect(check.IsInvalidInput(err)).To(BeTrue())
		_, err = check.Run(check.Options{ConfigDir: "testdata/tenant", EnvFile: "testdata/nope.yaml"})
		Expect(check.IsInvalidInput(err)).To(BeTrue())
		_, err = check.Run(check.Options{ConfigDir: "testdata/tenant", EnvFile: "testdata/env.yaml", CohortFile: "testdata/env.yaml"})
		Expect(check.IsInvalidInput(err)).To(BeTrue())
	})
})

func readFile(p string) string {
	data, err := os.ReadFile(p)
	Expect(err).NotTo(HaveOccurred())
	return string(data)
}
