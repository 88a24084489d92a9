//go:build container

package labcontainer_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/testcontainers/testcontainers-go"

	"github.com/autopilotsim/autopilotsim/labcontainer"
)

// dockerAvailable reports whether a Docker engine answers; without one the
// spec skips on a user's machine and fails under CI=true.
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

// requireDocker skips the spec without a Docker engine on a user's
// machine, and fails it under CI=true.
func requireDocker() {
	if ok, why := dockerAvailable(); !ok {
		if strings.EqualFold(os.Getenv("CI"), "true") {
			Fail("CI has no Docker engine: " + why)
		}
		Skip("no Docker engine on this machine: " + why)
	}
}

var _ = Describe("a lab in a container", Label("container"), func() {
	It("builds the FROM-scratch image, waits for /readyz, and gives Graph, LDAP and the control API", func(ctx SpecContext) {
		requireDocker()
		bin, err := labcontainer.BuildBinary(ctx, "..", GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		c, err := labcontainer.Start(ctx, labcontainer.Options{Binary: bin, Scenario: "../harness/testdata/lab.yaml", BuildLog: GinkgoWriter})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(c.Terminate(ctx)).To(Succeed()) })

		tok, err := c.GraphToken(ctx)
		Expect(err).NotTo(HaveOccurred())
		g, err := c.GraphURL(ctx)
		Expect(err).NotTo(HaveOccurred())
		req, _ := http.NewRequestWithContext(ctx, "GET", g+"/v1.0/groups", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		res.Body.Close()
		Expect(res.StatusCode).To(Equal(200))

		addr, err := c.LDAPAddr(ctx)
		Expect(err).NotTo(HaveOccurred())
		conn, err := ldap.DialURL("ldap://" + addr)
		Expect(err).NotTo(HaveOccurred())
		defer conn.Close()
		Expect(conn.Bind("CORP\\alice", "Passw0rd!")).To(Succeed())

		api, err := c.Control(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(api.Pause(ctx)).To(Succeed())
		Expect(api.PowerOn(ctx, "LAB0001")).To(Succeed())
		Expect(api.Advance(ctx, 2*time.Hour)).To(Succeed())
		Eventually(func(g Gomega) {
			st, err := api.State(ctx)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(st.Devices[0].Outcome).To(Equal("hybridJoined"))
		}).Should(Succeed())
	}, SpecTimeout(3*time.Minute))
})
