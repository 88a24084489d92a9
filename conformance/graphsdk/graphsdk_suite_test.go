package graphsdk_test

import (
	"context"
	"testing"
	"time"

	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

func TestGraphSDK(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "msgraph-sdk-go conformance against mockgraph")
}

// The admin app every lab registers (harness/world.go harnessApp).
const (
	adminClientID = "00000000-0000-0000-0000-0000000a0001"
	adminSecret   = "autopilotsim-harness-secret"
)

// A second app with read-only directory roles and no Intune roles, added to
// the lab so the specs can provoke 403s (graph-api.md §3).
const (
	readerClientID = "00000000-0000-0000-0000-0000000c0f01"
	readerSecret   = "conformance-reader-secret"
)

// Wall-clock delays the lab runs with. The lab's clock follows the wall
// clock at Speed 1, so the scenario's minute-scale defaults are shortened
// to keep the suite fast; the specs wait with Eventually, never sleep.
const (
	importDelay     = 2 * time.Second
	groupEvalDelay  = 1 * time.Second
	profileDelay    = 2 * time.Second
	eventualTimeout = 30 * time.Second
)

var (
	lab      *harness.Lab
	graphURL string
	tenantID string

	adminToken  string
	readerToken string

	// sdk is the v1.0 SDK at <mock>/v1.0 — the way a real v1.0 client runs.
	sdk *msgraphsdk.GraphServiceClient
	// sdkAtBeta is the same v1.0 SDK pointed at <mock>/beta: the paths are
	// identical, and it shows how the v1.0 models decode beta-only derived
	// types (they fall back to the base type, graph-api.md §1.1).
	sdkAtBeta *msgraphsdk.GraphServiceClient
	// reader is the v1.0 SDK signed in as the read-only app.
	reader *msgraphsdk.GraphServiceClient
	// beta sends raw requests to <mock>/beta (no beta SDK, see README.md).
	beta *rawClient
)

var _ = BeforeSuite(func(ctx SpecContext) {
	sc, err := scenarios.Load("../../harness/testdata/lab.yaml")
	Expect(err).NotTo(HaveOccurred())
	sc.Timings.ImportProcessing = scenarios.Duration(importDelay)
	sc.Timings.GroupEvaluation = scenarios.Duration(groupEvalDelay)
	sc.Timings.ProfileAssignment = scenarios.Duration(profileDelay)
	sc.Tenant.Apps = append(sc.Tenant.Apps, scenarios.AppRegistration{
		Name: "conformance-reader", ClientID: readerClientID, ClientSecret: readerSecret,
		Roles: []string{"Group.Read.All", "Device.Read.All"},
	})

	lab, err = harness.Serve(sc, harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(lab.Close)
	graphURL, tenantID = lab.GraphURL(), lab.TenantID()
	GinkgoWriter.Printf("lab: graph %s tenant %s\n", graphURL, tenantID)

	adminToken, err = fetchToken(ctx, graphURL, tenantID, adminClientID, adminSecret)
	Expect(err).NotTo(HaveOccurred())
	readerToken, err = fetchToken(ctx, graphURL, tenantID, readerClientID, readerSecret)
	Expect(err).NotTo(HaveOccurred())

	sdk, err = newSDK(graphURL+"/v1.0", adminToken)
	Expect(err).NotTo(HaveOccurred())
	sdkAtBeta, err = newSDK(graphURL+"/beta", adminToken)
	Expect(err).NotTo(HaveOccurred())
	reader, err = newSDK(graphURL+"/v1.0", readerToken)
	Expect(err).NotTo(HaveOccurred())
	beta = &rawClient{base: graphURL + "/beta", token: adminToken}
}, NodeTimeout(2*time.Minute))

// bg is the context for SDK calls made inside Eventually polls.
func bg() context.Context { return context.Background() }
