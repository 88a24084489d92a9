package tenantconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// add renders one object into its file: Graph's JSON without OData
// control properties of the collection and without volatile properties,
// keys sorted, two-space indent, trailing newline.
func (e *exporter) add(dir string, m map[string]any, nameKey string) {
	delete(m, "@odata.context")
	for k := range m {
		if strings.HasSuffix(k, "@odata.context") || strings.HasSuffix(k, "@odata.nextLink") {
			delete(m, k)
		}
	}
	if as, ok := m["assignments"].([]any); ok {
		for _, a := range as {
			if am, ok := a.(map[string]any); ok {
				delete(am, "@odata.context")
			}
		}
	}
	for _, k := range VolatileProperties[odataType(m)] {
		delete(m, k)
	}
	name, _ := m[nameKey].(string)
	rel := dir + "/" + slug(name) + "__" + safeID(idOf(m)) + ".json"
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(m) // a decoded JSON tree always encodes
	e.files[rel] = buf.Bytes()
	e.rep.Objects[dir]++
}

// slug makes a file-name-safe lower-case name: letters and digits kept,
// runs of anything else one "-", at most 60 characters.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return "unnamed"
	}
	return out
}

// safeID keeps an id usable in a file name.
func safeID(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < 0x20 {
			return '_'
		}
		return r
	}, id)
}

// writeTree writes files into a new folder next to out and swaps it in:
// the previous export (with files of deleted objects) is replaced whole,
// and a failure before the swap leaves it untouched.
func writeTree(out string, files map[string][]byte) error {
	out = filepath.Clean(out)
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("tenantconfig: export: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".new-")
	if err != nil {
		return fmt.Errorf("tenantconfig: export: %w", err)
	}
	fail := func(err error) error {
		os.RemoveAll(tmp)
		return fmt.Errorf("tenantconfig: export: %w", err)
	}
	for rel, b := range files {
		p := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fail(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return fail(err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fail(err)
	}
	old := ""
	if _, err := os.Stat(out); err == nil {
		old = tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			return fail(err)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			_ = os.Rename(old, out)
		}
		return fail(err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("tenantconfig: export: remove the previous export: %w", err)
		}
	}
	return nil
}

// dropOMAValues removes the values of a custom configuration's OMA-URI
// settings except the DMClient ones Load reads: other values may be
// secrets (Wi-Fi keys, VPN shared secrets, certificates), and an export
// never writes secrets.
func dropOMAValues(m map[string]any) {
	settings, _ := m["omaSettings"].([]any)
	for _, s := range settings {
		sm, ok := s.(map[string]any)
		if !ok {
			continue
		}
		uri, _ := sm["omaUri"].(string)
		if !strings.HasPrefix(strings.ToLower(uri), "./vendor/msft/dmclient/") {
			delete(sm, "value")
		}
	}
}
