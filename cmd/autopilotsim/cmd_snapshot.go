package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/autopilotsim/autopilotsim/lab"
	"github.com/autopilotsim/autopilotsim/labstate"
)

// newSnapshotCmd: save, list and export ask a running lab (control API);
// restore, reset and import replace the journal of a stopped lab's
// --state-dir, which the next serve replays.
func newSnapshotCmd(e env, c *lab.Client) *cobra.Command {
	var stateDir string
	cmd := &cobra.Command{
		Use:   "snapshot save|list|export|restore|reset|import",
		Short: "Save, list, export, restore, reset or import a lab's state (serve --state-dir)",
		Long: `save NAME, list and export FILE ask a running lab started with --state-dir.
restore NAME, reset and import FILE work on a stopped lab's directory
(--state-dir DIR; refused while a lab holds it): the next 'serve --state-dir
DIR' with the same scenario starts from the snapshot, or from the scenario
after reset. A snapshot of another format version, or a damaged one, is
refused with the reason.`,
		Example: `  autopilotsim lab snapshot save before-exercise
  autopilotsim lab snapshot export /tmp/class.apsnap
  # stop the lab, then:
  autopilotsim lab snapshot restore before-exercise --state-dir /var/lib/lab
  autopilotsim lab snapshot import /tmp/class.apsnap --state-dir /var/lib/lab
  autopilotsim lab snapshot reset --state-dir /var/lib/lab`,
		RunE: func(*cobra.Command, []string) error {
			return invalidf("a snapshot command is required (save, list, export, restore, reset, import)")
		},
	}
	cmd.PersistentFlags().StringVar(&stateDir, "state-dir", "", "the stopped lab's state directory (restore, reset, import)")
	failed := func(err error) error {
		var ae *lab.APIError
		if errors.As(err, &ae) && (ae.Status == 400 || ae.Status == 404 || ae.Status == 409) || errors.Is(err, labstate.ErrCorrupt) {
			return &exitError{code: exitInvalid, err: err}
		}
		return &exitError{code: exitFailed, err: err}
	}
	live := func(use, short string, n int, fn func(ctx context.Context, args []string) error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(n), RunE: func(_ *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			if err := fn(ctx, args); err != nil {
				return failed(err)
			}
			return nil
		}}
	}
	offline := func(use, short string, n int, fn func(d *labstate.Dir, args []string) error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(n), RunE: func(_ *cobra.Command, args []string) error {
			if stateDir == "" {
				return invalidf("--state-dir is required: %s works on a stopped lab's directory", use)
			}
			if _, err := os.Stat(stateDir); err != nil {
				return invalidf("--state-dir: %v", err)
			}
			d, _, err := labstate.Open(stateDir)
			if err != nil {
				return failed(err)
			}
			defer d.Close()
			if err := fn(d, args); err != nil {
				return failed(err)
			}
			fmt.Fprintln(e.stdout, "ok")
			return nil
		}}
	}
	cmd.AddCommand(
		live("save NAME", "Save the running lab's state as snapshot NAME", 1, func(ctx context.Context, a []string) error {
			in, err := c.SaveSnapshot(ctx, a[0])
			if err == nil {
				fmt.Fprintf(e.stdout, "saved %s: %d records, clock %s\n", in.Name, in.Records, in.Clock.Format(time.RFC3339))
			}
			return err
		}),
		live("list", "List the running lab's snapshots (JSON)", 0, func(ctx context.Context, _ []string) error {
			list, err := c.Snapshots(ctx)
			if err == nil {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				err = enc.Encode(list)
			}
			return err
		}),
		live("export FILE", "Write the running lab's state to one file (import it into another --state-dir)", 1, func(ctx context.Context, a []string) error {
			f, err := os.OpenFile(a[0], os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			if err != nil {
				return &lab.APIError{Status: 400, Code: "BadRequest", Message: err.Error()}
			}
			if err := c.Export(ctx, f); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		}),
		offline("restore NAME", "Make snapshot NAME the stopped lab's state", 1, func(d *labstate.Dir, a []string) error { return d.Restore(a[0]) }),
		offline("reset", "Drop the stopped lab's journal: the next serve starts from the scenario (snapshots stay)", 0, func(d *labstate.Dir, _ []string) error { return d.Reset() }),
		offline("import FILE", "Make an exported file the stopped lab's state", 1, func(d *labstate.Dir, a []string) error {
			f, err := os.Open(a[0])
			if err != nil {
				return &lab.APIError{Status: 400, Code: "BadRequest", Message: err.Error()}
			}
			defer f.Close()
			return d.Import(f)
		}),
	)
	return cmd
}
