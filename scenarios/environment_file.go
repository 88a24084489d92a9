package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/autopilotsim/autopilotsim/mockad"
)

// EnvironmentFile is an environment kept in its own file: exactly the
// schema of a scenario's `environment:` key (domains, connectors,
// entraConnect, networks), plus an optional top-level `description`. It
// lets a tenant's exported configuration (tenantconfig) run against an
// on-premises side described once (scenarios/README.md, "Environment
// files").
type EnvironmentFile struct {
	Environment Environment
	Description string
	// File is the path it was loaded from.
	File string
	// Warnings are "file:line:col: path: message" lines for problems a
	// scenario may keep on purpose (as Scenario.Warnings).
	Warnings []string
}

// envPrefix is the path the scenario's checks use for environment keys;
// an environment file's messages drop it, since its keys are at the top.
const envPrefix = "environment"

// LoadEnvironment reads an environment file with the scenario decoder,
// defaults and checks, and returns its environment; errors carry
// file:line:col and the key's path.
func LoadEnvironment(path string) (*Environment, error) {
	f, err := LoadEnvironmentFile(path)
	if err != nil {
		return nil, err
	}
	return &f.Environment, nil
}

// LoadEnvironmentFile is LoadEnvironment that also returns the
// description and warnings.
func LoadEnvironmentFile(path string) (*EnvironmentFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("read: %v", err)}}
	}
	return LoadEnvironmentBytes(path, data)
}

// LoadEnvironmentBytes is LoadEnvironmentFile for data in memory; name is
// used in messages. It never panics.
func LoadEnvironmentBytes(name string, data []byte) (ef *EnvironmentFile, err error) {
	defer func() {
		if r := recover(); r != nil {
			ef, err = nil, Errors{{File: name, Line: 1, Col: 1, Msg: fmt.Sprintf("YAML parser failed: %v", r)}}
		}
	}()
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, relabel(err, "empty file: want a scenario (name, environment, tenant, devices, expect)",
			"empty file: want an environment (domains, connectors, entraConnect, networks)")
	}
	ef = &EnvironmentFile{File: name}
	var ldifs map[int]*yaml.Node
	d := &decoder{file: name, pos: map[string]position{}}
	// The optional description is taken out before the strict decoder,
	// which knows only the environment's keys, sees the mapping.
	env := &yaml.Node{Kind: yaml.MappingNode, Tag: root.Tag, Line: root.Line, Column: root.Column}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value == "description" {
			if v.Kind != yaml.ScalarNode || isNull(v) {
				d.errAt(v, "description", "want text, got %s", describe(v))
			}
			ef.Description = v.Value
			continue
		}
		if k.Value == "domains" {
			ldifs = takeLDIF(v)
		}
		env.Content = append(env.Content, k, v)
	}
	s := &Scenario{File: name}
	d.decode(env, reflect.ValueOf(&s.Environment).Elem(), envPrefix, 0)
	if len(d.errs) > 0 {
		sortErrors(d.errs)
		return nil, unprefix(d.errs)
	}
	s.pos = d.pos
	for i := range s.Environment.Domains {
		if n, ok := ldifs[i]; ok {
			w, errs := addLDIF(name, n, &s.Environment.Domains[i], fmt.Sprintf("domains[%d].ldif", i))
			if len(errs) > 0 {
				return nil, errs
			}
			ef.Warnings = append(ef.Warnings, w...)
		}
	}
	s.WithDefaults()
	v := &validator{s: s}
	v.environment()
	sortErrors(v.warns)
	for _, w := range unprefix(v.warns) {
		ef.Warnings = append(ef.Warnings, w.Error())
	}
	if len(v.errs) > 0 {
		sortErrors(v.errs)
		return nil, unprefix(v.errs)
	}
	ef.Environment = s.Environment
	return ef, nil
}

// unprefix drops "environment." from the paths of an environment file's
// problems: its keys are at the top of the file.
func unprefix(errs Errors) Errors {
	for _, e := range errs {
		if e.Path == envPrefix {
			e.Path = ""
		}
		e.Path = strings.TrimPrefix(e.Path, envPrefix+".")
		e.Msg = strings.ReplaceAll(e.Msg, envPrefix+".", "")
	}
	return errs
}

