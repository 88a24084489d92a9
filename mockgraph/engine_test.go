package mockgraph_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
)

// Group processing on the clock (rules-and-ad.md A.6, graph-api.md §9.2)
// and profile assignment status (§4.2, S12, F2). delays: GroupEvaluation
// 10m, ProfileAssignment 15m.
var _ = Describe("group processing on the clock", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	const tagRule = `(device.devicePhysicalIds -any (_ -eq "[OrderID]:HAADJ"))`

	members := func(gid, rel string) []string {
		r := w.do("GET", "/v1.0/groups/"+gid+"/"+rel, nil)
		Expect(r.status).To(Equal(200), r.raw)
		var names []string
		for _, v := range r.values() {
			names = append(names, v["displayName"].(string))
		}
		return names
	}
	status := func(gid string) any {
		r := w.do("GET", "/beta/groups/"+gid+"?$select=id,membershipRuleProcessingStatus", nil)
		Expect(r.status).To(Equal(200), r.raw)
		v, ok := r.body["membershipRuleProcessingStatus"]
		Expect(ok).To(BeTrue(), "membershipRuleProcessingStatus is present with $select: %s", r.raw)
		if v == nil {
			return nil
		}
		return v.(map[string]any)["status"]
	}
	patch := func(gid string, body map[string]any) {
		r := w.do("PATCH", "/v1.0/groups/"+gid, body)
		Expect(r.status).To(Equal(204), r.raw)
	}

	It("reports Running for the evaluation delay after creation, then Succeeded, beta only", func() {
		gid := w.createGroup("HAADJ", tagRule)
		Expect(status(gid)).To(Equal("Running")) // the creation schedules an evaluation
		w.run(10 * time.Minute)
		Expect(status(gid)).To(Equal("Succeeded"))
		v1 := w.do("GET", "/v1.0/groups/"+gid+"?$select=id,membershipRuleProcessingStatus", nil)
		Expect(v1.body).NotTo(HaveKey("membershipRuleProcessingStatus"), "beta only")
	})

	It("freezes membership while Paused and re-evaluates after the delay once switched On", func() {
		gid := w.createGroup("HAADJ", tagRule)
		w.run(10 * time.Minute)
		patch(gid, map[string]any{"membershipRuleProcessingState": "Paused"})
		Expect(status(gid)).To(BeNil(), "null when paused (A.6)")
		w.importDevice("PZ1", "HAADJ") // import + evaluation delay pass
		Expect(members(gid, "members")).To(BeEmpty())
		Expect(members(gid, "transitiveMembers")).To(BeEmpty())

		patch(gid, map[string]any{"membershipRuleProcessingState": "On"})
		Expect(w.do("GET", "/v1.0/groups/"+gid, nil).body["membershipRuleProcessingState"]).To(Equal("On"))
		Expect(status(gid)).To(Equal("Running"))
		w.run(9 * time.Minute)
		Expect(members(gid, "members")).To(BeEmpty(), "not before the evaluation delay")
		w.run(time.Minute)
		Expect(members(gid, "members")).To(Equal([]string{"PZ1"}))
		Expect(members(gid, "transitiveMembers")).To(Equal([]string{"PZ1"}))
		Expect(status(gid)).To(Equal("Succeeded"))
	})

	It("keeps members that no longer match while Paused", func() {
		gid := w.createGroup("HAADJ", tagRule)
		d := w.importDevice("PZ2", "HAADJ")
		Expect(members(gid, "members")).To(Equal([]string{"PZ2"}))
		patch(gid, map[string]any{"membershipRuleProcessingState": "paused"}) // lower case accepted (A.6)
		Expect(w.do("GET", "/v1.0/groups/"+gid, nil).body["membershipRuleProcessingState"]).To(Equal("Paused"))
		Expect(w.do("POST", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/"+d.ID+"/updateDeviceProperties",
			map[string]any{"groupTag": "OTHER"}).status).To(Equal(204))
		w.run(time.Hour)
		Expect(members(gid, "members")).To(Equal([]string{"PZ2"}))
	})

	It("refuses a processing state other than On or Paused", func() {
		gid := w.createGroup("HAADJ", tagRule)
		r := w.do("PATCH", "/v1.0/groups/"+gid, map[string]any{"membershipRuleProcessingState": "Off"})
		Expect(r.status).To(Equal(400))
		Expect(r.raw).To(ContainSubstring("membershipRuleProcessingState"))
	})

	It("re-evaluates a device the evaluation delay after it changes", func() {
		gid := w.createGroup("HAADJ", tagRule)
		d := w.importDevice("CH1", "OTHER")
		Expect(members(gid, "members")).To(BeEmpty())
		Expect(w.do("POST", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/"+d.ID+"/updateDeviceProperties",
			map[string]any{"groupTag": "HAADJ"}).status).To(Equal(204))
		Expect(status(gid)).To(Equal("Running"))
		w.run(9 * time.Minute)
		Expect(members(gid, "members")).To(BeEmpty())
		w.run(time.Minute)
		Expect(members(gid, "members")).To(Equal([]string{"CH1"}))
	})

	It("re-evaluates every device the evaluation delay after the rule changes", func() {
		gid := w.createGroup("Tagged", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:Salse"))`) // the F3 typo
		w.importDevice("RC1", "Sales")
		Expect(members(gid, "members")).To(BeEmpty())
		patch(gid, map[string]any{"membershipRule": `(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))`})
		w.run(9 * time.Minute)
		Expect(members(gid, "members")).To(BeEmpty())
		w.run(time.Minute)
		Expect(members(gid, "members")).To(Equal([]string{"RC1"}))
	})
})

