package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/autopilotsim/autopilotsim/report"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/shard"
	"github.com/autopilotsim/autopilotsim/sink"
)

func newMergeCmd(e env) *cobra.Command {
	var out string
	var jsonl bool
	cmd := &cobra.Command{
		Use:   "merge [flags] SHARD_DIR...",
		Short: "Combine the results of run --shard I/N into one run's results",
		Long: `merge reads DIR/results.json of every shard of a split run (run --shard I/N,
N directories or results.json files, in any order) and writes DIR/results.json,
DIR/junit.xml and DIR/report.html (and, with --jsonl, DIR/devices.jsonl) exactly
as one unsplit run would have. Every shard must be there exactly once. The shards
are read a scenario at a time: merging holds one scenario's results, as running
it did. Exit 1 when a scenario failed, 2 on bad input.`,
		Example: `  autopilotsim merge --out test-results shard-0 shard-1
    (after: autopilotsim run --shard 0/2 --out shard-0 scenarios/catalogue
            autopilotsim run --shard 1/2 --out shard-1 scenarios/catalogue)`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			files, err := shard.OpenFiles(args)
			if err != nil {
				return invalidf("%v", err)
			}
			res, err := mergeFiles(files, out, jsonl)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "merged %d shards: results written to %s/results.json, %s/junit.xml and %s/%s\n", files.Shards(), out, out, out, report.FileName)
			if !res.Passed() {
				return exitWith(exitFailed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "test-results", "directory for the merged results.json, junit.xml and report.html")
	cmd.Flags().BoolVar(&jsonl, "jsonl", false, "also write DIR/devices.jsonl, one JSON object per device, as run --jsonl does")
	return cmd
}

// mergeFiles writes the merged run into out a scenario at a time, as run
// writes its own (package sink): the merge holds one scenario's results
// and the brief form of the devices before it. A shard that turns out
// unreadable here (changed since OpenFiles read it) is invalid input.
func mergeFiles(files *shard.Files, out string, jsonl bool) (*results.Run, error) {
	d, err := sink.Open(out, jsonl)
	if err != nil {
		return nil, &exitError{code: exitFailed, err: err}
	}
	res := &results.Run{Scenarios: make([]results.ScenarioResult, 0, files.Scenarios())}
	if err := files.Each(func(pos int, sc *results.ScenarioResult) error {
		d.Add(pos, sc)
		res.Scenarios = append(res.Scenarios, *sc)
		return nil
	}); err != nil {
		d.Abort()
		return nil, invalidf("%v", err)
	}
	res.Summarise()
	if err := d.Close(res); err != nil {
		return nil, &exitError{code: exitFailed, err: err}
	}
	return res, nil
}
