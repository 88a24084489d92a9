package scenarios_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// The failure catalogue (CATALOG.md) maps every documented failure mode
// F1–F42 (docs/SOURCES.md "Failure modes") to the scenario that shows it,
// or says why it is not simulated. These specs hold it to that: a row that
// points at a missing file, or at a scenario that does not assert the
// symptom the row claims, fails.

// catalogRow is one parsed row of CATALOG.md's table.
type catalogRow struct {
	line   int
	f      int               // the F-number
	files  []string          // scenario files, relative to scenarios/
	claims map[string]string // key=value pairs of the expected-symptom cell
	status string            // simulated | not simulated | open
	reason string            // after the status, for not simulated / open
}

// The table's columns, in order.
const (
	colF = iota
	colSituation
	colScenario
	colSymptom
	colSource
	colStatus
	catalogCols
)

var (
	catalogF     = regexp.MustCompile(`^<a id="f\d+"></a>F(\d+)$`)
	catalogLink  = regexp.MustCompile(`\]\(([^)#]+\.yaml)\)`)
	catalogCode  = regexp.MustCompile("`([^`]*)`")
	catalogClaim = regexp.MustCompile(`(\w+)=("[^"]*"|\S+)`)
	// catalogKeys are the claims a row may make, each checked against the
	// scenario's expect entries (refused against its load error).
	catalogKeys = map[string]bool{"outcome": true, "stage": true, "code": true, "connectorError": true,
		"profileSource": true, "registration": true, "refused": true, "azureAdPrt": true,
		"trustTypes": true, "userAdmin": true, "accessAtProvisioningEnd": true, "accessAfterSignIn": true}
)

