package tenantconfig

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("dropOMAValues", func() {
	It("keeps the DMClient values Load reads and drops every other OMA value, which may be a secret", func() {
		m := map[string]any{"omaSettings": []any{
			map[string]any{"omaUri": SkipUserStatusPageURI, "value": true},
			map[string]any{"omaUri": "./Vendor/MSFT/WiFi/Profile/corp/WlanXml", "value": "<keyMaterial>hunter2</keyMaterial>", "displayName": "Wi-Fi"},
		}}
		dropOMAValues(m)
		Expect(m["omaSettings"]).To(Equal([]any{
			map[string]any{"omaUri": SkipUserStatusPageURI, "value": true},
			map[string]any{"omaUri": "./Vendor/MSFT/WiFi/Profile/corp/WlanXml", "displayName": "Wi-Fi"},
		}))
	})
})

var _ = Describe("slug", func() {
	DescribeTable("makes file-name-safe names",
		func(in, want string) { Expect(slug(in)).To(Equal(want)) },
		Entry("words", "Hybrid user-driven", "hybrid-user-driven"),
		Entry("punctuation runs", "A / B :: C", "a-b-c"),
		Entry("nothing usable", "***", "unnamed"),
		Entry("non-ASCII dropped", "Gerät ü", "ger-t"),
	)
})
