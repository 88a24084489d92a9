package mockgraph

import (
	"strconv"
	"strings"
)

// DefaultMinConnectorVersion is the oldest Intune Connector for Active
// Directory the service still works with: seed 000 "Install the Intune
// Connector for Active Directory"
// (https://learn.microsoft.com/en-us/autopilot/windows-autopilot-hybrid#install-the-intune-connector-for-active-directory)
// requires 6.2501.2000.5 or later; the legacy connector (no managed service
// account) stopped being served after its retirement in 2025 (F11). Legacy
// connectors have versions below this one, so one check covers both.
const DefaultMinConnectorVersion = "6.2501.2000.5"

// parseVersion reads a dotted version ("6.2501.2000.5") into its numbers.
func parseVersion(v string) ([]int, bool) {
	parts := strings.Split(strings.TrimSpace(v), ".")
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, false
		}
		out[i] = n
	}
	return out, len(out) > 0
}

// versionBelow reports whether v is older than min; missing parts count as
// 0. A version that does not parse is below every minimum.
func versionBelow(v, min string) bool {
	a, ok := parseVersion(v)
	if !ok {
		return true
	}
	b, _ := parseVersion(min)
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := 0, 0
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// claimRefusal: a connector below the minimum version gets no requests
// (F11). Its heartbeats are still recorded, so the admin centre lists it
// with its version. A connector that never reported a version (the private
// channel's tests) is not checked. UNCERTAIN: how the real service refuses
// an old connector, and which state the admin centre shows for it.
func (s *Server) claimRefusal(c *domainJoinConnector) *apiError {
	if c.Version == "" || !versionBelow(c.Version, s.cfg.MinConnectorVersion) {
		return nil
	}
	s.record("connector.versionRefused", c.ID+" "+c.Version)
	return privErr(403, "ConnectorVersionNotSupported",
		"Connector version "+c.Version+" is below the minimum supported version "+s.cfg.MinConnectorVersion+"; update the Intune Connector for Active Directory.")
}
