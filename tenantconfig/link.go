package tenantconfig

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// contextOwner finds the owner id in an assignments collection's context:
// ".../deviceConfigurations('ID')/assignments" or ".../ID/assignments".
var contextOwner = regexp.MustCompile(`(?:\('([^']+)'\)|/([^/('$]+))/assignments`)

// finish links assignments kept in their own files to their objects,
// resolves group names, sorts everything and fills the Config.
func (l *loader) finish() error {
	for _, la := range l.loose {
		l.linkLoose(la)
	}
	l.resolveNames()
	c := l.cfg
	for _, p := range l.dps {
		c.DeploymentProfiles = append(c.DeploymentProfiles, *p)
	}
	for _, p := range l.djs {
		c.DomainJoinProfiles = append(c.DomainJoinProfiles, *p)
	}
	for _, p := range l.esps {
		c.ESPs = append(c.ESPs, *p)
	}
	for _, p := range l.customs {
		c.CustomConfigs = append(c.CustomConfigs, *p)
	}
	for _, p := range l.groups {
		c.Groups = append(c.Groups, *p)
	}
	for _, p := range l.devs {
		c.AutopilotDevices = append(c.AutopilotDevices, *p)
	}
	for _, p := range l.conns {
		c.Connectors = append(c.Connectors, *p)
	}
	sort.Slice(c.DeploymentProfiles, func(i, j int) bool { return c.DeploymentProfiles[i].ID < c.DeploymentProfiles[j].ID })
	sort.Slice(c.DomainJoinProfiles, func(i, j int) bool { return c.DomainJoinProfiles[i].ID < c.DomainJoinProfiles[j].ID })
	sort.Slice(c.ESPs, func(i, j int) bool { return c.ESPs[i].ID < c.ESPs[j].ID })
	sort.Slice(c.CustomConfigs, func(i, j int) bool { return c.CustomConfigs[i].ID < c.CustomConfigs[j].ID })
	sort.Slice(c.Groups, func(i, j int) bool { return c.Groups[i].ID < c.Groups[j].ID })
	sort.Slice(c.AutopilotDevices, func(i, j int) bool { return c.AutopilotDevices[i].ID < c.AutopilotDevices[j].ID })
	sort.Slice(c.Connectors, func(i, j int) bool { return c.Connectors[i].ID < c.Connectors[j].ID })
	for i := range c.DeploymentProfiles {
		sortAssignments(c.DeploymentProfiles[i].Assignments)
	}
	for i := range c.DomainJoinProfiles {
		sortAssignments(c.DomainJoinProfiles[i].Assignments)
	}
	for i := range c.ESPs {
		sortAssignments(c.ESPs[i].Assignments)
	}
	for i := range c.CustomConfigs {
		sortAssignments(c.CustomConfigs[i].Assignments)
	}
	sort.SliceStable(c.Notes, func(i, j int) bool { return c.Notes[i].File < c.Notes[j].File })
	return nil
}

// sortAssignments orders by file and pointer, the order they were written.
func sortAssignments(as []Assignment) {
	sort.SliceStable(as, func(i, j int) bool {
		if as[i].Source.File != as[j].Source.File {
			return as[i].Source.File < as[j].Source.File
		}
		if as[i].Source.Line != as[j].Source.Line {
			return as[i].Source.Line < as[j].Source.Line
		}
		return as[i].Pointer < as[j].Pointer
	})
}

// windowsUnsafe are the characters PowerShell's
// [IO.Path]::GetInvalidFileNameChars() and IntuneCD replace by "_" when
// they name a file after an object's displayName.
var windowsUnsafe = regexp.MustCompile(`[<>:"/\\|?*\x00-\x1f\x7f]`)

func safeFileName(name string) string { return windowsUnsafe.ReplaceAllString(name, "_") }

// linkLoose finds the object of an assignment read from its own file: by
// the collection's @odata.context, the assignment's sourceId, its id
// ("OBJECTID_GROUPID", as Intune forms them), or — as IntuneBackupAndRestore
// names assignment files after the object's displayName in an Assignments
// folder next to the objects — the file name.
func (l *loader) linkLoose(la looseAssignment) {
	n := la.node
	where := la.file
	var o *owner
	if m := contextOwner.FindStringSubmatch(la.context); m != nil {
		o = l.owners[m[1]+m[2]]
	}
	if o == nil {
		o = l.owners[str(n, "sourceId")]
	}
	if o == nil {
		if id := str(n, "id"); strings.Contains(id, "_") {
			o = l.owners[id[:strings.Index(id, "_")]]
		}
	}
	if o == nil {
		stem := strings.TrimSuffix(path.Base(la.file), path.Ext(la.file))
		dir := path.Dir(la.file)
		if strings.EqualFold(path.Base(dir), "assignments") {
			parent := path.Dir(dir)
			var ids []string
			for id, cand := range l.owners {
				if path.Dir(cand.file) == parent && safeFileName(cand.name) == stem {
					ids = append(ids, id)
				}
			}
			sort.Strings(ids)
			if len(ids) > 1 {
				l.note(where, fmt.Sprintf("assignment skipped: %d objects in %s are named %q", len(ids), parent, stem))
				return
			}
			if len(ids) == 1 {
				o = l.owners[ids[0]]
			}
		}
	}
	if o == nil {
		l.note(where, "assignment skipped: its object is not among the loaded ones (skipped as unrelated, or not in the folder); looked up by context, sourceId, id and file name")
		return
	}
	src := Source{File: la.file, Line: n.pos.Line, Col: n.pos.Col, Fields: map[string]Pos{}}
	collectFields(n, "", src.Fields)
	l.assignment(n, src, "", where, o.assignments)
}

// resolveNames turns group-name targets (IntuneCD replaces group ids by
// target.groupName) into group ids. A name no loaded group has becomes a
// group of its own when IntuneCD wrote its membership rule, else a note.
func (l *loader) resolveNames() {
	byName := map[string][]*Group{}
	for _, g := range l.groups {
		byName[g.Name] = append(byName[g.Name], g)
	}
	for _, nt := range l.byName {
		a := &(*nt.list)[nt.index]
		gs := byName[a.GroupName]
		switch {
		case len(gs) == 1:
			a.GroupID = gs[0].ID
		case len(gs) > 1:
			l.note(a.Source.File, fmt.Sprintf("assignment %s: %d groups are named %q; the target stays unresolved", a.Pointer, len(gs), a.GroupName))
		case nt.typed:
			g := &Group{ID: "name:" + a.GroupName, Name: a.GroupName, Dynamic: nt.dynamic, MembershipRule: nt.rule,
				Source: Source{File: a.Source.File, Line: a.Source.Line, Col: a.Source.Col, Fields: map[string]Pos{}}}
			if p, ok := a.Source.Fields[a.Pointer+"/target/groupName"]; ok {
				g.Source.Line, g.Source.Col = p.Line, p.Col
			}
			l.groups = append(l.groups, g)
			byName[g.Name] = []*Group{g}
			a.GroupID = g.ID
			what := "an assigned group without members (its members are not in the backup)"
			if g.Dynamic {
				what = "a dynamic group with the membership rule written there"
			}
			l.note(a.Source.File, fmt.Sprintf("group %q is not in the loaded groups: read from the assignment's target as %s", g.Name, what))
		default:
			l.note(a.Source.File, fmt.Sprintf("assignment %s: no loaded group is named %q; the target stays unresolved", a.Pointer, a.GroupName))
		}
	}
}
