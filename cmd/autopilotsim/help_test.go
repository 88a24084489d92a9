package main

import (
	"runtime"
	"runtime/debug"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// ourCommands are the CLI's own commands (not cobra's help and completion).
func ourCommands() []*cobra.Command {
	var out []*cobra.Command
	for _, c := range newRoot(env{}).Commands() {
		if c.Name() != "help" && c.Name() != "completion" {
			out = append(out, c)
		}
	}
	return out
}

var _ = Describe("autopilotsim help", func() {
	It("has the commands of the README", func() {
		var names []string
		for _, c := range ourCommands() {
			names = append(names, c.Name())
		}
		Expect(names).To(ContainElements("run", "validate", "serve", "version"))
	})

	for _, form := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		form := form
		It("prints every command's purpose, flags with defaults, exit codes and an example on stdout with "+form[0]+", exit 0", func() {
			for _, c := range ourCommands() {
				args := append([]string{c.Name()}, form...)
				if form[0] == "help" {
					args = []string{"help", c.Name()}
				}
				code, out, errOut := cli(args...)
				Expect(code).To(Equal(0), "%v: %s", args, errOut)
				Expect(errOut).To(BeEmpty(), "%v", args)
				Expect(out).To(ContainSubstring(c.Short), "%v: purpose", args)
				Expect(out).To(ContainSubstring("Usage:\n  autopilotsim "+c.Name()), "%v", args)
				Expect(out).To(ContainSubstring("Exit codes:\n  0  ok\n  1  "), "%v", args)
				Expect(out).To(ContainSubstring("  2  invalid input"), "%v", args)
				Expect(out).To(MatchRegexp(`Examples:\n  autopilotsim `+c.Name()), "%v", args)
				c.Flags().VisitAll(func(f *pflag.Flag) {
					Expect(out).To(ContainSubstring("--"+f.Name), "%v: flag %s", args, f.Name)
					if f.DefValue != "" && f.DefValue != "false" && f.Value.Type() == "string" {
						Expect(out).To(ContainSubstring(`(default "`+f.DefValue+`")`), "%v: default of %s", args, f.Name)
					}
				})
			}
		})
	}

	It("names the run flags' defaults", func() {
		_, out, _ := cli("run", "--help")
		Expect(out).To(MatchRegexp(`--out string\s+directory for results.json, junit.xml and report.html \(default "test-results"\)`))
		Expect(out).To(MatchRegexp(`--wire string\s+how clients reach the servers: memory or loopback \(default "memory"\)`))
		Expect(out).To(MatchRegexp(`--seed N\s+seed for every scenario`))
	})

	It("validate --help prints help instead of opening a file called --help", func() {
		code, out, errOut := cli("validate", "--help")
		Expect(code).To(Equal(0))
		Expect(errOut).To(BeEmpty())
		Expect(out).To(ContainSubstring("Check scenario files without running them"))
		Expect(out).NotTo(ContainSubstring("read:"))
	})

	It("lists the commands with 'help' and exits 0", func() {
		code, out, _ := cli("help")
		Expect(code).To(Equal(0))
		for _, c := range ourCommands() {
			Expect(out).To(MatchRegexp(`\n  ` + c.Name() + `\s+` + regexpQuote(c.Short)))
		}
		Expect(out).To(ContainSubstring("completion"))
	})

	DescribeTable("exits 2 with a hint on an unknown command or flag",
		func(args []string, msg, hint string) {
			code, out, errOut := cli(args...)
			Expect(code).To(Equal(2))
			Expect(out).To(BeEmpty())
			Expect(errOut).To(ContainSubstring(msg))
			Expect(errOut).To(ContainSubstring(hint))
		},
		Entry("unknown command", []string{"frobnicate"}, `unknown command "frobnicate" for "autopilotsim"`, "Run 'autopilotsim help' for usage."),
		Entry("a typo gets a suggestion", []string{"rnu"}, "Did you mean this?\n\trun", "Run 'autopilotsim help' for usage."),
		Entry("unknown flag of run", []string{"run", "--frob", "testdata/pass.yaml"}, "autopilotsim run: unknown flag: --frob", "Run 'autopilotsim run --help' for usage."),
		Entry("unknown flag of validate", []string{"validate", "--strict", "testdata/pass.yaml"}, "unknown flag: --strict", "Run 'autopilotsim validate --help' for usage."),
		Entry("unknown shorthand", []string{"serve", "-x"}, "unknown shorthand flag: 'x' in -x", "Run 'autopilotsim serve --help' for usage."),
		Entry("a flag without its value", []string{"run", "testdata/pass.yaml", "--out"}, "flag needs an argument: --out", "Run 'autopilotsim run --help' for usage."),
		Entry("version takes no arguments", []string{"version", "extra"}, `unknown command "extra" for "autopilotsim version"`, "Run 'autopilotsim version --help' for usage."),
	)

	It("still takes Go-style single-dash long flags (-out DIR, -seed=7)", func() {
		dir := GinkgoT().TempDir()
		code, out, errOut := cli("run", "-out", dir, "-seed=7", "testdata/pass.yaml")
		Expect(code).To(Equal(0), out+errOut)
		Expect(out).To(ContainSubstring("results written to " + dir + "/results.json"))
	})

	It("writes a bash completion script", func() {
		code, out, _ := cli("completion", "bash")
		Expect(code).To(Equal(0))
		Expect(out).To(ContainSubstring("__start_autopilotsim"))
	})

	It("explains completion like its own commands: purpose, example and exit codes, exit 0", func() {
		code, out, _ := cli("completion", "--help")
		Expect(code).To(Equal(0))
		Expect(out).To(HavePrefix("Generate the autocompletion script for autopilotsim"))
		Expect(out).To(ContainSubstring("Exit codes:\n  0  ok"))
		Expect(out).To(ContainSubstring("Examples:\n  autopilotsim completion bash"))
	})
})

var _ = Describe("autopilotsim version", func() {
	It("prints the module version, VCS revision and Go version from the build information", func() {
		bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/autopilotsim/autopilotsim", Version: "v1.4.0"},
			Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"},
				{Key: "vcs.revision", Value: "2cfcd86e0d1f"}, {Key: "vcs.time", Value: "2026-12-04T16:12:45Z"}, {Key: "vcs.modified", Value: "true"}}}
		Expect(versionText(bi)).To(Equal("autopilotsim v1.4.0\n" +
			"  module    github.com/autopilotsim/autopilotsim\n" +
			"  revision  2cfcd86e0d1f (with local changes)\n" +
			"  committed 2026-12-04T16:12:45Z\n" +
			"  go        go1.26.0 linux/amd64\n"))
	})

	It("says what it does not know rather than inventing it", func() {
		Expect(versionText(nil)).To(Equal("autopilotsim (unknown)\n" +
			"  module    github.com/autopilotsim/autopilotsim\n" +
			"  revision  (unknown: built without VCS information)\n" +
			"  go        " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"))
	})

	It("prints this binary's Go version and exits 0", func() {
		code, out, errOut := cli("version")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(HavePrefix("autopilotsim "))
		Expect(out).To(ContainSubstring("  go        " + runtime.Version()))
	})
})

func regexpQuote(s string) string {
	return strings.NewReplacer(`(`, `\(`, `)`, `\)`, `.`, `\.`).Replace(s)
}
