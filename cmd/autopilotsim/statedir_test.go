package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/lab"
)

// servedLab is `autopilotsim serve --state-dir` as a real process.
type servedLab struct {
	cmd             *exec.Cmd
	graph, ldap, ui string
	out             *bytes.Buffer
	exited          chan struct{}
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer ln.Close()
	return ln.Addr().String()
}

type syncBuf struct {
	mu sync.Mutex
	bytes.Buffer
}

// startServe starts serve on free ports and waits until it is ready. A
// port freeAddr found free may be taken before serve binds it (another
// test process, or an outgoing connection's ephemeral port): serve then
// exits with "address already in use", and startServe tries again on
// other ports, up to three times.
func startServe(bin, dir string, extra ...string) *servedLab {
	for attempt := 1; ; attempt++ {
		s, out := tryServe(bin, dir, extra...)
		if s != nil {
			return s
		}
		if !strings.Contains(out, "address already in use") || attempt == 3 {
			Fail("serve exited: " + out)
		}
	}
}

// tryServe is one start of serve: the lab once ready, or nil and what
// serve wrote if it exited first.
func tryServe(bin, dir string, extra ...string) (*servedLab, string) {
	s := &servedLab{graph: freeAddr(), ldap: freeAddr(), ui: freeAddr(), out: &bytes.Buffer{}, exited: make(chan struct{})}
	args := append([]string{"serve", "--scenario", "../../harness/testdata/lab.yaml", "--state-dir", dir, "--start", "epoch",
		"--graph", s.graph, "--ldap", s.ldap, "--ui", s.ui}, extra...)
	s.cmd = exec.Command(bin, args...)
	var buf syncBuf
	s.cmd.Stdout, s.cmd.Stderr = &buf, &buf
	Expect(s.cmd.Start()).To(Succeed())
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	// Poll readiness (bounded), not a sleep.
	c := lab.Client{URL: "http://" + s.ui}
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case <-s.exited:
			buf.mu.Lock()
			defer buf.mu.Unlock()
			return nil, buf.String()
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := c.Ready(ctx)
		cancel()
		if err == nil {
			return s, ""
		}
		if time.Now().After(deadline) {
			Fail("serve not ready in 90 s: " + err.Error())
		}
		<-time.After(50 * time.Millisecond) // the poll interval of a bounded readiness loop
	}
}

func (s *servedLab) kill() {
	Expect(s.cmd.Process.Signal(syscall.SIGKILL)).To(Succeed())
	<-s.exited
}

func (s *servedLab) token() string {
	id, secret := harness.AdminApp()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default"}}
	res, err := http.PostForm("http://"+s.graph+"/organizations/oauth2/v2.0/token", form)
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	b, _ := io.ReadAll(res.Body)
	Expect(json.Unmarshal(b, &tok)).To(Succeed(), string(b))
	Expect(tok.AccessToken).NotTo(BeEmpty(), string(b))
	return tok.AccessToken
}

func (s *servedLab) graphDo(method, path, tok string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+s.graph+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(b, &out)
	return res.StatusCode, out, nil
}

