package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads, decodes, defaults and validates one scenario file. The error,
// when not nil, is an Errors value listing every problem found.
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("read: %v", err)}}
	}
	defer f.Close()
	// Read at most one byte past the cap: a huge file (or a device such
	// as /dev/zero) is refused without being held in memory.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("read: %v", err)}}
	}
	if len(data) > MaxFileBytes {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("file is larger than %d bytes (MaxFileBytes): not a scenario", MaxFileBytes)}}
	}
	return LoadBytes(path, data)
}

// yamlLine pulls the line out of a yaml.v3 syntax error ("yaml: line 3: …").
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// LoadBytes is Load for data already in memory; name is used in messages
// and as Scenario.File. It never panics: a panic inside the YAML library is
// reported as an error.
func LoadBytes(name string, data []byte) (sc *Scenario, err error) {
	defer func() {
		if r := recover(); r != nil {
			sc, err = nil, Errors{{File: name, Line: 1, Col: 1, Msg: fmt.Sprintf("YAML parser failed: %v", r)}}
		}
	}()
	if len(data) > MaxFileBytes {
		return nil, Errors{{File: name, Msg: fmt.Sprintf("file is larger than %d bytes (MaxFileBytes): not a scenario", MaxFileBytes)}}
	}
	root, perr := parseYAML(name, data)
	if perr != nil {
		return nil, perr
	}
	d := &decoder{file: name, pos: map[string]position{}}
	s := &Scenario{}
	d.decode(root, reflect.ValueOf(s).Elem(), "", 0)
	if len(d.errs) > 0 {
		sortErrors(d.errs)
		return nil, d.errs
	}
	s.File = name
	s.pos = d.pos
	s.Lines = make(map[string]int, len(d.pos))
	for p, at := range d.pos {
		s.Lines[p] = at.line
	}
	for i := range s.Script {
		s.Script[i].Line = s.Lines[fmt.Sprintf("script[%d]", i)]
	}
	for i := range s.Expect {
		s.Expect[i].Line = s.Lines[fmt.Sprintf("expect[%d]", i)]
	}
	s.WithDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// parseYAML returns the single document's root node.
func parseYAML(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{File: name, Line: 1, Col: 1, Msg: "empty file: want a scenario (name, environment, tenant, devices, expect)"}}
		}
		return nil, syntaxError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, Errors{{File: name, Line: extra.Line, Col: extra.Column, Msg: "more than one YAML document (---): put each scenario in its own file"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(name, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, Errors{{File: name, Line: 1, Col: 1, Msg: "empty file: want a scenario (name, environment, tenant, devices, expect)"}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, Errors{{File: name, Line: root.Line, Col: root.Column, Msg: "want a mapping of scenario keys (name, environment, …), got " + describe(root)}}
	}
	return root, nil
}

// syntaxError converts a yaml.v3 error. The library gives the line only, so
// the column is reported as 1.
func syntaxError(name string, err error) error {
	msg := err.Error()
	var out Errors
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(l, "yaml: unmarshal errors:"))
		if l == "" {
			continue
		}
		if m := yamlLine.FindStringSubmatch(l); m != nil {
			line, _ := strconv.Atoi(m[1])
			out = append(out, &Error{File: name, Line: line, Col: 1, Msg: "YAML syntax: " + m[2]})
			continue
		}
		out = append(out, &Error{File: name, Line: 1, Col: 1, Msg: "YAML syntax: " + strings.TrimPrefix(l, "yaml: ")})
	}
	return out
}

// LoadPaths loads files and folders (recursively, *.yaml and *.yml), in
// sorted order. All files are read even when some fail; the error then
// lists every problem. Scenario names must be unique across the set.
func LoadPaths(paths []string) ([]*Scenario, error) {
	var files []string
	var errs Errors
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, &Error{File: p, Msg: fmt.Sprintf("cannot read: %v", err)})
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		werr := filepath.WalkDir(p, func(f string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !de.IsDir() && (strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml")) {
				found = append(found, f)
			}
			return nil
		})
		if werr != nil {
			errs = append(errs, &Error{File: p, Msg: fmt.Sprintf("cannot list: %v", werr)})
			continue
		}
		if len(found) == 0 {
			errs = append(errs, &Error{File: p, Msg: "folder holds no .yaml or .yml files"})
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	if len(paths) == 0 {
		errs = append(errs, &Error{Msg: "no scenario files given"})
	}
	var out []*Scenario
	byName := map[string]*Scenario{}
	seenFile := map[string]bool{}
	for _, f := range files {
		if seenFile[f] {
			continue // named twice (a file and its folder)
		}
		seenFile[f] = true
		sc, err := Load(f)
		if err != nil {
			var es Errors
			if errors.As(err, &es) {
				errs = append(errs, es...)
			} else {
				errs = append(errs, &Error{File: f, Msg: err.Error()})
			}
			continue
		}
		if prev, dup := byName[sc.Name]; dup {
			p := sc.pos["name"]
			errs = append(errs, &Error{File: f, Line: p.line, Col: p.col, Path: "name",
				Msg: fmt.Sprintf("scenario name %q is already used by %s", sc.Name, prev.File)})
			continue
		}
		byName[sc.Name] = sc
		out = append(out, sc)
	}
	if len(errs) > 0 {
		return out, errs
	}
	return out, nil
}
