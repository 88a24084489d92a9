package check

import (
	"fmt"
	"strings"

	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// DefaultSeed is the base seed when Options.Seed is zero.
const DefaultSeed uint64 = 1

// Options are everything `autopilotsim check` passes in. Paths are read
// with the loaders; a caller that has the values already may set Config,
// Base and Env instead.
type Options struct {
	ConfigDir  string // --config: the head configuration (Graph JSON folder)
	BaseDir    string // --base: the configuration to compare with; "" = none
	EnvFile    string // --env: the environment (scenarios.LoadEnvironment)
	CohortFile string // --cohorts: replaces the derived cohorts; "" = derive

	Config *tenantconfig.Config // overrides ConfigDir's contents
	Base   *tenantconfig.Config // overrides BaseDir's contents
	Env    *scenarios.Environment

	FailOn   Severity // --fail-on; "" = error
	Seed     uint64   // --seed; 0 = DefaultSeed
	Parallel int      // --parallel; <= 0 = GOMAXPROCS

	// The seams to tenantconfig and scenarios; nil takes seams.go's.
	Load      func(dir string) (*tenantconfig.Config, error)
	LoadEnv   func(path string) (scenarios.Environment, error)
	Translate TranslateFunc
}

// Run checks a configuration: static findings, every cohort simulated,
// and with a base the differences. An error is an InvalidInputError when
// the input is at fault (exit 2); the report's Blocking says whether the
// pipeline should fail (exit 1).
func Run(opts Options) (*Report, error) {
	opts = withSeams(opts)
	if opts.FailOn == "" {
		opts.FailOn = SeverityError
	}
	if _, err := ParseSeverity(string(opts.FailOn)); err != nil {
		return nil, err
	}
	if opts.Seed == 0 {
		opts.Seed = DefaultSeed
	}
	head, err := loadConfig("config", opts.ConfigDir, opts.Config, opts.Load)
	if err != nil {
		return nil, err
	}
	var base *tenantconfig.Config
	if opts.BaseDir != "" || opts.Base != nil {
		if base, err = loadConfig("base", opts.BaseDir, opts.Base, opts.Load); err != nil {
			return nil, err
		}
	}
	var env scenarios.Environment
	switch {
	case opts.Env != nil:
		env = cloneEnv(*opts.Env)
	case opts.EnvFile == "":
		return nil, &InvalidInputError{What: "environment", Err: fmt.Errorf("no environment file (--env)")}
	case opts.LoadEnv == nil:
		return nil, &InvalidInputError{What: "environment", Err: fmt.Errorf("no environment loader")}
	default:
		if env, err = opts.LoadEnv(opts.EnvFile); err != nil {
			return nil, &InvalidInputError{What: "environment", Err: err}
		}
	}
	if opts.Translate == nil {
		return nil, fmt.Errorf("check: no TranslateFunc")
	}

	var explicit, cohorts []Cohort
	if opts.CohortFile != "" {
		if explicit, err = LoadCohorts(opts.CohortFile, env); err != nil {
			return nil, err
		}
		cohorts = fillCohorts(explicit, head)
	} else {
		cohorts = DeriveCohorts(head, env)
		if base != nil {
			cohorts = unionCohorts(cohorts, DeriveCohorts(base, env))
		}
	}

	rep := &Report{ConfigDir: opts.ConfigDir, BaseDir: opts.BaseDir, EnvFile: opts.EnvFile, Seed: opts.Seed, FailOn: opts.FailOn}
	rep.Findings = Lint(head, env, opts.EnvFile, explicit)
	sim := SimOptions{Seed: opts.Seed, Parallel: opts.Parallel, Translate: opts.Translate}
	if rep.Cohorts, err = Simulate(head, env, cohorts, sim); err != nil {
		return nil, err
	}
	if base != nil {
		rep.HasBase = true
		baseFindings := Lint(base, env, opts.EnvFile, explicit)
		rep.NewFindings = diffFindings(rep.Findings, baseFindings)
		rep.FixedFindings = diffFindings(baseFindings, rep.Findings)
		baseCohorts := cohorts
		if explicit != nil {
			baseCohorts = fillCohorts(explicit, base)
		}
		baseRes, err := Simulate(base, env, baseCohorts, sim)
		if err != nil {
			return nil, err
		}
		rep.Changes = diffCohorts(baseRes, rep.Cohorts)
	}
	return rep, nil
}

func loadConfig(what, dir string, given *tenantconfig.Config, load func(string) (*tenantconfig.Config, error)) (*tenantconfig.Config, error) {
	if given != nil {
		return given, nil
	}
	if dir == "" {
		return nil, &InvalidInputError{What: what, Err: fmt.Errorf("no configuration folder")}
	}
	if load == nil {
		return nil, &InvalidInputError{What: what, Err: fmt.Errorf("no configuration loader")}
	}
	cfg, err := load(dir)
	if err != nil {
		return nil, &InvalidInputError{What: what, Err: err}
	}
	return cfg, nil
}

// fillCohorts gives explicit cohorts the registered device that stands for
// them (when the file names none) and the count of such devices.
func fillCohorts(cs []Cohort, cfg *tenantconfig.Config) []Cohort {
	out := append([]Cohort(nil), cs...)
	for i := range out {
		c := &out[i]
		c.Devices = 0
		rep := ""
		for _, d := range cfg.AutopilotDevices {
			if strings.EqualFold(d.GroupTag, c.Tag) && strings.EqualFold(d.PurchaseOrder, c.PurchaseOrder) {
				c.Devices++
				if rep == "" || d.Serial < rep {
					rep = d.Serial
				}
			}
		}
		if c.Serial == "" {
			c.Serial = rep
		}
	}
	return out
}

// unionCohorts merges two derived lists by key (head's entry wins).
func unionCohorts(head, base []Cohort) []Cohort {
	seen := map[string]bool{}
	var out []Cohort
	for _, c := range head {
		seen[c.Key()] = true
		out = append(out, c)
	}
	for _, c := range base {
		if !seen[c.Key()] {
			out = append(out, c)
		}
	}
	sortCohorts(out)
	return out
}
