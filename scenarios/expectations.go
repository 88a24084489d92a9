package scenarios

import (
	"fmt"
	"regexp"
	"strings"
)

// EntraDevicesCheck asserts on a device's Microsoft Entra device objects
// (their number is entraObjects).
type EntraDevicesCheck struct {
	// TrustTypes are the objects' trust types, in any order, exactly: e.g.
	// [AzureAd, ServerAd] for a hybrid joined device (the Autopilot object
	// and the hybrid one, seed 000 "Display registered Windows Autopilot
	// device").
	TrustTypes []string `yaml:"trustTypes"`
	// Names are patterns (see FullMatch); each must match the displayName
	// of at least one of the objects.
	Names []string `yaml:"names"`
}

// EventsCheck asserts on the Windows event log entries of a device and of
// the connector's handling of its ODJ request (results' events), by ID in
// any log.
type EventsCheck struct {
	Present []int `yaml:"present"`
	Absent  []int `yaml:"absent"`
}

// DSRegCheck asserts on the device's `dsregcmd /status` at the end of the
// run. Unset keys are not checked.
type DSRegCheck struct {
	AzureAdJoined    string `yaml:"azureAdJoined"`    // YES | NO
	EnterpriseJoined string `yaml:"enterpriseJoined"` // YES | NO
	DomainJoined     string `yaml:"domainJoined"`     // YES | NO
	AzureAdPrt       string `yaml:"azureAdPrt"`       // YES | NO
	DomainName       string `yaml:"domainName"`       // NetBIOS name, case-insensitive
	ErrorPhase       string `yaml:"errorPhase"`       // precheck | discover | auth | join
	ClientErrorCode  string `yaml:"clientErrorCode"`  // e.g. 0x801c03f2
}

var (
	trustTypes  = []string{"AzureAd", "ServerAd", "Workplace"}
	yesNo       = []string{"YES", "NO"}
	errorPhases = []string{"precheck", "discover", "auth", "join"}
	dsregCode   = regexp.MustCompile(`^0x[0-9a-fA-F]{8}$`)
)

// FullMatch compiles pattern as an RE2 regular expression that must match
// the whole name ("AP-[A-Z0-9]{12}" matches AP-7XC470A44UGN, not
// XAP-7XC470A44UGN1). Regular expressions rather than globs: computer names
// are checked for their length and alphabet (15 characters, the prefix
// plus random characters, seed 000 "Create and assign a Domain Join
// profile"), which a glob cannot say.
func FullMatch(pattern string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(pattern); err != nil {
		return nil, err // the error quotes the pattern as written
	}
	return regexp.Compile("^(?:" + pattern + ")$")
}

// deviceChecks validates the expectation keys of this file.
func (v *validator) deviceChecks(p string, e Expectation) {
	if e.ComputerName != "" {
		if _, err := FullMatch(e.ComputerName); err != nil {
			v.errf(p+".computerName", "bad regular expression %q: %v", e.ComputerName, err)
		}
	}
	if c := e.EntraDevices; c != nil {
		if len(c.TrustTypes) == 0 && len(c.Names) == 0 {
			v.errf(p+".entraDevices", "nothing to check: give trustTypes or names (and entraObjects for their number)")
		}
		for i, t := range c.TrustTypes {
			v.enum(fmt.Sprintf("%s.entraDevices.trustTypes[%d]", p, i), "trust type", t, trustTypes, true)
		}
		if e.EntraObjects != nil && len(c.TrustTypes) > 0 && len(c.TrustTypes) != *e.EntraObjects {
			v.errf(p+".entraDevices.trustTypes", "%d trust types for entraObjects %d: list one per object", len(c.TrustTypes), *e.EntraObjects)
		}
		for i, n := range c.Names {
			path := fmt.Sprintf("%s.entraDevices.names[%d]", p, i)
			if strings.TrimSpace(n) == "" {
				v.errf(path, "empty name pattern")
			} else if _, err := FullMatch(n); err != nil {
				v.errf(path, "bad regular expression %q: %v", n, err)
			}
		}
	}
	if c := e.Events; c != nil {
		if len(c.Present) == 0 && len(c.Absent) == 0 {
			v.errf(p+".events", "nothing to check: give present or absent (event IDs)")
		}
		present := map[int]bool{}
		for i, id := range c.Present {
			if id <= 0 || id > 65535 {
				v.errf(fmt.Sprintf("%s.events.present[%d]", p, i), "event ID %d is not between 1 and 65535", id)
			}
			present[id] = true
		}
		for i, id := range c.Absent {
			path := fmt.Sprintf("%s.events.absent[%d]", p, i)
			switch {
			case id <= 0 || id > 65535:
				v.errf(path, "event ID %d is not between 1 and 65535", id)
			case present[id]:
				v.errf(path, "event %d is both present and absent", id)
			}
		}
	}
	if c := e.DSRegCmd; c != nil {
		if *c == (DSRegCheck{}) {
			v.errf(p+".dsregcmd", "nothing to check: give azureAdJoined, enterpriseJoined, domainJoined, azureAdPrt, domainName, errorPhase or clientErrorCode")
		}
		for _, kv := range [][2]string{{"azureAdJoined", c.AzureAdJoined}, {"enterpriseJoined", c.EnterpriseJoined},
			{"domainJoined", c.DomainJoined}, {"azureAdPrt", c.AzureAdPrt}} {
			v.enum(p+".dsregcmd."+kv[0], kv[0], kv[1], yesNo, false)
		}
		v.enum(p+".dsregcmd.errorPhase", "errorPhase", c.ErrorPhase, errorPhases, false)
		if c.ClientErrorCode != "" && !dsregCode.MatchString(c.ClientErrorCode) {
			v.errf(p+".dsregcmd.clientErrorCode", "client error code %q is not 0x and 8 hex digits, e.g. \"0x801c03f2\"", c.ClientErrorCode)
		}
	}
}
