package report

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/autopilotsim/autopilotsim/results"
)

// outcomeOrder sorts outcomes worst first, so a reader meets failures before
// successes. Outcomes not listed (a later addition) come after, by name.
var outcomeOrder = []string{"failed", "pending", "domainJoinedNotRegistered", "notAutopilot", "entraJoined", "hybridJoined"}

func outcomeRank(o string) int {
	for i, k := range outcomeOrder {
		if k == o {
			return i
		}
	}
	return len(outcomeOrder)
}

// outcomeClass is the CSS class of an outcome; unknown outcomes share one.
func outcomeClass(o string) string {
	if outcomeRank(o) < len(outcomeOrder) {
		return "o-" + o
	}
	return "o-other"
}

type outcomeCount struct {
	Outcome string
	Class   string
	Count   int
	Percent string // of the devices counted, for the summary bar
}

func countOutcomes(devs func(yield func(string))) []outcomeCount {
	n := map[string]int{}
	total := 0
	devs(func(o string) { n[o]++; total++ })
	out := make([]outcomeCount, 0, len(n))
	for o, c := range n {
		out = append(out, outcomeCount{Outcome: o, Class: outcomeClass(o), Count: c,
			Percent: fmt.Sprintf("%.3f", 100*float64(c)/float64(total))})
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := outcomeRank(out[i].Outcome), outcomeRank(out[j].Outcome)
		if ri != rj {
			return ri < rj
		}
		return out[i].Outcome < out[j].Outcome
	})
	return out
}

// view is what the template renders server-side: the summary, the
// scenarios and their expectations, and one card per group of identical
// devices. Per-device detail travels in Data and is drawn on demand.
type view struct {
	Passed    bool
	Summary   results.Summary
	Outcomes  []outcomeCount
	Scenarios []scenarioView
	Data      *payload
}

type scenarioView struct {
	Anchor        string
	Name, File    string
	Seed          uint64
	Passed        bool
	Error         string
	SimulatedTime string
	Start         string
	Warnings      []string
	Expectations  []results.ExpectationResult
	ExpPassed     int
	Devices       int
	Outcomes      []outcomeCount
	OutcomeList   string // space-separated, for the filter
	Groups        []groupView
}

type groupView struct {
	ID            int
	Outcome       string
	Class         string
	Count         int
	FirstSerial   string
	Stage         string
	Code          string
	Detail        string
	Profile       string
	ProfileSource string
	Registration  string
	ConnectorErr  string
	Finished      string
	// PerDevice: the explanation or detail names the shown (first) device,
	// and each device of the group has its own names and IDs in them.
	PerDevice   bool
	Explanation *results.Explanation
}

// payload is the JSON the page's script reads: a string table, entry
// templates and per-device rows of indices, so a fleet of devices that
// differ only by serial, computer name and GUIDs costs a few hundred bytes a
// device. A device's own values (its vars) are cut out of its strings and
// put back by the script: "\x1bN;" in a string stands for the device's Nth var.
type payload struct {
	Lanes   []string    `json:"lanes"`
	Bands   []band      `json:"bands"`
	Str     []string    `json:"str"`
	Tpl     [][7]int    `json:"tpl"` // actor, step, detail (string indices), lane, touch lane, band opened, bands closed (mask)
	Ev      [][]int     `json:"ev"`  // machine, log, id, level, message, then name/value pairs (string indices but id)
	DS      [][]int     `json:"ds"`  // dsregcmd state, string indices in dsFields order
	DSNames []string    `json:"dsNames"`
	DSSecs  []dsSection `json:"dsSections"`
	Groups  []groupRow  `json:"groups"`
	Dev     []devRow    `json:"dev"`
}

