package mockad

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// Simple bind: the names AD accepts for an account and its password checks.

// diagPwdInsecure is what AD returns when unicodePwd arrives on an
// unprotected connection (INFER from common reports; UNCERTAIN DSID).
const diagPwdInsecure = "0000001F: SvcErr: DSID-031A126C, problem 5003 (WILL_NOT_PERFORM), data 0"

// bind resolves a simple-bind name (DN, DOMAIN\sam, UPN or sam@dnsdomain,
// bare sam) and checks the password. An empty name and password is an
// anonymous bind; a name with an empty password is an unauthenticated bind,
// which AD also treats as anonymous (RFC 4513 5.1.2).
func (d *Directory) bind(name, pw string) (*entry, *Error) {
	if pw == "" {
		return nil, nil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	e := d.resolveBindName(name)
	if e == nil || !e.hasPwd || e.password != pw || e.deleted {
		return nil, errBind("52e")
	}
	if e.uac()&uacAccountDisable != 0 {
		return nil, errBind("533")
	}
	return e, nil
}

func (d *Directory) resolveBindName(name string) *entry {
	name = strings.TrimSpace(name)
	if i := strings.IndexByte(name, '\\'); i >= 0 {
		dom := name[:i]
		if !strings.EqualFold(dom, d.cfg.NetBIOSName) && !strings.EqualFold(dom, d.cfg.DNSName) {
			return nil
		}
		return d.bySAM[strings.ToLower(name[i+1:])]
	}
	if i := strings.LastIndexByte(name, '@'); i >= 0 && !strings.Contains(name, "=") {
		for _, e := range d.bySAM {
			if strings.EqualFold(e.first("userPrincipalName"), name) {
				return e
			}
		}
		if strings.EqualFold(name[i+1:], d.cfg.DNSName) { // implicit UPN sam@dnsdomain
			return d.bySAM[strings.ToLower(name[:i])]
		}
		return nil
	}
	if strings.Contains(name, "=") {
		if n, err := normDN(name); err == nil {
			return d.byDN[n]
		}
		return nil
	}
	return d.bySAM[strings.ToLower(name)]
}

// decodeUnicodePwd unwraps AD's unicodePwd format: the password in double
// quotes, UTF-16LE.
func decodeUnicodePwd(v string) (string, bool) {
	b := []byte(v)
	if len(b)%2 != 0 || len(b) < 4 {
		return "", false
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	s := string(utf16.Decode(u))
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	return s[1 : len(s)-1], true
}

// EncodeUnicodePwd produces AD's unicodePwd value for password.
func EncodeUnicodePwd(password string) string {
	u := utf16.Encode([]rune(`"` + password + `"`))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return string(b)
}
