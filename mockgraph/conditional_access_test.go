package mockgraph_test

import (
	"crypto/ed25519"
	"encoding/base64"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockgraph"
)

var _ = Describe("Conditional Access (F36)", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	const policies = "/v1.0/identity/conditionalAccess/policies"
	policy := func(name string, controls ...string) map[string]any {
		return map[string]any{"displayName": name, "state": "enabled",
			"conditions":    map[string]any{"users": map[string]any{"includeUsers": []string{"All"}}, "applications": map[string]any{"includeApplications": []string{"All"}}},
			"grantControls": map[string]any{"operator": "OR", "builtInControls": controls}}
	}

	It("creates, lists, reads and deletes policies over Graph", func() {
		r := w.do("POST", policies, policy("Require compliant device", "compliantDevice"))
		Expect(r.status).To(Equal(201), r.raw)
		id := r.body["id"].(string)
		Expect(r.body["grantControls"]).To(HaveKeyWithValue("builtInControls", ConsistOf("compliantDevice")))
		l := w.do("GET", policies, nil)
		Expect(l.status).To(Equal(200), l.raw)
		Expect(l.body["value"]).To(HaveLen(1))
		Expect(w.do("GET", policies+"/"+id, nil).body["displayName"]).To(Equal("Require compliant device"))
		Expect(w.do("DELETE", policies+"/"+id, nil).status).To(Equal(204))
		Expect(w.do("GET", policies+"/"+id, nil).status).To(Equal(404))
	})

	DescribeTable("refuses a malformed policy with 400 and says why",
		func(mutate func(map[string]any), want string) {
			p := policy("P", "compliantDevice")
			mutate(p)
			r := w.do("POST", policies, p)
			Expect(r.status).To(Equal(400), r.raw)
			Expect(r.raw).To(ContainSubstring(want))
		},
		Entry("no name", func(p map[string]any) { delete(p, "displayName") }, "displayName is required"),
		Entry("an unknown state", func(p map[string]any) { p["state"] = "on" }, "Invalid state 'on'"),
		Entry("no conditions", func(p map[string]any) { delete(p, "conditions") }, "conditions is required"),
		Entry("no grant controls", func(p map[string]any) { delete(p, "grantControls") }, "grantControls"),
		Entry("an unknown operator", func(p map[string]any) { p["grantControls"].(map[string]any)["operator"] = "XOR" }, "Invalid grantControls.operator 'XOR'"),
		Entry("an unknown control", func(p map[string]any) {
			p["grantControls"].(map[string]any)["builtInControls"] = []string{"hybridJoined"}
		}, "Invalid builtInControls value 'hybridJoined'"),
		Entry("block with another control", func(p map[string]any) {
			p["grantControls"].(map[string]any)["builtInControls"] = []string{"block", "mfa"}
		}, "block cannot be combined"),
	)

	It("needs Policy.ReadWrite.ConditionalAccess to create one", func() {
		r := w.doAs(w.getToken("reader", "r"), "POST", policies, policy("P", "compliantDevice"))
		Expect(r.status).To(Equal(403), r.raw)
	})

	Describe("a sign-in from a hybrid joined device", func() {
		const devID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
		var der []byte
		var key ed25519.PrivateKey
		BeforeEach(func() {
			var thumb string
			der, thumb, key = deviceCert(devID)
			Expect(w.priv("PUT", "/_private/sync/v1/devices/oid-1", map[string]any{"displayName": "AP-1", "deviceId": devID, "certificateThumbprint": thumb}).status).To(Equal(201))
			Expect(w.doAs("", "POST", "/_private/drs/v1/register", drsBody(devID, der, key)).status).To(Equal(200))
		})
		signIn := func(userSignIn bool) reply {
			return w.doAs("", "POST", "/_private/signin/v1/access", map[string]any{"deviceId": devID, "userPrincipalName": "alice@contoso.com",
				"userSignIn": userSignIn, "certificate": base64.StdEncoding.EncodeToString(der),
				"signature": base64.StdEncoding.EncodeToString(ed25519.Sign(key, mockgraph.SignInProofMessage(devID)))})
		}

		It("is blocked by a compliant-device policy while compliance is N/A, and granted once the user's sign-in made Intune sync", func() {
			Expect(w.do("POST", policies, policy("Require compliant device", "compliantDevice")).status).To(Equal(201))
			r := signIn(false)
			Expect(r.status).To(Equal(200), r.raw)
			Expect(r.body).To(HaveKeyWithValue("result", "blocked"))
			Expect(r.body).To(HaveKeyWithValue("compliance", "N/A"))
			Expect(r.body).To(HaveKeyWithValue("policy", "Require compliant device"))
			r = signIn(true)
			Expect(r.body).To(HaveKeyWithValue("result", "granted"))
			Expect(r.body).To(HaveKeyWithValue("compliance", "compliant"))
		})

		It("is granted by a compliant-or-hybrid policy at once, and ignores disabled policies", func() {
			Expect(w.do("POST", policies, policy("Compliant or hybrid", "compliantDevice", "domainJoinedDevice")).status).To(Equal(201))
			off := policy("Block all", "block")
			off["state"] = "disabled"
			Expect(w.do("POST", policies, off).status).To(Equal(201))
			Expect(signIn(false).body).To(HaveKeyWithValue("result", "granted"))
		})

		It("answers 401 without the device key's proof (a DRS proof is none) and for an unregistered device", func() {
			drs := drsBody(devID, der, key)
			drs["userPrincipalName"] = "alice@contoso.com"
			r := w.doAs("", "POST", "/_private/signin/v1/access", drs)
			Expect(r.status).To(Equal(401), r.raw)
			r = w.doAs("", "POST", "/_private/signin/v1/access", map[string]any{"deviceId": "11111111-2222-4333-8444-555555555555", "userPrincipalName": "a@b"})
			Expect(r.status).To(Equal(401), r.raw)
			Expect(w.doAs("", "POST", "/_private/signin/v1/access", map[string]any{"deviceId": devID}).status).To(Equal(400))
		})
	})
})
