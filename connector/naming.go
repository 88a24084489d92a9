package connector

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/autopilotsim/autopilotsim/sim"
)

// NetBIOSNameLength is the length of every name the connector generates:
// prefix + random characters, 15 in total, the NetBIOS limit ([DOC] S1,
// hybrid-join-behaviour.md §1 S7.3; rules-and-ad.md B.3).
const NetBIOSNameLength = 15

// nameCharset is the alphabet of the random suffix. The docs only say
// "random characters"; upper-case letters and digits are what real hybrid
// names show ([INF] from the examples in PRIVATE_API.md and S36).
const nameCharset = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// MachinePasswordLength is the length of generated machine passwords.
// NetProvisionComputerAccount generates a random password (S33); 120
// characters matches what Windows uses for machine accounts ([INF]).
const MachinePasswordLength = 120

// passwordCharset excludes '"' and '\' so the quoted unicodePwd form stays
// unambiguous.
const passwordCharset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~"

// ErrPrefixTooLong is returned when the static prefix leaves no room for a
// random character.
var ErrPrefixTooLong = errors.New("connector: computer name prefix leaves no room for random characters")

// ComputerName returns prefix followed by random A–Z0–9 characters drawn
// from r, NetBIOSNameLength characters in total.
//
// The Graph field computerNameSuffixRandomCharCount (3–14, S29) is not used
// for the length: the documentation for hybrid join fixes the total at 15
// (S1), and mockgraph sends 15-len(prefix). A prefix of 13 or 14 characters
// (fewer than the 3 random characters S29 allows) still yields a name here;
// whether the real service refuses such a profile is UNCERTAIN (F22, §6.6).
// The prefix is used as given (no case change, no character check: the DC
// refuses bad characters, rules-and-ad.md B.3).
func ComputerName(prefix string, r *rand.Rand) (string, error) {
	if r == nil {
		return "", errors.New("connector: computer name: nil random source")
	}
	n := NetBIOSNameLength - len([]rune(prefix))
	if n < 1 {
		return "", fmt.Errorf("%w: %q has %d characters", ErrPrefixTooLong, prefix, len([]rune(prefix)))
	}
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; i < n; i++ {
		b.WriteByte(nameCharset[r.IntN(len(nameCharset))])
	}
	return b.String(), nil
}

// MachinePassword returns a random machine-account password drawn from r.
func MachinePassword(r *rand.Rand) string {
	b := make([]byte, MachinePasswordLength)
	for i := range b {
		b[i] = passwordCharset[r.IntN(len(passwordCharset))]
	}
	return string(b)
}

// UnicodePwd encodes password the way AD expects the unicodePwd attribute on
// an add: the password in double quotes, encoded UTF-16LE (rules-and-ad.md
// B.2; MS-ADTS 3.1.1.3.1.5.2).
func UnicodePwd(password string) []byte {
	quoted := []rune(`"` + password + `"`)
	out := make([]byte, 0, 2*len(quoted))
	for _, r := range quoted {
		if r > 0xFFFF {
			// surrogate pair
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			out = append(out, byte(hi), byte(hi>>8), byte(lo), byte(lo>>8))
			continue
		}
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

// DomainDN returns the DN of a DNS domain: corp.contoso.com →
// DC=corp,DC=contoso,DC=com.
func DomainDN(domain string) (string, error) {
	domain = strings.TrimSuffix(domain, ".")
	if domain == "" {
		return "", errors.New("connector: empty domain name")
	}
	labels := strings.Split(domain, ".")
	parts := make([]string, len(labels))
	for i, l := range labels {
		if l == "" {
			return "", fmt.Errorf("connector: domain %q has an empty label", domain)
		}
		parts[i] = "DC=" + escapeRDNValue(l)
	}
	return strings.Join(parts, ","), nil
}

// ParentDN is where the computer object goes: the Domain Join profile's OU
// as given, or the domain's Computers container when it is empty ([DOC] S4;
// seed 000 "Create and assign a Domain Join profile": "If this field is left
// blank, the computer object is created in the Active Directory default
// container"). The OU is deliberately not validated (see doc.go, F6/F7).
// Redirected default containers (redircmp) are not modelled.
func ParentDN(ou, domain string) (string, error) {
	if ou != "" {
		return ou, nil
	}
	d, err := DomainDN(domain)
	if err != nil {
		return "", err
	}
	return "CN=Computers," + d, nil
}

// FirstComputerName is the name a connector created by New with a Rand in
// the state of r (and cfg.ID) draws for its first request with prefix: New
// draws its id (unless cfg.ID is set) and instance id first. Scenarios use
// it to place a stale computer object that collides whatever the seed
// (F23); r is consumed.
func FirstComputerName(r *rand.Rand, id, prefix string) (string, error) {
	if r == nil {
		return "", errors.New("connector: first computer name: nil random source")
	}
	if id == "" {
		sim.GUID(r)
	}
	sim.GUID(r)
	return ComputerName(prefix, r)
}

// IsContainerOU reports whether a Domain Join profile's OU names a
// container (its first RDN is CN=, e.g. CN=Computers,DC=…) rather than an
// organizational unit: seed 000 "Create and assign a Domain Join profile"
// lists it as invalid ("a container can't be specified. Instead, leave the
// value blank"). An empty OU is the default container and valid.
func IsContainerOU(ou string) bool {
	first, _, _ := strings.Cut(strings.TrimSpace(ou), ",")
	attr, _, ok := strings.Cut(first, "=")
	return ok && strings.EqualFold(strings.TrimSpace(attr), "CN")
}

// ComputerDN is CN=<name>,<parent> with the name escaped per RFC 4514.
func ComputerDN(name, parent string) string {
	return "CN=" + escapeRDNValue(name) + "," + parent
}

// escapeRDNValue escapes an attribute value for use in a DN (RFC 4514 §2.4,
// rules-and-ad.md B.6).
func escapeRDNValue(v string) string {
	var b strings.Builder
	for i, r := range v {
		switch {
		case strings.ContainsRune(`,+"\<>;=`, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case (i == 0 && (r == ' ' || r == '#')) || (i == len(v)-1 && r == ' '):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Attribute is one attribute of an LDAP add.
type Attribute struct {
	Type   string
	Values []string
}

// ComputerAttributes is the attribute list of the computer add (rules-and-ad.md
// B.2): objectClass, cn, sAMAccountName NAME$ (trailing $ required for
// non-admins since KB5008102, B.3), userAccountControl 4096
// (WORKSTATION_TRUST_ACCOUNT, B.10), dNSHostName, the HOST SPNs and
// unicodePwd.
func ComputerAttributes(name, domain, password string) []Attribute {
	fqdn := name + "." + strings.TrimSuffix(domain, ".")
	return []Attribute{
		{"objectClass", []string{"top", "person", "organizationalPerson", "user", "computer"}},
		{"cn", []string{name}},
		{"sAMAccountName", []string{name + "$"}},
		{"userAccountControl", []string{"4096"}},
		{"dNSHostName", []string{fqdn}},
		{"servicePrincipalName", []string{"HOST/" + name, "HOST/" + fqdn}},
		{"unicodePwd", []string{string(UnicodePwd(password))}},
	}
}