type groupRow struct {
	Scenario int    `json:"sc"`
	Outcome  string `json:"o"`
	Stage    string `json:"st,omitempty"`
	Code     string `json:"c,omitempty"`
	Devices  []int  `json:"d"`
	Seq      []int  `json:"q"`  // the group's timeline templates, repeats folded
	EvSeq    []int  `json:"eq"` // the group's event templates, repeats folded
	// Explain is the group's explanation as string indices (stage, code,
	// meaning, cause, fix, message, docUrl, docTitle), each device's vars cut
	// out, so a device's panel shows its own.
	Explain []int `json:"x,omitempty"`
}

type devRow struct {
	Serial string `json:"s"`
	Group  int    `json:"g"`
	Vars   []int  `json:"v"`
	// Facts: detail, computer name, distinguished name, powered on, finished,
	// profile source, registration (string indices), Entra objects,
	// connector error (-1: none), then (string indices) the Entra objects'
	// trust types and names, the extra local administrators, and
	// Conditional Access's decisions.
	Facts [12]int `json:"f"`
	// Timeline: each entry's time as seconds after the previous entry's (the
	// first: after T0). The entries' templates are the group's Seq, each
	// repeated once, except where Runs (pairs: position in Seq, count) says
	// otherwise: devices of a group differ only by how often a step repeats.
	Timeline []float64 `json:"t"`
	Runs     []int     `json:"n,omitempty"`
	// Events, the same way: time deltas here, templates in the group's
	// EvSeq, repeats in EvRuns.
	Events []float64 `json:"e,omitempty"`
	EvRuns []int     `json:"en,omitempty"`
	DSReg  int       `json:"r"` // dsregcmd template, -1: none
}

// dsFields are the names `dsregcmd /status` prints for DSRegState's fields,
// in its sections and order
// (https://learn.microsoft.com/en-us/entra/identity/devices/troubleshoot-device-dsregcmd).
var dsFields = []string{"AzureAdJoined", "EnterpriseJoined", "DomainJoined", "DomainName", "Device Name",
	"DeviceId", "TenantName", "TenantId", "AzureAdPrt", "Registration Type", "Error Phase", "Client ErrorCode"}

// dsSection is one section of the output: dsFields[From:To].
type dsSection struct {
	Title string `json:"title"`
	From  int    `json:"from"`
	To    int    `json:"to"`
}

var dsSections = []dsSection{{"Device State", 0, 5}, {"Device Details", 5, 6}, {"Tenant Details", 6, 8},
	{"SSO State", 8, 9}, {"Diagnostic Data", 9, 12}}

func dsValues(s *results.DSRegState) []string {
	return []string{s.AzureAdJoined, s.EnterpriseJoined, s.DomainJoined, s.DomainName, s.DeviceName,
		s.DeviceID, s.TenantName, s.TenantID, s.AzureAdPrt, s.RegistrationType, s.ErrorPhase, s.ClientErrorCode}
}

type builder struct {
	p      payload
	strIdx map[string]int
	tplIdx map[[3]int]int
	evIdx  map[string]int
	dsIdx  map[string]int
}

func newBuilder() *builder {
	return &builder{
		p:      payload{Lanes: laneNames, Bands: bands, DSNames: dsFields, DSSecs: dsSections, Str: []string{}, Tpl: [][7]int{}, Ev: [][]int{}, DS: [][]int{}},
		strIdx: map[string]int{}, tplIdx: map[[3]int]int{}, evIdx: map[string]int{}, dsIdx: map[string]int{},
	}
}

func (b *builder) str(s string) int {
	if i, ok := b.strIdx[s]; ok {
		return i
	}
	b.p.Str = append(b.p.Str, s)
	b.strIdx[s] = len(b.p.Str) - 1
	return len(b.p.Str) - 1
}

// eachGUID calls fn with every GUID in s, left to right and not
// overlapping: 8-4-4-4-12 hex digits of either case, between word
// boundaries. It finds what the regexp
// (?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b
// finds with FindAllString (FuzzEachGUID compares the two), without its
// backtracking: the scan runs over every string of every device, a third of
// the time a 100,000-device report took to write (docs/SCALE.md).
func eachGUID(s string, fn func(string)) {
	const n = 36
	for i := 0; i+n <= len(s); i++ {
		if (i > 0 && isWordByte(s[i-1])) || !guidAt(s[i:i+n]) || (i+n < len(s) && isWordByte(s[i+n])) {
			continue
		}
		fn(s[i : i+n])
		i += n - 1
	}
}

