package check

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// computerNameLength is the NetBIOS limit prefix + random characters fill
// (hybrid article "Create and assign a Domain Join profile"; Graph
// windowsDomainJoinConfiguration: computerNameSuffixRandomCharCount 3–14).
const (
	computerNameLength = 15
	minRandomChars     = 3
	maxRandomChars     = 14
)

// NetBIOS computer names refuse these characters.
const badNameChars = "\\/:*?\"<>|,~!@#$^&'(){}_ ."

func prefixVariable(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DomainJoinProfiles {
		if strings.Contains(strings.ToUpper(p.Prefix), "%SERIAL%") || strings.Contains(strings.ToUpper(p.Prefix), "%RAND") || strings.Contains(p.Prefix, "%") {
			out = append(out, cfgFinding(p.Source, "/computerNameStaticPrefix", djName(p),
				"prefix %q holds a variable; hybrid naming takes only a fixed prefix followed by random characters, not %%SERIAL%% or %%RAND:x%%. Use a fixed prefix", p.Prefix))
		}
	}
	return out
}

func prefixChars(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DomainJoinProfiles {
		if strings.Contains(p.Prefix, "%") {
			continue // APS007
		}
		if i := strings.IndexAny(p.Prefix, badNameChars); i >= 0 {
			out = append(out, cfgFinding(p.Source, "/computerNameStaticPrefix", djName(p),
				"prefix %q holds %q, which computer names may not contain; use letters, digits and hyphens", p.Prefix, p.Prefix[i:i+1]))
		}
	}
	return out
}

func randomRange(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DomainJoinProfiles {
		if p.RandomChars < minRandomChars || p.RandomChars > maxRandomChars {
			out = append(out, cfgFinding(p.Source, "/computerNameSuffixRandomCharCount", djName(p),
				"%d random characters is outside %d–%d; set computerNameSuffixRandomCharCount between %d and %d", p.RandomChars, minRandomChars, maxRandomChars, minRandomChars, maxRandomChars))
		}
	}
	return out
}

func nameTooLong(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DomainJoinProfiles {
		if n := len(p.Prefix) + p.RandomChars; n > computerNameLength && p.RandomChars >= minRandomChars && p.RandomChars <= maxRandomChars {
			out = append(out, cfgFinding(p.Source, "/computerNameStaticPrefix", djName(p),
				"prefix %q (%d) + %d random characters = %d, more than the %d characters a computer name may have; shorten the prefix or use fewer random characters",
				p.Prefix, len(p.Prefix), p.RandomChars, n, computerNameLength))
		}
	}
	return out
}

// noDomainJoin: a hybrid profile reaches devices that no Domain Join
// profile reaches: they wait for an ODJ blob that never comes (F5).
func noDomainJoin(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DeploymentProfiles {
		if p.JoinType != "hybrid" {
			continue
		}
		var missed []string
		for _, pr := range c.probes {
			if !c.reaches(p.Assignments, pr) || c.winner(pr) != p.ID {
				continue
			}
			reached := false
			for _, dj := range c.cfg.DomainJoinProfiles {
				if c.reaches(dj.Assignments, pr) {
					reached = true
					break
				}
			}
			if !reached {
				missed = append(missed, describeProbe(pr))
			}
		}
		if len(missed) > 0 {
			out = append(out, cfgFinding(p.Source, "/assignments", dpName(p),
				"no Domain Join profile reaches %s, which this hybrid profile deploys: ESP waits for the offline domain join blob and fails with 80070774. Assign a Domain Join profile to the same groups (or All devices)",
				summarise(missed)))
		}
	}
	return out
}

func describeProbe(p *probe) string {
	if p.registered {
		return "device " + p.serial
	}
	return "devices " + Identity{Tag: p.tag, PurchaseOrder: p.po}.key()
}

// summarise lists up to three items and a count of the rest.
func summarise(items []string) string {
	sort.Strings(items)
	if len(items) <= 3 {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:3], ", "), len(items)-3)
}

// winner is the ID of the deployment profile a device gets: of the
// profiles reaching it, the oldest created wins (Autopilot "Profile
// conflicts"); ties go by ID so the answer is stable.
func (c *lintCtx) winner(p *probe) string {
	if c.won == nil {
		c.won = make([]*string, len(c.probes))
	}
	if p.idx < len(c.won) && c.won[p.idx] != nil {
		return *c.won[p.idx]
	}
	w := c.findWinner(p)
	if p.idx < len(c.won) {
		c.won[p.idx] = &w
	}
	return w
}

func (c *lintCtx) findWinner(p *probe) string {
	var best *tenantconfig.DeploymentProfile
	for i := range c.cfg.DeploymentProfiles {
		dp := &c.cfg.DeploymentProfiles[i]
		if !c.reaches(dp.Assignments, p) {
			continue
		}
		if best == nil || dp.CreatedAt.Before(best.CreatedAt) || (dp.CreatedAt.Equal(best.CreatedAt) && dp.ID < best.ID) {
			best = dp
		}
	}
	if best == nil {
		return ""
	}
	return best.ID
}

