package tenantconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Load reads every JSON file below dir, whatever the file names, and
// returns the configuration objects it recognises. Objects are recognised
// by @odata.type and, when Graph left it out (it does for a collection's
// base type), by the collection they came from: the file's @odata.context
// or a folder name. A file holds one object, a collection page
// ({"value": [...]}) or, as PowerShell's ConvertTo-Json writes a list, a
// JSON array. Anything else (other object types, non-JSON files) becomes a
// Note. A malformed JSON file is an error with its path and line:col, and
// so is an object id that appears in two files.
func Load(dir string) (*Config, error) {
	l := &loader{cfg: &Config{Dir: dir}, seen: map[string]string{}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and the like
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if !strings.EqualFold(path.Ext(rel), ".json") {
			l.note(rel, notJSONNote(rel))
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return l.file(p, rel, b)
	})
	if err != nil {
		return nil, err
	}
	if err := l.finish(); err != nil {
		return nil, err
	}
	return l.cfg, nil
}

func notJSONNote(rel string) string {
	switch strings.ToLower(path.Ext(rel)) {
	case ".yaml", ".yml":
		return "skipped: not JSON (IntuneCD's YAML output is not read; back up with IntuneCD's JSON output, -o json)"
	}
	return "skipped: not a JSON file"
}

// loader holds the state of one Load.
type loader struct {
	cfg  *Config
	seen map[string]string // kind/id → file, for duplicate ids

	dps     []*DeploymentProfile
	djs     []*DomainJoinProfile
	esps    []*ESP
	customs []*CustomConfig
	groups  []*Group
	devs    []*AutopilotDevice
	conns   []*Connector

	// owners maps an assignable object's id to its assignments and where
	// it came from, for assignments kept in separate files.
	owners map[string]*owner
	// loose are assignments read from their own files, linked in finish.
	loose []looseAssignment
	// byName are group-name targets (IntuneCD), resolved in finish.
	byName []nameTarget
}

type owner struct {
	assignments *[]Assignment
	name, file  string
}

type looseAssignment struct {
	node    *jnode
	file    string
	context string // the file's @odata.context
}

type nameTarget struct {
	list    *[]Assignment
	index   int
	rule    string // IntuneCD writes the group's membershipRule next to its name
	dynamic bool
	typed   bool // groupType was written
}

func (l *loader) note(file, msg string) {
	l.cfg.Notes = append(l.cfg.Notes, Note{File: file, Msg: msg})
}