// guidAt reports whether g (36 bytes) is a GUID's text.
func guidAt(g string) bool {
	for j := 0; j < len(g); j++ {
		c := g[j]
		if j == 8 || j == 13 || j == 18 || j == 23 {
			if c != '-' {
				return false
			}
		} else if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// isWordByte is \w of Go's regexp: an ASCII letter, digit or underscore.
func isWordByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// nameRE finds computer names in text that names them without the result's
// ComputerName field: the connector's attempts for a device that got no
// blob ("machineName=AP-…", "CN=AP-…," in event 30132).
var nameRE = regexp.MustCompile(`(?:machineName=|CN=)([A-Za-z0-9][A-Za-z0-9-]{3,14})\b`)

// varMark stands for a device's var in a template; a literal ESC in a
// result (never printable) is shown as U+241B so it cannot be mistaken for one.
const varMark = "\x1b"

// devVars cuts one device's own values out of its strings.
type devVars struct {
	vals []string
	rep  *cutter
}

func newDevVars(d *results.DeviceResult) *devVars {
	seen := map[string]bool{}
	var vals []string
	add := func(v string) {
		if len(v) >= 4 && !seen[v] && !strings.Contains(v, varMark) {
			seen[v] = true
			vals = append(vals, v)
		}
	}
	add(d.Serial)
	add(d.ComputerName)
	scan := func(s string) {
		// Each scan only where it can match: most strings have neither a
		// GUID nor a name, and the scans run over every device's strings.
		if len(s) >= 36 && strings.Count(s, "-") >= 4 {
			eachGUID(s, add)
		}
		if strings.Contains(s, "CN=") || strings.Contains(s, "machineName=") {
			for _, m := range nameRE.FindAllStringSubmatch(s, -1) {
				add(m[1])
			}
		}
	}
	scan(d.Detail)
	if e := d.Explanation; e != nil {
		scan(e.Cause)
		scan(e.Fix)
	}
	for _, t := range d.Timeline {
		scan(t.Detail)
	}
	for _, e := range d.Events {
		scan(e.Message)
		for _, f := range e.Fields {
			scan(f.Value)
		}
	}
	if d.DSRegCmd != nil {
		for _, v := range dsValues(d.DSRegCmd) {
			scan(v)
		}
	}
	// Longest first: at one position the longer value wins (a computer name
	// that starts with the serial, say); strings.Replacer makes one pass,
	// so a mark never gets replaced again.
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return len(vals[order[i]]) > len(vals[order[j]]) })
	pairs := []string{varMark, "\u241b"}
	for _, i := range order {
		pairs = append(pairs, vals[i], fmt.Sprintf("%s%d;", varMark, i))
	}
	return &devVars{vals: vals, rep: newCutter(pairs)}
}

// cutter is strings.NewReplacer(pairs...) for non-empty old strings, made
// for one device's few values: building a strings.Replacer's lookup trie
// for every device, and walking it at every byte of every string, was a
// quarter of the time a large fleet's report took to write. At each
// position the first old string in argument order that starts there is
// replaced, as strings.Replacer does; positions whose byte starts no old
// string are passed over at once. FuzzCutter holds the two to the same
// answers.
type cutter struct {
	olds, news []string
	first      [256]bool // the first bytes of olds
}

// newCutter takes old, new pairs; every old is non-empty.
func newCutter(pairs []string) *cutter {
	c := &cutter{}
	for i := 0; i+1 < len(pairs); i += 2 {
		c.olds, c.news = append(c.olds, pairs[i]), append(c.news, pairs[i+1])
		c.first[pairs[i][0]] = true
	}
	return c
}