// profileConflict: two or more deployment profiles reach one device.
func profileConflict(c *lintCtx) []Finding {
	type pair struct{ win, lose string }
	hits := map[pair][]string{}
	for _, pr := range c.probes {
		w := c.winner(pr)
		for _, dp := range c.cfg.DeploymentProfiles {
			if dp.ID != w && c.reaches(dp.Assignments, pr) {
				k := pair{w, dp.ID}
				hits[k] = append(hits[k], describeProbe(pr))
			}
		}
	}
	byID := map[string]tenantconfig.DeploymentProfile{}
	for _, dp := range c.cfg.DeploymentProfiles {
		byID[dp.ID] = dp
	}
	var out []Finding
	for k, devs := range hits {
		win, lose := byID[k.win], byID[k.lose]
		f := cfgFinding(lose.Source, "/assignments", dpName(lose),
			"%q (created %s, earlier) also reaches %s, and the oldest profile wins: they get %q, not this profile. Remove the overlapping assignment",
			win.Name, win.CreatedAt.Format(time.DateOnly), summarise(devs), win.Name)
		if lose.JoinType == "hybrid" && win.JoinType != "hybrid" {
			// Devices meant for hybrid join get another join: an error.
			f.Severity = SeverityError
			f.Message += fmt.Sprintf(" (they %s-join instead of hybrid-joining)", win.JoinType)
		}
		out = append(out, f)
	}
	return out
}

// djConflict: two Domain Join profiles reach one device.
func djConflict(c *lintCtx) []Finding {
	var out []Finding
	for i, a := range c.cfg.DomainJoinProfiles {
		for _, b := range c.cfg.DomainJoinProfiles[i+1:] {
			var devs []string
			for _, pr := range c.probes {
				if c.reaches(a.Assignments, pr) && c.reaches(b.Assignments, pr) {
					devs = append(devs, describeProbe(pr))
				}
			}
			if len(devs) > 0 && (!strings.EqualFold(a.Domain, b.Domain) || !strings.EqualFold(targetOU(a), targetOU(b)) || a.Prefix != b.Prefix) {
				out = append(out, cfgFinding(b.Source, "/assignments", djName(b),
					"%q and %q both reach %s with different domains, OUs or prefixes; which one a device gets is not documented. Give each group one Domain Join profile",
					a.Name, b.Name, summarise(devs)))
			}
		}
	}
	return out
}

// unassigned: a profile with no assignment reaches nobody.
func unassigned(c *lintCtx) []Finding {
	var out []Finding
	for _, p := range c.cfg.DeploymentProfiles {
		if len(p.Assignments) == 0 {
			out = append(out, cfgFinding(p.Source, "", dpName(p), "the profile is assigned to no group; assign it or delete it"))
		}
	}
	for _, p := range c.cfg.DomainJoinProfiles {
		if len(p.Assignments) == 0 {
			out = append(out, cfgFinding(p.Source, "", djName(p), "the profile is assigned to no group; assign it to the devices' group or delete it"))
		}
	}
	return out
}

// unknownGroup: an assignment names a group the configuration lacks.
func unknownGroup(c *lintCtx) []Finding {
	var out []Finding
	check := func(obj string, src tenantconfig.Source, as []tenantconfig.Assignment) {
		for i, a := range as {
			if (a.Kind == tenantconfig.TargetGroup || a.Kind == tenantconfig.TargetExclusion) && c.groups[a.GroupID] == nil {
				s := src
				if a.Pointer == "" && a.Source.File != "" {
					s = a.Source
				}
				out = append(out, cfgFinding(s, assignPtr(a, i)+"/target/groupId", obj,
					"the assignment names group %s, which is not in the configuration (deleted, or not exported); assign an existing group", a.GroupID))
			}
		}
	}
	for _, p := range c.cfg.DeploymentProfiles {
		check(dpName(p), p.Source, p.Assignments)
	}
	for _, p := range c.cfg.DomainJoinProfiles {
		check(djName(p), p.Source, p.Assignments)
	}
	for _, p := range c.cfg.ESPs {
		check(espName(p), p.Source, p.Assignments)
	}
	return out
}

// userTargeted: Domain Join and deployment profiles target devices; an
// All users assignment reaches no device (F5).
func userTargeted(c *lintCtx) []Finding {
	var out []Finding
	check := func(obj string, src tenantconfig.Source, as []tenantconfig.Assignment) {
		for i, a := range as {
			if a.Kind == tenantconfig.TargetAllUsers {
				out = append(out, cfgFinding(src, assignPtr(a, i), obj,
					"assigned to All users; the profile is applied to devices, so this assignment reaches none. Assign a device group or All devices"))
			}
		}
	}
	for _, p := range c.cfg.DeploymentProfiles {
		check(dpName(p), p.Source, p.Assignments)
	}
	for _, p := range c.cfg.DomainJoinProfiles {
		check(djName(p), p.Source, p.Assignments)
	}
	return out
}

// pausedGroup: a targeted dynamic group whose processing is paused never
// takes new devices (F2).
func pausedGroup(c *lintCtx) []Finding {
	targeted := map[string]string{}
	note := func(name string, as []tenantconfig.Assignment) {
		for _, a := range as {
			if a.Kind == tenantconfig.TargetGroup {
				if _, ok := targeted[a.GroupID]; !ok {
					targeted[a.GroupID] = name
				}
			}
		}
	}
	for _, p := range c.cfg.DeploymentProfiles {
		note(dpName(p), p.Assignments)
	}
	for _, p := range c.cfg.DomainJoinProfiles {
		note(djName(p), p.Assignments)
	}
	var out []Finding
	for _, g := range c.cfg.Groups {
		if by, ok := targeted[g.ID]; ok && g.Dynamic && g.Paused {
			out = append(out, cfgFinding(g.Source, "/membershipRuleProcessingState", groupName(g),
				"membership processing is paused, so new devices never join it and %s does not reach them; set membershipRuleProcessingState to On", by))
		}
	}
	return out
}
