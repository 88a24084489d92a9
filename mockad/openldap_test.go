package mockad_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net"
	"os"
	"os/exec"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
)

// OpenLDAP's command-line clients (Debian ldap-utils) against a loopback
// mockad: the texts admins see in ldapsearch/ldapadd sessions.
var _ = Describe("OpenLDAP clients", func() {
	var (
		w   *world
		url string
	)
	run := func(stdin string, name string, args ...string) (string, string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Stdin = bytes.NewBufferString(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}
	BeforeEach(func() {
		if _, err := exec.LookPath("ldapsearch"); err != nil {
			// `make test` installs ldap-utils; CI must run these specs.
			if os.Getenv("CI") == "true" {
				Fail("ldap-utils is not installed in CI (make test installs it): " + err.Error())
			}
			Skip("ldap-utils not installed: run `make tools` (or `make test`) to install it")
		}
		w = newWorld(1)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		go func() { _ = w.srv.Serve(ln) }()
		url = "ldap://" + ln.Addr().String()
	})
	AfterEach(func() {
		if w != nil {
			w.close()
		}
	})

	It("reads the rootDSE anonymously with ldapsearch", func() {
		out, _, err := run("", "ldapsearch", "-x", "-H", url, "-LLL", "-s", "base", "-b", "", "(objectClass=*)", "dnsHostName", "defaultNamingContext")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(Equal("dn:\ndefaultNamingContext: " + base + "\ndnsHostName: dc01.corp.contoso.com\n\n"))
	})

	It("adds, finds, modifies and deletes with ldapadd/ldapsearch/ldapmodify/ldapdelete, and shows AD's texts", func() {
		pw := base64.StdEncoding.EncodeToString([]byte(mockad.EncodeUnicodePwd("Secret1!")))
		ldif := func(name string) string {
			return "dn: CN=" + name + "," + ouAP + "\nobjectClass: computer\nsAMAccountName: " + name + "$\nuserAccountControl: 4096\nunicodePwd:: " + pw + "\n"
		}
		auth := []string{"-x", "-H", url, "-D", `CORP\alice`, "-w", "alice-pw"}
		_, stderr, err := run(ldif("PC001"), "ldapadd", auth...)
		Expect(err).NotTo(HaveOccurred(), stderr)

		_, stderr, err = run(ldif("PC002"), "ldapadd", auth...)
		Expect(err).To(HaveOccurred())
		Expect(stderr).To(ContainSubstring("Server is unwilling to perform (53)"))
		Expect(stderr).To(ContainSubstring("additional info: 0000216D: SvcErr: DSID-031A124C, problem 5003 (WILL_NOT_PERFORM), data 0"))

		out, _, err := run("", "ldapsearch", append(auth, "-LLL", "-b", base, "(sAMAccountName=pc001$)", "cn", "userAccountControl")...)
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(Equal("dn: CN=PC001," + ouAP + "\ncn: PC001\nuserAccountControl: 4096\n\n"))

		// The device itself may set its certificate; alice may not.
		mod := "dn: CN=PC001," + ouAP + "\nchangetype: modify\nreplace: userCertificate\nuserCertificate:: MAMCAQE=\n"
		_, stderr, err = run(mod, "ldapmodify", auth...)
		Expect(err).To(HaveOccurred())
		Expect(stderr).To(ContainSubstring("Insufficient access (50)"))
		Expect(stderr).To(ContainSubstring("additional info: 00002098: SecErr: DSID-03150F93, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0"))
		_, stderr, err = run(mod, "ldapmodify", "-x", "-H", url, "-D", `PC001$@corp.contoso.com`, "-w", "Secret1!")
		Expect(err).NotTo(HaveOccurred(), stderr)

		_, stderr, err = run("", "ldapsearch", "-x", "-H", url, "-D", `CORP\alice`, "-w", "wrong", "-b", base, "(cn=x)")
		Expect(err).To(HaveOccurred())
		Expect(stderr).To(ContainSubstring("Invalid credentials (49)"))
		Expect(stderr).To(ContainSubstring("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563"))

		out, _, err = run("", "ldapsearch", append(auth, "-b", "OU=Nope,"+base, "(cn=x)")...)
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring("result: 32 No such object\nmatchedDN: " + base + "\ntext: 0000208D: NameErr: DSID-03100245, problem 2001 (NO_OBJECT), data 0, best \n match of:\n\t'" + base + "'"))

		_, stderr, err = run("", "ldapdelete", "-x", "-H", url, "-D", `CORP\admin`, "-w", "admin-pw", ouAP)
		Expect(err).To(HaveOccurred())
		Expect(stderr).To(ContainSubstring("0000208C: UpdErr"))
		_, stderr, err = run("", "ldapdelete", "-x", "-H", url, "-D", `CORP\admin`, "-w", "admin-pw", "CN=PC001,"+ouAP)
		Expect(err).NotTo(HaveOccurred(), stderr)
	})

	It("pages with ldapsearch -E pr=", func() {
		for i := 0; i < 30; i++ {
			_, err := w.dir.AddComputer("WS"+string(rune('A'+i/10))+string(rune('0'+i%10)), ouAP)
			Expect(err).NotTo(HaveOccurred())
		}
		out, stderr, err := run("", "ldapsearch", "-x", "-H", url, "-D", `CORP\admin`, "-w", "admin-pw", "-LLL",
			"-E", "pr=10/noprompt", "-b", ouAP, "-s", "one", "(objectClass=computer)", "1.1")
		Expect(err).NotTo(HaveOccurred(), stderr)
		Expect(bytes.Count([]byte(out), []byte("dn: "))).To(Equal(30))
	})
})
