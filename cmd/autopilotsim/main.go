package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes, the same for every command.
const (
	exitOK      = 0 // done; every expectation held, nothing blocking found
	exitFailed  = 1 // an expectation failed, a blocking finding, or the lab stopped on an error
	exitInvalid = 2 // invalid input: a flag, an argument or a scenario (with file:line)
)

const exitCodesHelp = `Exit codes:
  0  ok
  1  an expectation failed (or a blocking finding)
  2  invalid input: an unknown command or flag, a bad value, a scenario error (file:line)`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exitError ends a command with an exit code. A nil err means the command
// has already said what went wrong.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// invalidf is an exit-2 error: the user's input is wrong.
func invalidf(format string, args ...any) error {
	return &exitError{code: exitInvalid, err: fmt.Errorf(format, args...)}
}

// exitWith ends a command with code, its output already written.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitError{code: code}
}

// env is what a command reads and writes besides its flags: kept as
// parameters so the specs run the CLI in-process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time // the wall clock, for progress only
}

// run executes the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runEnv(args, env{stdout: stdout, stderr: stderr, getenv: os.Getenv, now: time.Now})
}

func runEnv(args []string, e env) int {
	root := newRoot(e)
	root.SetArgs(normalizeArgs(root, args))
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", cmd.CommandPath(), ee.err)
		}
		return ee.code
	}
	// Everything else comes from parsing the command line (cobra, pflag):
	// an unknown command or flag, a bad flag value, a missing argument.
	fmt.Fprintf(e.stderr, "%s: %v\n", cmd.CommandPath(), err)
	hint := cmd.CommandPath() + " --help"
	if cmd == root {
		hint = root.Name() + " help"
	}
	fmt.Fprintf(e.stderr, "Run '%s' for usage.\n", hint)
	return exitInvalid
}

func newRoot(e env) *cobra.Command {
	root := &cobra.Command{
		Use:   "autopilotsim",
		Short: "Simulate Windows Autopilot user-driven Microsoft Entra hybrid join",
		Long: `autopilotsim simulates Windows Autopilot user-driven Microsoft Entra hybrid join:
a fake Microsoft Graph, a fake Active Directory over LDAP, the Intune Connector,
Entra Connect and Windows devices in OOBE, on one virtual clock. Scenarios are
YAML files (see scenarios/README.md); the same scenario and seed always give
the same results, byte for byte.

` + exitCodesHelp,
		Example: `  autopilotsim run scenarios/catalogue
  autopilotsim validate my-scenario.yaml
  autopilotsim serve --scenario harness/testdata/lab.yaml
  autopilotsim version`,
		SilenceErrors: true,
		SilenceUsage:  true,
		// Without a command: usage on stderr, exit 2 (a script that
		// forgot its command should not look successful). An unknown
		// command is cobra's error, with suggestions (Args left nil).
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(e.stderr, "autopilotsim: no command given\nusage: autopilotsim <command> [flags]\n\n%s", cmd.UsageString())
			return exitWith(exitInvalid)
		},
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return err })
	root.AddCommand(newRunCmd(e), newValidateCmd(e), newServeCmd(e), newExplainCmd(e), newExportCmd(e), newCheckCmd(e), newMergeCmd(e), newLabCmd(e), newVersionCmd(e))
	for _, c := range root.Commands() {
		// Every help starts with the purpose and ends with the exit codes.
		c.Long = c.Short + ".\n\n" + c.Long + "\n\n" + exitCodesHelp
	}
	// cobra's completion command, created now (Execute would create it
	// later) so that its help has an example and the exit codes too.
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		c.Long += "\n" + exitCodesHelp
		c.Example = `  autopilotsim completion bash > /etc/bash_completion.d/autopilotsim
  autopilotsim completion zsh > "${fpath[1]}/_autopilotsim"
  autopilotsim completion powershell | Out-String | Invoke-Expression`
	}
	return root
}

// normalizeArgs accepts the single-dash long flags of Go's flag package,
// which earlier versions of this CLI parsed (-out DIR, -seed=7): a token
// "-name" or "-name=v" whose name is a long flag of the command becomes
// "--name". Shorthands (-h) and values are left alone.
func normalizeArgs(root *cobra.Command, args []string) []string {
	if len(args) == 0 {
		return args
	}
	cmd, _, err := root.Find(args[:1])
	if err != nil || cmd == root {
		return args
	}
	out := make([]string, len(args))
	copy(out, args)
	skipValue := false
	for i, a := range out {
		if skipValue {
			skipValue = false
			continue
		}
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "--") {
			name, _, hasValue := strings.Cut(a[2:], "=")
			skipValue = !hasValue && takesValue(cmd.Flags().Lookup(name))
			continue
		}
		if !strings.HasPrefix(a, "-") || len(a) < 3 {
			continue
		}
		name, _, hasValue := strings.Cut(a[1:], "=")
		if f := cmd.Flags().Lookup(name); f != nil && len(name) > 1 {
			out[i] = "-" + a
			skipValue = !hasValue && takesValue(f)
		}
	}
	return out
}

// takesValue reports whether flag f consumes the next argument.
func takesValue(f *pflag.Flag) bool {
	return f != nil && f.NoOptDefVal == ""
}