// relabel rewrites a message of parseYAML's that speaks of scenarios.
func relabel(err error, from, to string) error {
	if errs, ok := err.(Errors); ok {
		for _, e := range errs {
			e.Msg = strings.Replace(e.Msg, from, to, 1)
			e.Msg = strings.Replace(e.Msg, "want a mapping of scenario keys (name, environment, …)", "want a mapping of environment keys (domains, connectors, …)", 1)
			e.Msg = strings.Replace(e.Msg, "put each scenario in its own file", "put each environment in its own file", 1)
		}
	}
	return err
}

// takeLDIF removes the environment-file-only key domains[].ldif from the
// domain mappings, so the strict scenario decoder does not see it, and
// returns the nodes by domain index.
func takeLDIF(domains *yaml.Node) map[int]*yaml.Node {
	out := map[int]*yaml.Node{}
	if domains.Kind != yaml.SequenceNode {
		return out
	}
	for i, d := range domains.Content {
		if d.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(d.Content); j += 2 {
			if d.Content[j].Value == "ldif" {
				out[i] = d.Content[j+1]
				d.Content = append(d.Content[:j:j], d.Content[j+2:]...)
				break
			}
		}
	}
	return out
}

var ldifLine = regexp.MustCompile(`^mockad: LDIF line (\d+): (.*)$`)

// addLDIF adds the organizational units and computer accounts of an LDIF
// export of the domain (ldifde -f, or ldapsearch's output) to dom; other
// records (users, groups, containers) are counted in a warning. The file
// is relative to the environment file's folder.
func addLDIF(envFile string, n *yaml.Node, dom *Domain, path string) ([]string, Errors) {
	at := func(msg string) Errors {
		return Errors{{File: envFile, Line: n.Line, Col: n.Column, Path: path, Msg: msg}}
	}
	if n.Kind != yaml.ScalarNode || isNull(n) || n.Value == "" {
		return nil, at("want the path of an LDIF file, got " + describe(n))
	}
	file := n.Value
	if !filepath.IsAbs(file) {
		file = filepath.Join(filepath.Dir(envFile), file)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, at(fmt.Sprintf("read: %v", err))
	}
	defer f.Close()
	recs, err := mockad.ParseLDIF(f)
	if err != nil {
		if m := ldifLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, Errors{{File: file, Line: line, Col: 1, Msg: "LDIF: " + m[2]}}
		}
		return nil, Errors{{File: file, Msg: "LDIF: " + err.Error()}}
	}
	haveOU := map[string]bool{}
	for _, ou := range dom.OUs {
		haveOU[strings.ToLower(ou)] = true
	}
	var warns []string
	other, outside := 0, 0
	for _, r := range recs {
		rdns, err := parseDN(r.DN)
		if err != nil {
			return nil, Errors{{File: file, Line: r.Line, Col: 1, Msg: fmt.Sprintf("LDIF: dn %q: %v", r.DN, err)}}
		}
		if !strings.EqualFold(dcSuffix(rdns), dom.Name) {
			outside++
			continue
		}
		var classes []string
		for _, a := range r.Attrs {
			if strings.EqualFold(a.Name, "objectClass") {
				classes = append(classes, strings.ToLower(a.Value))
			}
		}
		switch {
		case contains(classes, "computer"):
			name := strings.TrimSuffix(ldifAttr(r, "sAMAccountName"), "$")
			if name == "" {
				name = ldifAttr(r, "cn")
			}
			dom.Computers = append(dom.Computers, Computer{Name: name, OU: parentDNText(r.DN)})
		case contains(classes, "organizationalunit"):
			if !haveOU[strings.ToLower(r.DN)] {
				haveOU[strings.ToLower(r.DN)] = true
				dom.OUs = append(dom.OUs, r.DN)
			}
		default:
			other++
		}
	}
	if other > 0 || outside > 0 {
		warns = append(warns, (&Error{File: envFile, Line: n.Line, Col: n.Column, Path: path,
			Msg: fmt.Sprintf("%s: %d records that are neither OUs nor computers and %d outside %s were skipped", file, other, outside, dom.Name)}).Error())
	}
	return warns, nil
}

func ldifAttr(r mockad.LDIFRecord, name string) string {
	for _, a := range r.Attrs {
		if strings.EqualFold(a.Name, name) {
			return a.Value
		}
	}
	return ""
}

// parentDNText drops a DN's first RDN, keeping the rest as written.
func parentDNText(dn string) string {
	escaped := false
	for i, r := range dn {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == ',':
			return strings.TrimSpace(dn[i+1:])
		}
	}
	return ""
}