var _ = Describe("serve --state-dir", Ordered, func() {
	var bin string
	BeforeAll(func() {
		bin = filepath.Join(GinkgoT().TempDir(), "autopilotsim")
		build := exec.Command("go", "build", "-o", bin, ".")
		out, err := build.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
	})

	It("keeps every acknowledged Graph write, LDAP write and power-on across kill -9", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "state")
		s := startServe(bin, dir)
		tok := s.token()
		labc := lab.Client{URL: "http://" + s.ui, Token: tok}

		type acked struct{ groupID, computer, serial string }
		var (
			mu   sync.Mutex
			done []acked
		)
		stop := make(chan struct{})
		loadDone := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			defer close(loadDone)
			conn, err := ldap.DialURL("ldap://" + s.ldap)
			if err != nil {
				return
			}
			defer conn.Close()
			if conn.Bind(`CORP\alice`, "Passw0rd!") != nil {
				return
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var a acked
				st, g, err := s.graphDo("POST", "/v1.0/groups", tok, map[string]any{"displayName": fmt.Sprintf("Class %d", i),
					"mailEnabled": false, "mailNickname": fmt.Sprintf("class%d", i), "securityEnabled": true})
				if err != nil || st != 201 {
					return
				}
				a.groupID, _ = g["id"].(string)
				name := fmt.Sprintf("TRAIN%02d", i)
				add := ldap.NewAddRequest("CN="+name+",CN=Computers,DC=corp,DC=contoso,DC=com", nil)
				add.Attribute("objectClass", []string{"computer"})
				add.Attribute("sAMAccountName", []string{name + "$"})
				if conn.Add(add) != nil {
					return
				}
				a.computer = name
				serial := fmt.Sprintf("NEW%04d", i)
				if labc.AddDevice(context.Background(), harness.NewDevice{Serial: serial, PowerOn: true}) != nil {
					return
				}
				a.serial = serial
				mu.Lock()
				done = append(done, a)
				mu.Unlock()
			}
		}()
		Eventually(func() int { mu.Lock(); defer mu.Unlock(); return len(done) }, 60*time.Second).Should(BeNumerically(">=", 6), "alice may add 10 computers (ms-DS-MachineAccountQuota): the kill lands while rounds go on")
		s.kill() // mid-load: the next round's writes are in flight
		close(stop)
		<-loadDone
		mu.Lock()
		acks := append([]acked(nil), done...)
		mu.Unlock()

		began := time.Now()
		s = startServe(bin, dir)
		defer s.kill()
		GinkgoWriter.Printf("%d rounds (group, computer, device) acknowledged before kill -9; the restart replayed them and was ready in %s\n",
			len(acks), time.Since(began).Round(time.Millisecond))
		tok = s.token()
		for _, a := range acks {
			st, g, err := s.graphDo("GET", "/v1.0/groups/"+a.groupID, tok, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(st).To(Equal(200), "group %s after the restart", a.groupID)
			Expect(g["id"]).To(Equal(a.groupID))
		}
		conn, err := ldap.DialURL("ldap://" + s.ldap)
		Expect(err).NotTo(HaveOccurred())
		defer conn.Close()
		Expect(conn.Bind(`CORP\alice`, "Passw0rd!")).To(Succeed())
		for _, a := range acks {
			res, err := conn.Search(ldap.NewSearchRequest("CN=Computers,DC=corp,DC=contoso,DC=com", ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
				"(cn="+a.computer+")", []string{"cn"}, nil))
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Entries).To(HaveLen(1), "computer %s after the restart", a.computer)
		}
		st, err := (&lab.Client{URL: "http://" + s.ui, Token: tok}).State(context.Background())
		Expect(err).NotTo(HaveOccurred())
		on := map[string]bool{}
		for _, d := range st.Devices {
			on[d.Serial] = d.PoweredOn
		}
		for _, a := range acks {
			Expect(on).To(HaveKeyWithValue(a.serial, true), "device %s after the restart", a.serial)
		}
	})

	It("refuses a second lab on the same directory and a journal for another scenario", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "state")
		s := startServe(bin, dir)
		out, err := exec.Command(bin, "serve", "--scenario", "../../harness/testdata/lab.yaml", "--state-dir", dir,
			"--graph", freeAddr(), "--ldap", freeAddr(), "--ui", freeAddr()).CombinedOutput()
		Expect(err).To(HaveOccurred())
		Expect(string(out)).To(ContainSubstring("stop it first"))
		s.kill()
		other := filepath.Join(GinkgoT().TempDir(), "other.yaml")
		raw, _ := os.ReadFile("../../harness/testdata/lab.yaml")
		Expect(os.WriteFile(other, []byte(strings.Replace(string(raw), "name: lab", "name: lab2", 1)), 0o600)).To(Succeed())
		out, err = exec.Command(bin, "serve", "--scenario", other, "--state-dir", dir,
			"--graph", freeAddr(), "--ldap", freeAddr(), "--ui", freeAddr()).CombinedOutput()
		Expect(err).To(HaveOccurred())
		Expect(string(out)).To(ContainSubstring("was written for another scenario"))
	})

	It("saves, lists and exports live; restores, resets and imports on the stopped lab's directory", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "state")
		s := startServe(bin, dir)
		tok := s.token()
		labArgs := func(a ...string) []string {
			return append([]string{"lab", "--url", "http://" + s.ui, "--key", tok, "snapshot"}, a...)
		}
		group := func(name string) string {
			st, g, err := s.graphDo("POST", "/v1.0/groups", tok, map[string]any{"displayName": name, "mailEnabled": false, "mailNickname": name, "securityEnabled": true})
			Expect(err).NotTo(HaveOccurred())
			Expect(st).To(Equal(201))
			return g["id"].(string)
		}
		exists := func(id string) int {
			st, _, err := s.graphDo("GET", "/v1.0/groups/"+id, tok, nil)
			Expect(err).NotTo(HaveOccurred())
			return st
		}
		a := group("before")
		code, out, errOut := cli(labArgs("save", "before")...)
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(ContainSubstring("saved before"))
		b := group("after")
		code, out, _ = cli(labArgs("list")...)
		Expect(code).To(Equal(0))
		Expect(out).To(ContainSubstring(`"name": "before"`))
		export := filepath.Join(GinkgoT().TempDir(), "class.apsnap")
		code, _, errOut = cli(labArgs("export", export)...)
		Expect(code).To(Equal(0), errOut)
		code, _, errOut = cli("lab", "snapshot", "restore", "before", "--state-dir", dir)
		Expect(code).To(Equal(1))
		Expect(errOut).To(ContainSubstring("stop it first"))

		Expect(s.cmd.Process.Signal(syscall.SIGTERM)).To(Succeed()) // a clean stop
		<-s.exited
		code, _, errOut = cli("lab", "snapshot", "restore", "before", "--state-dir", dir)
		Expect(code).To(Equal(0), errOut)
		s = startServe(bin, dir)
		tok = s.token()
		Expect(exists(a)).To(Equal(200), "made before the snapshot")
		Expect(exists(b)).To(Equal(404), "made after the snapshot")
		s.kill()

		code, _, errOut = cli("lab", "snapshot", "reset", "--state-dir", dir)
		Expect(code).To(Equal(0), errOut)
		s = startServe(bin, dir)
		tok = s.token()
		Expect(exists(a)).To(Equal(404), "reset: the scenario's tenant")
		s.kill()

		code, _, errOut = cli("lab", "snapshot", "import", export, "--state-dir", dir)
		Expect(code).To(Equal(0), errOut)
		s = startServe(bin, dir)
		tok = s.token()
		Expect(exists(a)).To(Equal(200))
		Expect(exists(b)).To(Equal(200))
		s.kill()

		raw, err := os.ReadFile(export)
		Expect(err).NotTo(HaveOccurred())
		raw[len(raw)-3] ^= 0x55
		bad := filepath.Join(GinkgoT().TempDir(), "bad.apsnap")
		Expect(os.WriteFile(bad, raw, 0o600)).To(Succeed())
		code, _, errOut = cli("lab", "snapshot", "import", bad, "--state-dir", dir)
		Expect(code).To(Equal(2))
		Expect(errOut).To(ContainSubstring("snapshot refused"))
		Expect(errOut).To(ContainSubstring("CRC mismatch"))
	})
})
