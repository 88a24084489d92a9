// Package labcontainer starts an autopilotsim lab in a container from Go
// tests, with testcontainers-go: the image is the one `make image` builds
// (Dockerfile here: a static binary FROM scratch, non-root, with a health
// check), the wait strategy is the image's health check, which asks the lab's
// readiness endpoint (/readyz) from inside the container, and
// the Container gives the endpoints as the host sees them: mockgraph's URL,
// the first DC's LDAP address, the console and control API, and a Graph
// token for the lab's admin app (which the control API accepts too).
//
//	bin, _ := labcontainer.BuildBinary(ctx, moduleDir, t.TempDir())
//	c, err := labcontainer.Start(ctx, labcontainer.Options{Binary: bin, Scenario: "lab.yaml"})
//	defer c.Terminate(ctx)
//	tok, _ := c.GraphToken(ctx)
//	ldapAddr, _ := c.LDAPAddr(ctx)
//	api, _ := c.Control(ctx) // *lab.Client: PowerOn, Advance, State, …
//
// RunCLI runs the same image once as a batch job does (a Kubernetes Job's
// command and args): the entrypoint replaced by the binary and arguments,
// host folders mounted, no network; it returns the exit code and output.
// The spec of docs/SCALE.md's Indexed Job recipe runs shards and merge so.
//
// The image builds without network access (FROM scratch pulls nothing).
// On a machine whose engine cannot run Ryuk, set
// TESTCONTAINERS_RYUK_DISABLED=true (the Makefile does).
//
// Left out: pushing the image anywhere; an engine that cannot mount this
// machine's folders (RunCLI binds them); more than the first domain's DC
// (further domains listen on the next ports inside the container, not
// exposed here).
package labcontainer