// FileError is a problem in one configuration file, with the position of
// its cause when known (line 0 otherwise).
type FileError struct {
	Path      string
	Line, Col int
	Msg       string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// parseFile decodes a file's bytes into a JSON tree; full is the path used
// in errors.
func parseFile(full string, b []byte) (*jnode, error) {
	text, err := decodeText(b)
	if err != nil {
		return nil, &FileError{Path: full, Msg: err.Error()}
	}
	root, err := parseJSON(text)
	if err != nil {
		var se *jsonSyntaxError
		if errors.As(err, &se) {
			return nil, &FileError{Path: full, Line: se.Pos.Line, Col: se.Pos.Col, Msg: "invalid JSON: " + se.Msg}
		}
		return nil, &FileError{Path: full, Msg: err.Error()}
	}
	return root, nil
}

// file reads one JSON file.
func (l *loader) file(full, rel string, b []byte) error {
	root, err := parseFile(full, b)
	if err != nil {
		return err
	}
	var items []*jnode
	context := ""
	switch root.kind {
	case 'o':
		if c := root.get("@odata.context"); c != nil && c.kind == 's' {
			context = c.str
		}
		if v := root.get("value"); v != nil && v.kind == 'a' && root.get("id") == nil {
			items = v.items // a collection page
		} else {
			items = []*jnode{root}
		}
	case 'a':
		items = root.items
	default:
		l.note(rel, "skipped: the file holds no JSON object")
		return nil
	}
	for i, it := range items {
		where := rel
		if len(items) > 1 || root.kind == 'a' || root != it {
			where = fmt.Sprintf("%s (item %d)", rel, i)
		}
		if it.kind != 'o' {
			l.note(rel, fmt.Sprintf("skipped item %d: not a JSON object", i))
			continue
		}
		if err := l.object(full, rel, where, it, context); err != nil {
			return err
		}
	}
	return nil
}

// typeOf names an object's Graph type without the "#microsoft.graph."
// prefix, from @odata.type, else the collection (context or folder), else
// its shape.
func typeOf(n *jnode, rel, context string) string {
	if t := n.get("@odata.type"); t != nil && t.kind == 's' {
		return strings.TrimPrefix(strings.TrimPrefix(t.str, "#"), "microsoft.graph.")
	}
	if c := n.get("@odata.context"); c != nil && c.kind == 's' {
		context = c.str
	}
	if context != "" {
		if i := strings.LastIndex(context, "#"); i >= 0 {
			frag := strings.TrimSuffix(context[i+1:], "/$entity")
			if j := strings.Index(frag, "("); j >= 0 && !strings.Contains(frag[j:], "/") {
				frag = frag[:j]
			}
			if t := collectionType(frag[strings.LastIndex(frag, "/")+1:]); t != "" {
				return t
			}
		}
	}
	dirs := strings.Split(path.Dir(rel), "/")
	for i := len(dirs) - 1; i >= 0; i-- {
		if t := collectionType(dirs[i]); t != "" {
			return t
		}
	}
	if n.get("target") != nil && n.get("displayName") == nil {
		return "assignment"
	}
	return ""
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]`)

// collectionType maps a collection or folder name to the type of its
// members. Folder names of the backup tools count too ("Autopilot Devices"
// in IntuneCD).
func collectionType(name string) string {
	switch nonAlnum.ReplaceAllString(strings.ToLower(name), "") {
	case "groups":
		return "group"
	case "windowsautopilotdeviceidentities", "autopilotdevices":
		return "windowsAutopilotDeviceIdentity"
	case "domainjoinconnectors":
		return "deviceManagementDomainJoinConnector"
	case "windowsautopilotdeploymentprofiles":
		return "windowsAutopilotDeploymentProfile"
	case "assignments":
		return "assignment"
	}
	return ""
}

// Graph types the loader reads; the rest are noted and skipped.
const (
	tHybridProfile = "activeDirectoryWindowsAutopilotDeploymentProfile"
	tEntraProfile  = "azureADWindowsAutopilotDeploymentProfile"
	tBaseProfile   = "windowsAutopilotDeploymentProfile"
	tDomainJoin    = "windowsDomainJoinConfiguration"
	tESP           = "windows10EnrollmentCompletionPageConfiguration"
	tCustom        = "windows10CustomConfiguration"
	tGroup         = "group"
	tDevice        = "windowsAutopilotDeviceIdentity"
	tConnector     = "deviceManagementDomainJoinConnector"
)

func (l *loader) object(full, rel, where string, n *jnode, context string) error {
	typ := typeOf(n, rel, context)
	src := Source{File: rel, Line: n.pos.Line, Col: n.pos.Col, Fields: map[string]Pos{}}
	collectFields(n, "", src.Fields)
	kind := ""
	switch {
	case strings.EqualFold(typ, tHybridProfile), strings.EqualFold(typ, tEntraProfile), strings.EqualFold(typ, tBaseProfile):
		kind = "deploymentProfile"
	case strings.EqualFold(typ, tDomainJoin):
		kind = "domainJoinProfile"
	case strings.EqualFold(typ, tESP):
		kind = "esp"
	case strings.EqualFold(typ, tCustom):
		kind = "customConfig"
	case strings.EqualFold(typ, tGroup):
		kind = "group"
	case strings.EqualFold(typ, tDevice):
		kind = "autopilotDevice"
	case strings.EqualFold(typ, tConnector):
		kind = "connector"
	case strings.HasSuffix(strings.ToLower(typ), "assignment"):
		l.loose = append(l.loose, looseAssignment{node: n, file: rel, context: context})
		return nil
	case typ == "":
		l.note(where, "skipped: no @odata.type and no known collection (context or folder name)")
		return nil
	default:
		l.note(where, fmt.Sprintf("skipped: %s is not part of the hybrid join flow", typ))
		return nil
	}
	id := str(n, "id")
	if id == "" {
		id = idFromFileName(rel)
		if id == "" {
			id = "file:" + where
		}
		l.note(where, fmt.Sprintf("%s without an id (the backup tool removed it): using %q", kind, id))
	}
	key := kind + "/" + id
	if prev, dup := l.seen[key]; dup {
		return &FileError{Path: full, Line: n.pos.Line, Col: n.pos.Col,
			Msg: fmt.Sprintf("%s id %s is also in %s", kind, id, filepath.Join(l.cfg.Dir, filepath.FromSlash(prev)))}
	}
	l.seen[key] = rel
	switch kind {
	case "deploymentProfile":
		l.dps = append(l.dps, l.deploymentProfile(id, typ, n, src, where))
	case "domainJoinProfile":
		l.djs = append(l.djs, l.domainJoinProfile(id, n, src))
	case "esp":
		l.esps = append(l.esps, l.esp(id, n, src, where))
	case "customConfig":
		l.customConfig(id, n, src, where)
	case "group":
		l.groups = append(l.groups, l.group(id, n, src, where))
	case "autopilotDevice":
		l.devs = append(l.devs, &AutopilotDevice{ID: id, Serial: str(n, "serialNumber"), GroupTag: str(n, "groupTag"),
			PurchaseOrder: str(n, "purchaseOrderIdentifier"), AzureADDeviceID: firstStr(n, "azureAdDeviceId", "azureActiveDirectoryDeviceId"), Source: src})
	case "connector":
		l.conns = append(l.conns, &Connector{ID: id, Name: str(n, "displayName"), Version: str(n, "version"),
			State: str(n, "state"), LastConnection: timeOf(n, "lastConnectionDateTime"), Source: src})
	}
	return nil
}

var guidRe = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(_[A-Za-z0-9]+)?`)