// Replace is s with every old replaced by its new, left to right, without
// overlaps.
func (c *cutter) Replace(s string) string {
	var b []byte // made at the first match: most strings have none
	last := 0
	for i := 0; i < len(s); {
		k := -1
		if c.first[s[i]] {
			for j, o := range c.olds {
				if strings.HasPrefix(s[i:], o) {
					k = j
					break
				}
			}
		}
		if k < 0 {
			i++
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(s)+16)
		}
		b = append(append(b, s[last:i]...), c.news[k]...)
		i += len(c.olds[k])
		last = i
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}

func (v *devVars) cut(s string) string { return v.rep.Replace(s) }

// offsetMS is an entry's time from T0: its offset text when it parses, else
// its time stamp against the scenario's T0.
func offsetMS(offset string, at, start time.Time) int64 {
	if d, err := time.ParseDuration(offset); err == nil {
		return d.Milliseconds()
	}
	if at.IsZero() || start.IsZero() {
		return 0
	}
	return at.Sub(start).Milliseconds()
}

func (b *builder) tpl(actor, step, detail string) int {
	key := [3]int{b.str(actor), b.str(step), b.str(detail)}
	if i, ok := b.tplIdx[key]; ok {
		return i
	}
	lane := laneOf(actor)
	open, closeMask := bandMarks(lane, step, detail)
	b.p.Tpl = append(b.p.Tpl, [7]int{key[0], key[1], key[2], lane, touchOf(lane, step, detail), open, closeMask})
	b.tplIdx[key] = len(b.p.Tpl) - 1
	return len(b.p.Tpl) - 1
}

func (b *builder) intern(table *[][]int, idx map[string]int, row []int) int {
	key := fmt.Sprint(row)
	if i, ok := idx[key]; ok {
		return i
	}
	*table = append(*table, row)
	idx[key] = len(*table) - 1
	return len(*table) - 1
}

// seq encodes a device's entries (time from T0 in ms, template) compactly:
// the time deltas in seconds, the templates with repeats folded (shape), and
// pairs (position in shape, count) where a template repeats.
type seq struct {
	prev   int64
	deltas []float64
	shape  []int
	runs   []int // one count per shape entry
}

func (q *seq) add(ms int64, tpl int) {
	// ms/1000 as float64 is the nearest double to the decimal, and JSON
	// writes the shortest decimal that reads back as it: exact to the ms.
	q.deltas = append(q.deltas, float64(ms-q.prev)/1000)
	q.prev = ms
	if n := len(q.shape); n > 0 && q.shape[n-1] == tpl {
		q.runs[n-1]++
		return
	}
	q.shape = append(q.shape, tpl)
	q.runs = append(q.runs, 1)
}

// repeats lists (position, count) for the counts other than 1.
func (q *seq) repeats() []int {
	var out []int
	for i, n := range q.runs {
		if n != 1 {
			out = append(out, i, n)
		}
	}
	return out
}

// devShape is what a device's group must share with it, besides its facts.
type devShape struct {
	steps, events []int
	explanation   string // with the device's vars cut out
	explain       []int  // the same as string indices
}

