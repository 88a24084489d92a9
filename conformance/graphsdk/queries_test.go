package graphsdk_test

import (
	"net/http"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/devicemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// More query shapes the SDK offers on the resources above.

var _ = Describe("query options beyond $filter/$top (graph-api.md §1.2)", func() {
	It("pages an Intune collection with $top and the PageIterator (§1.2: opaque nextLink)", func(ctx SpecContext) {
		all, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(all.GetOdataNextLink()).To(BeNil(), "one page by default (page size 1000, S7 #3693)")

		resp, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().Get(ctx, &devicemanagement.WindowsAutopilotDeviceIdentitiesRequestBuilderGetRequestConfiguration{
			QueryParameters: &devicemanagement.WindowsAutopilotDeviceIdentitiesRequestBuilderGetQueryParameters{Top: ptr(int32(1))},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).To(HaveLen(1))
		it, err := msgraphcore.NewPageIterator[models.WindowsAutopilotDeviceIdentityable](resp, sdk.GetAdapter(),
			models.CreateWindowsAutopilotDeviceIdentityCollectionResponseFromDiscriminatorValue)
		Expect(err).NotTo(HaveOccurred())
		var seen []string
		Expect(it.Iterate(ctx, func(d models.WindowsAutopilotDeviceIdentityable) bool {
			seen = append(seen, *d.GetId())
			return true
		})).To(Succeed())
		// Specs run serially, so a fresh full list is the expected set.
		again, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		var want []string
		for _, d := range again.GetValue() {
			want = append(want, *d.GetId())
		}
		Expect(seen).To(ConsistOf(want))
	})

	It("sorts groups with $orderby, ConsistencyLevel: eventual and $count=true", func(ctx SpecContext) {
		h := abstractions.NewRequestHeaders()
		h.Add("ConsistencyLevel", "eventual")
		resp, err := sdk.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
			Headers: h,
			QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{
				Orderby: []string{"displayName desc"},
				Count:   ptr(true),
			},
		})
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, g := range resp.GetValue() {
			names = append(names, *g.GetDisplayName())
		}
		Expect(len(names)).To(BeNumerically(">=", 1))
		for i := 1; i < len(names); i++ {
			Expect(names[i-1] >= names[i]).To(BeTrue(), "not sorted desc: %q before %q", names[i-1], names[i])
		}
	})

	// $search="property:text" is tokenised on displayName (§1.2, §9.2).
	It("searches groups with $search and ConsistencyLevel: eventual", func(ctx SpecContext) {
		h := abstractions.NewRequestHeaders()
		h.Add("ConsistencyLevel", "eventual")
		resp, err := sdk.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
			Headers:         h,
			QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Search: ptr(`"displayName:Autopilot"`)},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).NotTo(BeEmpty())
		for _, g := range resp.GetValue() {
			Expect(g.GetDisplayName()).To(HaveValue(MatchRegexp(`(?i)\bautopilot`)))
		}
	})

	It("refuses $search without ConsistencyLevel with 400 Request_UnsupportedQuery (§1.2)", func(ctx SpecContext) {
		_, err := sdk.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Search: ptr(`"displayName:Autopilot"`)},
		})
		expectODataError(err, http.StatusBadRequest, "Request_UnsupportedQuery")
	})

	It("lists a device's groups through the memberOf/graph.group cast", func(ctx SpecContext) {
		dev := ztdDevice()
		Eventually(func(g Gomega) []string {
			resp, err := sdk.Devices().ByDeviceId(*dev.GetId()).MemberOf().GraphGroup().Get(bg(), nil)
			g.Expect(err).NotTo(HaveOccurred())
			var names []string
			for _, gr := range resp.GetValue() {
				names = append(names, *gr.GetDisplayName())
			}
			return names
		}).WithTimeout(eventualTimeout).Should(ContainElement("Autopilot devices"))
	})
})

var _ = Describe("an ESP through the v1.0 SDK (graph-api.md §8)", Ordered, func() {
	var id, groupID string

	BeforeAll(func(ctx SpecContext) {
		g, err := sdk.Groups().Post(ctx, newSecurityGroup("conf esp target"), nil)
		Expect(err).NotTo(HaveOccurred())
		groupID = *g.GetId()
		DeferCleanup(func(ctx SpecContext) {
			Expect(sdk.Groups().ByGroupId(groupID).Delete(ctx, nil)).To(Succeed())
		})
	})

	It("is created with POST deviceEnrollmentConfigurations → 201 as the derived type", func(ctx SpecContext) {
		e := models.NewWindows10EnrollmentCompletionPageConfiguration()
		e.SetDisplayName(ptr("conf ESP"))
		e.SetAllowNonBlockingAppInstallation(ptr(true))
		got, err := sdk.DeviceManagement().DeviceEnrollmentConfigurations().Post(ctx, e, nil)
		Expect(err).NotTo(HaveOccurred())
		esp, ok := got.(models.Windows10EnrollmentCompletionPageConfigurationable)
		Expect(ok).To(BeTrue(), "decoded as %T", got)
		Expect(esp.GetAllowNonBlockingAppInstallation()).To(HaveValue(BeTrue()))
		Expect(esp.GetPriority()).NotTo(BeNil())
		id = *esp.GetId()
	})

	It("is assigned with POST …/assign {enrollmentConfigurationAssignments} → 204", func(ctx SpecContext) {
		t := models.NewGroupAssignmentTarget()
		t.SetGroupId(ptr(groupID))
		a := models.NewEnrollmentConfigurationAssignment()
		a.SetTarget(t)
		body := devicemanagement.NewDeviceEnrollmentConfigurationsItemAssignPostRequestBody()
		body.SetEnrollmentConfigurationAssignments([]models.EnrollmentConfigurationAssignmentable{a})
		Expect(sdk.DeviceManagement().DeviceEnrollmentConfigurations().ByDeviceEnrollmentConfigurationId(id).Assign().Post(ctx, body, nil)).To(Succeed())
		list, err := sdk.DeviceManagement().DeviceEnrollmentConfigurations().ByDeviceEnrollmentConfigurationId(id).Assignments().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(list.GetValue()).To(HaveLen(1))
		Expect(list.GetValue()[0].GetTarget()).To(BeAssignableToTypeOf(models.NewGroupAssignmentTarget()))
	})

	It("takes a priority with POST …/setPriority → 204", func(ctx SpecContext) {
		body := devicemanagement.NewDeviceEnrollmentConfigurationsItemSetPriorityPostRequestBody()
		body.SetPriority(ptr(int32(1)))
		Expect(sdk.DeviceManagement().DeviceEnrollmentConfigurations().ByDeviceEnrollmentConfigurationId(id).SetPriority().Post(ctx, body, nil)).To(Succeed())
		got, err := sdk.DeviceManagement().DeviceEnrollmentConfigurations().ByDeviceEnrollmentConfigurationId(id).Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.GetPriority()).To(HaveValue(BeEquivalentTo(1)))
	})

	It("is deleted → 204", func(ctx SpecContext) {
		Expect(sdk.DeviceManagement().DeviceEnrollmentConfigurations().ByDeviceEnrollmentConfigurationId(id).Delete(ctx, nil)).To(Succeed())
		_, err := sdk.DeviceManagement().DeviceEnrollmentConfigurations().ByDeviceEnrollmentConfigurationId(id).Get(ctx, nil)
		expectODataError(err, http.StatusNotFound, "ResourceNotFound")
	})
})