// idFromFileName recovers an id the backup tool removed from the object but
// kept in the file name: IntuneCD's --append-id writes NAME__ID, and its
// Autopilot device backups are named after the device id.
func idFromFileName(rel string) string {
	stem := strings.TrimSuffix(path.Base(rel), path.Ext(rel))
	if i := strings.LastIndex(stem, "__"); i >= 0 && stem[i+2:] != "" {
		return stem[i+2:]
	}
	if m := guidRe.FindString(stem); m != "" && strings.HasPrefix(stem, m[:36]) {
		return m[:36]
	}
	return ""
}

func str(n *jnode, key string) string {
	if v := n.getFold(key); v != nil && v.kind == 's' {
		return v.str
	}
	return ""
}

func firstStr(n *jnode, keys ...string) string {
	for _, k := range keys {
		if s := str(n, k); s != "" {
			return s
		}
	}
	return ""
}

// boolOf reads a bool; ok is false when absent or not a bool.
func boolOf(n *jnode, keys ...string) (v, ok bool) {
	for _, k := range keys {
		if b := n.getFold(k); b != nil && b.kind == 'b' {
			return b.b, true
		}
	}
	return false, false
}

func boolv(n *jnode, keys ...string) bool { v, _ := boolOf(n, keys...); return v }

func intOf(n *jnode, key string) (int, bool) {
	v := n.getFold(key)
	if v == nil || v.kind != 'n' {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.num, 64)
	if err != nil || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// timeOf reads an RFC 3339 time; Graph's "0001-01-01T00:00:00Z" is zero.
func timeOf(n *jnode, key string) time.Time {
	s := str(n, key)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t.UTC()
}

func (l *loader) register(id, name, file string, list *[]Assignment) {
	if l.owners == nil {
		l.owners = map[string]*owner{}
	}
	l.owners[id] = &owner{assignments: list, name: name, file: file}
}

// embedded reads an object's "assignments" array ($expand=assignments,
// IntuneCD).
func (l *loader) embedded(n *jnode, src Source, where string, list *[]Assignment) {
	arr := n.get("assignments")
	if arr == nil || arr.kind != 'a' {
		return
	}
	for i, a := range arr.items {
		asrc := src
		l.assignment(a, asrc, fmt.Sprintf("/assignments/%d", i), where, list)
	}
}

// assignment appends one assignment node to list.
func (l *loader) assignment(a *jnode, src Source, ptr, where string, list *[]Assignment) {
	if a.kind != 'o' {
		l.note(where, fmt.Sprintf("assignment %s skipped: not an object", ptr))
		return
	}
	t := a.get("target")
	if t == nil || t.kind != 'o' {
		l.note(where, fmt.Sprintf("assignment %s skipped: no target", ptr))
		return
	}
	as := Assignment{Pointer: ptr, Source: src}
	tt := strings.TrimPrefix(strings.TrimPrefix(str(t, "@odata.type"), "#"), "microsoft.graph.")
	switch strings.ToLower(tt) {
	case "groupassignmenttarget":
		as.Kind = TargetGroup
	case "exclusiongroupassignmenttarget":
		as.Kind = TargetExclusion
	case "alldevicesassignmenttarget":
		as.Kind = TargetAllDevices
	case "alllicensedusersassignmenttarget":
		as.Kind = TargetAllUsers
	default:
		l.note(where, fmt.Sprintf("assignment %s skipped: target type %q is not simulated", ptr, tt))
		return
	}
	if f := str(t, "deviceAndAppManagementAssignmentFilterId"); f != "" && f != "00000000-0000-0000-0000-000000000000" &&
		!strings.EqualFold(str(t, "deviceAndAppManagementAssignmentFilterType"), "none") {
		l.note(where, fmt.Sprintf("assignment %s: assignment filter %q is not simulated (the assignment is read without it)", ptr, f))
	}
	if as.Kind == TargetGroup || as.Kind == TargetExclusion {
		as.GroupID = str(t, "groupId")
		as.GroupName = str(t, "groupName")
		if as.GroupID == "" && as.GroupName == "" {
			l.note(where, fmt.Sprintf("assignment %s skipped: a group target without groupId or groupName", ptr))
			return
		}
	}
	*list = append(*list, as)
	if as.GroupID == "" && as.GroupName != "" {
		gt := str(t, "groupType")
		l.byName = append(l.byName, nameTarget{list: list, index: len(*list) - 1, rule: str(t, "membershipRule"),
			dynamic: strings.EqualFold(gt, "DynamicMembership"), typed: gt != ""})
	}
}

func (l *loader) deploymentProfile(id, typ string, n *jnode, src Source, where string) *DeploymentProfile {
	p := &DeploymentProfile{ID: id, Name: str(n, "displayName"), Source: src, CreatedAt: timeOf(n, "createdDateTime"),
		DeviceNameTemplate: str(n, "deviceNameTemplate"), Language: str(n, "language"),
		SkipConnectivityCheck:  boolv(n, "hybridAzureADJoinSkipConnectivityCheck"),
		ConvertAllTargeted:     boolv(n, "hardwareHashExtractionEnabled", "extractHardwareHash"),
		PreprovisioningAllowed: boolv(n, "preprovisioningAllowed", "enableWhiteGlove"),
	}
	switch {
	case strings.EqualFold(typ, tHybridProfile):
		p.JoinType = "hybrid"
	case strings.EqualFold(typ, tEntraProfile):
		p.JoinType = "entra"
	default:
		// Graph writes @odata.type for both subtypes; without it only the
		// hybrid-only property tells them apart.
		p.JoinType = "entra"
		if n.getFold("hybridAzureADJoinSkipConnectivityCheck") != nil {
			p.JoinType = "hybrid"
		}
		l.note(where, fmt.Sprintf("deployment profile %q has no subtype in @odata.type: read as %s join", p.Name, p.JoinType))
	}
	// beta's outOfBoxExperienceSettings and v1.0's outOfBoxExperienceSetting
	// name the same settings differently.
	if o := n.getFold("outOfBoxExperienceSetting"); o != nil && o.kind == 'o' {
		p.HidePrivacySettings = boolv(o, "privacySettingsHidden")
		p.HideEULA = boolv(o, "eulaHidden")
		p.SkipKeyboard = boolv(o, "keyboardSelectionPageSkipped")
		p.UserType = str(o, "userType")
	}
	if o := n.get("outOfBoxExperienceSettings"); o != nil && o.kind == 'o' {
		p.HidePrivacySettings = boolv(o, "hidePrivacySettings")
		p.HideEULA = boolv(o, "hideEULA")
		p.SkipKeyboard = boolv(o, "skipKeyboardSelectionPage")
		p.UserType = str(o, "userType")
	}
	l.embedded(n, src, where, &p.Assignments)
	l.register(id, p.Name, src.File, &p.Assignments)
	return p
}

func (l *loader) domainJoinProfile(id string, n *jnode, src Source) *DomainJoinProfile {
	p := &DomainJoinProfile{ID: id, Name: str(n, "displayName"), Domain: str(n, "activeDirectoryDomainName"),
		Prefix: str(n, "computerNameStaticPrefix"), OU: str(n, "organizationalUnit"), CreatedAt: timeOf(n, "createdDateTime"), Source: src}
	p.RandomChars, _ = intOf(n, "computerNameSuffixRandomCharCount")
	l.embedded(n, src, src.File, &p.Assignments)
	l.register(id, p.Name, src.File, &p.Assignments)
	return p
}

// DefaultESPSuffix ends the id of the tenant's default ESP.
const DefaultESPSuffix = "_DefaultWindows10EnrollmentCompletionPageConfiguration"

func (l *loader) esp(id string, n *jnode, src Source, where string) *ESP {
	e := &ESP{ID: id, Name: str(n, "displayName"), CreatedAt: timeOf(n, "createdDateTime"), Source: src,
		ShowInstallationProgress: boolv(n, "showInstallationProgress")}
	e.Priority, _ = intOf(n, "priority")
	e.TimeoutMinutes, _ = intOf(n, "installProgressTimeoutInMinutes")
	_, hasID := n.fields["id"]
	e.IsDefault = strings.HasSuffix(id, DefaultESPSuffix) || boolv(n, "isDefault") || (!hasID && e.Priority == 0)
	if apps := n.getFold("selectedMobileAppIds"); apps != nil && apps.kind == 'a' && len(apps.items) > 0 {
		l.note(where, fmt.Sprintf("ESP %q blocks on %d apps: app installs are not simulated", e.Name, len(apps.items)))
	}
	l.embedded(n, src, where, &e.Assignments)
	l.register(id, e.Name, src.File, &e.Assignments)
	return e
}

// SkipUserStatusPageURI is the DMClient CSP node admins set to skip the
// ESP's user phase
// (https://learn.microsoft.com/en-us/windows/client-management/mdm/dmclient-csp, FirstSyncStatus/SkipUserStatusPage).
const SkipUserStatusPageURI = "./Vendor/MSFT/DMClient/Provider/MS DM Server/FirstSyncStatus/SkipUserStatusPage"

func (l *loader) customConfig(id string, n *jnode, src Source, where string) {
	c := &CustomConfig{ID: id, Name: str(n, "displayName"), Source: src}
	if oma := n.getFold("omaSettings"); oma != nil && oma.kind == 'a' {
		for _, s := range oma.items {
			if !strings.EqualFold(str(s, "omaUri"), SkipUserStatusPageURI) {
				continue
			}
			v := s.get("value")
			switch {
			case v == nil:
			case v.kind == 'b':
				c.SkipUserStatusPage = v.b
			case v.kind == 'n':
				c.SkipUserStatusPage = v.num != "0"
			case v.kind == 's':
				c.SkipUserStatusPage = strings.EqualFold(v.str, "true") || v.str == "1"
			}
			if boolv(s, "isEncrypted") && v == nil {
				l.note(where, fmt.Sprintf("custom configuration %q: the SkipUserStatusPage value is encrypted and was not read", c.Name))
			}
		}
	}
	l.embedded(n, src, where, &c.Assignments)
	// Registered even when not kept, so its assignment files find it.
	l.register(id, c.Name, src.File, &c.Assignments)
	if !c.SkipUserStatusPage {
		l.note(where, fmt.Sprintf("custom configuration %q sets nothing the hybrid join flow uses", c.Name))
		return
	}
	l.customs = append(l.customs, c)
}

func (l *loader) group(id string, n *jnode, src Source, where string) *Group {
	g := &Group{ID: id, Name: str(n, "displayName"), MembershipRule: str(n, "membershipRule"),
		Paused: strings.EqualFold(str(n, "membershipRuleProcessingState"), "Paused"), CreatedAt: timeOf(n, "createdDateTime"), Source: src}
	if gt := n.getFold("groupTypes"); gt != nil && gt.kind == 'a' {
		for _, t := range gt.items {
			if t.kind == 's' && strings.EqualFold(t.str, "DynamicMembership") {
				g.Dynamic = true
			}
		}
	}
	if ms := n.getFold("members"); ms != nil && ms.kind == 'a' {
		for i, m := range ms.items {
			if m.kind != 'o' {
				l.note(where, fmt.Sprintf("group %q: member %d is not an object", g.Name, i))
				continue
			}
			typ := strings.TrimPrefix(strings.TrimPrefix(str(m, "@odata.type"), "#"), "microsoft.graph.")
			g.Members = append(g.Members, Member{ID: str(m, "id"), Type: typ, DisplayName: str(m, "displayName"), DeviceID: str(m, "deviceId")})
		}
		sort.Slice(g.Members, func(i, j int) bool { return g.Members[i].ID < g.Members[j].ID })
	}
	return g
}
