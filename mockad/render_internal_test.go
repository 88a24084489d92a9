package mockad

import (
	"reflect"
	"strings"
	"testing"

	gldap "github.com/glauth/ldap"
)

// refRender is render as it was before attrSelection (a set of lower-cased
// names built for every entry): the reference FuzzRender holds the new one
// to, value for value, nil and empty slices told apart.
func (d *Directory) refRender(e *entry, req []string, typesOnly bool) *gldap.Entry {
	all, ops := len(req) == 0, false
	named := map[string]bool{}
	for _, r := range req {
		switch r {
		case "*":
			all = true
		case "+":
			ops = true
		case "1.1", "":
		default:
			named[strings.ToLower(r)] = true
		}
	}
	out := &gldap.Entry{DN: e.dn.String()}
	emit := func(name string, vals []string) {
		if len(vals) == 0 {
			return
		}
		if typesOnly {
			vals = []string{}
		}
		out.Attributes = append(out.Attributes, &gldap.EntryAttribute{Name: name, Values: append([]string(nil), vals...)})
	}
	for _, a := range e.attrs {
		if all || named[strings.ToLower(a.name)] {
			emit(a.name, a.vals)
		}
	}
	if all || named["memberof"] {
		emit("memberOf", d.valuesOf(e, "memberOf"))
	}
	for _, c := range constructedAttrs {
		if ops || named[strings.ToLower(c)] {
			emit(c, d.valuesOf(e, c))
		}
	}
	return out
}

// FuzzRender: a search's entries carry the attributes and values the
// reference rendered, for any attribute list (comma-separated here, "*",
// "+", "1.1" and odd cases among them) with and without typesOnly.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"", "*", "+", "*,+", "1.1", "cn,objectGUID", "CN,SAMACCOUNTNAME,memberOf", "createTimeStamp,canonicalName",
		"distinguishedName,,userAccountControl", "ſAMAccountName,ＣＮ", "objectclass,OBJECTCLASS"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	d, e := fuzzDirectory(f)
	f.Fuzz(func(t *testing.T, list string, typesOnly bool) {
		var req []string
		if list != "" {
			req = strings.Split(list, ",")
		}
		d.mu.RLock()
		got, want := d.render(e, req, typesOnly), d.refRender(e, req, typesOnly)
		d.mu.RUnlock()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("attributes %q typesOnly %v:\ngot  %+v\nwant %+v", req, typesOnly, got, want)
		}
	})
}
