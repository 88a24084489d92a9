package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/check"
	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// The harness's admin app (harness/world.go), which the lab prints.
const (
	adminClientID = "00000000-0000-0000-0000-0000000a0001"
	adminSecret   = "autopilotsim-harness-secret"
)

// graphCall sends one authenticated request to the lab's mockgraph.
func graphCall(lab *harness.Lab, method, path string, body any) map[string]any {
	GinkgoHelper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {adminClientID}, "client_secret": {adminSecret},
		"scope": {"https://graph.microsoft.com/.default"}}
	resp, err := http.PostForm(lab.GraphURL()+"/"+lab.TenantID()+"/oauth2/v2.0/token", form)
	Expect(err).NotTo(HaveOccurred())
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	Expect(json.NewDecoder(resp.Body).Decode(&tok)).To(Succeed())
	resp.Body.Close()
	Expect(tok.AccessToken).NotTo(BeEmpty())

	var rd *bytes.Reader
	if body != nil {
		data, err := json.Marshal(body)
		Expect(err).NotTo(HaveOccurred())
		rd = bytes.NewReader(data)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, lab.GraphURL()+path, rd)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	Expect(resp.StatusCode).To(BeNumerically("<", 300), fmt.Sprintf("%s %s", method, path))
	out := map[string]any{}
	if resp.StatusCode != http.StatusNoContent {
		_ = json.NewDecoder(resp.Body).Decode(&out)
	}
	return out
}

var _ = Describe("end to end: export a lab's tenant, check it, change it through Graph, check again", Ordered, func() {
	var (
		lab     *harness.Lab
		env     scenarios.Environment
		dir     string
		first   string
		second  string
		baseRep *check.Report
	)
	export := func(out string) {
		GinkgoHelper()
		_, err := tenantconfig.Export(context.Background(), tenantconfig.ExportOptions{GraphURL: lab.GraphURL(), Tenant: lab.TenantID(),
			ClientID: adminClientID, ClientSecret: adminSecret, Out: out, UserAgent: "check-e2e"})
		Expect(err).NotTo(HaveOccurred())
	}
	run := func(cfgDir, baseDir string) *check.Report {
		GinkgoHelper()
		rep, err := check.Run(check.Options{ConfigDir: cfgDir, BaseDir: baseDir, Env: &env, EnvFile: "lab.yaml", Seed: 11})
		Expect(err).NotTo(HaveOccurred())
		return rep
	}

	BeforeAll(func() {
		sc, err := scenarios.Load(filepath.Join("testdata", "lab.yaml"))
		Expect(err).NotTo(HaveOccurred())
		env = sc.Environment
		lab, err = harness.Serve(sc, harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab.Close)
		dir = GinkgoT().TempDir()
		first, second = filepath.Join(dir, "first"), filepath.Join(dir, "second")
	})

	It("exports the tenant and the check passes", func() {
		export(first)
		baseRep = run(first, "")
		Expect(baseRep.BlockingFindings()).To(BeEmpty())
		Expect(baseRep.Blocking()).To(BeFalse())
		Expect(byKey(baseRep.Cohorts)["tag=SALES @office vpn=none"].Outcome).To(Equal("hybridJoined"))
		Expect(byKey(baseRep.Cohorts)["untagged @office vpn=none"].Outcome).To(Equal("hybridJoined"))
	})

	It("blocks after the Domain Join profile's OU becomes CN=Computers, naming the regressed cohorts and the finding", func() {
		list := graphCall(lab, "GET", "/beta/deviceManagement/deviceConfigurations", nil)
		var id string
		for _, v := range list["value"].([]any) {
			o := v.(map[string]any)
			if o["@odata.type"] == "#microsoft.graph.windowsDomainJoinConfiguration" {
				id = o["id"].(string)
			}
		}
		Expect(id).NotTo(BeEmpty())
		graphCall(lab, "PATCH", "/beta/deviceManagement/deviceConfigurations/"+id, map[string]any{
			"@odata.type":        "#microsoft.graph.windowsDomainJoinConfiguration",
			"organizationalUnit": "CN=Computers,DC=corp,DC=contoso,DC=com",
		})
		export(second)

		rep := run(second, first)
		Expect(rep.Blocking()).To(BeTrue())
		var regressed []string
		for _, c := range rep.Regressions() {
			regressed = append(regressed, c.Key)
		}
		Expect(regressed).To(ConsistOf("tag=SALES @office vpn=none", "untagged @office vpn=none"))
		fs := findingsOf(rep.NewFindings, "APS001")
		Expect(fs).To(HaveLen(1))
		Expect(fs[0].File).To(HavePrefix("deviceManagement/deviceConfigurations/"))
		Expect(fs[0].Line).To(BeNumerically(">", 0))

		var md bytes.Buffer
		Expect(check.WriteMarkdown(&md, rep)).To(Succeed())
		Expect(md.String()).To(ContainSubstring("devices tagged SALES at office"))
		Expect(md.String()).To(ContainSubstring("**APS001**"))
		Expect(strings.Count(md.String(), "🔴 regression")).To(Equal(2))
	})
})
