package mockad_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

const (
	base       = "DC=corp,DC=contoso,DC=com"
	ouAP       = "OU=Autopilot,OU=Devices," + base
	msaName    = "msaODJ00001"
	msaPass    = "msa-secret"
	diagQuota  = "0000216D: SvcErr: DSID-031A124C, problem 5003 (WILL_NOT_PERFORM), data 0"
	diagInsuff = "00002098: SecErr: DSID-03150F93, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0"
	diag52e    = "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563"
)

// world is one directory served over an in-memory wire.
type world struct {
	dir *mockad.Directory
	srv *mockad.Server
	// dial opens a connection: DialInline (glauth's loop as a coroutine of
	// the client, as the simulated systems connect) or a PipeListener that
	// Serve serves (a goroutine per connection, as over a socket).
	dial func() (net.Conn, error)
}

// wire is how a world's clients reach its server.
type wire string

const (
	wireInline   wire = "DialInline"
	wireListener wire = "PipeListener"
)

// connect makes w's clients reach srv over wr.
func (w *world) connect(wr wire) {
	switch wr {
	case wireInline:
		w.dial = func() (net.Conn, error) { return w.srv.DialInline(context.Background()) }
	default:
		ln := transport.NewPipeListener("mockad")
		go func() { _ = w.srv.Serve(ln) }()
		w.dial = ln.Dial
	}
}

func newWorld(quota int) *world {
	clock := sim.NewScheduler(sim.Epoch, nil)
	dir, err := mockad.NewDirectory(mockad.DomainConfig{
		DNSName: "corp.contoso.com", NetBIOSName: "CORP", MachineAccountQuota: quota,
		OUs: []string{ouAP, "OU=Servers," + base},
	}, clock, rand.New(rand.NewPCG(1, 2)))
	Expect(err).NotTo(HaveOccurred())
	_, err = dir.AddServiceAccount(msaName, msaPass)
	Expect(err).NotTo(HaveOccurred())
	_, err = dir.AddUser("alice", "alice-pw", "alice@corp.contoso.com", false)
	Expect(err).NotTo(HaveOccurred())
	_, err = dir.AddUser("admin", "admin-pw", "", true)
	Expect(err).NotTo(HaveOccurred())
	w := &world{dir: dir, srv: mockad.NewServer(dir, mockad.ServerOptions{})}
	w.connect(wireInline)
	return w
}

func (w *world) close() { _ = w.srv.Close() }

func (w *world) conn() *ldap.Conn {
	nc, err := w.dial()
	Expect(err).NotTo(HaveOccurred())
	c := ldap.NewConn(nc, false)
	c.Start()
	return c
}

func (w *world) bound(name, pw string) *ldap.Conn {
	c := w.conn()
	Expect(c.Bind(name, pw)).To(Succeed())
	return c
}

func computerAdd(parent, name string) *ldap.AddRequest {
	fqdn := name + ".corp.contoso.com"
	r := ldap.NewAddRequest("CN="+name+","+parent, nil)
	r.Attribute("objectClass", []string{"top", "person", "organizationalPerson", "user", "computer"})
	r.Attribute("cn", []string{name})
	r.Attribute("sAMAccountName", []string{name + "$"})
	r.Attribute("userAccountControl", []string{"4096"})
	r.Attribute("dNSHostName", []string{fqdn})
	r.Attribute("servicePrincipalName", []string{"HOST/" + name, "HOST/" + fqdn})
	r.Attribute("unicodePwd", []string{mockad.EncodeUnicodePwd("pw-" + name)})
	return r
}

// ldapErr returns the *ldap.Error in err (failing the spec if there is none).
func ldapErr(err error) *ldap.Error {
	var le *ldap.Error
	ExpectWithOffset(1, errors.As(err, &le)).To(BeTrue(), "want an LDAP error, got %v", err)
	return le
}

func diag(err error) string { return ldapErr(err).Err.Error() }
