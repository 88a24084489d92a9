package check_test

import (
	"testing"

	"github.com/autopilotsim/autopilotsim/check"
)

// FuzzParseCohorts: a cohort file never panics, and an error is always an
// invalid-input error with a message.
func FuzzParseCohorts(f *testing.F) {
	f.Add([]byte("cohorts:\n  - groupTag: SALES\n    location: home\n    vpn: deviceTunnel\n"))
	f.Add([]byte("cohorts:\n  - location: office\n  - location: office\n"))
	f.Add([]byte("cohorts: [\n"))
	f.Add([]byte("cohorts:\n  - {groupTag: [a], vpn: x}\n"))
	f.Add([]byte("&a [*a]"))
	env := goodEnv()
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := check.ParseCohorts("f.yaml", data, env)
		if err != nil {
			if !check.IsInvalidInput(err) || err.Error() == "" {
				t.Fatalf("error %v is not an invalid-input error", err)
			}
			return
		}
		if len(cs) == 0 {
			t.Fatal("no error and no cohorts")
		}
	})
}

// FuzzLint: rules never panic on odd values (OUs, prefixes, rules,
// versions).
func FuzzLint(f *testing.F) {
	f.Add("CN=Computers,DC=corp,DC=contoso,DC=com", "AP-", 12, ruleTag, "6.2501.2000.5")
	f.Add(`"OU=x"`, "%SERIAL%", -1, "(", "x.y")
	f.Add("OU=a\\,b,DC=corp", "", 40, `device.devicePhysicalIds -any _ -eq "[OrderID]:"`, "")
	f.Fuzz(func(t *testing.T, ou, prefix string, random int, rule, version string) {
		cfg := goodConfig()
		cfg.DomainJoinProfiles[0].OU = ou
		cfg.DomainJoinProfiles[0].Prefix = prefix
		cfg.DomainJoinProfiles[0].RandomChars = random
		cfg.Groups[1].MembershipRule = rule
		cfg.Connectors[0].Version = version
		for _, f := range check.Lint(cfg, goodEnv(), "env.yaml", nil) {
			if f.RuleID == "" || f.Message == "" || f.HelpURI == "" {
				t.Fatalf("incomplete finding %+v", f)
			}
		}
	})
}
