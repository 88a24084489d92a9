package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/lab"
)

// newLabCmd drives a running lab through its control API: the same
// operations as the console.
func newLabCmd(e env) *cobra.Command {
	var c lab.Client
	cmd := &cobra.Command{
		Use:   "lab COMMAND",
		Short: "Drive a running lab (autopilotsim serve) through its control API",
		Long: `lab calls the control API of a lab started with 'autopilotsim serve': the
same operations the web console uses. --url is the lab's --ui address; --key
is the console key serve prints (or a Graph admin app token). Both also come
from AUTOPILOTSIM_LAB_URL and AUTOPILOTSIM_LAB_KEY.`,
		Example: `  autopilotsim lab --key lab_… state   # the key serve prints (or: export AUTOPILOTSIM_LAB_KEY=lab_…)
  autopilotsim lab power-on LAB0001
  autopilotsim lab add-device NEW0001 --group-tag Sales --location hq-lan
  autopilotsim lab connector ODJCONN01 down
  autopilotsim lab pause; autopilotsim lab speed 60; autopilotsim lab advance 30m`,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("url") {
				if v := e.getenv("AUTOPILOTSIM_LAB_URL"); v != "" {
					c.URL = v
				}
			}
			if c.Token == "" {
				c.Token = e.getenv("AUTOPILOTSIM_LAB_KEY")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return invalidf("a lab command is required (%s)", "state, power-on, reset, add-device, connector, pause, resume, speed, advance, snapshot")
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&c.URL, "url", "http://127.0.0.1:8090", "the lab's console address (serve --ui)")
	pf.StringVar(&c.Token, "key", "", "the console key serve prints, or a Graph admin app token")

	run := func(fn func(ctx context.Context, args []string) error) func(*cobra.Command, []string) error {
		return func(_ *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if err := fn(ctx, args); err != nil {
				var ae *lab.APIError
				if errors.As(err, &ae) && (ae.Status == 400 || ae.Status == 404 || ae.Status == 409) {
					return &exitError{code: exitInvalid, err: err}
				}
				return &exitError{code: exitFailed, err: err}
			}
			fmt.Fprintln(e.stdout, "ok")
			return nil
		}
	}
	sub := func(use, short string, n int, fn func(ctx context.Context, args []string) error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(n), RunE: run(fn)}
	}
	state := &cobra.Command{Use: "state", Short: "Print the lab's state as JSON (clock, tenant, directory, connectors, devices)", Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			st, err := c.State(context.Background())
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		}}
	var nd harness.NewDevice
	add := sub("add-device SERIAL", "Import a device (its hardware hash) as an admin does; power it on once the import is processed", 1,
		func(ctx context.Context, args []string) error {
			nd.Serial = args[0]
			return c.AddDevice(ctx, nd)
		})
	add.Flags().StringVar(&nd.GroupTag, "group-tag", "", "the device's group tag")
	add.Flags().StringVar(&nd.Location, "location", "", "a network of the scenario (default its first)")
	add.Flags().StringVar(&nd.VPN, "vpn", "", "none | deviceTunnel | userTunnel | uwpPlugin | directAccess")
	add.Flags().StringVar(&nd.User, "user", "", "UPN of the user at the keyboard (default the first AD user's)")
	add.Flags().BoolVar(&nd.PowerOn, "power-on", false, "switch it on at once")
	health := &cobra.Command{Use: "health", Short: "Exit 0 when the lab is ready (GET /readyz), else 1: the container's health check", Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.Ready(ctx); err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			fmt.Fprintln(e.stdout, "ready")
			return nil
		}}
	cmd.AddCommand(state, health, newSnapshotCmd(e, &c),
		sub("power-on SERIAL", "Switch a device on (OOBE starts)", 1, func(ctx context.Context, a []string) error { return c.PowerOn(ctx, a[0]) }),
		sub("reset SERIAL", "Reset a device that finished: off, OOBE again on the next power-on", 1, func(ctx context.Context, a []string) error { return c.Reset(ctx, a[0]) }),
		add,
		sub("connector NAME up|down", "Start or stop an Intune Connector", 2, func(ctx context.Context, a []string) error {
			switch a[1] {
			case "up", "down":
				return c.Connector(ctx, a[0], a[1] == "up")
			}
			return &lab.APIError{Status: 400, Code: "BadRequest", Message: fmt.Sprintf("connector action %q: want up or down", a[1])}
		}),
		sub("pause", "Stop the lab's simulated time (servers keep answering)", 0, func(ctx context.Context, _ []string) error { return c.Pause(ctx) }),
		sub("resume", "Let the lab's time run again", 0, func(ctx context.Context, _ []string) error { return c.Resume(ctx) }),
		sub("speed X", "Simulated seconds per wall second from now on", 1, func(ctx context.Context, a []string) error {
			v, err := strconv.ParseFloat(a[0], 64)
			if err != nil {
				return &lab.APIError{Status: 400, Code: "BadRequest", Message: fmt.Sprintf("speed %q is not a number", a[0])}
			}
			return c.SetSpeed(ctx, v)
		}),
		sub("advance DURATION", "Jump the lab's time ahead (e.g. 30m), running what falls due on the way", 1, func(ctx context.Context, a []string) error {
			d, err := time.ParseDuration(a[0])
			if err != nil {
				return &lab.APIError{Status: 400, Code: "BadRequest", Message: fmt.Sprintf("advance %q: want a Go duration such as 30m or 2h", a[0])}
			}
			return c.Advance(ctx, d)
		}),
	)
	return cmd
}
