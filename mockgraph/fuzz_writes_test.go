package mockgraph

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// writeRoutes are the Graph writes FuzzGraphWrites sends a fuzzed body
// to; {x} is the fuzzWorld object the route acts on.
var writeRoutes = []struct{ method, path, id string }{
	{"PATCH", "/v1.0/groups/", "group"},
	{"PATCH", "/v1.0/groups/", "dyngroup"},
	{"PATCH", "/v1.0/devices/", "deviceA1"},
	{"PATCH", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/", "profile"},
	{"POST", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/{}/assignments", "profile"},
	{"PATCH", "/beta/deviceManagement/deviceConfigurations/", "dj"},
	{"PATCH", "/beta/deviceManagement/deviceConfigurations/", "custom"},
	{"POST", "/beta/deviceManagement/deviceConfigurations/{}/assign", "dj"},
	{"POST", "/beta/deviceManagement/deviceConfigurations/{}/assignments", "custom"},
	{"PATCH", "/beta/deviceManagement/deviceEnrollmentConfigurations/", "esp"},
	{"POST", "/beta/deviceManagement/deviceEnrollmentConfigurations/{}/assign", "esp"},
	{"POST", "/beta/deviceManagement/deviceEnrollmentConfigurations/{}/setPriority", "esp"},
	{"POST", "/v1.0/groups/{}/members/$ref", "group"},
	{"POST", "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/{}/updateDeviceProperties", "autopilotA1"},
	{"POST", "/v1.0/groups", ""},
	{"POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import", ""},
}

func (w *fuzzWorld) writeTarget(route uint8, id string) (method, target string) {
	r := writeRoutes[int(route)%len(writeRoutes)]
	seg := segment(id, w.ids[r.id], w.ids["deviceB1"])
	switch {
	case r.id == "":
		return r.method, r.path
	case strings.Contains(r.path, "{}"):
		return r.method, strings.Replace(r.path, "{}", seg, 1)
	}
	return r.method, r.path + seg
}

// FuzzGraphWrites: Graph write bodies (PATCH and POST on groups, devices,
// deployment profiles, assignments, device and enrollment configurations)
// on a fresh fuzzWorld. Any body gets a success or a 4xx Graph error,
// never a 5xx; a refused write changes nothing (Graph refuses a request
// whole, patch_refused_test.go).
func FuzzGraphWrites(f *testing.F) {
	fwInit(f)
	bind := `"https://graph.microsoft.com/v1.0/directoryObjects/`
	for _, s := range []struct {
		route    uint8
		id, body string
	}{
		{0, "", `{"displayName":"Renamed","description":"Autopilot devices"}`},
		{0, "", `{"displayName":"Renamed","membershipRule":"(device.devicePhysicalIds -any (_ -eq \"x\"))"}`},
		{0, "", `{"displayName":"R","members@odata.bind":[` + bind + `00000000-0000-4000-8000-000000000000"]}`},
		{0, "", `{"groupTypes":["DynamicMembership"]}`},
		{1, "", `{"membershipRule":"(device.devicePhysicalIds -any (_ -startsWith \"[ZTDId]\"))","membershipRuleProcessingState":"Paused"}`},
		{1, "", `{"displayName":"X","membershipRuleProcessingState":"Sometimes"}`},
		{1, "", `{"membershipRule":"(device.devicePhysicalIds -any"}`},
		{2, "", `{"accountEnabled":false,"displayName":"PC-1"}`},
		{2, "", `{"accountEnabled":"no","displayName":"PC-1"}`},
		{2, "~", `{"displayName":"PC-2","operatingSystem":"Linux"}`},
		{3, "", `{"@odata.type":"#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile","displayName":"Hybrid 2","hybridAzureADJoinSkipConnectivityCheck":true,"deviceNameTemplate":"AP-%RAND:5%"}`},
		{3, "", `{"@odata.type":"#microsoft.graph.azureADWindowsAutopilotDeploymentProfile"}`},
		{3, "", `{"extractHardwareHash":"yes"}`},
		{4, "", `{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"00000000-0000-4000-8000-000000000000"}}`},
		{4, "", `{"target":{"@odata.type":"#microsoft.graph.exclusionGroupAssignmentTarget"}}`},
		{5, "", `{"@odata.type":"#microsoft.graph.windowsDomainJoinConfiguration","organizationalUnit":"OU=Autopilot,DC=corp,DC=contoso,DC=com","computerNameSuffixRandomCharCount":15}`},
		{5, "", `{"computerNameSuffixRandomCharCount":"x","activeDirectoryDomainName":""}`},
		{6, "", `{"omaSettings":[{"@odata.type":"#microsoft.graph.omaSettingInteger","omaUri":"./Device/Vendor/MSFT/Policy/Config/Update/ActiveHoursStart","value":"nine"}]}`},
		{7, "", `{"assignments":[{"target":{"@odata.type":"#microsoft.graph.allDevicesAssignmentTarget"}},{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget"}}]}`},
		{8, "", `{"target":{"@odata.type":"#microsoft.graph.allLicensedUsersAssignmentTarget"}}`},
		{9, "", `{"installProgressTimeoutInMinutes":90,"allowDeviceResetOnInstallFailure":true}`},
		{9, "", `{"installProgressTimeoutInMinutes":-1,"displayName":"ESP 2"}`},
		{10, "", `{"enrollmentConfigurationAssignments":[{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"x"}}]}`},
		{11, "", `{"priority":1}`}, {11, "", `{"priority":0}`},
		{12, "", `{"@odata.id":` + bind + `00000000-0000-4000-8000-000000000000"}`},
		{13, "", `{"groupTag":"Other","userPrincipalName":"alice@contoso.com","displayName":"AP-1"}`},
		{14, "", `{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`},
		{15, "", `{"importedWindowsAutopilotDeviceIdentities":[{"serialNumber":"C1","hardwareIdentifier":"aGFzaA=="},{"serialNumber":""}]}`},
		{0, "", `{`}, {2, "", `[]`}, {5, "", `null`}, {9, "", `{"a":1}{}`},
	} {
		f.Add(s.route, s.id, s.body)
	}
	var pool worldPool
	f.Fuzz(func(t *testing.T, route uint8, id, body string) {
		w, before := pool.get(t)
		defer pool.done(t)
		method, target := w.writeTarget(route, id)
		w.call(method, target, fwShared.admin, body, "")
		what := method + " " + target + " " + body
		switch {
		case cleaned(target):
			w.answered(t, what, before, withStatus(target)...)
		case notUTF8(target):
			w.answered(t, what, before, 400)
		default:
			w.answered(t, what, before, 200, 201, 204, 400, 403, 404, 405, 409, 413)
		}
	})
}

// listPaths are the collections FuzzListQueries reads.
var listPaths = []string{
	"/v1.0/groups", "/v1.0/devices", "/beta/deviceManagement/windowsAutopilotDeviceIdentities",
	"/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles",
	"/beta/deviceManagement/deviceConfigurations", "/beta/deviceManagement/deviceEnrollmentConfigurations",
	"/beta/deviceManagement/managedDevices", "/beta/deviceManagement/domainJoinConnectors",
	"/v1.0/groups/{dyngroup}/members", "/v1.0/groups/{dyngroup}/transitiveMembers/microsoft.graph.device",
	"/v1.0/devices/{deviceA1}/memberOf", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/{profile}/assignedDevices",
}

// FuzzListQueries: $filter, $select, $top, $skiptoken, $search, $expand,
// $orderby and $count on every collection, with or without
// ConsistencyLevel: eventual. The answer is 200 with a value array (and a
// nextLink that answers 200 too) or a 4xx Graph error, never a 5xx, and a
// read never changes the tenant. Reads leave the state alone, so one world
// serves every input.
func FuzzListQueries(f *testing.F) {
	for _, s := range []struct {
		coll, flags                                     uint8
		filter, sel, top, skip, search, expand, orderby string
	}{
		{0, 1, "startswith(displayName,'Lab')", "id,displayName", "5", "", "", "", "displayName"},
		{0, 1, "", "", "", "", `"displayName:Lab"`, "", ""},
		{0, 0, "groupTypes/any(c:c eq 'DynamicMembership')", "id,membershipRule", "", "", "", "", ""},
		{1, 0, "physicalIds/any(p:startswith(p,'[OrderID]'))", "id,deviceId,physicalIds", "1", "", "", "", ""},
		{1, 3, "deviceId eq 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'", "", "", "", "", "memberOf", ""},
		{2, 0, "contains(serialNumber,'A1')", "", "1", "", "", "", ""},
		{2, 0, "serialNumber eq 'A1'", "", "", "", "", "deploymentProfile", ""},
		{3, 0, "", "serialNumber,state", "1", "garbage", "", "", ""},
		{4, 0, "", "", "", "", "", "assignments", ""},
		{5, 0, "isof('microsoft.graph.windowsDomainJoinConfiguration')", "", "", "", "", "assignments", ""},
		{7, 0, "operatingSystem eq 'Windows' and serialNumber eq 'A1'", "", "0", "", "", "", "deviceName desc"},
		{9, 3, "", "id", "1", "", "", "", ""},
		{11, 0, "", "", "", "", "", "", ""},
		{12, 0, "", "", "-1", "", "", "", ""},
		{0, 0, "displayName eq", "", "x", "", `"displayName:`, "*", "nope"},
	} {
		f.Add(s.coll, s.flags, s.filter, s.sel, s.top, s.skip, s.search, s.expand, s.orderby)
	}
	w := newFuzzWorld(f)
	before := w.digest(f)
	f.Fuzz(func(t *testing.T, coll, flags uint8, filter, sel, top, skip, search, expand, orderby string) {
		p := listPaths[int(coll)%len(listPaths)]
		for k, v := range w.ids {
			p = strings.Replace(p, "{"+k+"}", v, 1)
		}
		q := url.Values{}
		for k, v := range map[string]string{"$filter": filter, "$select": sel, "$top": top, "$skiptoken": skip,
			"$search": search, "$expand": expand, "$orderby": orderby} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if flags&2 != 0 {
			q.Set("$count", "true")
		}
		consistency := ""
		if flags&1 != 0 {
			consistency = "eventual"
		}
		target := p
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
		for hop := 0; target != "" && hop < 2; hop++ {
			w.call("GET", target, fwShared.admin, "", consistency)
			if hop == 0 {
				w.answered(t, target, before, 200, 400, 404)
			} else {
				w.answered(t, "nextLink "+target, before, 200)
			}
			if after := w.digest(t); after != before {
				t.Fatalf("GET %s changed the tenant:\nbefore %s\nafter  %s", target, before, after)
			}
			target = ""
			if w.last.Code != http.StatusOK {
				break
			}
			var page struct {
				Value    []json.RawMessage `json:"value"`
				NextLink string            `json:"@odata.nextLink"`
			}
			if err := json.Unmarshal(w.last.Body.Bytes(), &page); err != nil || page.Value == nil {
				t.Fatalf("GET %s: 200 without a value array: %v %s", target, err, w.last.Body.String())
			}
			if page.NextLink != "" {
				u, err := url.Parse(page.NextLink)
				if err != nil || u.Path == "" {
					t.Fatalf("nextLink %q does not parse: %v", page.NextLink, err)
				}
				target = u.RequestURI()
			}
		}
	})
}
