package shard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// Spec is one shard of a run: Index of Count, from 0 (the text "I/N").
type Spec struct{ Index, Count int }

// Parse reads "I/N" with 0 <= I < N.
func Parse(text string) (Spec, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(text), "/")
	if !ok {
		return Spec{}, fmt.Errorf("shard %q: want I/N, e.g. 0/4", text)
	}
	idx, err := strconv.Atoi(i)
	if err != nil {
		return Spec{}, fmt.Errorf("shard %q: index %q is not a number", text, i)
	}
	cnt, err := strconv.Atoi(n)
	if err != nil {
		return Spec{}, fmt.Errorf("shard %q: count %q is not a number", text, n)
	}
	if cnt < 1 || cnt > MaxShards {
		return Spec{}, fmt.Errorf("shard %q: count must be 1 to %d", text, MaxShards)
	}
	if idx < 0 || idx >= cnt {
		return Spec{}, fmt.Errorf("shard %q: index must be 0 to %d", text, cnt-1)
	}
	return Spec{Index: idx, Count: cnt}, nil
}

func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// maxScenarios bounds the scenario total a shard file may claim, so that a
// corrupt file cannot make Merge allocate without limit.
const maxScenarios = 1_000_000

// MaxShards bounds N in I/N (a typo should not plan a million empty shards).
const MaxShards = 10_000

// Plan returns, for each shard, the positions in scs of its scenarios in
// ascending order. Largest fleet first (ties: earlier scenario), each to
// the shard with the fewest devices so far (ties: lower shard); a scenario
// without devices weighs 1.
func Plan(scs []*scenarios.Scenario, count int) [][]int {
	if count < 1 {
		count = 1
	}
	order := make([]int, len(scs))
	weight := make([]int, len(scs))
	for i, sc := range scs {
		order[i] = i
		weight[i] = max(1, sc.DeviceCount())
	}
	sort.SliceStable(order, func(a, b int) bool { return weight[order[a]] > weight[order[b]] })
	load := make([]int, count)
	plan := make([][]int, count)
	for _, i := range order {
		best := 0
		for s := 1; s < count; s++ {
			if load[s] < load[best] {
				best = s
			}
		}
		load[best] += weight[i]
		plan[best] = append(plan[best], i)
	}
	for _, p := range plan {
		sort.Ints(p)
	}
	return plan
}

// Select returns the scenarios of shard s, in the run's order, and the
// block its results carry for Merge.
func Select(scs []*scenarios.Scenario, s Spec) ([]*scenarios.Scenario, *results.Shard) {
	pos := Plan(scs, s.Count)[s.Index]
	out := make([]*scenarios.Scenario, len(pos))
	for k, i := range pos {
		out[k] = scs[i]
	}
	return out, &results.Shard{Index: s.Index, Count: s.Count, Scenarios: len(scs), Positions: append([]int{}, pos...)}
}

// Merge puts shards' runs back together: every shard of the same count
// exactly once, every position of the run exactly once. The result is the
// run an unsplit run would have made (summarised, no shard block).
// Merge holds every shard whole; Files merges from disk a scenario at a
// time.
func Merge(parts []*results.Run) (*results.Run, error) {
	names := make([]string, len(parts))
	blocks := make([]*results.Shard, len(parts))
	counts := make([]int, len(parts))
	for k, p := range parts {
		names[k], blocks[k], counts[k] = fmt.Sprintf("result %d", k+1), p.Shard, len(p.Scenarios)
	}
	slots, err := plan(names, blocks, counts)
	if err != nil {
		return nil, err
	}
	merged := &results.Run{Scenarios: make([]results.ScenarioResult, len(slots))}
	for pos, s := range slots {
		merged.Scenarios[pos] = parts[s.part].Scenarios[s.k]
	}
	merged.Summarise()
	return merged, nil
}

// plan checks that the shards (named for messages, each with its shard
// block and number of scenarios) make one run and says where each of its
// scenarios is: every shard of the same count exactly once, every
// position of the run exactly once.
func plan(names []string, blocks []*results.Shard, counts []int) ([]slot, error) {
	if len(blocks) == 0 {
		return nil, errors.New("merge: no shard results")
	}
	var count, total int
	seen := map[int]bool{}
	for k, sh := range blocks {
		if sh == nil {
			return nil, fmt.Errorf("merge: %s is not a shard's (no \"shard\" block; run with --shard I/N)", names[k])
		}
		if k == 0 {
			count, total = sh.Count, sh.Scenarios
		}
		switch {
		case sh.Count < 1 || sh.Count > MaxShards:
			return nil, fmt.Errorf("merge: shard count %d out of 1..%d", sh.Count, MaxShards)
		case sh.Scenarios < 0 || sh.Scenarios > maxScenarios:
			return nil, fmt.Errorf("merge: shard %d/%d: a run of %d scenarios", sh.Index, sh.Count, sh.Scenarios)
		case sh.Count != count:
			return nil, fmt.Errorf("merge: shard %d/%d does not belong with shards of %d", sh.Index, sh.Count, count)
		case sh.Scenarios != total:
			return nil, fmt.Errorf("merge: shard %d/%d planned %d scenarios, shard 0 of the others %d (different scenario lists?)", sh.Index, sh.Count, sh.Scenarios, total)
		case sh.Index < 0 || sh.Index >= sh.Count:
			return nil, fmt.Errorf("merge: shard index %d out of 0..%d", sh.Index, sh.Count-1)
		case seen[sh.Index]:
			return nil, fmt.Errorf("merge: shard %d/%d given twice", sh.Index, sh.Count)
		case len(sh.Positions) != counts[k]:
			return nil, fmt.Errorf("merge: shard %d/%d lists %d positions for %d scenarios", sh.Index, sh.Count, len(sh.Positions), counts[k])
		}
		seen[sh.Index] = true
	}
	if len(seen) != count {
		var missing []string
		for i := 0; i < count; i++ {
			if !seen[i] {
				missing = append(missing, fmt.Sprintf("%d/%d", i, count))
			}
		}
		return nil, fmt.Errorf("merge: missing shard(s) %s", strings.Join(missing, ", "))
	}
	slots := make([]slot, total)
	filled := make([]bool, total)
	for part, sh := range blocks {
		for k, pos := range sh.Positions {
			if pos < 0 || pos >= total {
				return nil, fmt.Errorf("merge: shard %d/%d: position %d out of 0..%d", sh.Index, count, pos, total-1)
			}
			if filled[pos] {
				return nil, fmt.Errorf("merge: scenario position %d comes from two shards", pos)
			}
			filled[pos] = true
			slots[pos] = slot{part: part, k: k}
		}
	}
	for pos, ok := range filled {
		if !ok {
			return nil, fmt.Errorf("merge: no shard holds scenario position %d", pos)
		}
	}
	return slots, nil
}

// Read parses a shard's results.json (data from name, for messages).
func Read(name string, data []byte) (*results.Run, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var r results.Run
	if err := dec.Decode(&r); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &r, nil
}
