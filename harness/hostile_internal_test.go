package harness

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// A lab facing hostile clients on its real ports: each kind is answered or
// cut off, and the lab keeps serving a well-behaved client with little
// memory held. Short limits keep the spec fast; the defaults are in
// mockgraph/COVERAGE.md and mockad/COVERAGE.md.
var _ = Describe("a lab facing hostile clients", func() {
	var lab *Lab
	var ldapAddr, graphHost string
	BeforeEach(func() {
		sc, err := scenarios.Load("testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		lab, err = Serve(sc, ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1,
			GraphLimits: mockgraph.HTTPLimits{ReadHeaderTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond},
			LDAPLimits:  mockad.Limits{InitRecvTimeout: 200 * time.Millisecond}})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab.Close)
		ldapAddr = lab.LDAPAddr("corp.contoso.com")
		u, err := url.Parse(lab.GraphURL())
		Expect(err).NotTo(HaveOccurred())
		graphHost = u.Host
	})

	token := func() string {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {harnessApp.ClientID},
			"client_secret": {harnessApp.ClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
		resp, err := http.PostForm(lab.GraphURL()+"/"+lab.TenantID()+"/oauth2/v2.0/token", form)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		var out struct {
			AccessToken string `json:"access_token"`
		}
		Expect(json.NewDecoder(resp.Body).Decode(&out)).To(Succeed())
		return out.AccessToken
	}
	get := func(tok, path string) int {
		req, err := http.NewRequest("GET", lab.GraphURL()+path, nil)
		Expect(err).NotTo(HaveOccurred())
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	closedByServer := func(c net.Conn) bool {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := io.Copy(io.Discard, c)
		return err == nil
	}
	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}

	It("cuts off slow and partial clients on both servers and keeps serving, with little memory held", func() {
		before := heap()
		var conns []net.Conn
		for i := range 20 {
			g, err := net.Dial("tcp", graphHost)
			Expect(err).NotTo(HaveOccurred())
			_, err = fmt.Fprintf(g, "GET /v1.0/groups HTTP/1.1\r\nHost: x\r\nX-Slow: %d", i) // never ends its headers
			Expect(err).NotTo(HaveOccurred())
			l, err := net.Dial("tcp", ldapAddr)
			Expect(err).NotTo(HaveOccurred())
			_, err = l.Write([]byte{0x30, 0x82, 0x40, 0x00, 0x02, 0x01}) // 16 KiB announced, 2 bytes sent
			Expect(err).NotTo(HaveOccurred())
			conns = append(conns, g, l)
		}
		grown := heap() - before
		for _, c := range conns {
			Expect(closedByServer(c)).To(BeTrue())
			c.Close()
		}
		Expect(grown).To(BeNumerically("<", 16<<20), "heap grew %d bytes", grown)

		tok := token()
		Expect(get(tok, "/v1.0/groups")).To(Equal(200))
		c, err := ldap.DialURL("ldap://" + ldapAddr)
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		Expect(c.Bind(`CORP\alice`, "Passw0rd!")).To(Succeed())
	})

	It("answers hostile requests with errors, not panics or leaks", func() {
		tok := token()
		// Paging that overflows int, unauthenticated private calls.
		Expect(get(tok, "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$top=9223372036854775807&$skiptoken=MockGraphPage_1")).To(Equal(200))
		for _, p := range []string{"/_private/requests", "/_private/odj/v1/requests/x"} {
			Expect(get("", p)).To(Equal(401), p)
		}
		resp, err := http.Post(lab.GraphURL()+"/_private/odj/v1/connectors/rogue/heartbeat", "application/json", strings.NewReader(`{"domain":"corp.contoso.com"}`))
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(401))
		Expect(get(tok, "/_private/requests?last=5")).To(Equal(200))

		// A huge filter from a bound user, and an impossible scope.
		c, err := ldap.DialURL("ldap://" + ldapAddr)
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		Expect(c.Bind(`CORP\alice`, "Passw0rd!")).To(Succeed())
		var f strings.Builder
		f.WriteString("(|")
		for i := range 7000 { // 21,000 BER elements: over MaxRequestElements
			fmt.Fprintf(&f, "(cn=%d)", i)
		}
		f.WriteString(")")
		_, err = c.Search(ldap.NewSearchRequest("DC=corp,DC=contoso,DC=com", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, f.String(), nil, nil))
		var le *ldap.Error
		Expect(err).To(BeAssignableToTypeOf(le))
		Expect(err.(*ldap.Error).ResultCode).To(BeEquivalentTo(ldap.LDAPResultAdminLimitExceeded))
		_, err = c.Search(ldap.NewSearchRequest("DC=corp,DC=contoso,DC=com", 99, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=user)", nil, nil))
		Expect(err.(*ldap.Error).ResultCode).To(BeEquivalentTo(ldap.LDAPResultProtocolError))
		sr, err := c.Search(ldap.NewSearchRequest("DC=corp,DC=contoso,DC=com", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(sAMAccountName=alice)", []string{"cn"}, nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(sr.Entries).To(HaveLen(1))
	})
})
