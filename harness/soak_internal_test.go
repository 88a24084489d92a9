//go:build soak

package harness

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/scenarios"
)

// The soak (make soak, not make test): mixed Graph and LDAP load on a lab's
// loopback ports for SOAKTIME (default 30s); it fails on any error and on
// heap growth past SOAKHEAP MiB (default 64) between the end of a warm-up
// and the end.
var _ = Describe("soak", Label("soak"), func() {
	It("serves mixed Graph and LDAP load without errors or heap growth", func() {
		d := 30 * time.Second
		if v := os.Getenv("SOAKTIME"); v != "" {
			var err error
			d, err = time.ParseDuration(v)
			Expect(err).NotTo(HaveOccurred(), "SOAKTIME")
		}
		bound := int64(64)
		if v := os.Getenv("SOAKHEAP"); v != "" {
			_, err := fmt.Sscan(v, &bound)
			Expect(err).NotTo(HaveOccurred(), "SOAKHEAP")
		}
		sc, err := scenarios.Load("testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		lab, err := Serve(sc, ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab.Close)
		ldapAddr := lab.LDAPAddr("corp.contoso.com")
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}

		token := func() (string, error) {
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {harnessApp.ClientID},
				"client_secret": {harnessApp.ClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
			resp, err := client.PostForm(lab.GraphURL()+"/"+lab.TenantID()+"/oauth2/v2.0/token", form)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			var out struct {
				AccessToken string `json:"access_token"`
			}
			return out.AccessToken, json.NewDecoder(resp.Body).Decode(&out)
		}
		var ops, errs atomic.Int64
		var firstErr atomic.Value
		fail := func(err error) {
			errs.Add(1)
			firstErr.CompareAndSwap(nil, err)
		}
		graphLoop := func(stop <-chan struct{}) {
			tok, err := token()
			if err != nil {
				fail(err)
				return
			}
			paths := []string{"/v1.0/groups?$top=5", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles",
				"/v1.0/deviceManagement/windowsAutopilotDeviceIdentities", "/_private/requests?last=5"}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", lab.GraphURL()+paths[i%len(paths)], nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := client.Do(req)
				if err != nil {
					fail(err)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					fail(fmt.Errorf("GET %s: %d", paths[i%len(paths)], resp.StatusCode))
				}
				ops.Add(1)
			}
		}
		ldapLoop := func(stop <-chan struct{}) {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := ldap.DialURL("ldap://" + ldapAddr)
				if err != nil {
					fail(err)
					continue
				}
				if err := c.Bind(`CORP\alice`, "Passw0rd!"); err != nil {
					fail(err)
				} else if _, err := c.SearchWithPaging(ldap.NewSearchRequest("DC=corp,DC=contoso,DC=com", ldap.ScopeWholeSubtree,
					ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"cn"}, nil), 20); err != nil {
					fail(err)
				}
				c.Close()
				ops.Add(1)
			}
		}
		heap := func() int64 {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			return int64(m.HeapAlloc)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(2)
			go func() { defer wg.Done(); graphLoop(stop) }()
			go func() { defer wg.Done(); ldapLoop(stop) }()
		}
		warm := min(d/5, 5*time.Second)
		time.Sleep(warm) // real load for a real duration: this is the soak's point
		start := heap()
		time.Sleep(d - warm)
		end := heap()
		close(stop)
		wg.Wait()
		GinkgoWriter.Printf("soak: %d operations in %s, %d errors, heap %d → %d bytes\n", ops.Load(), d, errs.Load(), start, end)
		Expect(errs.Load()).To(BeZero(), "first error: %v", firstErr.Load())
		Expect(ops.Load()).To(BeNumerically(">", 0))
		Expect(end-start).To(BeNumerically("<", bound<<20), "heap grew from %d to %d bytes", start, end)
	})
})
