package graphsdk_test

import (
	"fmt"
	"net/http"

	"github.com/microsoftgraph/msgraph-sdk-go/devicemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("device configurations (graph-api.md §7)", func() {
	Describe("a v1.0 derived type through the v1.0 SDK", Ordered, func() {
		var id, groupID string

		BeforeAll(func(ctx SpecContext) {
			g, err := sdk.Groups().Post(ctx, newSecurityGroup("conf config target"), nil)
			Expect(err).NotTo(HaveOccurred())
			groupID = *g.GetId()
			DeferCleanup(func(ctx SpecContext) {
				Expect(sdk.Groups().ByGroupId(groupID).Delete(ctx, nil)).To(Succeed())
			})
		})

		It("is created with POST → 201 and decodes as the derived type", func(ctx SpecContext) {
			c := models.NewWindows10GeneralConfiguration()
			c.SetDisplayName(ptr("conf general"))
			c.SetDescription(ptr("created by the SDK"))
			c.SetPasswordRequired(ptr(true))
			got, err := sdk.DeviceManagement().DeviceConfigurations().Post(ctx, c, nil)
			Expect(err).NotTo(HaveOccurred())
			w, ok := got.(models.Windows10GeneralConfigurationable)
			Expect(ok).To(BeTrue(), "decoded as %T", got)
			Expect(w.GetPasswordRequired()).To(HaveValue(BeTrue()))
			Expect(w.GetId()).To(HaveValue(Not(BeEmpty())))
			Expect(w.GetCreatedDateTime()).NotTo(BeNil())
			Expect(w.GetVersion()).NotTo(BeNil())
			id = *w.GetId()
		})

		It("is listed and read back as the derived type", func(ctx SpecContext) {
			resp, err := sdk.DeviceManagement().DeviceConfigurations().Get(ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			var found bool
			for _, c := range resp.GetValue() {
				if *c.GetId() == id {
					_, found = c.(models.Windows10GeneralConfigurationable)
				}
			}
			Expect(found).To(BeTrue(), "config %s not listed as windows10GeneralConfiguration", id)

			got, err := sdk.DeviceManagement().DeviceConfigurations().ByDeviceConfigurationId(id).Get(ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(BeAssignableToTypeOf(models.NewWindows10GeneralConfiguration()))
		})

		It("is updated with PATCH", func(ctx SpecContext) {
			p := models.NewWindows10GeneralConfiguration()
			p.SetDescription(ptr("patched"))
			_, err := sdk.DeviceManagement().DeviceConfigurations().ByDeviceConfigurationId(id).Patch(ctx, p, nil)
			Expect(err).NotTo(HaveOccurred())
			got, err := sdk.DeviceManagement().DeviceConfigurations().ByDeviceConfigurationId(id).Get(ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.GetDescription()).To(HaveValue(Equal("patched")))
		})

		It("is assigned with the assign action → 200 {value:[…]} with a polymorphic target", func(ctx SpecContext) {
			t := models.NewGroupAssignmentTarget()
			t.SetGroupId(ptr(groupID))
			a := models.NewDeviceConfigurationAssignment()
			a.SetTarget(t)
			body := devicemanagement.NewDeviceConfigurationsItemAssignPostRequestBody()
			body.SetAssignments([]models.DeviceConfigurationAssignmentable{a})
			resp, err := sdk.DeviceManagement().DeviceConfigurations().ByDeviceConfigurationId(id).Assign().PostAsAssignPostResponse(ctx, body, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.GetValue()).To(HaveLen(1))
			target, ok := resp.GetValue()[0].GetTarget().(models.GroupAssignmentTargetable)
			Expect(ok).To(BeTrue(), "target decoded as %T", resp.GetValue()[0].GetTarget())
			Expect(target.GetGroupId()).To(HaveValue(Equal(groupID)))

			list, err := sdk.DeviceManagement().DeviceConfigurations().ByDeviceConfigurationId(id).Assignments().Get(ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(list.GetValue()).To(HaveLen(1))
			Expect(list.GetValue()[0].GetTarget()).To(BeAssignableToTypeOf(models.NewGroupAssignmentTarget()))
		})

		It("is deleted → 204, then GET is a 404 ODataError", func(ctx SpecContext) {
			Expect(sdk.DeviceManagement().DeviceConfigurations().ByDeviceConfigurationId(id).Delete(ctx, nil)).To(Succeed())
			_, err := sdk.DeviceManagement().DeviceConfigurations().ByDeviceConfigurationId(id).Get(ctx, nil)
			expectODataError(err, http.StatusNotFound, "ResourceNotFound")
		})
	})

	It("decodes a windowsDomainJoinConfiguration (absent from the v1.0 SDK) as the base type without error", func(ctx SpecContext) {
		// The v1.0 SDK at <mock>/beta: the lab's Domain Join profile comes
		// back with a discriminator the v1.0 models do not know (§7, §13).
		resp, err := sdkAtBeta.DeviceManagement().DeviceConfigurations().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		var dj models.DeviceConfigurationable
		for _, c := range resp.GetValue() {
			if c.GetOdataType() != nil && *c.GetOdataType() == "#microsoft.graph.windowsDomainJoinConfiguration" {
				dj = c
			}
		}
		Expect(dj).NotTo(BeNil(), "the lab's Domain Join profile is not listed on /beta")
		Expect(dj).To(BeAssignableToTypeOf(models.NewDeviceConfiguration()))
		Expect(dj.GetDisplayName()).To(HaveValue(Equal("Corp domain join")))
		Expect(dj.GetAdditionalData()).To(HaveKey("activeDirectoryDomainName"))
		Expect(additionalString(dj.GetAdditionalData(), "activeDirectoryDomainName")).To(Equal("corp.contoso.com"))
	})

	It("refuses a windowsDomainJoinConfiguration on v1.0 with 400 BadRequest", func(ctx SpecContext) {
		c := models.NewDeviceConfiguration()
		c.SetOdataType(ptr("#microsoft.graph.windowsDomainJoinConfiguration"))
		c.SetDisplayName(ptr("conf v1 domain join"))
		c.SetAdditionalData(map[string]any{"activeDirectoryDomainName": "corp.contoso.com"})
		_, err := sdk.DeviceManagement().DeviceConfigurations().Post(ctx, c, nil)
		expectODataError(err, http.StatusBadRequest, "BadRequest")
	})
})

var _ = Describe("enrollment configurations (graph-api.md §8)", func() {
	It("lists the tenant's default ESP as a windows10EnrollmentCompletionPageConfiguration", func(ctx SpecContext) {
		resp, err := sdk.DeviceManagement().DeviceEnrollmentConfigurations().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		var esp models.Windows10EnrollmentCompletionPageConfigurationable
		for _, c := range resp.GetValue() {
			if e, ok := c.(models.Windows10EnrollmentCompletionPageConfigurationable); ok && *e.GetPriority() == 0 {
				esp = e
			}
		}
		Expect(esp).NotTo(BeNil(), "no default ESP (priority 0) among %d configurations", len(resp.GetValue()))
		Expect(esp.GetId()).To(HaveValue(HaveSuffix("_DefaultWindows10EnrollmentCompletionPageConfiguration")))
		Expect(esp.GetCreatedDateTime()).NotTo(BeNil(), "0001-01-01T00:00:00Z must decode (S10)")
	})
})

// additionalString reads a string the SDK parked in AdditionalData (the
// JSON parse node stores untyped strings as *string).
func additionalString(m map[string]any, key string) string {
	GinkgoHelper()
	switch v := m[key].(type) {
	case *string:
		Expect(v).NotTo(BeNil(), "%s is null", key)
		return *v
	case string:
		return v
	default:
		Fail(fmt.Sprintf("AdditionalData[%q] is %T, not a string", key, m[key]))
		return ""
	}
}
