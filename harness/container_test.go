package harness_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/testcontainers/testcontainers-go"

	"github.com/autopilotsim/autopilotsim/harness"
)

// dockerAvailable reports whether a Docker engine answers. Only on a user's
// machine without an engine may the container spec skip (DEVELOPERS.md);
// CI=true makes a missing engine a failure instead.
func dockerAvailable() (bool, string) {
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return false, err.Error()
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Health(ctx); err != nil {
		return false, err.Error()
	}
	return true, ""
}

var _ = Describe("the container path", Label("container"), func() {
	It("serves mockgraph and mockad from a FROM-scratch image (testcontainers-go)", func(ctx SpecContext) {
		if ok, why := dockerAvailable(); !ok {
			if strings.EqualFold(envOr("CI", ""), "true") {
				Fail("CI has no Docker engine: " + why)
			}
			Skip("no Docker engine on this machine: " + why)
		}
		bin, err := harness.BuildStaticBinary(ctx, "..", GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		c, err := harness.StartContainer(ctx, bin, "testdata/lab.yaml", GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(c.Terminate(ctx)).To(Succeed()) })

		graph, err := c.GraphURL(ctx)
		Expect(err).NotTo(HaveOccurred())
		logs, err := c.Logs(ctx)
		Expect(err).NotTo(HaveOccurred())
		tenant := tenantFromLogs(logs)
		Expect(tenant).NotTo(BeEmpty(), logs)

		// A client-credentials token from the mock, then a Graph call with it.
		resp, err := http.PostForm(graph+"/"+tenant+"/oauth2/v2.0/token", url.Values{
			"grant_type": {"client_credentials"}, "client_id": {"00000000-0000-0000-0000-0000000a0001"},
			"client_secret": {"autopilotsim-harness-secret"}, "scope": {"https://graph.microsoft.com/.default"},
		})
		Expect(err).NotTo(HaveOccurred())
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		Expect(json.NewDecoder(resp.Body).Decode(&tok)).To(Succeed())
		resp.Body.Close()
		req, _ := http.NewRequest("GET", graph+"/v1.0/groups", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err = http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(200), string(body))
		Expect(string(body)).To(ContainSubstring("Autopilot devices"))

		// The DC answers the rootDSE over real LDAP.
		ldapAddr, err := c.LDAPAddr(ctx)
		Expect(err).NotTo(HaveOccurred())
		lc, err := ldap.DialURL("ldap://" + ldapAddr)
		Expect(err).NotTo(HaveOccurred())
		defer lc.Close()
		sr, err := lc.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=*)", []string{"defaultNamingContext"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(1))
		Expect(sr.Entries[0].GetAttributeValue("defaultNamingContext")).To(Equal("DC=corp,DC=contoso,DC=com"))
	}, SpecTimeout(8*time.Minute))
})

func tenantFromLogs(logs string) string {
	for _, line := range strings.Split(logs, "\n") {
		if i := strings.Index(line, "POST "); i >= 0 && strings.Contains(line, "/oauth2/v2.0/token") {
			u := strings.Fields(line[i+5:])[0]
			parts := strings.Split(u, "/")
			if len(parts) >= 4 {
				return parts[3]
			}
		}
	}
	return ""
}
