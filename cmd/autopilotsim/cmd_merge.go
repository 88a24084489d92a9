package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/autopilotsim/autopilotsim/report"
	"github.com/autopilotsim/autopilotsim/results"
	"github.com/autopilotsim/autopilotsim/shard"
)

func newMergeCmd(e env) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge [flags] SHARD_DIR...",
		Short: "Combine the results of run --shard I/N into one run's results",
		Long: `merge reads DIR/results.json of every shard of a split run (run --shard I/N,
N directories or results.json files, in any order) and writes DIR/results.json,
DIR/junit.xml and DIR/report.html exactly as one unsplit run would have. Every
shard must be there exactly once. Exit 1 when a scenario failed, 2 on bad input.`,
		Example: `  autopilotsim merge --out test-results shard-0 shard-1
    (after: autopilotsim run --shard 0/2 --out shard-0 scenarios/catalogue
            autopilotsim run --shard 1/2 --out shard-1 scenarios/catalogue)`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			parts, err := shard.ReadDirs(args)
			if err != nil {
				return invalidf("%v", err)
			}
			res, err := shard.Merge(parts)
			if err != nil {
				return invalidf("%v", err)
			}
			if err := results.WriteDir(out, res); err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			if err := report.WriteFile(out, res); err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			fmt.Fprintf(e.stdout, "merged %d shards: results written to %s/results.json, %s/junit.xml and %s/%s\n", len(parts), out, out, out, report.FileName)
			if !res.Passed() {
				return exitWith(exitFailed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "test-results", "directory for the merged results.json, junit.xml and report.html")
	return cmd
}
