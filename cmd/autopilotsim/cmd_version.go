package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func newVersionCmd(e env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the module version, VCS revision and Go version",
		Long: `version prints what this binary was built from, as Go's build information
records it: the module version (a tag, a pseudo-version, or (devel) for go run),
the VCS revision and its time, whether the work tree had local changes, and
the Go version and platform.`,
		Example: `  autopilotsim version
  go install github.com/autopilotsim/autopilotsim/cmd/autopilotsim@latest && autopilotsim version`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			bi, _ := debug.ReadBuildInfo()
			_, err := fmt.Fprint(e.stdout, versionText(bi))
			return err
		},
	}
}

// versionText formats build information; bi may be nil (a binary built
// without module support).
func versionText(bi *debug.BuildInfo) string {
	version, module, goVersion := "(unknown)", "github.com/autopilotsim/autopilotsim", runtime.Version()
	settings := map[string]string{}
	if bi != nil {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		if bi.Main.Path != "" {
			module = bi.Main.Path
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "autopilotsim %s\n", version)
	fmt.Fprintf(&b, "  module    %s\n", module)
	revision := settings["vcs.revision"]
	if revision == "" {
		revision = "(unknown: built without VCS information)"
	} else if settings["vcs.modified"] == "true" {
		revision += " (with local changes)"
	}
	fmt.Fprintf(&b, "  revision  %s\n", revision)
	if t := settings["vcs.time"]; t != "" {
		fmt.Fprintf(&b, "  committed %s\n", t)
	}
	platform := settings["GOOS"] + "/" + settings["GOARCH"]
	if platform == "/" {
		platform = runtime.GOOS + "/" + runtime.GOARCH
	}
	fmt.Fprintf(&b, "  go        %s %s\n", goVersion, platform)
	return b.String()
}