func (b *builder) device(d *results.DeviceResult, start time.Time, group int) (devRow, devShape) {
	v := newDevVars(d)
	row := devRow{Serial: d.Serial, Group: group, Vars: make([]int, len(v.vals)), DSReg: -1}
	for i, s := range v.vals {
		row.Vars[i] = b.str(s)
	}
	conn := -1
	if d.ConnectorError != nil {
		conn = *d.ConnectorError
	}
	row.Facts = [12]int{b.str(v.cut(d.Detail)), b.str(v.cut(d.ComputerName)), b.str(v.cut(d.DistinguishedName)),
		b.str(d.PoweredOnAt), b.str(d.FinishedAt), b.str(d.ProfileSource), b.str(d.Registration), d.EntraDeviceObjects, conn,
		b.str(v.cut(entraObjects(d.EntraDevices))), b.str(v.cut(strings.Join(d.LocalAdministrators, ", "))),
		b.str(v.cut(results.AccessLine(d.ConditionalAccess)))}
	steps := seq{deltas: []float64{}, shape: []int{}}
	for _, t := range d.Timeline {
		steps.add(offsetMS(t.Offset, t.At, start), b.tpl(v.cut(t.Actor), t.Step, v.cut(t.Detail)))
	}
	row.Timeline, row.Runs = steps.deltas, steps.repeats()
	events := seq{shape: []int{}}
	for _, e := range d.Events {
		ev := []int{b.str(v.cut(e.Machine)), b.str(e.Log), e.ID, b.str(e.Level), b.str(v.cut(e.Message))}
		for _, f := range e.Fields {
			ev = append(ev, b.str(f.Name), b.str(v.cut(f.Value)))
		}
		events.add(offsetMS(e.Offset, e.At, start), b.intern(&b.p.Ev, b.evIdx, ev))
	}
	row.Events, row.EvRuns = events.deltas, events.repeats()
	shape := devShape{steps: steps.shape, events: events.shape}
	if e := d.Explanation; e != nil {
		shape.explanation = v.cut(fmt.Sprintf("%q", *e))
		for _, f := range []string{e.Stage, e.Code, e.Meaning, e.Cause, e.Fix, e.Message, e.DocURL, e.DocTitle} {
			shape.explain = append(shape.explain, b.str(v.cut(f)))
		}
	}
	if d.DSRegCmd != nil {
		vals := dsValues(d.DSRegCmd)
		ds := make([]int, len(vals))
		for i, s := range vals {
			ds[i] = b.str(v.cut(s))
		}
		row.DSReg = b.intern(&b.p.DS, b.dsIdx, ds)
	}
	return row, shape
}

// groupKey is what makes devices "identical" for the report: the same
// outcome, stage, code, explanation, profile, detail and the same sequences
// of steps and events (repeats folded, so one more registration retry does
// not split a group), with serials, names and GUIDs cut out.
func groupKey(d *results.DeviceResult, row devRow, shape devShape) string {
	return fmt.Sprintf("%q|%q|%q|%q|%q|%q|%q|%d|%d|%d|%d|%d|%v|%v", d.Outcome, d.FailedStage, d.ErrorCode, d.Profile,
		d.ProfileSource, d.Registration, shape.explanation, row.Facts[0], row.Facts[8], row.Facts[9], row.Facts[10], row.Facts[11],
		shape.steps, shape.events)
}

func build(run *results.Run) *view {
	rb := NewBuilder()
	for si := range run.Scenarios {
		rb.Add(&run.Scenarios[si])
	}
	return rb.view(run)
}

// Builder gathers a run's scenarios for the report one at a time, as they
// finish (package sink), so that a run need not keep every scenario's
// device results to render the page: what it keeps of a device is the
// report's compact row (indices into the shared string, template and event
// tables), a few hundred bytes. Render then writes the page Write writes
// for the same run.
type Builder struct {
	b         *builder
	scenarios []scenarioView
}

// NewBuilder starts an empty report.
func NewBuilder() *Builder { return &Builder{b: newBuilder()} }

// Add adds the run's next scenario.
func (rb *Builder) Add(sc *results.ScenarioResult) {
	si := len(rb.scenarios)
	sv := scenarioView{Anchor: fmt.Sprintf("sc-%d", si+1), Name: sc.Name, File: sc.File, Seed: sc.Seed,
		Passed: sc.Passed, Error: sc.Error, SimulatedTime: sc.SimulatedTime, Warnings: sc.Warnings,
		Expectations: sc.Expectations, Devices: len(sc.Devices)}
	if !sc.Start.IsZero() {
		sv.Start = sc.Start.UTC().Format(time.RFC3339)
	}
	for _, e := range sc.Expectations {
		if e.Passed {
			sv.ExpPassed++
		}
	}
	sv.Outcomes = countOutcomes(func(yield func(string)) {
		for _, d := range sc.Devices {
			yield(d.Outcome)
		}
	})
	names := make([]string, len(sv.Outcomes))
	for i, o := range sv.Outcomes {
		names[i] = o.Outcome
	}
	sv.OutcomeList = strings.Join(names, " ")
	sv.Groups = rb.b.groups(si, sc)
	rb.scenarios = append(rb.scenarios, sv)
}

