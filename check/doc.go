// Package check gates a tenant's Intune configuration for Windows Autopilot
// user-driven Microsoft Entra hybrid join, as `autopilotsim check` does in
// CI: it tells what each kind of device will go through with a
// configuration and fails a pipeline when a change makes some devices worse
// off ("with this change, devices tagged SALES at home stop hybrid
// joining").
//
// # What it does
//
//  1. Static rules (Lint; RULES.md lists each with its public source): pure
//     functions over the configuration (tenantconfig.Config, read from
//     Graph JSON) and the environment (scenarios.Environment: domains, OUs,
//     delegations, quota, connectors, Entra Connect scope, networks). Each
//     finding has a stable rule ID, a severity, a message saying what is
//     wrong and what to do, the object and the JSON pointer of the value
//     (file, line, column via tenantconfig.Source) and a Microsoft Learn URL.
//  2. Cohorts (DeriveCohorts, or a cohort file): every group tag and
//     purchase order a membership rule names (the rules' comparisons of
//     devicePhysicalIds with "[OrderID]:X" / "[PurchaseOrderId]:X"), each
//     registered device's tag, and "untagged", crossed with every network
//     location of the environment and, on internet locations, every VPN kind
//     (none, deviceTunnel, userTunnel, uwpPlugin, directAccess). A cohort
//     stands for the first registered device (by serial) with its identity,
//     so assigned groups keep it.
//  3. Simulation (Simulate): each cohort runs through the whole flow in its
//     own small world (harness.Run: mockgraph, mockad, connector, Entra
//     Connect and one simulated device) on the virtual clock. Cohorts run in
//     parallel (Parallel, default GOMAXPROCS); each cohort's seed is derived
//     from the base seed and the cohort's key (FNV-1a), and results are
//     sorted by key, so the output is byte-identical for the same inputs
//     whatever the parallelism. The tenant comes from tenantconfig.Translate
//     (Options.Translate overrides it): there is no second model of Intune
//     here, the engines decide. The cohorts' worlds share one token-signing
//     key (harness.Options.SigningKey): generating a 2048-bit RSA key was
//     most of a small world's start-up, and tokens are in no result.
//  4. With a base configuration: the base is simulated over the same cohorts
//     (the union of both derivations), and each cohort whose outcome, failed
//     stage or error code changes is a Regression (it was hybridJoined and
//     is not, or it newly fails), a Fix, or Changed; findings new in head
//     and gone from base are listed.
//  5. The Report: Blocking() is true when a finding is at or above FailOn
//     (default error) or a cohort regressed. Writers: SARIF 2.1.0 (findings
//     located in the configuration files, paths relative as --config was
//     given, rule metadata with helpUri), JUnit XML, JSON and a Markdown
//     summary short enough for a pull-request comment.
//
// # Who signs in
//
// The simulated device needs a user for the Entra sign-in and an AD account
// for the first Windows sign-in (the synced user). SignInUser picks the first
// user, in file order, of the domain that the Domain Join profile reaching
// the cohort joins, else the first user of the first domain that has users.
// An environment without any AD user is invalid input.
//
// # The CLI
//
// `autopilotsim check --config DIR --env FILE [--base DIR] [--cohorts FILE]
// [--format sarif,junit,json,md] [--out DIR] [--fail-on error|warning|note]
// [--seed N] [--parallel N]` is a thin call:
//
//	formats, err := check.ParseFormats(format) // invalid input → exit 2
//	failOn, err := check.ParseSeverity(failOnFlag)
//	// Run reads --config/--base with tenantconfig.Load and --env with
//	// scenarios.LoadEnvironment unless Options gives them.
//	rep, err := check.Run(check.Options{ConfigDir: config, BaseDir: base, EnvFile: env,
//		CohortFile: cohorts, FailOn: failOn, Seed: seed, Parallel: parallel})
//	// err: check.IsInvalidInput(err) → exit 2; any other error → exit 2 too (nothing was checked)
//	paths, err := check.WriteAll(rep, out, formats)
//	// exit 1 when rep.Blocking(), else 0
//
// Output files: check.sarif, check-junit.xml, check.json, check.md (Formats).
//
// # Cohort file
//
//	cohorts:
//	  - groupTag: SALES          # "" or absent: untagged
//	    purchaseOrderId: PO-7    # optional
//	    location: home           # a network of the environment
//	    vpn: deviceTunnel        # none (default) | deviceTunnel | userTunnel | uwpPlugin | directAccess
//	    serial: SN0001           # optional: the registered device it stands for
//
// Errors come as file:line:col. A cohort file replaces the derived cohorts
// for both head and base, and rule APS015 reads its VPN kinds.
//
// # What it leaves out
//
// SARIF carries the static findings only: a cohort's regression has no place
// in the configuration files, so it is in the JUnit, JSON and Markdown
// outputs. The static rules ask about devices by their Autopilot identity
// (tag, purchase order, membership of assigned groups); rules on other
// device properties (model, manufacturer) evaluate against the empty values
// an Autopilot device has before enrollment. Which of two Domain Join
// profiles reaching a device wins is not documented (APS028 warns).
// A configuration the simulator refuses (e.g. a %SERIAL% prefix) gives the
// cohort outcome notSimulated with the reason; the static rules say why.
package check
