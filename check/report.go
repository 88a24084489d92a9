package check

import "sort"

// ChangeKind says how a cohort's outcome moved from base to head.
type ChangeKind string

// The change kinds.
const (
	// Regression: worse — a hybrid-joined cohort no longer is, or a cohort
	// that did not fail now fails.
	Regression ChangeKind = "regression"
	// Fix: better — a cohort now hybrid joins, or no longer fails.
	Fix ChangeKind = "fix"
	// Changed: different but neither (e.g. notAutopilot → entraJoined, or
	// another failure).
	Changed ChangeKind = "changed"
)

// CohortChange is a cohort whose result differs between base and head.
type CohortChange struct {
	Key  string       `json:"key"`
	Kind ChangeKind   `json:"kind"`
	Base CohortResult `json:"base"`
	Head CohortResult `json:"head"`
}

// Report is the whole answer of a check: findings, cohort results and,
// with a base, what changed.
type Report struct {
	ConfigDir string   `json:"configDir"`
	BaseDir   string   `json:"baseDir,omitempty"`
	EnvFile   string   `json:"envFile"`
	Seed      uint64   `json:"seed"`
	FailOn    Severity `json:"failOn"`

	// Findings are the head configuration's, sorted by location.
	Findings []Finding `json:"findings"`
	// Cohorts are the head's results, in key order.
	Cohorts []CohortResult `json:"cohorts"`

	// HasBase is set when a base configuration was compared.
	HasBase bool `json:"hasBase"`
	// NewFindings are in head and not in base; FixedFindings the reverse.
	NewFindings   []Finding `json:"newFindings,omitempty"`
	FixedFindings []Finding `json:"fixedFindings,omitempty"`
	// Changes are the cohorts whose result differs, regressions first.
	Changes []CohortChange `json:"changes,omitempty"`
}

// BlockingFindings are the findings at or above FailOn.
func (r *Report) BlockingFindings() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity.AtLeast(r.FailOn) {
			out = append(out, f)
		}
	}
	return out
}

// Regressions are the changes of kind Regression.
func (r *Report) Regressions() []CohortChange { return r.changes(Regression) }

// Fixes are the changes of kind Fix.
func (r *Report) Fixes() []CohortChange { return r.changes(Fix) }

func (r *Report) changes(k ChangeKind) []CohortChange {
	var out []CohortChange
	for _, c := range r.Changes {
		if c.Kind == k {
			out = append(out, c)
		}
	}
	return out
}

// Blocking reports whether the pipeline should fail: a finding at or
// above FailOn, or a regression. The CLI exits 1 then.
func (r *Report) Blocking() bool {
	return len(r.BlockingFindings()) > 0 || len(r.Regressions()) > 0
}

// failedLike are outcomes that mean the device did not get through.
func failedLike(o string) bool { return o == "failed" || o == OutcomeNotSimulated || o == "pending" }

// classify compares one cohort's base and head results; ok is false when
// nothing that matters changed.
func classify(base, head CohortResult) (ChangeKind, bool) {
	if base.Outcome == head.Outcome && base.FailedStage == head.FailedStage && base.ErrorCode == head.ErrorCode {
		return "", false
	}
	switch {
	case base.Outcome == "hybridJoined" && head.Outcome != "hybridJoined":
		return Regression, true
	case failedLike(head.Outcome) && !failedLike(base.Outcome):
		return Regression, true
	case head.Outcome == "hybridJoined" && base.Outcome != "hybridJoined":
		return Fix, true
	case failedLike(base.Outcome) && !failedLike(head.Outcome):
		return Fix, true
	}
	return Changed, true
}

// diffCohorts pairs results by key (both lists come from one cohort list).
func diffCohorts(base, head []CohortResult) []CohortChange {
	byKey := map[string]CohortResult{}
	for _, b := range base {
		byKey[b.Key] = b
	}
	var out []CohortChange
	for _, h := range head {
		b, ok := byKey[h.Key]
		if !ok {
			continue
		}
		if k, changed := classify(b, h); changed {
			out = append(out, CohortChange{Key: h.Key, Kind: k, Base: b, Head: h})
		}
	}
	order := map[ChangeKind]int{Regression: 0, Fix: 1, Changed: 2}
	sort.SliceStable(out, func(i, j int) bool {
		if order[out[i].Kind] != order[out[j].Kind] {
			return order[out[i].Kind] < order[out[j].Kind]
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// diffFindings returns the findings only in a (by rule, object and message).
func diffFindings(a, b []Finding) []Finding {
	in := map[string]bool{}
	for _, f := range b {
		in[f.key()] = true
	}
	var out []Finding
	for _, f := range a {
		if !in[f.key()] {
			out = append(out, f)
		}
	}
	return out
}
