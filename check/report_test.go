package check_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/check"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

func checkRun(head, base *tenantconfig.Config, mod func(*check.Options)) *check.Report {
	env := goodEnv()
	o := check.Options{ConfigDir: "tenant", Config: head, Base: base, Env: &env, EnvFile: "env.yaml", Seed: 3, Translate: tenantconfig.Translate}
	if base != nil {
		o.BaseDir = "tenant-base"
	}
	if mod != nil {
		mod(&o)
	}
	rep, err := check.Run(o)
	Expect(err).NotTo(HaveOccurred())
	return rep
}

// containerOU is the change of the issue: the Domain Join profile's OU
// becomes the CN=Computers container.
func containerOU() *tenantconfig.Config {
	cfg := goodConfig()
	cfg.DomainJoinProfiles[0].OU = "CN=Computers," + corpDN
	return cfg
}

var _ = Describe("checking a change against its base", Ordered, func() {
	var clean, changed *check.Report
	BeforeAll(func() {
		clean = checkRun(goodConfig(), nil, nil)
		changed = checkRun(containerOU(), goodConfig(), nil)
	})

	It("does not block the healthy configuration", func() {
		Expect(clean.Blocking()).To(BeFalse())
		Expect(clean.HasBase).To(BeFalse())
	})

	It("blocks the change, names the regressed cohorts and the new finding", func() {
		Expect(changed.Blocking()).To(BeTrue())
		var keys []string
		for _, c := range changed.Regressions() {
			keys = append(keys, c.Key)
			Expect(c.Base.Outcome).To(Equal("hybridJoined"))
			Expect(c.Head.Outcome).NotTo(Equal("hybridJoined"))
		}
		Expect(keys).To(ContainElements("tag=SALES @office vpn=none", "untagged @office vpn=none", "untagged @home vpn=deviceTunnel"))
		Expect(findingsOf(changed.NewFindings, "APS001")).To(HaveLen(1))
		Expect(changed.Fixes()).To(BeEmpty())
	})

	It("gives the HTML report a run: one scenario per cohort, a regression as its failed expectation", func() {
		run := changed.Run()
		Expect(run.Scenarios).To(HaveLen(len(changed.Cohorts)))
		byName := map[string]bool{}
		for _, sc := range run.Scenarios {
			Expect(sc.Devices).To(HaveLen(1), sc.Name)
			byName[sc.Name] = sc.Passed
		}
		for _, c := range changed.Regressions() {
			Expect(byName).To(HaveKeyWithValue("cohort "+c.Key, false))
		}
		Expect(run.Summary.ExpectationsFailed).To(Equal(len(changed.Regressions())))
		Expect(clean.Run().Summary.Expectations).To(BeZero(), "without a base no cohort carries an expectation")
	})

	It("blocks on a regression alone, even when no finding reaches --fail-on", func() {
		r := *changed
		r.Findings = nil
		Expect(r.Blocking()).To(BeTrue())
	})

	It("blocks on a note only with --fail-on note", func() {
		cfg := goodConfig()
		cfg.DeploymentProfiles[0].ConvertAllTargeted = true // APS031, a note
		Expect(checkRun(cfg, nil, nil).Blocking()).To(BeFalse())
		Expect(checkRun(cfg, nil, func(o *check.Options) { o.FailOn = check.SeverityNote }).Blocking()).To(BeTrue())
	})

	It("writes SARIF 2.1.0 with the required members, relative paths and rule help", func() {
		var buf bytes.Buffer
		Expect(check.WriteSARIF(&buf, changed)).To(Succeed())
		var log map[string]any
		Expect(json.Unmarshal(buf.Bytes(), &log)).To(Succeed())
		Expect(log["version"]).To(Equal("2.1.0"))
		runs := log["runs"].([]any)
		Expect(runs).To(HaveLen(1))
		run := runs[0].(map[string]any)
		driver := run["tool"].(map[string]any)["driver"].(map[string]any)
		Expect(driver["name"]).NotTo(BeEmpty())
		rules := driver["rules"].([]any)
		Expect(len(rules)).To(Equal(len(check.Rules())))
		for _, r := range rules {
			rm := r.(map[string]any)
			Expect(rm["id"]).NotTo(BeEmpty())
			Expect(rm["helpUri"]).To(HavePrefix("https://learn.microsoft.com/"))
		}
		results := run["results"].([]any)
		Expect(results).NotTo(BeEmpty())
		found := false
		for _, r := range results {
			rm := r.(map[string]any)
			Expect(rm["message"].(map[string]any)["text"]).NotTo(BeEmpty())
			Expect(rm["level"]).To(BeElementOf("error", "warning", "note"))
			idx := int(rm["ruleIndex"].(float64))
			Expect(rules[idx].(map[string]any)["id"]).To(Equal(rm["ruleId"]))
			if rm["ruleId"] == "APS001" {
				found = true
				phys := rm["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
				Expect(phys["artifactLocation"].(map[string]any)["uri"]).To(Equal("tenant/domainJoin/corp.json"))
				Expect(phys["region"].(map[string]any)["startLine"]).To(BeNumerically("==", 2))
			}
		}
		Expect(found).To(BeTrue())
	})

	It("writes JUnit XML with a failing case per regression and per blocking rule", func() {
		var buf bytes.Buffer
		Expect(check.WriteJUnit(&buf, changed)).To(Succeed())
		var suites struct {
			Suites []struct {
				Name     string `xml:"name,attr"`
				Failures int    `xml:"failures,attr"`
				Cases    []struct {
					Name    string    `xml:"name,attr"`
					Failure *struct{} `xml:"failure"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		Expect(xml.Unmarshal(buf.Bytes(), &suites)).To(Succeed())
		Expect(suites.Suites).To(HaveLen(2))
		Expect(suites.Suites[0].Failures).To(BeNumerically(">=", 1))
		Expect(suites.Suites[1].Failures).To(Equal(len(changed.Regressions())))
	})

	It("writes JSON with the verdict", func() {
		var buf bytes.Buffer
		Expect(check.WriteJSON(&buf, changed)).To(Succeed())
		var got map[string]any
		Expect(json.Unmarshal(buf.Bytes(), &got)).To(Succeed())
		Expect(got["blocking"]).To(BeTrue())
		Expect(got["changes"]).NotTo(BeEmpty())
	})

	It("writes a short Markdown summary: verdict, who is affected, the finding, what to do", func() {
		var buf bytes.Buffer
		Expect(check.WriteMarkdown(&buf, changed)).To(Succeed())
		md := buf.String()
		Expect(md).To(ContainSubstring("blocking"))
		Expect(md).To(ContainSubstring("regression"))
		Expect(md).To(ContainSubstring("devices tagged SALES at office"))
		Expect(md).To(ContainSubstring("**APS001**"))
		Expect(md).To(ContainSubstring("### What to do"))
		Expect(strings.Count(md, "\n")).To(BeNumerically("<", 80))
	})

	It("writes every format to the output folder", func() {
		dir := GinkgoT().TempDir()
		formats, err := check.ParseFormats("sarif,junit,json,md")
		Expect(err).NotTo(HaveOccurred())
		paths, err := check.WriteAll(changed, dir, formats)
		Expect(err).NotTo(HaveOccurred())
		Expect(paths).To(HaveLen(4))
		for _, p := range paths {
			info, err := os.Stat(p)
			Expect(err).NotTo(HaveOccurred())
			Expect(info.Size()).To(BeNumerically(">", 0), filepath.Base(p))
		}
	})

	It("refuses unknown formats and severities as invalid input", func() {
		_, err := check.ParseFormats("sarif,html")
		Expect(check.IsInvalidInput(err)).To(BeTrue())
		_, err = check.ParseSeverity("fatal")
		Expect(check.IsInvalidInput(err)).To(BeTrue())
		env := goodEnv()
		_, err = check.Run(check.Options{Env: &env, Translate: tenantconfig.Translate})
		Expect(check.IsInvalidInput(err)).To(BeTrue())
	})
})

var _ = Describe("cohort files", func() {
	env := goodEnv()
	It("replace the derived cohorts", func() {
		cs, err := check.ParseCohorts("cohorts.yaml", []byte("cohorts:\n  - groupTag: SALES\n    location: home\n    vpn: deviceTunnel\n  - location: office\n"), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(cs).To(HaveLen(2))
		Expect(cs[0].Key()).To(Equal("tag=SALES @home vpn=deviceTunnel"))
		Expect(cs[1].Key()).To(Equal("untagged @office vpn=none"))
		Expect(cs[0].Line).To(Equal(2))
	})

	DescribeTable("report problems at file:line:col",
		func(text, want string) {
			_, err := check.ParseCohorts("cohorts.yaml", []byte(text), env)
			Expect(check.IsInvalidInput(err)).To(BeTrue())
			Expect(err.Error()).To(ContainSubstring(want))
		},
		Entry("empty", "", "cohorts.yaml:1:1: empty file"),
		Entry("not a mapping", "- a\n", "cohorts.yaml:1:1: want a mapping"),
		Entry("unknown key", "cohort: []\n", `cohorts.yaml:1:1: unknown key "cohort"`),
		Entry("unknown location", "cohorts:\n  - location: moon\n", `cohorts.yaml:2:15: location "moon" is not a network`),
		Entry("bad VPN", "cohorts:\n  - location: home\n    vpn: ipsec\n", `cohorts.yaml:3:10: vpn "ipsec"`),
		Entry("duplicate", "cohorts:\n  - location: home\n  - location: home\n", "listed twice (first at line 2)"),
		Entry("syntax", "cohorts: [\n", "cohorts.yaml:"),
		Entry("missing location", "cohorts:\n  - groupTag: X\n", "missing location"),
	)

	It("drive a run, and the VPN rule reads them", func() {
		dir := GinkgoT().TempDir()
		p := filepath.Join(dir, "cohorts.yaml")
		Expect(os.WriteFile(p, []byte("cohorts:\n  - groupTag: SALES\n    location: home\n    vpn: userTunnel\n"), 0o644)).To(Succeed())
		rep := checkRun(goodConfig(), nil, func(o *check.Options) { o.CohortFile = p })
		Expect(rep.Cohorts).To(HaveLen(1))
		Expect(rep.Cohorts[0].Cohort.Serial).To(Equal("SN0001"))
		Expect(rep.Cohorts[0].Outcome).To(Equal("failed"))
		Expect(findingsOf(rep.Findings, "APS015")).To(HaveLen(1))
	})
})

var _ = Describe("reports", func() {
	It("are byte-identical whatever the parallelism", func() {
		var one, two bytes.Buffer
		Expect(check.WriteJSON(&one, checkRun(containerOU(), goodConfig(), func(o *check.Options) { o.Parallel = 1 }))).To(Succeed())
		Expect(check.WriteJSON(&two, checkRun(containerOU(), goodConfig(), func(o *check.Options) { o.Parallel = 4 }))).To(Succeed())
		Expect(two.String()).To(Equal(one.String()))
	})
})
