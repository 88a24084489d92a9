package scenarios

import (
	"errors"
	"strings"
)

// rdn is one attr=value part of a distinguished name.
type rdn struct{ attr, value string }

// parseDN splits an LDAP distinguished name into its RDNs (RFC 4514
// syntax, with backslash escapes and spaces around separators allowed).
func parseDN(dn string) ([]rdn, error) {
	if strings.TrimSpace(dn) == "" {
		return nil, errors.New("empty distinguished name")
	}
	var parts []string
	var cur strings.Builder
	escaped := false
	for _, r := range dn {
		switch {
		case escaped:
			cur.WriteRune('\\')
			cur.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	if escaped {
		return nil, errors.New("distinguished name ends with a lone backslash")
	}
	parts = append(parts, cur.String())
	out := make([]rdn, 0, len(parts))
	for _, p := range parts {
		attr, value, ok := strings.Cut(p, "=")
		attr, value = strings.TrimSpace(attr), strings.TrimSpace(value)
		if !ok || attr == "" || value == "" {
			return nil, errors.New("malformed part " + quoteOrEmpty(p) + " (want attr=value, e.g. OU=Devices)")
		}
		if !validAttr(attr) {
			return nil, errors.New("bad attribute name " + quoteOrEmpty(attr))
		}
		out = append(out, rdn{strings.ToUpper(attr), value})
	}
	return out, nil
}

func quoteOrEmpty(s string) string { return `"` + strings.TrimSpace(s) + `"` }

func validAttr(a string) bool {
	for i, r := range a {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !(letter || (i > 0 && (r == '-' || (r >= '0' && r <= '9')))) {
			return false
		}
	}
	return true
}

// domainDN is the naming context of a DNS domain: corp.contoso.com →
// DC=corp,DC=contoso,DC=com.
func domainDN(dns string) string {
	labels := strings.Split(dns, ".")
	for i, l := range labels {
		labels[i] = "DC=" + l
	}
	return strings.Join(labels, ",")
}

// dcSuffix returns the DC= labels at the end of a parsed DN as a DNS name
// ("" when there are none).
func dcSuffix(rdns []rdn) string {
	var labels []string
	for i := len(rdns) - 1; i >= 0 && rdns[i].attr == "DC"; i-- {
		labels = append([]string{rdns[i].value}, labels...)
	}
	return strings.Join(labels, ".")
}

// canonicalDN renders a parsed DN with upper-case attributes, lower-case
// values and no spaces, for comparisons (AD compares DNs without case).
func canonicalDN(rdns []rdn) string {
	parts := make([]string, len(rdns))
	for i, r := range rdns {
		parts[i] = r.attr + "=" + strings.ToLower(r.value)
	}
	return strings.Join(parts, ",")
}

// dnInDomain checks that dn is a syntactically valid DN below the naming
// context of domain, with at least one OU= or CN= part above the DC= ones.
func dnInDomain(dn, domain string) error {
	rdns, err := parseDN(dn)
	if err != nil {
		return err
	}
	// A DN without commas in a list was probably split by a YAML flow
	// list: [OU=X,DC=corp] is two items.
	hint := ""
	if !strings.Contains(dn, ",") {
		hint = " (in a [ ] list, commas split items: quote each DN)"
	}
	suffix := dcSuffix(rdns)
	if suffix == "" {
		return errors.New("no DC= parts: write the full DN, e.g. OU=Devices," + domainDN(domain) + hint)
	}
	if !strings.EqualFold(suffix, domain) {
		return errors.New("is in domain " + suffix + ", not " + domain + hint)
	}
	if len(rdns) == strings.Count(domain, ".")+1 {
		return errors.New("names the domain itself; want an OU or container inside it")
	}
	for _, r := range rdns[:len(rdns)-strings.Count(domain, ".")-1] {
		if r.attr != "OU" && r.attr != "CN" {
			return errors.New("part " + r.attr + "=" + r.value + " is neither OU= nor CN=")
		}
	}
	return nil
}