// parseCatalog reads CATALOG.md's failure table: rows whose first cell is
// an anchored F-number (<a id="f6"></a>F6). Any other table row is ignored; a malformed F row is an
// error naming its line.
func parseCatalog(text string) ([]catalogRow, error) {
	var rows []catalogRow
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") || len(line) < 2 {
			continue
		}
		cells := strings.Split(line[1:len(line)-1], "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		m := catalogF.FindStringSubmatch(cells[0])
		if m == nil {
			continue
		}
		if len(cells) != catalogCols {
			return nil, fmt.Errorf("CATALOG.md:%d: F%s: %d cells, want %d", i+1, m[1], len(cells), catalogCols)
		}
		f, err := strconv.Atoi(m[1])
		if err != nil {
			return nil, fmt.Errorf("CATALOG.md:%d: F-number %q: %w", i+1, m[1], err)
		}
		r := catalogRow{line: i + 1, f: f, claims: map[string]string{}}
		for _, l := range catalogLink.FindAllStringSubmatch(cells[colScenario], -1) {
			r.files = append(r.files, l[1])
		}
		for _, code := range catalogCode.FindAllStringSubmatch(cells[colSymptom], -1) {
			for _, kv := range catalogClaim.FindAllStringSubmatch(code[1], -1) {
				if !catalogKeys[kv[1]] {
					return nil, fmt.Errorf("CATALOG.md:%d: F%d: unknown claim %q", i+1, f, kv[1])
				}
				r.claims[kv[1]] = strings.Trim(kv[2], `"`)
			}
		}
		status := cells[colStatus]
		switch {
		case status == "simulated":
			r.status = status
		case strings.HasPrefix(status, "not simulated"), strings.HasPrefix(status, "open"):
			r.status, r.reason, _ = strings.Cut(status, ":")
			r.reason = strings.TrimSpace(r.reason)
		default:
			return nil, fmt.Errorf("CATALOG.md:%d: F%d: status %q is not simulated, \"not simulated: why\" or \"open: why\"", i+1, f, status)
		}
		if cells[colSource] == "" {
			return nil, fmt.Errorf("CATALOG.md:%d: F%d: no source", i+1, f)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// asserts reports whether exp asserts every claim of the row.
func asserts(exp scenarios.Expectation, claims map[string]string) bool {
	norm := func(c string) string { return strings.ToUpper(strings.TrimPrefix(strings.TrimPrefix(c, "0x"), "0X")) }
	for k, v := range claims {
		var got string
		switch k {
		case "outcome":
			got = exp.Outcome
		case "stage":
			got = exp.FailedStage
		case "code":
			got, v = norm(exp.ErrorCode), norm(v)
		case "connectorError":
			if exp.ConnectorError != nil {
				got = strconv.Itoa(*exp.ConnectorError)
			}
		case "profileSource":
			got = exp.ProfileSource
		case "registration":
			got = exp.Registration
		case "trustTypes":
			// comma-separated, in the order the expect entry lists them
			if exp.EntraDevices != nil {
				got = strings.Join(exp.EntraDevices.TrustTypes, ",")
			}
		case "accessAtProvisioningEnd":
			got = exp.AccessAtProvisioningEnd
		case "accessAfterSignIn":
			got = exp.AccessAfterSignIn
		case "userAdmin":
			if exp.UserAdmin != nil {
				got = strconv.FormatBool(*exp.UserAdmin)
			}
		case "azureAdPrt":
			if exp.DSRegCmd != nil {
				got = exp.DSRegCmd.AzureAdPrt
			}
		}
		if got != v {
			return false
		}
	}
	return true
}

var _ = Describe("CATALOG.md, the failure catalogue", func() {
	var rows []catalogRow
	BeforeEach(func() {
		data, err := os.ReadFile("CATALOG.md")
		Expect(err).NotTo(HaveOccurred())
		rows, err = parseCatalog(string(data))
		Expect(err).NotTo(HaveOccurred())
	})

	It("has one row per documented failure mode F1–F42, in order", func() {
		Expect(rows).To(HaveLen(42))
		for i, r := range rows {
			Expect(r.f).To(Equal(i+1), "CATALOG.md:%d", r.line)
		}
	})

	It("gives every row not simulated a reason, and at most 4 such rows", func() {
		n := 0
		for _, r := range rows {
			if r.status != "simulated" {
				Expect(r.reason).NotTo(BeEmpty(), "CATALOG.md:%d: F%d needs a reason", r.line, r.f)
			}
			if r.status == "not simulated" {
				n++
			}
		}
		Expect(n).To(BeNumerically("<=", 4))
	})

	It("points every simulated row at catalogue scenarios that exist and assert its symptom", func() {
		for _, r := range rows {
			if r.status != "simulated" {
				continue
			}
			where := fmt.Sprintf("CATALOG.md:%d: F%d", r.line, r.f)
			Expect(r.files).NotTo(BeEmpty(), where+": no scenario file")
			Expect(r.claims).NotTo(BeEmpty(), where+": no `key=value` symptom")
			if refused, ok := r.claims["refused"]; ok {
				// A configuration the service refuses: the file must be
				// refused with that message (testdata/bad).
				for _, f := range r.files {
					_, err := scenarios.Load(filepath.FromSlash(f))
					Expect(err).To(HaveOccurred(), "%s: %s loads", where, f)
					Expect(err.Error()).To(ContainSubstring(refused), "%s: %s", where, f)
				}
				continue
			}
			Expect(r.claims).To(HaveKey("outcome"), where+": no outcome claimed")
			for _, f := range r.files {
				Expect(f).To(HavePrefix("catalogue/"), where+": scenarios of the catalogue run with it")
				sc, err := scenarios.Load(filepath.FromSlash(f))
				Expect(err).NotTo(HaveOccurred(), where)
				// The device's end (outcome, stage, codes) must be one
				// expect entry; profileSource, registration, trustTypes
				// and accessAfterSignIn may be asserted by another.
				together, apart := map[string]string{}, map[string]string{}
				for k, v := range r.claims {
					if k == "profileSource" || k == "registration" || k == "trustTypes" || k == "accessAfterSignIn" {
						apart[k] = v
					} else {
						together[k] = v
					}
				}
				found := false
				for _, e := range sc.Expect {
					found = found || asserts(e, together)
				}
				Expect(found).To(BeTrue(), "%s: %s has no expect entry asserting %v", where, f, together)
				for k, v := range apart {
					found = false
					for _, e := range sc.Expect {
						found = found || asserts(e, map[string]string{k: v})
					}
					Expect(found).To(BeTrue(), "%s: %s asserts no %s=%s", where, f, k, v)
				}
			}
		}
	})

})

var _ = Describe("the CATALOG.md parser", func() {
	DescribeTable("refuses a malformed row with its line",
		func(row, want string) {
			_, err := parseCatalog("intro\n\n" + row + "\n")
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("too few cells", "| <a id=\"f1\"></a>F1 | x | y | z |", "CATALOG.md:3: F1: 4 cells"),
		Entry("an unknown claim", "| <a id=\"f2\"></a>F2 | x | y | `outcom=failed` | s | simulated |", `unknown claim "outcom"`),
		Entry("an unknown status", "| <a id=\"f3\"></a>F3 | x | y | `outcome=failed` | s | maybe |", `status "maybe"`),
		Entry("no source", "| <a id=\"f4\"></a>F4 | x | y | `outcome=failed` |  | simulated |", "F4: no source"),
	)

	It("ignores rows of other tables", func() {
		rs, err := parseCatalog("| F6 | what | default |")
		Expect(err).NotTo(HaveOccurred())
		Expect(rs).To(BeEmpty())
	})

	It("reads claims, files and reasons", func() {
		rs, err := parseCatalog("| <a id=\"f9\"></a>F9 | s | [a](catalogue/a.yaml), [b](catalogue/b.yaml) | `outcome=failed code=80070774` and `refused=\"too long\"` | src | open: needs a model |")
		Expect(err).NotTo(HaveOccurred())
		Expect(rs).To(HaveLen(1))
		Expect(rs[0].files).To(Equal([]string{"catalogue/a.yaml", "catalogue/b.yaml"}))
		Expect(rs[0].claims).To(Equal(map[string]string{"outcome": "failed", "code": "80070774", "refused": "too long"}))
		Expect(rs[0].status).To(Equal("open"))
		Expect(rs[0].reason).To(Equal("needs a model"))
	})
})

// FuzzParseCatalog: the catalogue parser never panics on any text.
func FuzzParseCatalog(f *testing.F) {
	f.Add("| <a id=\"f1\"></a>F1 | a | [x](catalogue/x.yaml) | `outcome=failed` | s | simulated |")
	f.Add("| <a id=\"f2\"></a>F2 | a | b |")
	f.Add("|")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseCatalog(s)
	})
}