var _ = Describe("profile assignment status on the clock", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	find := func(serial string) mockgraph.AutopilotDevice {
		for _, d := range w.srv.AutopilotDevices() {
			if d.SerialNumber == serial {
				return d
			}
		}
		Fail("no device " + serial)
		return mockgraph.AutopilotDevice{}
	}

	It("moves notAssigned → pending → assignedUnkownSyncState", func() {
		w.importDevice("ST1", "")
		Expect(find("ST1").DeploymentProfileAssignmentStatus).To(Equal("notAssigned"))
		pid := w.createProfile("Hybrid", true, false)
		w.assignProfile(pid, "all", "")
		Expect(find("ST1").DeploymentProfileAssignmentStatus).To(Equal("pending"))
		w.run(14 * time.Minute)
		Expect(find("ST1").DeploymentProfileAssignmentStatus).To(Equal("pending"))
		w.run(time.Minute)
		Expect(find("ST1").DeploymentProfileAssignmentStatus).To(Equal("assignedUnkownSyncState"))
	})

	It("keeps serving the profile already assigned while a new assignment is pending (F2)", func() {
		gid := w.createGroup("AP", `(device.devicePhysicalIDs -any (_ -startsWith "[ZTDid]"))`)
		older := w.createProfile("Older hybrid", true, false) // oldest: wins once assigned (S12)
		def := w.createProfile("Default Entra", false, false)
		w.assignProfile(def, "all", "")
		w.importDevice("ST2", "")
		Expect(w.fetchProfile("ST2").body["profileSource"]).To(Equal("default"))
		w.assignProfile(older, "group", gid) // assigned minutes before power-on
		Expect(find("ST2").DeploymentProfileAssignmentStatus).To(Equal("pending"))
		r := w.fetchProfile("ST2")
		Expect(r.body["profileSource"]).To(Equal("default"))
		Expect(r.body["profileStatus"]).To(Equal("assigning"))
		Expect(r.body["blank"]).To(BeNil())
		Expect(r.body["profile"].(map[string]any)["id"]).To(Equal(def))
		w.run(15 * time.Minute)
		r = w.fetchProfile("ST2")
		Expect(r.body["profileSource"]).To(Equal("assigned"))
		Expect(r.body["profile"].(map[string]any)["id"]).To(Equal(older))
	})
})

var _ = Describe("ESP resolution", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	createESP := func(name string, timeout, priority int, target map[string]any) {
		r := w.do("POST", "/beta/deviceManagement/deviceEnrollmentConfigurations", map[string]any{
			"@odata.type": "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration", "displayName": name,
			"installProgressTimeoutInMinutes": timeout, "priority": priority})
		Expect(r.status).To(Equal(201), r.raw)
		a := w.do("POST", "/beta/deviceManagement/deviceEnrollmentConfigurations/"+r.body["id"].(string)+"/assign",
			map[string]any{"enrollmentConfigurationAssignments": []any{map[string]any{"target": target}}})
		Expect(a.status).To(Equal(204), a.raw)
	}
	espTimeout := func(serial string) any {
		r := w.priv("POST", "/_private/enrollment/v1/enroll", map[string]any{"serialNumber": serial, "userPrincipalName": "alice@contoso.com", "joinType": "AzureADJoin"})
		Expect(r.status).To(Equal(201), r.raw)
		return r.body["esp"].(map[string]any)["timeoutMinutes"]
	}

	It("gives the lowest priority number among the ESPs that target the device, All users included", func() {
		gid := w.createGroup("AP", `(device.devicePhysicalIDs -any (_ -startsWith "[ZTDid]"))`)
		other := w.createGroup("Other", `(device.devicePhysicalIds -any (_ -eq "[OrderID]:NONE"))`)
		createESP("not targeted", 10, 1, groupTarget("group", other))
		createESP("group", 30, 3, groupTarget("group", gid))
		createESP("all users", 20, 2, map[string]any{"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"})
		createESP("all devices", 40, 4, groupTarget("all", ""))
		w.importDevice("ESP1", "")
		Expect(espTimeout("ESP1")).To(BeNumerically("==", 20))
	})
})