// view is the page for run, whose scenarios are those added, in order;
// of their devices it reads only the outcomes, so they may be Brief.
func (rb *Builder) view(run *results.Run) *view {
	v := &view{Passed: run.Passed(), Summary: run.Summary, Data: &rb.b.p, Scenarios: rb.scenarios}
	v.Outcomes = countOutcomes(func(yield func(string)) {
		for _, sc := range run.Scenarios {
			for _, d := range sc.Devices {
				yield(d.Outcome)
			}
		}
	})
	return v
}

// groups adds the scenario's devices to the payload and returns one card
// per group, worst outcome first, then in order of first appearance.
func (b *builder) groups(si int, sc *results.ScenarioResult) []groupView {
	byKey := map[string]int{}
	var local []int // payload group indices, in order of appearance
	first := map[int]*results.DeviceResult{}
	perDevice := map[int]bool{}
	finished := map[int][2]time.Duration{}
	for di := range sc.Devices {
		d := &sc.Devices[di]
		gi := len(b.p.Groups) // provisional
		row, shape := b.device(d, sc.Start, gi)
		key := groupKey(d, row, shape)
		if g, ok := byKey[key]; ok {
			row.Group = g
		} else {
			byKey[key] = gi
			local = append(local, gi)
			first[gi] = d
			perDevice[gi] = strings.Contains(shape.explanation+b.p.Str[row.Facts[0]], varMark)
			b.p.Groups = append(b.p.Groups, groupRow{Scenario: si, Outcome: d.Outcome, Stage: d.FailedStage, Code: d.ErrorCode,
				Seq: shape.steps, EvSeq: shape.events, Explain: shape.explain})
		}
		b.p.Dev = append(b.p.Dev, row)
		g := &b.p.Groups[row.Group]
		g.Devices = append(g.Devices, len(b.p.Dev)-1)
		if f, err := time.ParseDuration(d.FinishedAt); err == nil {
			r, seen := finished[row.Group]
			if !seen || f < r[0] {
				r[0] = f
			}
			if !seen || f > r[1] {
				r[1] = f
			}
			finished[row.Group] = r
		}
	}
	sort.SliceStable(local, func(i, j int) bool {
		return outcomeRank(b.p.Groups[local[i]].Outcome) < outcomeRank(b.p.Groups[local[j]].Outcome)
	})
	out := make([]groupView, 0, len(local))
	for _, gi := range local {
		d := first[gi]
		g := groupView{ID: gi, Outcome: d.Outcome, Class: outcomeClass(d.Outcome), Count: len(b.p.Groups[gi].Devices),
			FirstSerial: d.Serial, Stage: d.FailedStage, Code: d.ErrorCode, Detail: d.Detail, Profile: d.Profile,
			ProfileSource: d.ProfileSource, Registration: d.Registration, Explanation: d.Explanation,
			PerDevice: perDevice[gi] && len(b.p.Groups[gi].Devices) > 1}
		if d.ConnectorError != nil {
			g.ConnectorErr = fmt.Sprint(*d.ConnectorError)
		}
		if r, ok := finished[gi]; ok {
			if r[0] == r[1] {
				g.Finished = "finished at " + r[0].String()
			} else {
				g.Finished = "finished between " + r[0].String() + " and " + r[1].String()
			}
		}
		out = append(out, g)
	}
	return out
}

// entraObjects is a device's Entra objects as one line: trust type and
// name of each ("AzureAd DESKTOP-1A2B; ServerAd LAB-0001").
func entraObjects(ds []results.EntraDevice) string {
	parts := make([]string, len(ds))
	for i, e := range ds {
		parts[i] = e.TrustType + " " + e.DisplayName
	}
	return strings.Join(parts, "; ")
}
