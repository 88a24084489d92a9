package connector_test

import (
	"fmt"
	"testing"

	"github.com/autopilotsim/autopilotsim/connector"
)

// FuzzParseDiagnostic: never panics; a success means the input starts with
// exactly eight hex digits and a colon, and the code round-trips.
func FuzzParseDiagnostic(f *testing.F) {
	for _, s := range []string{
		"0000216D: SvcErr: DSID-031A124C, problem 5003 (WILL_NOT_PERFORM), data 0",
		"00002098: SecErr: DSID-03150F93, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0",
		"acl: unable to get access", "", "Unwilling To Perform", "0000216D", "FFFFFFFF:", "0x216D: x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := connector.ParseDiagnostic(s)
		if err != nil {
			if code != 0 {
				t.Fatalf("error with code %d", code)
			}
			return
		}
		if len(s) < 9 || s[8] != ':' {
			t.Fatalf("accepted %q", s)
		}
		if got := fmt.Sprintf("%08X", code); got != upper(s[:8]) {
			t.Fatalf("code %s does not match %q", got, s[:8])
		}
		_ = connector.Win32Error(53, s)
	})
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func BenchmarkComputerName(b *testing.B) {
	r := newRand()
	for i := 0; i < b.N; i++ {
		if _, err := connector.ComputerName("AP-", r); err != nil {
			b.Fatal(err)
		}
	}
}
