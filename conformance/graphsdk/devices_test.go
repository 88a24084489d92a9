package graphsdk_test

import (
	"encoding/base64"
	"fmt"
	"net/http"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/devices"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Entra devices (graph-api.md §10)", func() {
	It("lists devices as #microsoft.graph.device", func(ctx SpecContext) {
		resp, err := sdk.Devices().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).NotTo(BeEmpty())
		for _, d := range resp.GetValue() {
			Expect(d.GetOdataType()).To(HaveValue(Equal("#microsoft.graph.device")))
			Expect(d.GetId()).To(HaveValue(Not(BeEmpty())))
			Expect(d.GetPhysicalIds()).NotTo(BeNil(), "physicalIds is non-null")
		}
	})

	It("filters on physicalIds/any() with ConsistencyLevel: eventual and $count=true", func(ctx SpecContext) {
		ap := autopilotBySerial("LAB0001")
		h := abstractions.NewRequestHeaders()
		h.Add("ConsistencyLevel", "eventual")
		resp, err := sdk.Devices().Get(ctx, &devices.DevicesRequestBuilderGetRequestConfiguration{
			Headers: h,
			QueryParameters: &devices.DevicesRequestBuilderGetQueryParameters{
				Filter: ptr(fmt.Sprintf("physicalIds/any(p:p eq '[ZTDID]:%s')", *ap.GetId())),
				Count:  ptr(true),
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).To(HaveLen(1))
		Expect(resp.GetOdataCount()).To(HaveValue(BeEquivalentTo(1)))
		// §14: the Autopilot record points at device.deviceId, not device.id.
		Expect(resp.GetValue()[0].GetDeviceId()).To(HaveValue(Equal(*ap.GetAzureActiveDirectoryDeviceId())))
	})

	It("filters on physicalIds/any() with startswith", func(ctx SpecContext) {
		h := abstractions.NewRequestHeaders()
		h.Add("ConsistencyLevel", "eventual")
		resp, err := sdk.Devices().Get(ctx, &devices.DevicesRequestBuilderGetRequestConfiguration{
			Headers: h,
			QueryParameters: &devices.DevicesRequestBuilderGetQueryParameters{
				Filter: ptr("physicalIds/any(p:startswith(p,'[ZTDID]'))"),
				Count:  ptr(true),
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).NotTo(BeEmpty())
		for _, d := range resp.GetValue() {
			Expect(d.GetPhysicalIds()).To(ContainElement(HavePrefix("[ZTDID]:")))
		}
	})

	It("finds a device with $filter=deviceId eq, without ConsistencyLevel (S6)", func(ctx SpecContext) {
		dev := ztdDevice()
		resp, err := sdk.Devices().Get(ctx, &devices.DevicesRequestBuilderGetRequestConfiguration{
			QueryParameters: &devices.DevicesRequestBuilderGetQueryParameters{Filter: ptr(fmt.Sprintf("deviceId eq '%s'", *dev.GetDeviceId()))},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).To(HaveLen(1))
		Expect(resp.GetValue()[0].GetId()).To(HaveValue(Equal(*dev.GetId())))
	})

	It("reads a device by object id and by the deviceId alternate key", func(ctx SpecContext) {
		dev := ztdDevice()
		byID, err := sdk.Devices().ByDeviceId(*dev.GetId()).Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(byID.GetDeviceId()).To(HaveValue(Equal(*dev.GetDeviceId())))
		Expect(byID.GetAccountEnabled()).NotTo(BeNil())
		Expect(byID.GetOperatingSystem()).To(HaveValue(Equal("Windows")))

		byKey, err := sdk.DevicesWithDeviceId(dev.GetDeviceId()).Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(byKey.GetId()).To(HaveValue(Equal(*dev.GetId())))
	})

	It("answers an unknown device id with 404 Request_ResourceNotFound", func(ctx SpecContext) {
		_, err := sdk.Devices().ByDeviceId("00000000-0000-0000-0000-0000000dead0").Get(ctx, nil)
		expectODataError(err, http.StatusNotFound, "Request_ResourceNotFound")
	})

	It("refuses POST /devices from an app with 403 Authorization_RequestDenied (§3)", func(ctx SpecContext) {
		d := models.NewDevice()
		d.SetDisplayName(ptr("conf-device"))
		d.SetAccountEnabled(ptr(true))
		d.SetOperatingSystem(ptr("Windows"))
		d.SetOperatingSystemVersion(ptr("10.0.26100.1000"))
		d.SetAlternativeSecurityIds([]models.AlternativeSecurityIdable{})
		_, err := sdk.Devices().Post(ctx, d, nil)
		expectODataError(err, http.StatusForbidden, "Authorization_RequestDenied")
	})
})

var _ = Describe("Entra device count, update and delete (graph-api.md §10.1)", Ordered, func() {
	var dev models.Deviceable

	BeforeAll(func(ctx SpecContext) {
		got, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().Post(ctx, newImport("CONF-DEVICE-1", ""), nil)
		Expect(err).NotTo(HaveOccurred())
		apID := importCompletes(*got.GetId())
		h := abstractions.NewRequestHeaders()
		h.Add("ConsistencyLevel", "eventual")
		resp, err := sdk.Devices().Get(ctx, &devices.DevicesRequestBuilderGetRequestConfiguration{
			Headers: h,
			QueryParameters: &devices.DevicesRequestBuilderGetQueryParameters{
				Filter: ptr(fmt.Sprintf("physicalIds/any(p:p eq '[ZTDID]:%s')", apID)),
				Count:  ptr(true),
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).To(HaveLen(1))
		dev = resp.GetValue()[0]
	})

	It("counts devices with GET /devices/$count and ConsistencyLevel: eventual", func(ctx SpecContext) {
		h := abstractions.NewRequestHeaders()
		h.Add("ConsistencyLevel", "eventual")
		c, err := sdk.Devices().Count().Get(ctx, &devices.CountRequestBuilderGetRequestConfiguration{Headers: h})
		Expect(err).NotTo(HaveOccurred())
		Expect(c).To(HaveValue(BeNumerically(">=", 2)))
	})

	It("updates a device with PATCH /devices/{id} → 204", func(ctx SpecContext) {
		p := models.NewDevice()
		p.SetAccountEnabled(ptr(false))
		_, err := sdk.Devices().ByDeviceId(*dev.GetId()).Patch(ctx, p, nil)
		Expect(err).NotTo(HaveOccurred())
		got, err := sdk.Devices().ByDeviceId(*dev.GetId()).Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.GetAccountEnabled()).To(HaveValue(BeFalse()))
	})

	It("deletes a device with DELETE /devices/{id} → 204", func(ctx SpecContext) {
		Expect(sdk.Devices().ByDeviceId(*dev.GetId()).Delete(ctx, nil)).To(Succeed())
		_, err := sdk.Devices().ByDeviceId(*dev.GetId()).Get(ctx, nil)
		expectODataError(err, http.StatusNotFound, "Request_ResourceNotFound")
	})
})

var _ = Describe("managed devices (graph-api.md §11)", Ordered, func() {
	var apID, mdID string

	// A managed device exists only after a device enrolls. The specs enroll
	// a freshly imported device through mockgraph's private enrollment
	// channel (mockgraph/PRIVATE_API.md), as devicesim would during OOBE.
	BeforeAll(func(ctx SpecContext) {
		got, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().Post(ctx, newImport("CONF-MD-1", ""), nil)
		Expect(err).NotTo(HaveOccurred())
		apID = importCompletes(*got.GetId())
		priv := &rawClient{base: graphURL + "/_private"}
		body := priv.mustDo(ctx, http.MethodPost, "/enrollment/v1/enroll", map[string]any{
			"serialNumber": "CONF-MD-1", "autopilotDeviceId": apID, "userPrincipalName": "alice@contoso.com",
			"joinType": "DeviceJoinForDomainJoin", "hardwareHash": base64.StdEncoding.EncodeToString(hardwareHashOf("CONF-MD-1")),
		}, http.StatusCreated)
		Expect(body["managedDeviceId"]).To(BeAssignableToTypeOf(""))
		mdID = body["managedDeviceId"].(string)
	})

	It("lists managed devices with enum values the SDK knows", func(ctx SpecContext) {
		resp, err := sdk.DeviceManagement().ManagedDevices().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		var ids []string
		for _, d := range resp.GetValue() {
			ids = append(ids, *d.GetId())
			// Enums the SDK does not know decode to nil (§13): catch typos.
			Expect(d.GetManagementAgent()).NotTo(BeNil())
			Expect(d.GetComplianceState()).NotTo(BeNil())
			Expect(d.GetDeviceEnrollmentType()).NotTo(BeNil())
			Expect(d.GetManagedDeviceOwnerType()).NotTo(BeNil())
			Expect(d.GetDeviceRegistrationState()).NotTo(BeNil())
			Expect(d.GetEnrolledDateTime()).NotTo(BeNil())
		}
		Expect(ids).To(ContainElement(mdID))
	})

	It("reads one managed device, linked to its Autopilot record (§14)", func(ctx SpecContext) {
		d, err := sdk.DeviceManagement().ManagedDevices().ByManagedDeviceId(mdID).Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.GetSerialNumber()).To(HaveValue(Equal("CONF-MD-1")))
		ap, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(apID).Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ap.GetManagedDeviceId()).To(HaveValue(Equal(mdID)))
		Expect(d.GetAzureADDeviceId()).To(HaveValue(Equal(*ap.GetAzureActiveDirectoryDeviceId())))
	})

	It("shows the beta-only joinType on /beta (raw)", func(ctx SpecContext) {
		d := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/managedDevices/"+mdID, nil, http.StatusOK)
		Expect(d["joinType"]).To(BeElementOf("unknown", "azureADJoined", "azureADRegistered", "hybridAzureADJoined"))
	})

	It("answers an unknown managed device with 404 ResourceNotFound", func(ctx SpecContext) {
		_, err := sdk.DeviceManagement().ManagedDevices().ByManagedDeviceId("00000000-0000-0000-0000-00000000feed").Get(ctx, nil)
		expectODataError(err, http.StatusNotFound, "ResourceNotFound")
	})
})
