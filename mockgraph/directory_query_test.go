package mockgraph_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Directory query features the Graph SDK conformance suite exercises:
// /groups/$count, members/$ref (GET and DELETE ?@id=), $expand=members,
// $search, and the memberOf/graph.group casts (graph-api.md §1.2, §9, §10).

const eventual = "ConsistencyLevel"

// names lists the displayName of each entity in a reply.
func names(r reply) []string {
	var out []string
	for _, v := range r.values() {
		out = append(out, v["displayName"].(string))
	}
	sort.Strings(out)
	return out
}

// rawDo sends path+rawQuery exactly as written (no re-encoding), so specs
// can choose between @id, %40id, $id and %24id.
func (w *world) rawDo(method, pathAndQuery string) reply {
	req, err := http.NewRequest(method, base+pathAndQuery, nil)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Authorization", "Bearer "+w.token)
	return w.send(req)
}

func (r reply) errMessage() string {
	e, _ := r.body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// createGroupWith posts an assigned group with a description.
func (w *world) createGroupWith(name, nick, description string) string {
	r := w.do("POST", "/v1.0/groups", map[string]any{"displayName": name, "mailEnabled": false, "mailNickname": nick,
		"securityEnabled": true, "description": description})
	Expect(r.status).To(Equal(201), r.raw)
	return r.body["id"].(string)
}

// importBatch imports n devices SN00…SN(n-1) in one batch and processes
// them; it returns their Entra object ids in creation order.
func (w *world) importBatch(n int) []string {
	var rows []any
	for i := range n {
		rows = append(rows, map[string]any{"serialNumber": fmt.Sprintf("SN%02d", i)})
	}
	r := w.do("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import",
		map[string]any{"importedWindowsAutopilotDeviceIdentities": rows})
	Expect(r.status).To(Equal(200), r.raw)
	w.run(delays.ImportProcessing)
	var ids []string
	for _, d := range w.srv.EntraDevices() {
		ids = append(ids, d.ID)
	}
	Expect(ids).To(HaveLen(n))
	return ids
}

func (w *world) addMember(gid, oid string) {
	r := w.do("POST", "/v1.0/groups/"+gid+"/members/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + oid})
	Expect(r.status).To(Equal(204), r.raw)
}

func memberIDs(w *world, gid string) []string {
	ids, ok := w.srv.GroupMembers(gid)
	Expect(ok).To(BeTrue(), "group %s", gid)
	return ids
}

var _ = Describe("directory queries", func() {
	var w *world
	BeforeEach(func() { w = newWorld(delays) })

	Describe("GET /groups/$count (§9.1)", func() {
		BeforeEach(func() {
			for i := range 3 {
				w.createGroupWith(fmt.Sprintf("conf page %02d", i), fmt.Sprintf("page%d", i), "")
			}
			w.createGroupWith("Autopilot devices", "apd", "")
		})

		DescribeTable("answers a text/plain count with ConsistencyLevel: eventual",
			func(query string, want int) {
				r := w.do("GET", "/v1.0/groups/$count"+query, nil, eventual, "eventual")
				Expect(r.status).To(Equal(200), r.raw)
				Expect(r.header.Get("Content-Type")).To(HavePrefix("text/plain"))
				Expect(r.raw).To(Equal(fmt.Sprint(want)))
			},
			Entry("all groups", "", 4),
			Entry("with $filter", "?$filter=startswith(displayName,'conf page ')", 3),
			Entry("with an advanced $filter (ne)", "?$filter=displayName ne 'conf page 00'", 3),
			Entry("with $search", `?$search="displayName:conf"`, 3),
			Entry("with $search and $filter (AND of both)", `?$search="displayName:page"&$filter=displayName eq 'conf page 01'`, 1),
		)

		It("refuses without ConsistencyLevel like /devices/$count (§1.2)", func() {
			for _, p := range []string{"/v1.0/groups/$count", "/v1.0/devices/$count", "/beta/groups/$count"} {
				r := w.do("GET", p, nil)
				Expect(r.status).To(Equal(400), p)
				Expect(r.errCode()).To(Equal("Request_UnsupportedQuery"), p)
				Expect(r.errMessage()).To(ContainSubstring("ConsistencyLevel: eventual"), p)
			}
		})

	})

	Describe("$search (§1.2)", func() {
		BeforeEach(func() {
			w.createGroupWith("Autopilot devices", "apdevices", "All Autopilot devices of the lab")
			w.createGroupWith("Autopilot-HAADJ", "autopilot-haadj", "")
			w.createGroupWith("OneVideo Team", "onevideo", "")
			w.createGroupWith("HTTPServer admins", "webadmins", `say "hi" \ there`)
			w.createGroupWith("Kiosk2024", "kiosk", "")
			w.createGroupWith("conf page 01", "page1", "")
		})

		DescribeTable("matches groups by token prefix (displayName, description) or startsWith (others)",
			func(search string, want ...string) {
				r := w.do("GET", "/v1.0/groups?$search="+search, nil, eventual, "eventual")
				Expect(r.status).To(Equal(200), r.raw)
				if len(want) == 0 {
					Expect(r.values()).To(BeEmpty())
					return
				}
				sort.Strings(want)
				Expect(names(r)).To(Equal(want))
			},
			Entry("a word", `"displayName:Autopilot"`, "Autopilot devices", "Autopilot-HAADJ"),
			Entry("case-insensitive", `"displayName:AUTOPILOT"`, "Autopilot devices", "Autopilot-HAADJ"),
			Entry("a prefix of a word", `"displayName:auto"`, "Autopilot devices", "Autopilot-HAADJ"),
			Entry("not the middle of a word", `"displayName:pilot"`),
			Entry("a word after punctuation", `"displayName:haadj"`, "Autopilot-HAADJ"),
			Entry("camel case is cut (OneVideo → one, video)", `"displayName:video"`, "OneVideo Team"),
			Entry("every token of the text must match", `"displayName:OneVideo"`, "OneVideo Team"),
			Entry("tokens in another order", `"displayName:team one"`, "OneVideo Team"),
			Entry("a token that is missing", `"displayName:one zebra"`),
			Entry("an upper-case run is one token (HTTPServer → http, server)", `"displayName:server"`, "HTTPServer admins"),
			Entry("letters and digits are cut apart (Kiosk2024)", `"displayName:2024"`, "Kiosk2024"),
			Entry("digits in the text are cut too", `"displayName:kiosk20"`, "Kiosk2024"),
			Entry("text without letters or digits matches nothing", `"displayName:--"`),
			Entry("description", `"description:lab"`, "Autopilot devices"),
			Entry("an escaped quote and backslash", `"description:say \"hi\" \\ there"`, "HTTPServer admins"),
			Entry("mailNickname is startsWith, not tokenised", `"mailNickname:autopilot-h"`, "Autopilot-HAADJ"),
			Entry("startsWith does not match inside", `"mailNickname:haadj"`),
			Entry("AND", `"displayName:autopilot" AND "displayName:haadj"`, "Autopilot-HAADJ"),
			Entry("the text is cut by its own case: onevideo is one token", `"displayName:onevideo"`),
			Entry("OR", `"displayName:kiosk" OR "displayName:OneVideo"`, "Kiosk2024", "OneVideo Team"),
			Entry("AND binds tighter than OR", `"displayName:kiosk" OR "displayName:autopilot" AND "displayName:devices"`, "Autopilot devices", "Kiosk2024"),
			Entry("parentheses", `("displayName:kiosk" OR "displayName:autopilot") AND "displayName:devices"`, "Autopilot devices"),
			Entry("the property name is case-insensitive", `"DISPLAYNAME:conf"`, "conf page 01"),
		)

		It("combines with $filter (AND), $count and $select", func() {
			r := w.do("GET", `/v1.0/groups?$search="displayName:autopilot"&$filter=mailNickname eq 'apdevices'&$count=true&$select=displayName`, nil, eventual, "eventual")
			Expect(r.status).To(Equal(200), r.raw)
			Expect(names(r)).To(Equal([]string{"Autopilot devices"}))
			Expect(r.body["@odata.count"]).To(BeNumerically("==", 1))
			Expect(r.values()[0]).NotTo(HaveKey("mailNickname"))
		})

		It("keeps $search in @odata.nextLink", func() {
			r := w.do("GET", `/v1.0/groups?$search="displayName:autopilot"&$top=1`, nil, eventual, "eventual")
			Expect(r.values()).To(HaveLen(1))
			next := r.body["@odata.nextLink"].(string)
			Expect(next).To(ContainSubstring("search"))
			p := w.do("GET", next, nil, eventual, "eventual")
			Expect(p.status).To(Equal(200), p.raw)
			Expect(p.values()).To(HaveLen(1))
			Expect(p.body).NotTo(HaveKey("@odata.nextLink"))
			Expect([]any{r.values()[0]["displayName"], p.values()[0]["displayName"]}).To(ConsistOf("Autopilot devices", "Autopilot-HAADJ"))
		})

		It("applies $search before $orderby, $count and paging, as $filter is", func() {
			r := w.do("GET", `/v1.0/groups?$search="displayName:autopilot" OR "displayName:kiosk"&$orderby=displayName desc&$top=2&$count=true`, nil, eventual, "eventual")
			Expect(r.status).To(Equal(200), r.raw)
			Expect(r.body["@odata.count"]).To(BeNumerically("==", 3))
			Expect([]any{r.values()[0]["displayName"], r.values()[1]["displayName"]}).To(Equal([]any{"Kiosk2024", "Autopilot-HAADJ"}))
			p := w.do("GET", r.body["@odata.nextLink"].(string), nil, eventual, "eventual")
			Expect(p.status).To(Equal(200), p.raw)
			Expect(names(p)).To(Equal([]string{"Autopilot devices"}))
		})

		It("refuses $search without ConsistencyLevel: eventual with Graph's message (§1.2, S4)", func() {
			r := w.do("GET", `/v1.0/groups?$search="displayName:autopilot"`, nil)
			Expect(r.status).To(Equal(400))
			Expect(r.errCode()).To(Equal("Request_UnsupportedQuery"))
			Expect(r.errMessage()).To(Equal("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"))
		})

		It("does not need $count=true (§1.2)", func() {
			r := w.do("GET", `/v1.0/groups?$search="displayName:kiosk"`, nil, eventual, "eventual")
			Expect(r.status).To(Equal(200), r.raw)
			Expect(r.body).NotTo(HaveKey("@odata.count"))
		})

		DescribeTable("refuses a malformed $search with 400 Request_BadRequest and the position",
			func(search, want string) {
				r := w.do("GET", "/v1.0/groups?$search="+search, nil, eventual, "eventual")
				Expect(r.status).To(Equal(400), r.raw)
				Expect(r.errCode()).To(Equal("Request_BadRequest"))
				Expect(r.errMessage()).To(HavePrefix("Invalid $search: syntax error at position "))
				Expect(r.errMessage()).To(ContainSubstring(want))
			},
			Entry("no quotes", `displayName:autopilot`, `each clause must be in double quotes, e.g. "displayName:autopilot"`),
			Entry("an unclosed quote", `"displayName:autopilot`, "position 1: the clause's double quote is not closed"),
			Entry("no property", `"autopilot"`, `names no property`),
			Entry("no text", `"displayName:"`, "has no text to search for"),
			Entry("a property that is not a name", `"display name:x"`, `"display name" is not a property name`),
			Entry("a dangling AND", `"displayName:x" AND`, "unexpected end"),
			Entry("a leading OR", `OR "displayName:x"`, "OR needs a clause before it"),
			Entry("two clauses without an operator", `"displayName:x" "displayName:y"`, `position 17: unexpected "\"displayName:y\""`),
			Entry("lower-case and", `"displayName:x" and "displayName:y"`, `unexpected "and"; clauses are joined with AND or OR`),
			Entry("NOT", `NOT "displayName:x"`, "NOT is not supported"),
			Entry("an unclosed parenthesis", `("displayName:x"`, "position 1: '(' is not closed"),
			Entry("a stray parenthesis", `"displayName:x")`, "position 16: ')' without a matching '('"),
			Entry("a bad escape", `"displayName:a\b"`, `'\' inside a clause must be followed by '"' or '\'`),
			Entry("an empty value", ``, "the value is empty"),
			Entry("deep nesting", strings.Repeat("(", 40)+`"displayName:x"`+strings.Repeat(")", 40), "parentheses nested too deeply"),
		)

		It("refuses a property the collection cannot search with 400 Request_UnsupportedQuery", func() {
			r := w.do("GET", `/v1.0/groups?$search="securityEnabled:true"`, nil, eventual, "eventual")
			Expect(r.status).To(Equal(400))
			Expect(r.errCode()).To(Equal("Request_UnsupportedQuery"))
			Expect(r.errMessage()).To(Equal("Unsupported search property 'securityEnabled' for 'Group'."))
		})

		It("refuses $search on an Intune collection in Intune's shape", func() {
			r := w.do("GET", `/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$search="serialNumber:x"`, nil)
			Expect(r.status).To(Equal(400))
			Expect(r.errCode()).To(Equal("BadRequest"))
		})

		It("searches devices, members and memberOf", func() {
			ids := w.importBatch(3)
			gid := w.createGroupWith("Lab devices", "labdevices", "")
			w.addMember(gid, ids[1])
			w.addMember(gid, ids[2])

			devs := w.do("GET", `/v1.0/devices?$search="displayName:SN01" OR "displayName:SN02"`, nil, eventual, "eventual")
			Expect(devs.status).To(Equal(200), devs.raw)
			Expect(names(devs)).To(Equal([]string{"SN01", "SN02"}))
			Expect(w.do("GET", `/v1.0/devices?$search="deviceId:zzz"`, nil, eventual, "eventual").values()).To(BeEmpty())
			bad := w.do("GET", `/v1.0/devices?$search="description:x"`, nil, eventual, "eventual")
			Expect(bad.errMessage()).To(Equal("Unsupported search property 'description' for 'Device'."))

			mem := w.do("GET", "/v1.0/groups/"+gid+`/members?$search="displayName:sn02"`, nil, eventual, "eventual")
			Expect(names(mem)).To(Equal([]string{"SN02"}))
			c := w.do("GET", "/v1.0/groups/"+gid+`/members/$count?$search="displayName:sn"`, nil, eventual, "eventual")
			Expect(c.raw).To(Equal("2"))

			of := w.do("GET", "/v1.0/devices/"+ids[1]+`/memberOf?$search="displayName:lab"`, nil, eventual, "eventual")
			Expect(names(of)).To(Equal([]string{"Lab devices"}))
			none := w.do("GET", "/v1.0/devices/"+ids[1]+`/memberOf/graph.group?$search="displayName:autopilot"`, nil, eventual, "eventual")
			Expect(none.values()).To(BeEmpty())
		})
	})

	Describe("GET /groups/{id}/members/$ref", func() {
		var gid string
		var ids []string
		BeforeEach(func() {
			ids = w.importBatch(3)
			gid = w.createGroupWith("Refs", "refs", "")
			for _, id := range ids {
				w.addMember(gid, id)
			}
		})

		It("lists OData entity references under the directoryObjects context, on the request's host", func() {
			r := w.do("GET", "/v1.0/groups/"+gid+"/members/$ref", nil)
			Expect(r.status).To(Equal(200), r.raw)
			Expect(r.body["@odata.context"]).To(Equal(base + "/v1.0/$metadata#directoryObjects"))
			var refs []any
			for _, v := range r.values() {
				Expect(v).To(HaveLen(1), "a reference carries only @odata.id")
				refs = append(refs, v["@odata.id"])
			}
			Expect(refs).To(Equal([]any{base + "/v1.0/directoryObjects/" + ids[0], base + "/v1.0/directoryObjects/" + ids[1], base + "/v1.0/directoryObjects/" + ids[2]}))
			beta := w.do("GET", "/beta/groups/"+gid+"/members/$ref", nil)
			Expect(beta.values()[0]["@odata.id"]).To(Equal(base + "/beta/directoryObjects/" + ids[0]))
		})

		It("pages with $top and a nextLink, and counts with $count=true", func() {
			r := w.do("GET", "/v1.0/groups/"+gid+"/members/$ref?$top=2&$count=true", nil, eventual, "eventual")
			Expect(r.values()).To(HaveLen(2))
			Expect(r.body["@odata.count"]).To(BeNumerically("==", 3))
			p := w.do("GET", r.body["@odata.nextLink"].(string), nil, eventual, "eventual")
			Expect(p.values()).To(HaveLen(1))
			Expect(p.values()[0]["@odata.id"]).To(HaveSuffix(ids[2]))
		})

		It("filters and searches the members before turning them into references", func() {
			r := w.do("GET", "/v1.0/groups/"+gid+`/members/$ref?$filter=displayName eq 'SN01'`, nil)
			Expect(r.values()).To(HaveLen(1))
			Expect(r.values()[0]["@odata.id"]).To(HaveSuffix(ids[1]))
			s := w.do("GET", "/v1.0/groups/"+gid+`/members/$ref?$search="displayName:sn02"`, nil, eventual, "eventual")
			Expect(s.values()).To(HaveLen(1))
			Expect(s.values()[0]["@odata.id"]).To(HaveSuffix(ids[2]))
		})

		DescribeTable("refuses what a reference cannot carry, and unknown groups",
			func(path string, status int, code string) {
				r := w.do("GET", strings.ReplaceAll(path, "{gid}", gid), nil)
				Expect(r.status).To(Equal(status), r.raw)
				Expect(r.errCode()).To(Equal(code))
			},
			Entry("$select", "/v1.0/groups/{gid}/members/$ref?$select=id", 400, "Request_BadRequest"),
			Entry("$expand", "/v1.0/groups/{gid}/members/$ref?$expand=memberOf", 400, "Request_BadRequest"),
			Entry("an unknown group", "/v1.0/groups/00000000-0000-4000-8000-000000000000/members/$ref", 404, "Request_ResourceNotFound"),
		)
	})

	Describe("DELETE /groups/{id}/members/$ref?@id=<url>", func() {
		var gid, dyn string
		var ids []string
		BeforeEach(func() {
			ids = w.importBatch(2)
			gid = w.createGroupWith("Static", "static", "")
			w.addMember(gid, ids[0])
			dyn = w.createGroup("Dyn", `(device.devicePhysicalIDs -any (_ -startsWith "[ZTDid]"))`)
		})

		DescribeTable("removes the member → 204, whichever key spelling and URL form",
			func(query string) {
				q := strings.ReplaceAll(query, "{id}", ids[0])
				r := w.rawDo("DELETE", "/v1.0/groups/"+gid+"/members/$ref?"+q)
				Expect(r.status).To(Equal(204), r.raw)
				Expect(memberIDs(w, gid)).To(BeEmpty())
			},
			Entry("@id as the SDK sends it (%40id, value encoded)", "%40id=https%3A%2F%2Fgraph.microsoft.com%2Fv1.0%2FdirectoryObjects%2F{id}"),
			Entry("@id unencoded", "@id=https://graph.microsoft.com/v1.0/directoryObjects/{id}"),
			Entry("$id", "$id=https://graph.microsoft.com/v1.0/directoryObjects/{id}"),
			Entry("%24id", "%24id=https://graph.microsoft.com/v1.0/directoryObjects/{id}"),
			Entry("the mock's own host and beta", "@id=http://graph.test/beta/devices/{id}"),
			Entry("directoryObjects('{id}')", "@id=https://graph.microsoft.com/v1.0/directoryObjects('{id}')"),
			Entry("the v2 form with a type segment", "@id=https://graph.microsoft.com/v2/"+tenantID+"/directoryObjects/{id}/Microsoft.DirectoryServices.Device"),
			Entry("a relative URL", "@id=directoryObjects/{id}"),
		)

		It("takes the group out of the device's memberOf", func() {
			Expect(w.rawDo("DELETE", "/v1.0/groups/"+gid+"/members/$ref?@id=https://graph.microsoft.com/v1.0/directoryObjects/"+ids[0]).status).To(Equal(204))
			of := w.do("GET", "/v1.0/devices/"+ids[0]+"/memberOf", nil)
			for _, v := range of.values() {
				Expect(v["id"]).NotTo(Equal(gid))
			}
		})

		DescribeTable("refuses",
			func(group, query string, status int, code, msg string) {
				g := map[string]string{"static": gid, "dyn": dyn, "none": "00000000-0000-4000-8000-000000000000"}[group]
				r := w.rawDo("DELETE", "/v1.0/groups/"+g+"/members/$ref"+strings.ReplaceAll(strings.ReplaceAll(query, "{id}", ids[0]), "{other}", ids[1]))
				Expect(r.status).To(Equal(status), r.raw)
				Expect(r.errCode()).To(Equal(code))
				Expect(r.errMessage()).To(ContainSubstring(msg))
				Expect(memberIDs(w, gid)).To(Equal([]string{ids[0]}))
			},
			Entry("no @id", "static", "", 400, "Request_BadRequest", "The @id query option is required"),
			Entry("an empty @id", "static", "?@id=", 400, "Request_BadRequest", "Invalid value '' for the @id query option"),
			Entry("a bare id, not a URL", "static", "?@id={id}", 400, "Request_BadRequest", "expected the URL of a directory object"),
			Entry("a URL of something else", "static", "?@id=https://graph.microsoft.com/v1.0/deviceManagement/{id}", 400, "Request_BadRequest", "expected the URL of a directory object"),
			Entry("a collection URL without an id", "static", "?@id=https://graph.microsoft.com/v1.0/directoryObjects/", 400, "Request_BadRequest", "expected the URL"),
			Entry("@id twice", "static", "?@id=directoryObjects/{id}&$id=directoryObjects/{id}", 400, "Request_BadRequest", "must be given once"),
			Entry("a malformed query string", "static", "?@id=%zz", 400, "Request_BadRequest", "Invalid query string"),
			Entry("not a member", "static", "?@id=https://graph.microsoft.com/v1.0/directoryObjects/{other}", 404, "Request_ResourceNotFound", "does not exist"),
			Entry("a dynamic group (S7 CIPP#468)", "dyn", "?@id=https://graph.microsoft.com/v1.0/directoryObjects/{id}", 403, "Authorization_RequestDenied", "Insufficient privileges"),
			Entry("an unknown group", "none", "?@id=https://graph.microsoft.com/v1.0/directoryObjects/{id}", 404, "Request_ResourceNotFound", "does not exist"),
		)
	})

	Describe("$expand=members on GET /groups/{id}", func() {
		var gid string
		var ids []string
		BeforeEach(func() {
			ids = w.importBatch(22)
			gid = w.createGroupWith("Expand", "expand", "")
		})

		It("expands an empty group to an empty array", func() {
			r := w.do("GET", "/v1.0/groups/"+gid+"?$expand=members", nil)
			Expect(r.status).To(Equal(200), r.raw)
			Expect(r.body["members"]).To(Equal([]any{}))
			Expect(r.body["@odata.context"]).To(Equal(base + "/v1.0/$metadata#groups/$entity"))
			Expect(r.body["displayName"]).To(Equal("Expand"))
		})

		It("expands members as directoryObjects with @odata.type, devices and groups", func() {
			w.addMember(gid, ids[0])
			inner := w.createGroupWith("Inner", "inner", "")
			w.addMember(gid, inner)
			r := w.do("GET", "/v1.0/groups/"+gid+"?%24expand=members", nil)
			Expect(r.status).To(Equal(200), r.raw)
			m := r.body["members"].([]any)
			Expect(m).To(HaveLen(2))
			Expect(m[0]).To(HaveKeyWithValue("@odata.type", "#microsoft.graph.device"))
			Expect(m[0]).To(HaveKeyWithValue("id", ids[0]))
			Expect(m[0]).To(HaveKey("physicalIds"))
			Expect(m[1]).To(HaveKeyWithValue("@odata.type", "#microsoft.graph.group"))
		})

		It("applies a nested $select to the members and the outer $select to the group", func() {
			w.addMember(gid, ids[0])
			r := w.do("GET", "/v1.0/groups/"+gid+"?$select=id&$expand=members($select=id,displayName)", nil)
			Expect(r.status).To(Equal(200), r.raw)
			Expect(r.body).NotTo(HaveKey("displayName"))
			Expect(r.body).To(HaveKey("id"))
			Expect(r.body["members"]).To(Equal([]any{map[string]any{"@odata.type": "#microsoft.graph.device", "id": ids[0], "displayName": "SN00"}}))
		})

		It("reads $select and $expand percent-encoded, as Kiota sends them (§1.2)", func() {
			w.addMember(gid, ids[0])
			r := w.do("GET", "/v1.0/groups/"+gid+"?%24select=id&%24expand=members(%24select=id)", nil)
			Expect(r.status).To(Equal(200), r.raw)
			Expect(r.body).NotTo(HaveKey("displayName"))
			Expect(r.body["members"]).To(Equal([]any{map[string]any{"@odata.type": "#microsoft.graph.device", "id": ids[0]}}))
		})

		It("returns at most 20 members, without a nextLink", func() {
			for _, id := range ids[:21] {
				w.addMember(gid, id)
			}
			r := w.do("GET", "/v1.0/groups/"+gid+"?$expand=members", nil)
			Expect(r.body["members"]).To(HaveLen(20))
			Expect(r.body).NotTo(HaveKey("members@odata.nextLink"))
		})

		DescribeTable("refuses",
			func(expand string, code, msg string) {
				r := w.do("GET", "/v1.0/groups/"+gid+"?$expand="+expand, nil)
				Expect(r.status).To(Equal(400), r.raw)
				Expect(r.errCode()).To(Equal(code))
				Expect(r.errMessage()).To(ContainSubstring(msg))
			},
			Entry("an unknown property", "nosuch", "Request_BadRequest", "Could not find a property named 'nosuch' on type 'microsoft.graph.group'."),
			Entry("a navigation the mock does not expand", "owners", "Request_UnsupportedQuery", "mockgraph expands only 'members'"),
			Entry("two navigations", "members,owners", "Request_UnsupportedQuery", "one navigation property"),
			Entry("a nested option other than $select", "members($filter=id eq 'x')", "Request_UnsupportedQuery", "Only $select is supported inside $expand=members(...)"),
			Entry("a bad nested $select", "members($select=a b)", "Request_BadRequest", "Invalid $select inside $expand=members(...)"),
			Entry("an unclosed parenthesis", "members($select=id", "Request_BadRequest", "is not closed"),
			Entry("an empty value", "", "Request_BadRequest", "$expand needs a navigation property"),
		)

		It("is still refused on the /groups collection", func() {
			r := w.do("GET", "/v1.0/groups?$expand=members", nil)
			Expect(r.status).To(Equal(400))
			Expect(r.errCode()).To(Equal("Request_UnsupportedQuery"))
		})
	})

	Describe("/devices/{id}/memberOf casts (§10.1)", func() {
		var ids []string
		var gA, gB string
		BeforeEach(func() {
			ids = w.importBatch(2)
			gA = w.createGroupWith("Group A", "a", "")
			gB = w.createGroupWith("Group B", "b", "")
			w.addMember(gA, ids[0])
			w.addMember(gB, ids[0])
		})

		DescribeTable("lists only groups under the groups context",
			func(nav, cast string) {
				r := w.do("GET", "/v1.0/devices/"+ids[0]+"/"+nav+"/"+cast, nil)
				Expect(r.status).To(Equal(200), r.raw)
				Expect(r.body["@odata.context"]).To(Equal(base + "/v1.0/$metadata#groups"))
				Expect(names(r)).To(Equal([]string{"Group A", "Group B"}))
				for _, v := range r.values() {
					Expect(v["@odata.type"]).To(Equal("#microsoft.graph.group"))
				}
				c := w.do("GET", "/v1.0/devices/"+ids[0]+"/"+nav+"/"+cast+"/$count", nil, eventual, "eventual")
				Expect(c.raw).To(Equal("2"))
				other := w.do("GET", "/v1.0/devices/"+ids[1]+"/"+nav+"/"+cast, nil)
				Expect(other.values()).To(BeEmpty())
			},
			Entry("memberOf/graph.group", "memberOf", "graph.group"),
			Entry("memberOf/microsoft.graph.group", "memberOf", "microsoft.graph.group"),
			Entry("transitiveMemberOf/graph.group", "transitiveMemberOf", "graph.group"),
			Entry("transitiveMemberOf/microsoft.graph.group", "transitiveMemberOf", "microsoft.graph.group"),
		)

		It("keeps the directoryObjects context without the cast, and counts", func() {
			r := w.do("GET", "/v1.0/devices/"+ids[0]+"/memberOf?$filter=displayName eq 'Group B'", nil)
			Expect(r.body["@odata.context"]).To(Equal(base + "/v1.0/$metadata#directoryObjects"))
			Expect(names(r)).To(Equal([]string{"Group B"}))
			c := w.do("GET", "/v1.0/devices/"+ids[0]+"/memberOf/$count", nil, eventual, "eventual")
			Expect(c.raw).To(Equal("2"))
			Expect(w.do("GET", "/v1.0/devices/"+ids[0]+"/memberOf/$count", nil).errCode()).To(Equal("Request_UnsupportedQuery"))
		})

		It("answers 404 for an unknown device", func() {
			r := w.do("GET", "/v1.0/devices/00000000-0000-4000-8000-000000000000/memberOf/graph.group", nil)
			Expect(r.status).To(Equal(404))
			Expect(r.errCode()).To(Equal("Request_ResourceNotFound"))
		})
	})
})
