package main

import (
	"fmt"
	"strconv"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// seedFlag is an optional uint64 flag: nil when not given, so a scenario's
// own seed stands.
type seedFlag struct{ v *uint64 }

func (s *seedFlag) String() string {
	if s.v == nil {
		return ""
	}
	return strconv.FormatUint(*s.v, 10)
}

func (s *seedFlag) Set(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return fmt.Errorf("seed must be a non-negative integer, got %q", v)
	}
	s.v = &n
	return nil
}

func (s *seedFlag) Type() string { return "N" }

// faultFlag collects repeated --fault flags (scenarios.ParseFault).
type faultFlag struct{ faults []scenarios.Fault }

func (f *faultFlag) String() string { return "" }

func (f *faultFlag) Set(v string) error {
	fault, err := scenarios.ParseFault(v)
	if err != nil {
		return err
	}
	f.faults = append(f.faults, fault)
	return nil
}

func (f *faultFlag) Type() string { return "SPEC" }
