package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/autopilotsim/autopilotsim/cmd/autopilotsim/internal/console"
)

func newExplainCmd(e env) *cobra.Command {
	var file, scenario string
	cmd := &cobra.Command{
		Use:   "explain [--results FILE] [--scenario NAME] SERIAL",
		Short: "Tell one device's story from a run's results.json",
		Long: `explain reads a run's results.json and prints one device's story in the
terminal: its outcome, the diagnosis (what the code means, the cause in the
run's terms, the fix, what the user saw and the documentation page), its
timeline, the Windows event log entries it would have written (and the
connector's, for its offline domain join request) and its dsregcmd /status.
A serial that recurs across scenarios needs --scenario.`,
		Example: `  autopilotsim explain HOME0001
  autopilotsim explain --results /tmp/results/results.json --scenario quota-no-delegation QTA0011`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return invalidf("want one device serial, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			run, err := console.ReadResults(file)
			if err != nil {
				return &exitError{code: exitInvalid, err: err}
			}
			sc, d, err := console.FindDevice(run, args[0], scenario)
			if err != nil {
				return &exitError{code: exitInvalid, err: fmt.Errorf("%s: %w", file, err)}
			}
			return console.Explain(e.stdout, sc, d)
		},
	}
	cmd.Flags().StringVar(&file, "results", "test-results/results.json", "the run's results.json (autopilotsim run --out DIR writes DIR/results.json)")
	cmd.Flags().StringVar(&scenario, "scenario", "", "the scenario of the device, when its serial recurs across scenarios")
	return cmd
}
