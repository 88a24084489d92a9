package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/autopilotsim/autopilotsim/check"
	"github.com/autopilotsim/autopilotsim/cmd/autopilotsim/internal/console"
	"github.com/autopilotsim/autopilotsim/report"
)

func newCheckCmd(e env) *cobra.Command {
	var (
		opts               check.Options
		formats, out, fail string
		quiet, verbose     bool
	)
	cmd := &cobra.Command{
		Use:   "check --config DIR --env FILE [flags]",
		Short: "Check a tenant's Autopilot configuration: static rules and every kind of device simulated",
		Long: `check reads a tenant's configuration (a folder of Graph JSON, as autopilotsim
export, IntuneBackupAndRestore or IntuneCD write it) and the on-premises
environment (a YAML file: domains, OUs, connectors, networks), applies the static
rules (check/RULES.md) and simulates one device of every cohort (group tag or
purchase order, network, VPN) through the whole hybrid join. With --base it
compares with another configuration and reports regressions and fixes.

It prints the findings (file:line:col: severity RULE: message), the cohorts and
the verdict, and writes the reports in --format to --out: check.sarif (GitHub
code scanning), check-junit.xml, check.json and check.md (a pull-request comment).
Exit code 1 means blocking: a finding at or above --fail-on, or a regression.`,
		Example: `  autopilotsim check --config tenant/ --env environment.yaml
  autopilotsim check --config head/ --base main/ --env environment.yaml --format sarif,md --out check-results
  autopilotsim check --config tenant/ --env environment.yaml --cohorts cohorts.yaml --fail-on warning`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return invalidf("unexpected argument %q (check takes flags only: --config DIR --env FILE)", args[0])
			}
			return nil
		},
		RunE: func(_ *cobra.Command, _ []string) error {
			if quiet && verbose {
				return invalidf("--quiet and --verbose exclude each other")
			}
			if opts.ConfigDir == "" {
				return invalidf("--config DIR is required (the configuration: a folder of Graph JSON)")
			}
			if opts.EnvFile == "" {
				return invalidf("--env FILE is required (the on-premises environment: a YAML file)")
			}
			sev, err := check.ParseSeverity(fail)
			if err != nil {
				return invalidf("--%v", err)
			}
			opts.FailOn = sev
			fs, err := check.ParseFormats(formats)
			if err != nil {
				return invalidf("--%v", err)
			}
			rep, err := check.Run(opts)
			if err != nil {
				// Invalid input, or nothing could be checked: either way
				// no verdict, so not 1 (package check's contract).
				return &exitError{code: exitInvalid, err: err}
			}
			v := console.Normal
			if quiet {
				v = console.Quiet
			} else if verbose {
				v = console.Verbose
			}
			if err := console.CheckSummary(e.stdout, rep, v); err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			paths, err := check.WriteAll(rep, out, fs)
			if err != nil {
				var inv *check.InvalidInputError
				if errors.As(err, &inv) {
					return &exitError{code: exitInvalid, err: err}
				}
				return &exitError{code: exitFailed, err: err}
			}
			// The cohorts' simulated devices, as a run's report shows them.
			if err := report.WriteFile(out, rep.Run()); err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			paths = append(paths, filepath.Join(out, report.FileName))
			if !quiet {
				fmt.Fprintf(e.stdout, "reports written: %s\n", strings.Join(paths, ", "))
			}
			if rep.Blocking() {
				return exitWith(exitFailed)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ConfigDir, "config", "", "the configuration to check: a folder of Graph JSON (required)")
	f.StringVar(&opts.EnvFile, "env", "", "the on-premises environment: a YAML file (required)")
	f.StringVar(&opts.BaseDir, "base", "", "a configuration to compare with (e.g. the main branch's), for regressions and fixes")
	f.StringVar(&opts.CohortFile, "cohorts", "", "a YAML file of cohorts to simulate instead of those derived from the configuration")
	f.StringVar(&formats, "format", "sarif,junit,json,md", "reports to write: a comma-separated list of sarif, junit, json, md")
	f.StringVar(&out, "out", "check-results", "directory for the reports")
	f.StringVar(&fail, "fail-on", string(check.SeverityError), "the least severe finding that blocks (exit 1): error, warning or note")
	f.Uint64Var(&opts.Seed, "seed", check.DefaultSeed, "base seed of the simulations (each cohort's derives from it)")
	f.IntVar(&opts.Parallel, "parallel", 0, "cohorts simulated at once (0: one per CPU); results do not depend on it")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the blocking findings, changes and the verdict")
	f.BoolVarP(&verbose, "verbose", "v", false, "also print each finding's documentation page")
	return cmd
}
