// Package console is what autopilotsim prints on a terminal or in a CI log
// while and after it runs scenarios: the summary with each failed
// expectation's devices explained (device, stage, code, meaning, cause and
// fix, from results.DeviceResult.Explanation when package diagnosis gave
// one), one device's story for `autopilotsim explain`, and progress (a bar
// on a terminal, plain periodic lines otherwise).
//
// It reads results and harness progress only; it decides nothing about a
// run, and the wall clock it uses for progress never reaches the results.
package console
