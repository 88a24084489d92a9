package check

import (
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// withSeams fills the loaders and the translator Options leaves nil:
// tenantconfig.Load, scenarios.LoadEnvironment and tenantconfig.Translate.
func withSeams(o Options) Options {
	if o.Load == nil {
		o.Load = tenantconfig.Load
	}
	if o.LoadEnv == nil {
		o.LoadEnv = func(path string) (scenarios.Environment, error) {
			env, err := scenarios.LoadEnvironment(path)
			if err != nil {
				return scenarios.Environment{}, err
			}
			return *env, nil
		}
	}
	if o.Translate == nil {
		o.Translate = tenantconfig.Translate
	}
	return o
}
