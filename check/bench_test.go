package check_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autopilotsim/autopilotsim/check"
	"github.com/autopilotsim/autopilotsim/tenantconfig"
)

// benchConfig is a tenant of 10 profiles (5 hybrid deployment profiles, 5
// Domain Join profiles), 30 groups (20 dynamic, one per group tag; 10
// assigned, 50 devices each) and 5,000 registered devices spread over the
// 20 tags.
func benchConfig() *tenantconfig.Config {
	cfg := &tenantconfig.Config{Dir: "bench"}
	const tags = 20
	for i := 0; i < 5000; i++ {
		s := fmt.Sprintf("BN%05d", i)
		cfg.AutopilotDevices = append(cfg.AutopilotDevices, tenantconfig.AutopilotDevice{
			ID: "ap-" + s, Serial: s, GroupTag: fmt.Sprintf("TAG%02d", i%tags), AzureADDeviceID: "dev-" + s})
	}
	for t := 0; t < tags; t++ {
		cfg.Groups = append(cfg.Groups, tenantconfig.Group{ID: fmt.Sprintf("g-tag%02d", t), Name: fmt.Sprintf("Tag %02d", t), Dynamic: true,
			MembershipRule: fmt.Sprintf(`(device.devicePhysicalIds -any (_ -eq "[OrderID]:TAG%02d"))`, t), CreatedAt: day})
	}
	for a := 0; a < 10; a++ {
		g := tenantconfig.Group{ID: fmt.Sprintf("g-static%02d", a), Name: fmt.Sprintf("Static %02d", a), CreatedAt: day}
		for k := 0; k < 50; k++ {
			d := cfg.AutopilotDevices[a*50+k]
			g.Members = append(g.Members, tenantconfig.Member{ID: "obj-" + d.Serial, Type: "device", DeviceID: d.AzureADDeviceID})
		}
		cfg.Groups = append(cfg.Groups, g)
	}
	for p := 0; p < 5; p++ {
		var as []tenantconfig.Assignment
		for t := p * 4; t < p*4+4; t++ {
			as = append(as, group(fmt.Sprintf("g-tag%02d", t)))
		}
		as = append(as, group(fmt.Sprintf("g-static%02d", p)))
		cfg.DeploymentProfiles = append(cfg.DeploymentProfiles, tenantconfig.DeploymentProfile{ID: fmt.Sprintf("dp-%d", p),
			Name: fmt.Sprintf("Hybrid %d", p), JoinType: "hybrid", SkipConnectivityCheck: true, CreatedAt: day.AddDate(0, 0, p), Assignments: as})
		cfg.DomainJoinProfiles = append(cfg.DomainJoinProfiles, tenantconfig.DomainJoinProfile{ID: fmt.Sprintf("dj-%d", p),
			Name: fmt.Sprintf("Join %d", p), Domain: "corp.contoso.com", Prefix: fmt.Sprintf("P%d-", p), RandomChars: 12, OU: apOU,
			CreatedAt: day, Assignments: as})
	}
	cfg.ESPs = goodConfig().ESPs
	cfg.Connectors = goodConfig().Connectors
	return cfg
}

// benchCohorts writes a cohort file of 100 cohorts: 20 tags × 5 places.
func benchCohorts(dir string) string {
	var b strings.Builder
	b.WriteString("cohorts:\n")
	places := [][2]string{{"office", "none"}, {"home", "none"}, {"home", "deviceTunnel"}, {"home", "userTunnel"}, {"home", "directAccess"}}
	for t := 0; t < 20; t++ {
		for _, p := range places {
			fmt.Fprintf(&b, "  - groupTag: TAG%02d\n    location: %s\n    vpn: %s\n", t, p[0], p[1])
		}
	}
	p := filepath.Join(dir, "cohorts.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		panic(err)
	}
	return p
}

// BenchmarkCheck100Cohorts is one whole check (rules and 100 simulated
// cohorts) of a 5,000-device tenant, as `autopilotsim check` runs it.
func BenchmarkCheck100Cohorts(b *testing.B) {
	cfg := benchConfig()
	env := goodEnv()
	cohorts := benchCohorts(b.TempDir())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := check.Run(check.Options{ConfigDir: "bench", Config: cfg, Env: &env, EnvFile: "env.yaml", CohortFile: cohorts, Translate: tenantconfig.Translate})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Cohorts) != 100 {
			b.Fatalf("%d cohorts", len(rep.Cohorts))
		}
	}
}

// BenchmarkCheckRules5000Devices is the static rules alone on that tenant.
func BenchmarkCheckRules5000Devices(b *testing.B) {
	cfg := benchConfig()
	env := goodEnv()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		check.Lint(cfg, env, "env.yaml", nil)
	}
}
