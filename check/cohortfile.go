package check

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/autopilotsim/autopilotsim/scenarios"
	"gopkg.in/yaml.v3"
)

// CohortFileError is one problem in a cohort file, at file:line:col.
type CohortFileError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *CohortFileError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// LoadCohorts reads a cohort file (see doc.go for the format). Errors are
// InvalidInputError wrapping every CohortFileError found.
func LoadCohorts(path string, env scenarios.Environment) ([]Cohort, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &InvalidInputError{What: "cohorts", Err: err}
	}
	return ParseCohorts(path, data, env)
}

type cohortFile struct {
	Cohorts []yaml.Node `yaml:"cohorts"`
}

// ParseCohorts parses a cohort file's bytes; name is used in messages. It
// never panics.
func ParseCohorts(name string, data []byte, env scenarios.Environment) (cs []Cohort, err error) {
	defer func() {
		if r := recover(); r != nil {
			cs, err = nil, invalidCohorts(&CohortFileError{File: name, Line: 1, Col: 1, Msg: fmt.Sprintf("YAML parser failed: %v", r)})
		}
	}()
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		line := 1
		msg := err.Error()
		if errors.Is(err, io.EOF) {
			msg = "empty file: want a mapping with a cohorts list"
		} else if _, after, ok := strings.Cut(msg, "line "); ok {
			fmt.Sscanf(after, "%d", &line)
		}
		return nil, invalidCohorts(&CohortFileError{File: name, Line: line, Col: 1, Msg: msg})
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil, invalidCohorts(&CohortFileError{File: name, Line: doc.Line, Col: doc.Column, Msg: "want a mapping with a cohorts list"})
	}
	var errs []error
	bad := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, &CohortFileError{File: name, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)})
	}
	var list *yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if k.Value != "cohorts" {
			bad(k, "unknown key %q: the file has one key, cohorts", k.Value)
			continue
		}
		list = v
	}
	if list == nil {
		bad(doc, "missing cohorts: list the cohorts to simulate")
		return nil, invalidCohorts(errs...)
	}
	if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		bad(list, "cohorts must be a non-empty list")
		return nil, invalidCohorts(errs...)
	}
	networks := map[string]bool{}
	for _, n := range env.Networks {
		networks[n.Name] = true
	}
	seen := map[string]int{}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			bad(item, "a cohort is a mapping (groupTag, purchaseOrderId, location, vpn, serial)")
			continue
		}
		c := Cohort{File: name, Line: item.Line, VPN: "none"}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				bad(v, "%s must be a string", k.Value)
				continue
			}
			switch k.Value {
			case "groupTag":
				c.Tag = v.Value
			case "purchaseOrderId":
				c.PurchaseOrder = v.Value
			case "serial":
				if strings.ContainsAny(v.Value, " \t*?[]") || v.Value == "" {
					bad(v, "serial %q must be non-empty, without spaces or *?[]", v.Value)
				}
				c.Serial = v.Value
			case "location":
				c.Location = v.Value
				if len(networks) > 0 && !networks[v.Value] {
					bad(v, "location %q is not a network of the environment (%s)", v.Value, strings.Join(sortedKeys(networks), ", "))
				}
			case "vpn":
				c.VPN = v.Value
				if !contains(vpnKinds, v.Value) {
					bad(v, "vpn %q: want one of %s", v.Value, strings.Join(vpnKinds, ", "))
				}
			default:
				bad(k, "unknown key %q: want groupTag, purchaseOrderId, location, vpn or serial", k.Value)
			}
		}
		if c.Location == "" && len(networks) > 0 {
			bad(item, "missing location: one of %s", strings.Join(sortedKeys(networks), ", "))
		}
		if prev, dup := seen[c.Key()]; dup {
			bad(item, "cohort %s is listed twice (first at line %d)", c.Key(), prev)
		}
		seen[c.Key()] = item.Line
		cs = append(cs, c)
	}
	if len(errs) > 0 {
		return nil, invalidCohorts(errs...)
	}
	sortCohorts(cs)
	return cs, nil
}

func invalidCohorts(errs ...error) error {
	return &InvalidInputError{What: "cohorts", Err: errors.Join(errs...)}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
