package rules_test

import (
	"errors"
	"testing"

	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
)

// fuzzSeeds are the A.9 vectors, the failing rules and a few edge shapes.
var fuzzSeeds = []string{
	`(device.devicePhysicalIDs -any (_ -startsWith "[ZTDId]"))`,
	`device.devicePhysicalIDs -any _ -startsWith "[ZTDId]"`,
	`(device.devicePhysicalIds -any _ -eq "[OrderID]:179887111881")`,
	`(device.devicePhysicalIds -all (_ -startsWith "["))`,
	`device.deviceOSType -eq "Windows" -or device.deviceOSType -eq "iPhone" -and device.deviceOwnership -eq "Company"`,
	`(device.deviceOSType -eq "Windows") -and -not (device.displayName -startsWith "contoso")`,
	`device.deviceModel -match "^Latitude \d{4}$"`,
	`device.deviceCategory -eq null`,
	`device.deviceOSType -in ["windows",'Mac''MDM']`,
	`device.accountEnabled -eq true -and device.isRooted -eq "false"`,
	"device.displayName -eq \"Rob `\"Big`\" PC\"",
	`device.displayName -eq 'a` + "`" + `b\c'`,
	`device.extensionAttribute1 eq -12 or not device.objectId ne null`,
	`device.memberOf -any (group.objectId -in ['g1','g2'])`,
	`device.devicePhysicalIds -any ((_ -eq "a" -or _ -match "b") -and -not (_ -in ["c"]))`,
	`(device.deviceOSType -eq "Windows") (device.deviceOwnership -eq "Company")`,
	`device.displayName -match "*PC"`,
	`deviceOSType -eq "Windows"`,
	`device.deviceCategory -not null`,
	"device.displayName \u2013eq \"x\"",
}

func optionsFrom(flags uint8) rules.Options {
	return rules.Options{
		CaseSensitiveValues:        flags&1 != 0,
		CaseSensitiveProperties:    flags&2 != 0,
		RejectParenlessQuantifier:  flags&4 != 0,
		NullFailsNegativeOperators: flags&8 != 0,
		BackslashEscape:            flags&16 != 0,
		AcceptEnDash:               flags&32 != 0,
		RejectQuotedBooleans:       flags&64 != 0,
	}
}

var fuzzDevice = rules.Properties{
	"displayName":       "CONTOSO-PC01",
	"deviceOSType":      "Windows",
	"accountEnabled":    true,
	"deviceCategory":    nil,
	"memberOf":          []string{"g1"},
	"systemLabels":      "M365Managed",
	"devicePhysicalIds": []string{"[ZTDId]:x", "[OrderID]:Kiosk"},
}

// FuzzParse: no panics; every error is a *SyntaxError with a position inside
// the rule; a rule that parses prints to text that parses to the same tree
// (same canonical String) and evaluates the same.
func FuzzParse(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint8(i*37))
	}
	f.Fuzz(func(t *testing.T, src string, flags uint8) {
		opts := optionsFrom(flags)
		r, err := rules.ParseWith(src, opts)
		if err != nil {
			var se *rules.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not *SyntaxError: %v", err, err)
			}
			if se.Pos < 0 || se.Pos > len(src) || se.Line < 1 || se.Col < 1 || se.Msg == "" || se.Code == "" {
				t.Fatalf("bad error fields %+v for %q", se, src)
			}
			return
		}
		printed := r.String()
		again, err := rules.ParseWith(printed, opts)
		if err != nil {
			t.Fatalf("printed rule does not parse:\n src: %q\n out: %q\n err: %v", src, printed, err)
		}
		if again.String() != printed {
			t.Fatalf("round trip changed the tree:\n src: %q\n 1st: %q\n 2nd: %q", src, printed, again.String())
		}
		if r.Match(fuzzDevice) != again.Match(fuzzDevice) {
			t.Fatalf("round trip changed evaluation for %q", src)
		}
		_ = r.Properties()
	})
}
