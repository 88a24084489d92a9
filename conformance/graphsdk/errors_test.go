package graphsdk_test

import (
	"context"
	"net/http"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("tokens (graph-api.md §2)", func() {
	It("issues a Bearer token for the client-credentials grant, which the SDK then uses", func(ctx SpecContext) {
		Expect(adminToken).NotTo(BeEmpty())
		resp, err := sdk.Groups().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).NotTo(BeEmpty())
	})

	It("refuses a wrong client secret", func(ctx SpecContext) {
		_, err := fetchToken(ctx, graphURL, tenantID, adminClientID, "wrong-secret")
		Expect(err).To(MatchError(ContainSubstring("invalid_client")))
	})

	It("answers a request with a bad token with 401 InvalidAuthenticationToken as an ODataError", func(ctx SpecContext) {
		bad, err := newSDK(graphURL+"/v1.0", "not-a-token")
		Expect(err).NotTo(HaveOccurred())
		_, err = bad.Groups().Get(ctx, nil)
		expectODataError(err, http.StatusUnauthorized, "InvalidAuthenticationToken")
	})
})

// Every non-2xx answer must deserialise as odataerrors.ODataError with the
// status, a code and a message (graph-api.md §1.3, §13, addendum).
var _ = DescribeTable("error shapes through the SDK",
	func(ctx SpecContext, call func(context.Context) error, status int, code string) {
		expectODataError(call(ctx), status, code)
	},
	Entry("400 directory: a group without mailNickname", func(ctx context.Context) error {
		g := newSecurityGroup("conf no nickname")
		g.SetMailNickname(nil)
		_, err := sdk.Groups().Post(ctx, g, nil)
		return err
	}, http.StatusBadRequest, "Request_BadRequest"),
	Entry("400 directory: $top above 999", func(ctx context.Context) error {
		_, err := sdk.Groups().Get(ctx, groupsTop(1000))
		return err
	}, http.StatusBadRequest, "Request_UnsupportedQuery"),
	Entry("400 Intune: a deviceConfiguration without a derived @odata.type", func(ctx context.Context) error {
		c := models.NewDeviceConfiguration()
		c.SetDisplayName(ptr("conf abstract"))
		_, err := sdk.DeviceManagement().DeviceConfigurations().Post(ctx, c, nil)
		return err
	}, http.StatusBadRequest, "BadRequest"),
	Entry("403 directory: a read-only app creates a group", func(ctx context.Context) error {
		_, err := reader.Groups().Post(ctx, newSecurityGroup("conf reader group"), nil)
		return err
	}, http.StatusForbidden, "Authorization_RequestDenied"),
	Entry("403 Intune: an app without Intune roles lists Autopilot devices", func(ctx context.Context) error {
		_, err := reader.DeviceManagement().WindowsAutopilotDeviceIdentities().Get(ctx, nil)
		return err
	}, http.StatusForbidden, "Forbidden"),
	Entry("404 directory: an unknown group", func(ctx context.Context) error {
		_, err := sdk.Groups().ByGroupId("00000000-0000-0000-0000-000000000404").Get(ctx, nil)
		return err
	}, http.StatusNotFound, "Request_ResourceNotFound"),
	Entry("404 Intune: an unknown imported device", func(ctx context.Context) error {
		_, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().ByImportedWindowsAutopilotDeviceIdentityId("00000000-0000-0000-0000-000000000404").Get(ctx, nil)
		return err
	}, http.StatusNotFound, "ResourceNotFound"),
)

var _ = It("lets a read-only app read what its roles allow (control for the 403 entries)", func(ctx SpecContext) {
	resp, err := reader.Groups().Get(ctx, nil)
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.GetValue()).NotTo(BeEmpty())
})
