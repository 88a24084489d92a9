package mockgraph

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// autopilotSet.prop reads the typed device for the properties $filter and
// $orderby use most, and toJSON for the rest; both must agree, or a filter
// would match values the page does not show.
var _ = DescribeTable("autopilotSet.prop reads what toJSON writes",
	func(beta bool) {
		d := &autopilotDevice{
			ID: "id-1", SerialNumber: "SN-1", GroupTag: "tag", PurchaseOrder: "po", ProductKey: "pk",
			Manufacturer: "mf", Model: "md", AzureADDeviceID: "aad", ManagedDeviceID: "mdm",
			UserPrincipalName: "u@x", AddressableUserName: "addr", DisplayName: "dn", EnrollmentState: "enrolled",
			LastContacted: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), AssignmentStatus: "pending",
		}
		set := autopilotSet{list: []*autopilotDevice{d}, beta: beta}
		for k, v := range d.toJSON(beta) {
			Expect(set.prop(0, k)).To(Equal(v), k)
			Expect(set.prop(0, strings.ToUpper(k))).To(Equal(v), k)
		}
		Expect(set.prop(0, "noSuchProperty")).To(BeNil())
		if !beta {
			// Beta-only names read nothing on v1.0, as its JSON lacks them.
			Expect(set.prop(0, "azureAdDeviceId")).To(BeNil())
			Expect(set.prop(0, "deploymentProfileAssignmentStatus")).To(BeNil())
		}
	},
	Entry("v1.0", false),
	Entry("beta", true),
)
