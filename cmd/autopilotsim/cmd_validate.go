package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

func newValidateCmd(e env) *cobra.Command {
	return &cobra.Command{
		Use:   "validate PATH...",
		Short: "Check scenario files without running them",
		Long: `validate loads scenario files (or every *.yaml in a folder), checks them and
prints each one's warnings. A scenario that does not load is reported as
file:line:col: path: problem.

It then performs each scenario's set-up as a run would, without devices: it
builds the mocks and replays the admin's calls (groups, profiles, imports,
script steps) against them, so what the mocks refuse (a membership rule that
does not parse, a Domain Join OU that is no distinguished name) is reported
as file:line: path: the cloud's message.`,
		Example: `  autopilotsim validate scenarios/catalogue
  autopilotsim validate my-scenario.yaml other.yaml`,
		Args: paths,
		RunE: func(_ *cobra.Command, args []string) error {
			scs, err := scenarios.LoadPaths(args)
			if err != nil {
				fmt.Fprintln(e.stderr, err)
				return exitWith(exitInvalid)
			}
			code := exitOK
			for _, sc := range scs {
				if err := harness.CheckSetup(sc); err != nil {
					fmt.Fprintln(e.stderr, err)
					var inv *harness.InvalidError
					if errors.As(err, &inv) {
						code = max(code, exitInvalid)
					} else {
						code = max(code, exitFailed)
					}
					continue
				}
				fmt.Fprintf(e.stdout, "ok  %s (%s)\n", sc.File, sc.Name)
				for _, w := range sc.Warnings {
					fmt.Fprintf(e.stdout, "    warning: %s\n", w)
				}
			}
			return exitWith(code)
		},
	}
}

// paths requires at least one scenario path.
func paths(_ *cobra.Command, args []string) error {
	if len(args) == 0 {
		return invalidf("no scenario paths given (a file or a folder of *.yaml)")
	}
	return nil
}
