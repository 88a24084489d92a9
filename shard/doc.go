// Package shard splits a run's scenarios over several machines and merges
// their results back into what one unsplit run would have written.
//
// A scenario is one world (its own clock, seeded streams, mocks and fleet),
// so scenarios are the unit of work: a scenario's result does not depend on
// which other scenarios ran beside it, and results merged from shards are
// byte-identical to an unsplit run's (results.json, junit.xml, report.html).
// A single scenario is never split: its devices share connectors, domain
// controllers and the tenant, and splitting them would change what they
// meet (queues at the connector, the order of LDAP writes).
//
// Plan assigns scenarios to shards deterministically from the scenario list
// alone (the same list gives the same plan on every machine): largest fleet
// first, each to the shard with the fewest devices so far, ties to the lower
// shard, so shards get similar work. Each shard's results.json carries a
// "shard" block (its index, the count, the run's scenario total and the
// positions of its scenarios) that Merge uses to restore the run's order;
// the merged run has no such block. Files merges from disk a scenario at a
// time (merge's memory is one scenario's, as the run's was); Merge merges
// runs already in memory.
//
// Left out: splitting a scenario's devices, work stealing between shards,
// and any transport between machines (each shard writes a directory; CI
// collects them, see docs/SCALE.md).
package shard
