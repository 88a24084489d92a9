package mockgraph

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// ---- devices ----

func (s *Server) deviceOpts() listOpts {
	return listOpts{ctxFrag: "devices", directory: true, pageSize: 100, search: deviceSearch}
}

func (s *Server) deviceItems() []map[string]any {
	var items []map[string]any
	for _, d := range s.st.entra.list() {
		items = append(items, d.toJSON())
	}
	return items
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) *apiError {
	s.writeList(w, r, s.deviceOpts(), s.deviceItems())
	return nil
}

func (s *Server) countDevices(w http.ResponseWriter, r *http.Request) *apiError {
	return s.writeCount(w, r, s.deviceOpts(), s.deviceItems())
}

func (s *Server) getDevice(w http.ResponseWriter, r *http.Request) *apiError {
	id := pathVar(r, "id")
	d, ok := s.st.entra.get(id)
	if !ok {
		return errNotFound("device", id)
	}
	writeOne(w, r, "devices", d.toJSON(), true)
	return nil
}

func (s *Server) getDeviceByDeviceID(w http.ResponseWriter, r *http.Request) *apiError {
	id := pathVar(r, "deviceId")
	if ds := s.st.entraByDeviceID(id); len(ds) > 0 {
		writeOne(w, r, "devices", ds[0].toJSON(), true)
		return nil
	}
	return errNotFound("device", id)
}

// postDeviceRefused: apps cannot create devices (§3, §10.1).
func (s *Server) postDeviceRefused(w http.ResponseWriter, r *http.Request) *apiError {
	return dirErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
}

func (s *Server) deleteDevice(w http.ResponseWriter, r *http.Request) *apiError {
	id := pathVar(r, "id")
	if _, ok := s.st.entra.get(id); !ok {
		return errNotFound("device", id)
	}
	s.st.entra.del(id)
	for _, g := range s.st.groups.list() {
		g.removeMember(id)
	}
	s.membershipChanged([]string{id})
	s.record("device.deleted", id)
	noContent(w)
	return nil
}

// deviceMemberOf: GET /devices/{id}/memberOf and /transitiveMemberOf
// (§10.1); the transitive one adds the groups that contain those groups.
// cast is true for the graph.group / microsoft.graph.group cast, which
// answers under the groups context instead of directoryObjects; count
// answers /$count.
func (s *Server) deviceMemberOf(cast, count bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) *apiError {
		id := pathVar(r, "id")
		if _, ok := s.st.entra.get(id); !ok {
			return errNotFound("device", id)
		}
		var items []map[string]any
		// Breadth first over nesting: the groups holding the device, then
		// (transitive only) the groups holding those, each once.
		in := map[string]bool{}
		for frontier := map[string]bool{id: true}; len(frontier) > 0; {
			next := map[string]bool{}
			for _, g := range s.st.groups.list() {
				if in[g.ID] {
					continue
				}
				for m := range frontier {
					if g.Members[m] {
						in[g.ID], next[g.ID] = true, true
						break
					}
				}
			}
			if !transitive(r) {
				break
			}
			frontier = next
		}
		for _, g := range s.st.groups.list() {
			if in[g.ID] {
				items = append(items, g.toJSON())
			}
		}
		// Every memberOf entry is a group here, so groups' options (and
		// searchable properties) apply with or without the cast.
		o := s.groupOpts()
		if !cast {
			o.ctxFrag = "directoryObjects"
		}
		if count {
			return s.writeCount(w, r, o, items)
		}
		s.writeList(w, r, o, items)
		return nil
	}
}

// patchDevice → 204 (§10.1: Device.ReadWrite.All may PATCH). Only
// accountEnabled and displayName are writable here; the real service
// refuses alternativeSecurityIds and most system-set properties.
func (s *Server) patchDevice(w http.ResponseWriter, r *http.Request) *apiError {
	id := pathVar(r, "id")
	d, ok := s.st.entra.get(id)
	if !ok {
		return errNotFound("device", id)
	}
	var b map[string]any
	if e := decodeBody(r, shapeDirectory, &b); e != nil {
		return e
	}
	// Graph refuses the whole request when one property is invalid: check
	// every property before changing any (the body is a map, so its order
	// is random and a refusal must not depend on it).
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	next := *d
	for _, k := range keys {
		switch v := b[k]; k {
		case "accountEnabled":
			bv, ok := v.(bool)
			if !ok {
				return errBadRequest("Invalid value specified for property 'accountEnabled' of resource 'Device'.")
			}
			next.AccountEnabled = bv
		case "displayName":
			sv, ok := v.(string)
			if !ok || strings.TrimSpace(sv) == "" {
				return errBadRequest("Invalid value specified for property 'displayName' of resource 'Device'.")
			}
			next.DisplayName = sv
		case "@odata.type":
		default:
			return errBadRequest(fmt.Sprintf("Property '%s' is read-only or not supported by mockgraph on resource 'Device'.", k))
		}
	}
	d.AccountEnabled, d.DisplayName = next.AccountEnabled, next.DisplayName
	s.deviceChanged(d.ID)
	noContent(w)
	return nil
}
