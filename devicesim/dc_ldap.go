package devicesim

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-ldap/ldap/v3"

	"github.com/autopilotsim/autopilotsim/ldapclient"
	"github.com/autopilotsim/autopilotsim/transport"
)

// LDAPDirectory implements Directory with real LDAP through a dialer per
// domain (the harness's loopback or in-memory wire to that domain's DC).
type LDAPDirectory struct {
	Dial func(domain string) (transport.Dialer, error)
}

func (l *LDAPDirectory) conn(domain string) (*ldapclient.Conn, error) {
	dial, err := l.Dial(domain)
	if err != nil {
		return nil, err
	}
	nc, err := dial(context.Background())
	if err != nil {
		return nil, fmt.Errorf("dial DC of %s: %w", domain, err)
	}
	c := ldapclient.New(nc)
	return c, nil
}

// Locate implements Directory: an anonymous base search of the rootDSE.
func (l *LDAPDirectory) Locate(domain string) error {
	c, err := l.conn(domain)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"dnsHostName", "defaultNamingContext"}, nil))
	if err != nil {
		return fmt.Errorf("rootDSE of %s: %w", domain, err)
	}
	return nil
}

// SignIn implements Directory.
func (l *LDAPDirectory) SignIn(domain, netbios, user, password string) error {
	c, err := l.conn(domain)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Bind(netbios+`\`+user, password); err != nil {
		if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
			return fmt.Errorf("%w: %v", ErrBadCredentials, err)
		}
		return fmt.Errorf("bind %s\\%s: %w", netbios, user, err)
	}
	return nil
}

// WriteUserCertificate implements Directory.
func (l *LDAPDirectory) WriteUserCertificate(domain, netbios, computerName, computerDN, machinePassword string, der []byte) error {
	if computerDN == "" {
		return errors.New("computer DN unknown")
	}
	c, err := l.conn(domain)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Bind(netbios+`\`+computerName+"$", machinePassword); err != nil {
		return fmt.Errorf("bind as %s\\%s$: %w", netbios, computerName, err)
	}
	m := ldap.NewModifyRequest(computerDN, nil)
	m.Replace("userCertificate", []string{string(der)})
	if err := c.Modify(m); err != nil {
		return fmt.Errorf("modify userCertificate of %s: %w", computerDN, err)
	}
	return nil
}
