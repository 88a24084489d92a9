package graphsdk_test

import (
	"net/http"
	"strings"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The beta-only resources go through raw requests: msgraph-beta-sdk-go is
// not served by the module proxy here (README.md). The assertions are the
// ones the beta SDK's decoders depend on: exact "#microsoft.graph.X"
// discriminators, the documented status codes and the property names.

const (
	tHybridProfile = "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile"
	tDomainJoin    = "#microsoft.graph.windowsDomainJoinConfiguration"
	tGroupTarget   = "#microsoft.graph.groupAssignmentTarget"
)

var _ = Describe("beta: Autopilot deployment profiles (graph-api.md §6, raw requests)", Ordered, func() {
	var profileID, groupID string

	BeforeAll(func(ctx SpecContext) {
		g, err := sdk.Groups().Post(ctx, newSecurityGroup("conf profile target"), nil)
		Expect(err).NotTo(HaveOccurred())
		groupID = *g.GetId()
		DeferCleanup(func(ctx SpecContext) {
			Expect(sdk.Groups().ByGroupId(groupID).Delete(ctx, nil)).To(Succeed())
		})
	})

	It("lists the lab's hybrid profile with its derived @odata.type", func(ctx SpecContext) {
		body := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeploymentProfiles", nil, http.StatusOK)
		var names []string
		for _, p := range values(body) {
			Expect(p["@odata.type"]).To(BeElementOf(tHybridProfile, "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile"))
			names = append(names, p["displayName"].(string))
		}
		Expect(names).To(ContainElement("Hybrid user-driven"))
	})

	It("creates a hybrid profile with hybridAzureADJoinSkipConnectivityCheck → 201 (S6 body, §6.4)", func(ctx SpecContext) {
		p := beta.mustDo(ctx, http.MethodPost, "/deviceManagement/windowsAutopilotDeploymentProfiles", map[string]any{
			"@odata.type": tHybridProfile, "displayName": "conf HAADJ", "description": "", "language": "en-US",
			"extractHardwareHash": false, "deviceNameTemplate": "", "deviceType": "windowsPc", "enableWhiteGlove": false,
			"hybridAzureADJoinSkipConnectivityCheck": true,
			"outOfBoxExperienceSettings": map[string]any{
				"hidePrivacySettings": true, "hideEULA": true, "userType": "standard", "deviceUsageType": "singleUser",
				"skipKeyboardSelectionPage": false, "hideEscapeLink": true,
			},
		}, http.StatusCreated)
		Expect(p["@odata.type"]).To(Equal(tHybridProfile))
		Expect(p["id"]).To(And(BeAssignableToTypeOf(""), Not(BeEmpty())))
		Expect(p["hybridAzureADJoinSkipConnectivityCheck"]).To(BeTrue())
		Expect(p["createdDateTime"]).To(BeAssignableToTypeOf(""))
		Expect(p).To(HaveKey("lastModifiedDateTime"))
		profileID = p["id"].(string)
	})

	It("reads the profile back; the v1.0 SDK model decodes it as the base type", func(ctx SpecContext) {
		p := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeploymentProfiles/"+profileID, nil, http.StatusOK)
		Expect(p["@odata.type"]).To(Equal(tHybridProfile))
		Expect(p["displayName"]).To(Equal("conf HAADJ"))
		Expect(p["hybridAzureADJoinSkipConnectivityCheck"]).To(BeTrue())

		// The v1.0 SDK has the model but no builder (§13): send through its adapter.
		ri := abstractions.NewRequestInformation()
		ri.Method = abstractions.GET
		ri.UrlTemplate = "{+baseurl}/deviceManagement/windowsAutopilotDeploymentProfiles/{id}"
		ri.PathParameters["id"] = profileID
		ri.Headers.TryAdd("Accept", "application/json")
		res, err := sdkAtBeta.GetAdapter().Send(ctx, ri, models.CreateWindowsAutopilotDeploymentProfileFromDiscriminatorValue,
			abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue})
		Expect(err).NotTo(HaveOccurred())
		prof, ok := res.(models.WindowsAutopilotDeploymentProfileable)
		Expect(ok).To(BeTrue(), "decoded as %T", res)
		Expect(prof.GetDisplayName()).To(HaveValue(Equal("conf HAADJ")))
		Expect(prof.GetOdataType()).To(HaveValue(Equal(tHybridProfile)))
		Expect(prof.GetAdditionalData()).To(HaveKey("hybridAzureADJoinSkipConnectivityCheck"))
	})

	It("assigns the profile to a group with POST …/assignments → 201 (S6)", func(ctx SpecContext) {
		aid := profileID + "_" + groupID + "_0"
		a := beta.mustDo(ctx, http.MethodPost, "/deviceManagement/windowsAutopilotDeploymentProfiles/"+profileID+"/assignments", map[string]any{
			"id":     aid,
			"target": map[string]any{"@odata.type": tGroupTarget, "groupId": groupID},
		}, http.StatusCreated)
		target, ok := a["target"].(map[string]any)
		Expect(ok).To(BeTrue(), "assignment without target: %v", a)
		Expect(target["@odata.type"]).To(Equal(tGroupTarget))
		Expect(target["groupId"]).To(Equal(groupID))

		list := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeploymentProfiles/"+profileID+"/assignments", nil, http.StatusOK)
		Expect(values(list)).To(HaveLen(1))
		got := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeploymentProfiles/"+profileID+"/assignments/"+a["id"].(string), nil, http.StatusOK)
		Expect(got["id"]).To(Equal(a["id"]))
	})

	It("removes the assignment with DELETE …/assignments/{id} → 204", func(ctx SpecContext) {
		list := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeploymentProfiles/"+profileID+"/assignments", nil, http.StatusOK)
		for _, a := range values(list) {
			beta.mustDo(ctx, http.MethodDelete, "/deviceManagement/windowsAutopilotDeploymentProfiles/"+profileID+"/assignments/"+a["id"].(string), nil, http.StatusNoContent)
		}
		list = beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeploymentProfiles/"+profileID+"/assignments", nil, http.StatusOK)
		Expect(values(list)).To(BeEmpty())
	})

	It("deletes the profile → 204", func(ctx SpecContext) {
		beta.mustDo(ctx, http.MethodDelete, "/deviceManagement/windowsAutopilotDeploymentProfiles/"+profileID, nil, http.StatusNoContent)
		a, err := beta.do(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeploymentProfiles/"+profileID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Status).To(Equal(http.StatusNotFound))
	})

	It("shows the lab device's profile assignment and deploymentProfile navigation (§4.2, §14)", func(ctx SpecContext) {
		ap := autopilotBySerial("LAB0001")
		Eventually(func(g Gomega) {
			d, err := beta.do(bg(), http.MethodGet, "/deviceManagement/windowsAutopilotDeviceIdentities/"+*ap.GetId(), nil)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(d.Status).To(Equal(http.StatusOK))
			g.Expect(d.Body["deploymentProfileAssignmentStatus"]).To(WithTransform(func(v any) bool {
				s, _ := v.(string)
				return strings.HasPrefix(s, "assigned")
			}, BeTrue()), "status %v", d.Body["deploymentProfileAssignmentStatus"])
		}).WithTimeout(eventualTimeout).Should(Succeed())
		p := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeviceIdentities/"+*ap.GetId()+"/deploymentProfile", nil, http.StatusOK)
		Expect(p["@odata.type"]).To(Equal(tHybridProfile))
		Expect(p["displayName"]).To(Equal("Hybrid user-driven"))
	})

	It("expands deploymentProfile and intendedDeploymentProfile on the device, as S6 Get-AutopilotDevice -Expand does (§4.1)", func(ctx SpecContext) {
		ap := autopilotBySerial("LAB0001")
		Eventually(func(g Gomega) {
			d, err := beta.do(bg(), http.MethodGet, "/deviceManagement/windowsAutopilotDeviceIdentities/"+*ap.GetId()+"?$expand=deploymentProfile,intendedDeploymentProfile", nil)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(d.Status).To(Equal(http.StatusOK), d.Text)
			g.Expect(d.Body["deploymentProfile"]).To(HaveKeyWithValue("@odata.type", tHybridProfile))
			g.Expect(d.Body["intendedDeploymentProfile"]).To(HaveKeyWithValue("@odata.type", tHybridProfile))
		}).WithTimeout(eventualTimeout).Should(Succeed())
		p := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeviceIdentities/"+*ap.GetId()+"/intendedDeploymentProfile", nil, http.StatusOK)
		Expect(p["displayName"]).To(Equal("Hybrid user-driven"))
	})

	It("lists the lab device under the lab profile's assignedDevices (§6.2)", func(ctx SpecContext) {
		body := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeploymentProfiles", nil, http.StatusOK)
		var labProfile string
		for _, p := range values(body) {
			if p["displayName"] == "Hybrid user-driven" {
				labProfile = p["id"].(string)
			}
		}
		Expect(labProfile).NotTo(BeEmpty())
		Eventually(func(g Gomega) []any {
			a, err := beta.do(bg(), http.MethodGet, "/deviceManagement/windowsAutopilotDeploymentProfiles/"+labProfile+"/assignedDevices", nil)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(a.Status).To(Equal(http.StatusOK), a.Text)
			var serials []any
			for _, d := range values(a.Body) {
				serials = append(serials, d["serialNumber"])
			}
			return serials
		}).WithTimeout(eventualTimeout).Should(ContainElement("LAB0001"))
	})

	It("does not exist on v1.0: 400 'Resource not found for the segment' (§6.1)", func(ctx SpecContext) {
		v1 := &rawClient{base: graphURL + "/v1.0", token: adminToken}
		a, err := v1.do(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotDeploymentProfiles", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Status).To(Equal(http.StatusBadRequest))
		Expect(a.Text).To(ContainSubstring("Resource not found for the segment"))
	})
})

var _ = Describe("beta: Domain Join configuration (graph-api.md §7, raw requests)", Ordered, func() {
	var configID, groupID string

	BeforeAll(func(ctx SpecContext) {
		g, err := sdk.Groups().Post(ctx, newSecurityGroup("conf domain join target"), nil)
		Expect(err).NotTo(HaveOccurred())
		groupID = *g.GetId()
		DeferCleanup(func(ctx SpecContext) {
			Expect(sdk.Groups().ByGroupId(groupID).Delete(ctx, nil)).To(Succeed())
		})
	})

	It("is created with POST /beta/deviceManagement/deviceConfigurations → 201 (§7 example)", func(ctx SpecContext) {
		c := beta.mustDo(ctx, http.MethodPost, "/deviceManagement/deviceConfigurations", map[string]any{
			"@odata.type": tDomainJoin, "displayName": "conf HAADJ domain join", "description": "",
			"computerNameStaticPrefix": "CONF-", "computerNameSuffixRandomCharCount": 8,
			"activeDirectoryDomainName": "corp.contoso.com",
			"organizationalUnit":        "OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com",
		}, http.StatusCreated)
		Expect(c["@odata.type"]).To(Equal(tDomainJoin))
		Expect(c["activeDirectoryDomainName"]).To(Equal("corp.contoso.com"))
		Expect(c["computerNameSuffixRandomCharCount"]).To(BeEquivalentTo(8))
		Expect(c).To(HaveKey("version"))
		Expect(c).To(HaveKey("createdDateTime"))
		configID = c["id"].(string)
	})

	It("is assigned with POST …/assign → 200 {value:[deviceConfigurationAssignment]}", func(ctx SpecContext) {
		resp := beta.mustDo(ctx, http.MethodPost, "/deviceManagement/deviceConfigurations/"+configID+"/assign", map[string]any{
			"assignments": []any{map[string]any{"target": map[string]any{"@odata.type": tGroupTarget, "groupId": groupID}}},
		}, http.StatusOK)
		vs := values(resp)
		Expect(vs).To(HaveLen(1))
		Expect(vs[0]["@odata.type"]).To(Equal("#microsoft.graph.deviceConfigurationAssignment"))
		Expect(vs[0]["target"]).To(HaveKeyWithValue("@odata.type", tGroupTarget))
		Expect(vs[0]["target"]).To(HaveKeyWithValue("groupId", groupID))

		list := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/deviceConfigurations/"+configID+"/assignments", nil, http.StatusOK)
		Expect(values(list)).To(HaveLen(1))
	})

	It("rejects a random suffix outside 3–14 with 400 in Intune's error shape (§7, §1.3)", func(ctx SpecContext) {
		a, err := beta.do(ctx, http.MethodPost, "/deviceManagement/deviceConfigurations", map[string]any{
			"@odata.type": tDomainJoin, "displayName": "conf bad suffix", "computerNameSuffixRandomCharCount": 2,
			"activeDirectoryDomainName": "corp.contoso.com",
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Status).To(Equal(http.StatusBadRequest))
		e, ok := a.Body["error"].(map[string]any)
		Expect(ok).To(BeTrue(), "no error object: %s", a.Text)
		Expect(e["code"]).To(Equal("BadRequest"))
		Expect(e["message"]).To(ContainSubstring("_version"))
		Expect(e["innerError"]).To(HaveKey("request-id"))
	})

	It("is deleted → 204", func(ctx SpecContext) {
		beta.mustDo(ctx, http.MethodDelete, "/deviceManagement/deviceConfigurations/"+configID, nil, http.StatusNoContent)
	})
})

var _ = Describe("beta: domainJoinConnectors (graph-api.md §12, raw requests)", func() {
	It("lists the lab's connector as active", func(ctx SpecContext) {
		body := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/domainJoinConnectors", nil, http.StatusOK)
		cs := values(body)
		Expect(cs).NotTo(BeEmpty())
		var names []string
		for _, c := range cs {
			Expect(c["@odata.type"]).To(Equal("#microsoft.graph.deviceManagementDomainJoinConnector"))
			Expect(c["state"]).To(BeElementOf("active", "error", "inactive"))
			Expect(c).To(HaveKey("lastConnectionDateTime"))
			Expect(c).To(HaveKey("version"))
			names = append(names, c["displayName"].(string))
			if strings.EqualFold(c["displayName"].(string), "ODJCONN01") {
				Expect(c["state"]).To(Equal("active"))
			}
		}
		Expect(names).To(ContainElement(MatchRegexp("(?i)ODJCONN01")))
	})

	It("reads one connector by id", func(ctx SpecContext) {
		body := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/domainJoinConnectors", nil, http.StatusOK)
		id := values(body)[0]["id"].(string)
		c := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/domainJoinConnectors/"+id, nil, http.StatusOK)
		Expect(c["id"]).To(Equal(id))
	})
})

var _ = Describe("beta: windowsAutopilotSettings (graph-api.md §5.3 step 4, raw requests)", func() {
	It("reads the settings and triggers a sync → 204", func(ctx SpecContext) {
		st := beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotSettings", nil, http.StatusOK)
		Expect(st["syncStatus"]).To(BeElementOf("unknown", "inProgress", "completed", "failed"))
		Expect(st).To(HaveKey("lastSyncDateTime"))
		beta.mustDo(ctx, http.MethodPost, "/deviceManagement/windowsAutopilotSettings/sync", nil, http.StatusNoContent)
		st = beta.mustDo(ctx, http.MethodGet, "/deviceManagement/windowsAutopilotSettings", nil, http.StatusOK)
		Expect(st["lastManualSyncTriggerDateTime"]).NotTo(Equal("0001-01-01T00:00:00Z"))
	})
})
