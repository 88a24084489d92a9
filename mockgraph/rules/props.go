package rules

import (
	"sort"
	"strconv"
	"strings"
)

// kind is a device property's type as the rule engine sees it.
type kind int

const (
	kString     kind = iota // string or null
	kBool                   // true/false
	kStringList             // string collection: -any/-all with _, or direct operators
	kGroupList              // memberOf: -any (group.objectId -in [...]) only
)

// propDef is one device property a rule may read.
type propDef struct {
	name  string // canonical spelling, printed by String()
	kind  kind
	graph string // Graph device resource field it most plausibly reads (A.4, INFER)
}

// deviceProps is the A.4 table (rules-and-ad.md "Device properties", [DOC] A1
// for the names; types INFER from values and the Graph device resource).
// organizationalUnit is deliberately absent: "Not supported" (A.4), so it gets
// "Attribute not supported." like any unknown name (E5).
var deviceProps = func() map[string]propDef {
	m := map[string]propDef{}
	add := func(name string, k kind, graph string) {
		m[strings.ToLower(name)] = propDef{name: name, kind: k, graph: graph}
	}
	add("accountEnabled", kBool, "accountEnabled")
	add("deviceCategory", kString, "deviceCategory")
	add("deviceId", kString, "deviceId")
	add("deviceManagementAppId", kString, "mdmAppId")
	add("deviceManufacturer", kString, "manufacturer")
	add("deviceModel", kString, "model")
	add("deviceOSType", kString, "operatingSystem")
	add("deviceOSVersion", kString, "operatingSystemVersion")
	add("deviceOwnership", kString, "deviceOwnership")
	add("devicePhysicalIds", kStringList, "physicalIds")
	add("deviceTrustType", kString, "trustType")
	add("displayName", kString, "displayName")
	add("enrollmentProfileName", kString, "enrollmentProfileName")
	for i := 1; i <= 15; i++ {
		n := strconv.Itoa(i)
		add("extensionAttribute"+n, kString, "extensionAttributes.extensionAttribute"+n)
	}
	add("isRooted", kBool, "isRooted")
	add("managementType", kString, "managementType")
	// memberOf: the object IDs of the groups the device is a direct member of.
	add("memberOf", kGroupList, "memberOf")
	add("objectId", kString, "id")
	add("profileType", kString, "profileType")
	// A.4: "string (docs) / string collection (Graph)". Treated as a
	// collection; a plain string value in Properties is read as a one-element
	// collection, so both shapes evaluate sensibly.
	add("systemLabels", kStringList, "systemLabels")
	return m
}()

// lookupProp finds a device property by the name written in the rule.
func lookupProp(name string, caseSensitive bool) (propDef, bool) {
	d, ok := deviceProps[strings.ToLower(name)]
	if !ok || (caseSensitive && d.name != name) {
		return propDef{}, false
	}
	return d, true
}

// DeviceProperties returns the canonical names of every device property a
// rule may reference (A.4), sorted. mockgraph can use it to build Properties.
func DeviceProperties() []string {
	out := make([]string, 0, len(deviceProps))
	for _, d := range deviceProps {
		out = append(out, d.name)
	}
	sort.Strings(out)
	return out
}

// GraphField names the Graph device resource field a rule property most
// plausibly reads (A.4 last column, INFER): "deviceOSType" → "operatingSystem",
// "devicePhysicalIds" → "physicalIds", "objectId" → "id". The lookup is
// case-insensitive; ok is false for a name rules don't support.
func GraphField(property string) (field string, ok bool) {
	d, ok := lookupProp(property, false)
	if !ok {
		return "", false
	}
	return d.graph, true
}
