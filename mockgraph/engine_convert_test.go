package mockgraph_test

import (
	"math/rand/v2"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/sim"
)

// "Convert all targeted devices to Autopilot" (seed 000 "Create and assign
// a Windows Autopilot deployment profile"; engine_convert.go). Delays:
// conversion between 1h and 48h ("allow 48 hours"), profile assignment 15m.
var _ = Describe("Convert all targeted devices (seed 000)", func() {
	var w *world
	convDelays := mockgraph.Delays{ImportProcessing: 5 * time.Minute, GroupEvaluation: 10 * time.Minute,
		ProfileAssignment: 15 * time.Minute, ConversionMin: time.Hour, ConversionMax: 48 * time.Hour}
	BeforeEach(func() { w = newWorld(convDelays) })

	// existing records a device enrolled before Autopilot and returns its
	// Entra object id.
	existing := func(serial, ownership string) string {
		r := w.priv("POST", "/_private/enrollment/v1/existing", map[string]any{
			"serialNumber": serial, "hardwareHash": "aGFzaA==", "deviceName": "PC-" + serial,
			"ownership": ownership, "joinType": "hybridAzureADJoined",
		})
		Expect(r.status).To(Equal(201), r.raw)
		return r.body["entraObjectId"].(string)
	}
	addMember := func(gid, oid string) {
		r := w.do("POST", "/v1.0/groups/"+gid+"/members/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + oid})
		Expect(r.status).To(Equal(204), r.raw)
	}
	converting := func(name string) string {
		pid := w.createProfile(name, true, false)
		r := w.do("PATCH", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid, map[string]any{
			"@odata.type": "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", "hardwareHashExtractionEnabled": true})
		Expect(r.status).To(Equal(204), r.raw)
		return pid
	}
	registered := func(serial string) *mockgraph.AutopilotDevice {
		for _, d := range w.srv.AutopilotDevices() {
			if d.SerialNumber == serial {
				return &d
			}
		}
		return nil
	}

	It("registers a company device of a targeted group within the 48 hours, on its existing Entra object", func() {
		gid := w.createGroup("Corp PCs", "")
		oid := existing("CONV1", "company")
		addMember(gid, oid)
		pid := converting("Hybrid convert")
		w.assignProfile(pid, "group", gid)

		w.run(time.Hour - time.Second)
		Expect(registered("CONV1")).To(BeNil(), "not before ConversionMin")
		w.run(47*time.Hour + time.Second)
		d := registered("CONV1")
		Expect(d).NotTo(BeNil(), "registered within ConversionMax")
		Expect(d.RegisteredBy).To(Equal("conversion"))
		Expect(d.GroupTag).To(BeEmpty())

		ed := w.do("GET", "/v1.0/devices/"+oid, nil)
		Expect(ed.status).To(Equal(200), ed.raw)
		Expect(ed.body["physicalIds"]).To(ContainElement("[ZTDID]:"+d.ID), "the existing object carries the ZTD id")
		Expect(d.AzureADDeviceID).To(Equal(ed.body["deviceId"]))

		// The Graph view an admin script sees.
		list := w.do("GET", "/beta/deviceManagement/windowsAutopilotDeviceIdentities", nil)
		Expect(list.values()).To(ContainElement(HaveKeyWithValue("serialNumber", "CONV1")))

		// The profile that converted it now reaches it as an Autopilot
		// device, after the assignment delay.
		w.run(15 * time.Minute)
		p := w.fetchProfile("CONV1")
		Expect(p.status).To(Equal(200), p.raw)
		Expect(p.body["profileSource"]).To(Equal("assigned"))
		Expect(p.body["profile"].(map[string]any)["id"]).To(Equal(pid))
	})

	It("draws the delay from the seed: the same seed registers at the same virtual moment", func() {
		at := func() time.Time {
			w = newWorld(convDelays)
			gid := w.createGroup("Corp PCs", "")
			addMember(gid, existing("CONV2", "company"))
			w.assignProfile(converting("Hybrid convert"), "group", gid)
			for registered("CONV2") == nil {
				w.run(time.Minute)
			}
			return w.sched.Now()
		}
		Expect(at()).To(Equal(at()))
	})

	It("never registers personally owned devices", func() {
		gid := w.createGroup("Corp PCs", "")
		addMember(gid, existing("PERS1", "personal"))
		w.assignProfile(converting("Hybrid convert"), "group", gid)
		w.run(72 * time.Hour)
		Expect(registered("PERS1")).To(BeNil())
	})

	DescribeTable("leaves untargeted devices alone",
		func(setup func(gid, pid string)) {
			gid := w.createGroup("Corp PCs", "")
			addMember(gid, existing("UNT1", "company"))
			pid := w.createProfile("Hybrid", true, false)
			setup(gid, pid)
			w.run(72 * time.Hour)
			Expect(registered("UNT1")).To(BeNil())
		},
		Entry("a profile without the setting", func(gid, pid string) { w.assignProfile(pid, "group", gid) }),
		Entry("a converting profile assigned to another group", func(gid, pid string) {
			other := w.createGroup("Other", "")
			p := converting("Hybrid convert")
			w.assignProfile(p, "group", other)
		}),
		Entry("a converting profile whose exclusion removes the group", func(gid, pid string) {
			p := converting("Hybrid convert")
			w.assignProfile(p, "all", "")
			w.assignProfile(p, "exclude", gid)
		}),
	)

	It("reaches devices through All devices too", func() {
		existing("ALL1", "company")
		w.assignProfile(converting("Hybrid convert"), "all", "")
		w.run(48 * time.Hour)
		Expect(registered("ALL1")).NotTo(BeNil())
	})

	It("starts when the setting is switched on later, and cancels a pending registration when it is switched off", func() {
		gid := w.createGroup("Corp PCs", "")
		addMember(gid, existing("TOG1", "company"))
		pid := w.createProfile("Hybrid", true, false)
		w.assignProfile(pid, "group", gid)
		patch := func(on bool) {
			r := w.do("PATCH", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid, map[string]any{
				"@odata.type": "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", "extractHardwareHash": on})
			Expect(r.status).To(Equal(204), r.raw)
		}
		patch(true)
		w.run(30 * time.Minute)
		patch(false) // before ConversionMin: the pending registration is dropped
		w.run(72 * time.Hour)
		Expect(registered("TOG1")).To(BeNil())
		patch(true)
		w.run(48 * time.Hour)
		Expect(registered("TOG1")).NotTo(BeNil())
	})

	It("keeps a converted device registered when the setting is turned off and the assignment removed (seed 000)", func() {
		gid := w.createGroup("Corp PCs", "")
		addMember(gid, existing("KEEP1", "company"))
		pid := converting("Hybrid convert")
		w.assignProfile(pid, "group", gid)
		w.run(48 * time.Hour)
		Expect(registered("KEEP1")).NotTo(BeNil())

		r := w.do("PATCH", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid, map[string]any{
			"@odata.type": "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", "hardwareHashExtractionEnabled": false})
		Expect(r.status).To(Equal(204), r.raw)
		as := w.do("GET", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid+"/assignments", nil)
		for _, a := range as.values() {
			Expect(w.do("DELETE", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid+"/assignments/"+a["id"].(string), nil).status).To(Equal(204))
		}
		w.run(72 * time.Hour)
		d := registered("KEEP1")
		Expect(d).NotTo(BeNil(), "only a direct delete removes it")
		Expect(d.DeploymentProfileAssignmentStatus).To(Equal("notAssigned"))
	})

	It("does not register an Autopilot device a second time", func() {
		w.importDevice("DUP1", "")
		r := w.priv("POST", "/_private/enrollment/v1/existing", map[string]any{
			"serialNumber": "DUP1", "hardwareHash": "aGFzaA==", "deviceName": "PC-DUP1", "ownership": "company", "joinType": "azureADJoined"})
		Expect(r.status).To(Equal(201), r.raw)
		w.assignProfile(converting("Hybrid convert"), "all", "")
		w.run(72 * time.Hour)
		n := 0
		for _, d := range w.srv.AutopilotDevices() {
			if d.SerialNumber == "DUP1" {
				n++
				Expect(d.RegisteredBy).To(Equal("import"))
			}
		}
		Expect(n).To(Equal(1))
	})

	It("shows the enrolled device in managedDevices with its ownership", func() {
		existing("MD1", "personal")
		r := w.do("GET", "/beta/deviceManagement/managedDevices", nil)
		Expect(r.status).To(Equal(200), r.raw)
		Expect(r.values()).To(ContainElement(SatisfyAll(
			HaveKeyWithValue("serialNumber", "MD1"), HaveKeyWithValue("managedDeviceOwnerType", "personal"),
			HaveKeyWithValue("joinType", "hybridAzureADJoined"), HaveKeyWithValue("autopilotEnrolled", false))))
	})

	DescribeTable("refuses a malformed existing-device record with 400",
		func(body map[string]any, msg string) {
			r := w.priv("POST", "/_private/enrollment/v1/existing", body)
			Expect(r.status).To(Equal(400), r.raw)
			Expect(r.raw).To(ContainSubstring(msg))
		},
		Entry("no serial", map[string]any{"deviceName": "PC", "ownership": "company", "joinType": "azureADJoined"}, "serialNumber is required"),
		Entry("no name", map[string]any{"serialNumber": "S", "ownership": "company", "joinType": "azureADJoined"}, "deviceName is required"),
		Entry("bad ownership", map[string]any{"serialNumber": "S", "deviceName": "PC", "ownership": "corporate", "joinType": "azureADJoined"}, `ownership \"corporate\"`),
		Entry("bad join type", map[string]any{"serialNumber": "S", "deviceName": "PC", "ownership": "company", "joinType": "domainJoined"}, `joinType \"domainJoined\"`),
		Entry("hash not base64", map[string]any{"serialNumber": "S", "deviceName": "PC", "ownership": "company", "joinType": "azureADJoined", "hardwareHash": "%%%"}, "not base64"),
	)

	It("refuses a second record for the same serial with 409", func() {
		existing("TWICE", "company")
		r := w.priv("POST", "/_private/enrollment/v1/existing", map[string]any{
			"serialNumber": "twice", "deviceName": "PC", "ownership": "company", "joinType": "azureADJoined"})
		Expect(r.status).To(Equal(409), r.raw)
	})

	It("refuses inverted conversion bounds", func() {
		_, err := mockgraph.New(mockgraph.Config{Clock: w.sched, Rand: rand.New(rand.NewPCG(1, 2)), TenantID: tenantID,
			TenantDomain: "contoso.onmicrosoft.com", Delays: mockgraph.Delays{ConversionMin: 2 * time.Hour, ConversionMax: time.Hour}})
		Expect(err).To(MatchError(ContainSubstring("ConversionMax")))
	})
})

var _ = Describe("Convert all targeted devices: deleting the managed device", func() {
	It("cancels a pending registration", func() {
		w := newWorld(mockgraph.Delays{ConversionMin: time.Hour, ConversionMax: 2 * time.Hour})
		r := w.priv("POST", "/_private/enrollment/v1/existing", map[string]any{
			"serialNumber": "GONE1", "hardwareHash": "aGFzaA==", "deviceName": "PC-GONE1", "ownership": "company", "joinType": "azureADJoined"})
		Expect(r.status).To(Equal(201), r.raw)
		mdID := r.body["managedDeviceId"].(string)
		pid := w.createProfile("Convert", true, false)
		Expect(w.do("PATCH", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid, map[string]any{
			"@odata.type": "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", "extractHardwareHash": true}).status).To(Equal(204))
		w.assignProfile(pid, "all", "")
		Expect(w.do("DELETE", "/beta/deviceManagement/managedDevices/"+mdID, nil).status).To(Equal(204))
		w.run(3 * time.Hour)
		Expect(w.srv.AutopilotDevices()).To(BeEmpty())
	})
})

// The UNCERTAIN choices, one switch each (ConversionOptions).
var _ = Describe("Convert all targeted devices: the UNCERTAIN switches", func() {
	existing := func(w *world, serial string) string {
		r := w.priv("POST", "/_private/enrollment/v1/existing", map[string]any{
			"serialNumber": serial, "hardwareHash": "aGFzaA==", "deviceName": "PC-" + serial, "ownership": "company", "joinType": "hybridAzureADJoined"})
		Expect(r.status).To(Equal(201), r.raw)
		return r.body["entraObjectId"].(string)
	}
	converting := func(w *world, name string, on bool) string {
		pid := w.createProfile(name, true, false)
		Expect(w.do("PATCH", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid, map[string]any{
			"@odata.type": "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", "extractHardwareHash": on}).status).To(Equal(204))
		return pid
	}
	d := mockgraph.Delays{ConversionMin: time.Hour, ConversionMax: time.Hour}

	It("NewEntraObject registers with a new [ZTDID] object named after the serial and leaves the old one alone", func() {
		w := newWorld(d, func(c *mockgraph.Config) { c.Conversion.NewEntraObject = true })
		old := existing(w, "NEW1")
		w.assignProfile(converting(w, "Convert", true), "all", "")
		w.run(2 * time.Hour)
		ap := w.srv.AutopilotDevices()
		Expect(ap).To(HaveLen(1))
		var placeholder mockgraph.EntraDevice
		for _, e := range w.srv.EntraDevices() {
			if e.DeviceID == ap[0].AzureADDeviceID {
				placeholder = e
			}
			if e.ID == old {
				Expect(e.PhysicalIDs).To(BeEmpty(), "the enrolled object gains nothing")
			}
		}
		Expect(placeholder.ID).NotTo(Equal(old))
		Expect(placeholder.DisplayName).To(Equal("NEW1"))
		Expect(placeholder.PhysicalIDs).To(ConsistOf("[ZTDID]:" + ap[0].ID))
	})

	DescribeTable("WinningProfileOnly asks whether the oldest profile reaching the device converts",
		func(winning bool, want int) {
			w := newWorld(d, func(c *mockgraph.Config) { c.Conversion.WinningProfileOnly = winning })
			existing(w, "WIN1")
			w.assignProfile(converting(w, "Older, no conversion", false), "all", "")
			w.assignProfile(converting(w, "Newer, converts", true), "all", "")
			w.run(2 * time.Hour)
			Expect(w.srv.AutopilotDevices()).To(HaveLen(want))
		},
		Entry("off (default): any reaching profile with the setting converts", false, 1),
		Entry("on: the older profile wins and does not convert", true, 0),
	)
})

var _ = Describe("Convert all targeted devices: input and records", func() {
	var w *world
	BeforeEach(func() { w = newWorld(mockgraph.Delays{ConversionMin: time.Hour, ConversionMax: time.Hour}) })

	DescribeTable("refuses a non-Boolean conversion setting instead of storing it as off",
		func(key string) {
			pid := w.createProfile("P", true, false)
			r := w.do("PATCH", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid, map[string]any{
				"@odata.type": "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", key: "true"})
			Expect(r.status).To(Equal(400), r.raw)
			Expect(r.raw).To(ContainSubstring("'" + key + "' must be a Boolean"))
			r = w.do("POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles", map[string]any{
				"@odata.type": "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", "displayName": "Q", key: 1})
			Expect(r.status).To(Equal(400), r.raw)
		},
		Entry("legacy name", "extractHardwareHash"),
		Entry("current name", "hardwareHashExtractionEnabled"),
	)

	It("converts a record without a hash (the device supplies it)", func() {
		r := w.priv("POST", "/_private/enrollment/v1/existing", map[string]any{
			"serialNumber": "NOHASH", "deviceName": "PC-NOHASH", "ownership": "company", "joinType": "azureADJoined"})
		Expect(r.status).To(Equal(201), r.raw)
		pid := w.createProfile("Convert", true, false)
		Expect(w.do("PATCH", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid, map[string]any{
			"@odata.type": "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", "extractHardwareHash": true}).status).To(Equal(204))
		w.assignProfile(pid, "all", "")
		w.run(2 * time.Hour)
		Expect(w.srv.AutopilotDevices()).To(ConsistOf(HaveField("SerialNumber", "NOHASH")))
	})

	DescribeTable("records the enrollment type the Graph enum describes for each join type",
		func(join, want string) {
			Expect(w.priv("POST", "/_private/enrollment/v1/existing", map[string]any{
				"serialNumber": "ET1", "deviceName": "PC-ET1", "ownership": "company", "joinType": join}).status).To(Equal(201))
			r := w.do("GET", "/beta/deviceManagement/managedDevices", nil)
			Expect(r.values()).To(ContainElement(HaveKeyWithValue("deviceEnrollmentType", want)))
		},
		Entry("hybrid: GPO auto-enrollment, co-management", "hybridAzureADJoined", "windowsCoManagement"),
		Entry("Entra joined", "azureADJoined", "windowsAzureADJoin"),
		Entry("registered: Add work account", "azureADRegistered", "windowsAutoEnrollment"),
	)

	It("accepts a serial again once its managed device is deleted", func() {
		body := map[string]any{"serialNumber": "AGAIN", "deviceName": "PC-AGAIN", "ownership": "company", "joinType": "azureADJoined"}
		r := w.priv("POST", "/_private/enrollment/v1/existing", body)
		Expect(r.status).To(Equal(201), r.raw)
		Expect(w.do("DELETE", "/beta/deviceManagement/managedDevices/"+r.body["managedDeviceId"].(string), nil).status).To(Equal(204))
		Expect(w.priv("POST", "/_private/enrollment/v1/existing", body).status).To(Equal(201))
	})
})

var _ = Describe("Convert all targeted devices: the trace", func() {
	It("starts every conversion.* detail with the serial and a space (the harness files them under the device)", func() {
		trace := &sim.Trace{}
		w := newWorld(mockgraph.Delays{ConversionMin: time.Hour, ConversionMax: time.Hour}, func(c *mockgraph.Config) { c.Trace = trace })
		for _, serial := range []string{"TR1", "TR2"} {
			Expect(w.priv("POST", "/_private/enrollment/v1/existing", map[string]any{
				"serialNumber": serial, "deviceName": "PC-" + serial, "ownership": "company", "joinType": "azureADJoined"}).status).To(Equal(201))
		}
		pid := w.createProfile("Convert", true, false)
		patch := func(on bool) {
			Expect(w.do("PATCH", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/"+pid, map[string]any{
				"@odata.type": "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", "extractHardwareHash": on}).status).To(Equal(204))
		}
		w.assignProfile(pid, "all", "")
		patch(true)
		patch(false) // both cancelled
		patch(true)
		w.run(2 * time.Hour) // both registered
		steps := map[string]int{}
		for _, ev := range trace.For("graph") {
			if !strings.HasPrefix(ev.Step, "conversion.") {
				continue
			}
			steps[ev.Step]++
			Expect(ev.Detail).To(Or(HavePrefix("TR1 "), HavePrefix("TR2 ")), ev.Step)
		}
		Expect(steps).To(Equal(map[string]int{"conversion.scheduled": 4, "conversion.cancelled": 2, "conversion.registered": 2}))
	})
})
