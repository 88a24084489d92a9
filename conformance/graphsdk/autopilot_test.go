package graphsdk_test

import (
	"fmt"
	"net/http"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/devicemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/devices"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// autopilotBySerial looks an Autopilot device up the way admin tooling does,
// $filter=contains(serialNumber,'x') (graph-api.md §4.3, S6).
func autopilotBySerial(serial string) models.WindowsAutopilotDeviceIdentityable {
	GinkgoHelper()
	resp, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().Get(bg(), &devicemanagement.WindowsAutopilotDeviceIdentitiesRequestBuilderGetRequestConfiguration{
		QueryParameters: &devicemanagement.WindowsAutopilotDeviceIdentitiesRequestBuilderGetQueryParameters{
			Filter: ptr(fmt.Sprintf("contains(serialNumber,'%s')", serial)),
		},
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.GetValue()).To(HaveLen(1), "Autopilot devices with serial %s", serial)
	return resp.GetValue()[0]
}

// newImport is one row of an Autopilot import as S6 posts it (§5.3): the
// client sets state itself; the hash is Edm.Binary (base64 on the wire,
// []byte in the SDK).
// hardwareHashOf is the stand-in hardware hash imported for serial: 4096
// base64 characters, the DDS size (S9). The device presents the same hash on
// mockgraph's private channels (PRIVATE_API.md "Authentication").
func hardwareHashOf(serial string) []byte {
	hash := make([]byte, 3072)
	for i := range hash {
		hash[i] = byte(i*7 + len(serial))
	}
	return hash
}

func newImport(serial, groupTag string) *models.ImportedWindowsAutopilotDeviceIdentity {
	d := models.NewImportedWindowsAutopilotDeviceIdentity()
	d.SetSerialNumber(ptr(serial))
	d.SetGroupTag(ptr(groupTag))
	d.SetProductKey(ptr(""))
	d.SetAssignedUserPrincipalName(ptr(""))
	d.SetHardwareIdentifier(hardwareHashOf(serial))
	st := models.NewImportedWindowsAutopilotDeviceIdentityState()
	st.SetDeviceImportStatus(ptr(models.PENDING_IMPORTEDWINDOWSAUTOPILOTDEVICEIDENTITYIMPORTSTATUS))
	st.SetDeviceRegistrationId(ptr(""))
	st.SetDeviceErrorCode(ptr(int32(0)))
	st.SetDeviceErrorName(ptr(""))
	d.SetState(st)
	return d
}

// importCompletes waits until the import row is complete and returns the
// Autopilot (ZTD) id it registered.
func importCompletes(id string) string {
	GinkgoHelper()
	var regID string
	Eventually(func(g Gomega) {
		got, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().ByImportedWindowsAutopilotDeviceIdentityId(id).Get(bg(), nil)
		g.Expect(err).NotTo(HaveOccurred())
		st := got.GetState()
		g.Expect(st).NotTo(BeNil())
		g.Expect(st.GetDeviceImportStatus()).To(HaveValue(Equal(models.COMPLETE_IMPORTEDWINDOWSAUTOPILOTDEVICEIDENTITYIMPORTSTATUS)),
			"import state %v error %v", st.GetDeviceImportStatus(), st.GetDeviceErrorName())
		g.Expect(st.GetDeviceRegistrationId()).To(HaveValue(Not(BeEmpty())))
		regID = *st.GetDeviceRegistrationId()
	}).WithTimeout(eventualTimeout).Should(Succeed())
	return regID
}

var _ = Describe("Autopilot imports (graph-api.md §5)", Ordered, func() {
	var single string
	var batch []string

	It("creates one row with POST importedWindowsAutopilotDeviceIdentities → 201", func(ctx SpecContext) {
		got, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().Post(ctx, newImport("CONF-SINGLE-1", "CONF"), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.GetId()).To(HaveValue(Not(BeEmpty())))
		Expect(got.GetSerialNumber()).To(HaveValue(Equal("CONF-SINGLE-1")))
		Expect(got.GetGroupTag()).To(HaveValue(Equal("CONF")))
		Expect(got.GetHardwareIdentifier()).To(HaveLen(3072), "Edm.Binary round trip")
		Expect(got.GetState()).NotTo(BeNil())
		// The enum must be one the SDK knows, or it decodes to nil (§13).
		Expect(got.GetState().GetDeviceImportStatus()).NotTo(BeNil())
		single = *got.GetId()
	})

	It("imports a batch with the import action → 200 {value:[…]}", func(ctx SpecContext) {
		body := devicemanagement.NewImportedWindowsAutopilotDeviceIdentitiesImportPostRequestBody()
		body.SetImportedWindowsAutopilotDeviceIdentities([]models.ImportedWindowsAutopilotDeviceIdentityable{
			newImport("CONF-BATCH-1", ""), newImport("CONF-BATCH-2", "CONF"),
		})
		resp, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().ImportEscaped().PostAsImportPostResponse(ctx, body, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).To(HaveLen(2))
		for _, d := range resp.GetValue() {
			Expect(d.GetId()).To(HaveValue(Not(BeEmpty())))
			batch = append(batch, *d.GetId())
		}
		Expect(resp.GetValue()[1].GetSerialNumber()).To(HaveValue(Equal("CONF-BATCH-2")))
	})

	It("lists the rows", func(ctx SpecContext) {
		resp, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		var ids []string
		for _, d := range resp.GetValue() {
			ids = append(ids, *d.GetId())
		}
		Expect(ids).To(ContainElements(single, batch[0], batch[1]))
	})

	It("finds a row with $filter=contains(serialNumber,…) (S6)", func(ctx SpecContext) {
		resp, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().Get(ctx, &devicemanagement.ImportedWindowsAutopilotDeviceIdentitiesRequestBuilderGetRequestConfiguration{
			QueryParameters: &devicemanagement.ImportedWindowsAutopilotDeviceIdentitiesRequestBuilderGetQueryParameters{
				Filter: ptr("contains(serialNumber,'CONF-BATCH-2')"),
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).To(HaveLen(1))
		Expect(resp.GetValue()[0].GetId()).To(HaveValue(Equal(batch[1])))
	})

	It("completes with a deviceRegistrationId that is the new Autopilot device's id", func(ctx SpecContext) {
		for _, id := range append([]string{single}, batch...) {
			regID := importCompletes(id)
			ap, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(regID).Get(ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ap.GetId()).To(HaveValue(Equal(regID)))
			Expect(ap.GetEnrollmentState()).To(HaveValue(Equal(models.NOTCONTACTED_ENROLLMENTSTATE)))
			Expect(ap.GetLastContactedDateTime()).NotTo(BeNil(), "0001-01-01T00:00:00Z must decode (§1.1)")
		}
	})

	It("refuses a second import of a registered serial with 806 ZtdDeviceAlreadyAssigned (S9)", func(ctx SpecContext) {
		got, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().Post(ctx, newImport("CONF-SINGLE-1", ""), nil)
		Expect(err).NotTo(HaveOccurred())
		Eventually(func(g Gomega) {
			d, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().ByImportedWindowsAutopilotDeviceIdentityId(*got.GetId()).Get(bg(), nil)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(d.GetState().GetDeviceImportStatus()).To(HaveValue(Equal(models.ERROR_IMPORTEDWINDOWSAUTOPILOTDEVICEIDENTITYIMPORTSTATUS)))
			g.Expect(d.GetState().GetDeviceErrorCode()).To(HaveValue(BeEquivalentTo(806)))
			g.Expect(d.GetState().GetDeviceErrorName()).To(HaveValue(Equal("ZtdDeviceAlreadyAssigned")))
		}).WithTimeout(eventualTimeout).Should(Succeed())
		Expect(sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().ByImportedWindowsAutopilotDeviceIdentityId(*got.GetId()).Delete(ctx, nil)).To(Succeed())
	})

	It("deletes the rows once done, as tools do (§5.3 step 3)", func(ctx SpecContext) {
		for _, id := range append([]string{single}, batch...) {
			Expect(sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().ByImportedWindowsAutopilotDeviceIdentityId(id).Delete(ctx, nil)).To(Succeed())
		}
		_, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().ByImportedWindowsAutopilotDeviceIdentityId(single).Get(ctx, nil)
		expectODataError(err, http.StatusNotFound, "ResourceNotFound")
	})
})

var _ = Describe("Autopilot devices (graph-api.md §4)", func() {
	It("lists the lab's registered device and decodes its fields", func(ctx SpecContext) {
		resp, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		var serials []string
		for _, d := range resp.GetValue() {
			serials = append(serials, *d.GetSerialNumber())
			Expect(d.GetOdataType()).To(HaveValue(Equal("#microsoft.graph.windowsAutopilotDeviceIdentity")))
			Expect(d.GetEnrollmentState()).NotTo(BeNil(), "enrollmentState must be an enum value the SDK knows")
		}
		Expect(serials).To(ContainElement("LAB0001"))
	})

	It("finds a device with $filter=contains(serialNumber,…) and reads it by id", func(ctx SpecContext) {
		d := autopilotBySerial("LAB0001")
		got, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(*d.GetId()).Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.GetSerialNumber()).To(HaveValue(Equal("LAB0001")))
		Expect(got.GetAzureActiveDirectoryDeviceId()).To(HaveValue(Not(BeEmpty())))
	})

	It("refuses $filter=serialNumber eq with 400 BadRequest, as the real service does (§4.3)", func(ctx SpecContext) {
		_, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().Get(ctx, &devicemanagement.WindowsAutopilotDeviceIdentitiesRequestBuilderGetRequestConfiguration{
			QueryParameters: &devicemanagement.WindowsAutopilotDeviceIdentitiesRequestBuilderGetQueryParameters{Filter: ptr("serialNumber eq 'LAB0001'")},
		})
		oe := expectODataError(err, http.StatusBadRequest, "BadRequest")
		// Intune serialises a JSON document into message (§1.3).
		Expect(*oe.GetErrorEscaped().GetMessage()).To(ContainSubstring(`"_version": 3`))
	})

	It("counts with GET …/windowsAutopilotDeviceIdentities/$count (text/plain)", func(ctx SpecContext) {
		c, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().Count().Get(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c).To(HaveValue(BeNumerically(">=", 1)))
	})

	It("honours $select on the list", func(ctx SpecContext) {
		resp, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().Get(ctx, &devicemanagement.WindowsAutopilotDeviceIdentitiesRequestBuilderGetRequestConfiguration{
			QueryParameters: &devicemanagement.WindowsAutopilotDeviceIdentitiesRequestBuilderGetQueryParameters{Select: []string{"id", "serialNumber"}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.GetValue()).NotTo(BeEmpty())
		for _, d := range resp.GetValue() {
			Expect(d.GetSerialNumber()).NotTo(BeNil())
			Expect(d.GetManufacturer()).To(BeNil())
		}
	})

	It("answers an unknown id with 404 ResourceNotFound", func(ctx SpecContext) {
		_, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId("00000000-0000-0000-0000-00000000beef").Get(ctx, nil)
		expectODataError(err, http.StatusNotFound, "ResourceNotFound")
	})

	Describe("actions and delete", Ordered, func() {
		var apID string

		BeforeAll(func(ctx SpecContext) {
			got, err := sdk.DeviceManagement().ImportedWindowsAutopilotDeviceIdentities().Post(ctx, newImport("CONF-ACTIONS-1", "BEFORE"), nil)
			Expect(err).NotTo(HaveOccurred())
			apID = importCompletes(*got.GetId())
		})

		It("assigns a user with assignUserToDevice → 204", func(ctx SpecContext) {
			body := devicemanagement.NewWindowsAutopilotDeviceIdentitiesItemAssignUserToDevicePostRequestBody()
			body.SetUserPrincipalName(ptr("alice@contoso.com"))
			body.SetAddressableUserName(ptr("Alice"))
			Expect(sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(apID).AssignUserToDevice().Post(ctx, body, nil)).To(Succeed())
			got, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(apID).Get(ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.GetUserPrincipalName()).To(HaveValue(Equal("alice@contoso.com")))
			Expect(got.GetAddressableUserName()).To(HaveValue(Equal("Alice")))
		})

		It("unassigns the user with unassignUserFromDevice → 204", func(ctx SpecContext) {
			Expect(sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(apID).UnassignUserFromDevice().Post(ctx, nil)).To(Succeed())
			got, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(apID).Get(ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.GetUserPrincipalName()).To(Or(BeNil(), HaveValue(BeEmpty())))
		})

		It("changes the group tag with updateDeviceProperties → 204, which rewrites [OrderId] on the Entra device", func(ctx SpecContext) {
			body := devicemanagement.NewWindowsAutopilotDeviceIdentitiesItemUpdateDevicePropertiesPostRequestBody()
			body.SetGroupTag(ptr("AFTER"))
			body.SetDisplayName(ptr("CONF-PC"))
			Expect(sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(apID).UpdateDeviceProperties().Post(ctx, body, nil)).To(Succeed())
			got, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(apID).Get(ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.GetGroupTag()).To(HaveValue(Equal("AFTER")))
			Expect(got.GetDisplayName()).To(HaveValue(Equal("CONF-PC")))

			h := abstractions.NewRequestHeaders()
			h.Add("ConsistencyLevel", "eventual")
			devs, err := sdk.Devices().Get(ctx, &devices.DevicesRequestBuilderGetRequestConfiguration{
				Headers: h,
				QueryParameters: &devices.DevicesRequestBuilderGetQueryParameters{
					Filter: ptr(fmt.Sprintf("physicalIds/any(p:p eq '[ZTDID]:%s')", apID)),
					Count:  ptr(true),
				},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(devs.GetValue()).To(HaveLen(1))
			Expect(devs.GetValue()[0].GetPhysicalIds()).To(ContainElement(MatchRegexp(`(?i)^\[OrderId\]:AFTER$`)))
		})

		It("answers updateDeviceProperties on an unknown id with 404 ResourceNotFound (§4.1)", func(ctx SpecContext) {
			body := devicemanagement.NewWindowsAutopilotDeviceIdentitiesItemUpdateDevicePropertiesPostRequestBody()
			body.SetGroupTag(ptr("X"))
			err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId("00000000-0000-0000-0000-00000000beef").UpdateDeviceProperties().Post(ctx, body, nil)
			expectODataError(err, http.StatusNotFound, "ResourceNotFound")
		})

		It("deletes the device with DELETE → 204; it is gone afterwards", func(ctx SpecContext) {
			Expect(sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(apID).Delete(ctx, nil)).To(Succeed())
			_, err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(apID).Get(ctx, nil)
			expectODataError(err, http.StatusNotFound, "ResourceNotFound")
		})

		It("answers DELETE of an unknown id with 400 'Cannot find device with ztd Id' (S7 #7128)", func(ctx SpecContext) {
			err := sdk.DeviceManagement().WindowsAutopilotDeviceIdentities().ByWindowsAutopilotDeviceIdentityId(apID).Delete(ctx, nil)
			oe := expectODataError(err, http.StatusBadRequest, "BadRequest")
			Expect(*oe.GetErrorEscaped().GetMessage()).To(ContainSubstring("Cannot find device with ztd Id"))
		})
	})
})
