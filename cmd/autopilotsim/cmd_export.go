package main

import (
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// secretEnv is where export reads the client secret when no flag gives it,
// so the secret stays out of shell history and process listings.
const secretEnv = "AUTOPILOTSIM_CLIENT_SECRET"

func newExportCmd(e env) *cobra.Command {
	var opts tenantconfig.ExportOptions
	cmd := &cobra.Command{
		Use:   "export --tenant T --client-id ID (--client-secret S | --client-cert F) --out DIR",
		Short: "Export a tenant's hybrid join configuration from Microsoft Graph as JSON files",
		Long: `export signs in to Microsoft Graph with an app registration's client credentials
(a secret, or a certificate and its private key for a client assertion) and
writes what the hybrid join depends on - deployment profiles, Domain Join
profiles, enrollment status pages, the groups they target, Autopilot devices,
Intune Connectors - one JSON file per object into --out, the layout check
--config reads. The previous export in --out is replaced only when everything
was read. The app needs the application permissions
DeviceManagementServiceConfig.Read.All, DeviceManagementConfiguration.Read.All
and Group.Read.All, with admin consent.

The secret may come from the environment variable ` + secretEnv + `
instead of --client-secret, so it stays out of shell history.
Exit code 1 when Graph refuses or cannot be reached (the previous export stays).`,
		Example: `  autopilotsim export --tenant $TENANT_ID --client-id $APP_ID --client-cert app.pem --out tenant/
  export AUTOPILOTSIM_CLIENT_SECRET=…   # e.g. from the pipeline's secret store
  autopilotsim export --tenant contoso.onmicrosoft.com --client-id 11111111-2222-3333-4444-555555555555 --out tenant/
  autopilotsim export --graph http://127.0.0.1:8080 --tenant $LAB_TENANT --client-id … --out lab-tenant/   # a serve lab`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return invalidf("unexpected argument %q (export takes flags only)", args[0])
			}
			return nil
		},
		RunE: func(c *cobra.Command, _ []string) error {
			for _, req := range []struct{ flag, v string }{{"--tenant", opts.Tenant}, {"--client-id", opts.ClientID}, {"--out", opts.Out}} {
				if req.v == "" {
					return invalidf("%s is required", req.flag)
				}
			}
			if opts.ClientSecret != "" && opts.CertificateFile != "" {
				return invalidf("give --client-secret or --client-cert, not both")
			}
			if opts.ClientSecret == "" && opts.CertificateFile == "" {
				opts.ClientSecret = e.getenv(secretEnv)
			}
			if opts.ClientSecret == "" && opts.CertificateFile == "" {
				return invalidf("no credentials: --client-cert FILE, --client-secret S or the environment variable %s", secretEnv)
			}
			if opts.CertificateFile != "" {
				if _, err := os.Stat(opts.CertificateFile); err != nil {
					return invalidf("--client-cert: %v", err)
				}
			}
			ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := tenantconfig.Export(ctx, opts)
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			for _, w := range rep.Warnings {
				fmt.Fprintf(e.stderr, "warning: %s\n", w)
			}
			folders := make([]string, 0, len(rep.Objects))
			for f := range rep.Objects {
				folders = append(folders, f)
			}
			sort.Strings(folders)
			for _, f := range folders {
				fmt.Fprintf(e.stdout, "  %-55s %d\n", f, rep.Objects[f])
			}
			fmt.Fprintf(e.stdout, "exported %d files to %s (%d Graph requests, %d retries)\n", rep.Files, rep.Out, rep.Requests, rep.Retries)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.GraphURL, "graph", "https://graph.microsoft.com", "Microsoft Graph's base URL (a serve lab's mockgraph address to export from a lab)")
	f.StringVar(&opts.Authority, "authority", "", "the token endpoint's base (default https://login.microsoftonline.com for Graph, else the --graph host)")
	f.StringVar(&opts.Tenant, "tenant", "", "the tenant: its ID or a verified domain (required)")
	f.StringVar(&opts.ClientID, "client-id", "", "the app registration's application (client) ID (required)")
	f.StringVar(&opts.ClientSecret, "client-secret", "", "the app's client secret (better: the environment variable "+secretEnv+")")
	f.StringVar(&opts.CertificateFile, "client-cert", "", "a PEM file with the app's certificate and its RSA private key (client assertion)")
	f.StringVar(&opts.Out, "out", "", "the folder the export replaces (required)")
	f.IntVar(&opts.PageSize, "page-size", 0, "ask for pages of this many objects ($top) where Graph allows it (0: Graph's own)")
	return cmd
}
