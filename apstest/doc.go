// Package apstest is the Go API for QA suites: load a scenario (a file or
// YAML text in the test), run it on the simulator's virtual clock, read the
// results, and assert on them with Gomega matchers whose failure messages
// say what the device did and why (the diagnosis of package diagnosis).
//
//	sc := apstest.MustLoadYAML("join", yamlText)
//	res := apstest.Run(sc)
//	Expect(res.Device("LAB0001")).To(apstest.HaveHybridJoined())
//	Expect(res.Device("NDG0001")).To(apstest.FailAt("odjBlobWait", "80070774"))
//	Expect(res.Device("LAB0001")).To(apstest.HaveComputerIn("OU=Autopilot,OU=Devices,DC=corp,DC=contoso,DC=com"))
//	Expect(res.Device("LAB0001")).To(apstest.HaveEntraObjects(2))
//	Expect(res).To(apstest.Pass()) // the scenario's own expect: section held
//
// A run is deterministic: the same scenario and seed give the same results,
// so a failing spec fails the same way on every machine. Runs use the
// in-memory wire and take milliseconds to a few seconds; they open no ports.
//
// For a lab on real ports from a test (Graph over HTTP, LDAP), see package
// labcontainer (a container) or the lab package (in process).
//
// Left out: assertions on Graph or LDAP traffic beyond what the results
// hold (use the scenario's expect[].requests), and Ginkgo itself: the
// matchers are plain Gomega and work with `go test` + gomega.NewWithT too.
package apstest
