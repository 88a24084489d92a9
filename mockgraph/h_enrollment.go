package mockgraph

import (
	"fmt"
	"net/http"
	"strconv"
)

// ---- enrollment configurations / ESP ----

// espBools and espInts are the ESP knobs S6 sends as strings (§8 [obs]); coerced.
var espBools = []string{"showInstallationProgress", "blockDeviceSetupRetryByUser", "allowDeviceResetOnInstallFailure",
	"allowLogCollectionOnInstallFailure", "allowDeviceUseOnInstallFailure", "trackInstallProgressForAutopilotOnly",
	"disableUserStatusTrackingAfterFirstUser", "allowNonBlockingAppInstallation", "installQualityUpdates"}

func coerceESP(props map[string]any) *apiError {
	for _, k := range espBools {
		switch v := props[k].(type) {
		case nil, bool:
		case string:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return intuneBadRequest(fmt.Sprintf("Property '%s' must be a Boolean, got %q.", k, v))
			}
			props[k] = b
		default:
			return intuneBadRequest(fmt.Sprintf("Property '%s' must be a Boolean.", k))
		}
	}
	if n, ok, e := numProp(props, "installProgressTimeoutInMinutes"); e != nil {
		return e
	} else if ok {
		if n < 1 || n > 1440 {
			return intuneBadRequest(fmt.Sprintf("'installProgressTimeoutInMinutes' must be between 1 and 1440, got %d.", n))
		}
		props["installProgressTimeoutInMinutes"] = n
	}
	return nil
}

func (s *Server) listEnrollmentConfigs(w http.ResponseWriter, r *http.Request) *apiError {
	var items []map[string]any
	for _, c := range s.st.enrollConfs.list() {
		items = append(items, c.toJSON())
	}
	s.writeList(w, r, listOpts{ctxFrag: "deviceManagement/deviceEnrollmentConfigurations", pageSize: 1000}, items)
	return nil
}

func (s *Server) enrollConfByID(r *http.Request) (*enrollmentConfig, *apiError) {
	return s.st.enrollConfs.fromPath(r, intuneMissing)
}

func (s *Server) getEnrollmentConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	writeOne(w, r, "deviceManagement/deviceEnrollmentConfigurations", c.toJSON(), false)
	return nil
}

// postEnrollmentConfig: without "priority" the next free one is given
// (CHOICE, UNCERTAIN §15.4).
func (s *Server) postEnrollmentConfig(w http.ResponseWriter, r *http.Request) *apiError {
	typ, body, props, e := decodeCreate(r, "deviceEnrollmentConfiguration")
	if e != nil {
		return e
	}
	if typ == typeESP {
		if e := coerceESP(props); e != nil {
			return e
		}
		props["deviceEnrollmentConfigurationType"] = "windows10EnrollmentCompletionPageConfiguration"
	}
	prio, ok, e := numProp(body, "priority")
	if e != nil {
		return e
	}
	if !ok || prio < 1 {
		prio = 1
		for _, c := range s.st.enrollConfs.list() {
			if c.ODataType == typ && c.Priority >= prio {
				prio = c.Priority + 1
			}
		}
	}
	now := s.now()
	c := &enrollmentConfig{ID: s.newID(), ODataType: typ, Props: props, Priority: prio, Created: now, Modified: now, seq: s.st.nextSeq()}
	if _, ok := c.Props["version"]; !ok {
		c.Props["version"] = 1
	}
	s.st.enrollConfs.put(c.ID, c)
	created(w, r, r.URL.Path, c.ID, "deviceManagement/deviceEnrollmentConfigurations/$entity", c.toJSON())
	return nil
}

func (s *Server) patchEnrollmentConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	var validate func(map[string]any) *apiError
	if c.ODataType == typeESP {
		validate = coerceESP
	}
	merged, e := decodePatch(r, c.Props, validate)
	if e != nil {
		return e
	}
	c.Props, c.Modified = merged, s.now()
	noContent(w)
	return nil
}

func (s *Server) deleteEnrollmentConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	if c.IsDefault {
		return intuneBadRequest("The default enrollment configuration cannot be deleted.")
	}
	s.st.enrollConfs.del(c.ID)
	noContent(w)
	return nil
}

// assignEnrollmentConfig: {"enrollmentConfigurationAssignments":[…]} → 204, replacing the set (§8).
func (s *Server) assignEnrollmentConfig(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	if c.IsDefault {
		// Its assignments cannot be changed (§8 [obs]).
		return intuneBadRequest("The assignments of the default enrollment configuration cannot be changed.")
	}
	as, e := decodeTargets(r, "enrollmentConfigurationAssignments", c.ID, "")
	if e != nil {
		return e
	}
	c.Assignments = as
	noContent(w)
	return nil
}

func (s *Server) setPriority(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	var body map[string]any
	if e := decodeBody(r, shapeIntune, &body); e != nil {
		return e
	}
	n, ok, e := numProp(body, "priority")
	if e != nil {
		return e
	}
	if !ok || n < 1 || c.IsDefault {
		return intuneBadRequest("'priority' must be a positive integer (the default configuration's priority is fixed).")
	}
	c.Priority = n
	noContent(w)
	return nil
}

func (s *Server) listEnrollmentAssignments(w http.ResponseWriter, r *http.Request) *apiError {
	c, e := s.enrollConfByID(r)
	if e != nil {
		return e
	}
	s.writeList(w, r, listOpts{ctxFrag: "deviceManagement/deviceEnrollmentConfigurations('" + c.ID + "')/assignments", pageSize: 1000},
		assignmentItems(c.Assignments, "#microsoft.graph.enrollmentConfigurationAssignment", isBeta(r)))
	return nil
}
