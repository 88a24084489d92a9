package devicesim_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/devicesim"
	"github.com/autopilotsim/autopilotsim/transport"
)

// HTTPCloud presents the device's credentials over the wire as
// mockgraph/PRIVATE_API.md "Authentication" asks.
var _ = Describe("HTTPCloud credentials", func() {
	type seen struct {
		auth string
		body map[string]string
	}
	var mu sync.Mutex
	var calls map[string]seen
	var c *devicesim.HTTPCloud
	var synced bool // DRS finds the device (Entra Connect has exported it)
	BeforeEach(func() {
		calls = map[string]seen{}
		synced = true
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			data, _ := io.ReadAll(r.Body)
			var b map[string]string
			_ = json.Unmarshal(data, &b)
			mu.Lock()
			calls[r.URL.Path] = seen{auth: r.Header.Get("Authorization"), body: b}
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			switch r.URL.Path {
			case "/_private/enrollment/v1/enroll":
				w.WriteHeader(201)
				_, _ = w.Write([]byte(`{"managedDeviceId":"md1","deviceCredential":"mdm_secret","odjRequestId":"r1","esp":{}}`))
			case "/_private/autopilot/v1/profile":
				_, _ = w.Write([]byte(`{"profileSource":"none"}`))
			case "/_private/drs/v1/register":
				mu.Lock()
				found := synced
				mu.Unlock()
				if !found {
					w.WriteHeader(404)
					_, _ = w.Write([]byte(`{"error":{"code":"DirectoryError"}}`))
					return
				}
				_, _ = w.Write([]byte(`{}`))
			default:
				_, _ = w.Write([]byte(`{"state":"pending"}`))
			}
		})
		client, stop := transport.ServeHTTPMemory(h)
		DeferCleanup(stop)
		c = &devicesim.HTTPCloud{Client: client, BaseURL: "http://graph.local", HardwareHash: "aGFzaA=="}
	})

	It("sends the hardware hash, then the enrollment's credential for its ODJ request only", func() {
		_, err := c.DownloadProfile("S1")
		Expect(err).NotTo(HaveOccurred())
		Expect(calls["/_private/autopilot/v1/profile"].body["hardwareHash"]).To(Equal("aGFzaA=="))
		Expect(calls["/_private/autopilot/v1/profile"].auth).To(BeEmpty())
		_, err = c.Enroll(devicesim.EnrollRequest{Serial: "S1", JoinType: "DeviceJoinForDomainJoin"})
		Expect(err).NotTo(HaveOccurred())
		Expect(calls["/_private/enrollment/v1/enroll"].body["hardwareHash"]).To(Equal("aGFzaA=="))
		_, err = c.ODJRequest("r1")
		Expect(err).NotTo(HaveOccurred())
		Expect(calls["/_private/odj/v1/requests/r1"].auth).To(Equal("Bearer mdm_secret"))
	})

	It("proves possession of the device certificate's key to DRS", func() {
		pub, key, err := ed25519.GenerateKey(nil)
		Expect(err).NotTo(HaveOccurred())
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dev-1"},
			NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)}
		der, err := x509.CreateCertificate(nil, tmpl, tmpl, pub, key)
		Expect(err).NotTo(HaveOccurred())
		var holder devicesim.CertificateHolder = c
		holder.UseDeviceCertificate(der, key)
		_, err = c.Register("DEV-1", "THUMB")
		Expect(err).NotTo(HaveOccurred())
		b := calls["/_private/drs/v1/register"].body
		Expect(b["certificate"]).To(Equal(base64.StdEncoding.EncodeToString(der)))
		sig, err := base64.StdEncoding.DecodeString(b["signature"])
		Expect(err).NotTo(HaveOccurred())
		Expect(ed25519.Verify(pub, []byte("autopilotsim-drs-register:dev-1"), sig)).To(BeTrue())
	})

	It("signs the DRS proof once per certificate, as the device-join task retries until Entra Connect syncs", func() {
		pub, key, err := ed25519.GenerateKey(nil)
		Expect(err).NotTo(HaveOccurred())
		signer := &countingSigner{Signer: key}
		c.UseDeviceCertificate([]byte("der-1"), signer)
		mu.Lock()
		synced = false
		mu.Unlock()
		for range 3 {
			ans, err := c.Register("DEV-1", "THUMB")
			Expect(err).NotTo(HaveOccurred())
			Expect(ans.Found).To(BeFalse())
		}
		Expect(signer.n).To(Equal(1))
		sig, _ := base64.StdEncoding.DecodeString(calls["/_private/drs/v1/register"].body["signature"])
		Expect(ed25519.Verify(pub, []byte("autopilotsim-drs-register:dev-1"), sig)).To(BeTrue())

		By("a new certificate, or another device id, is signed afresh")
		c.UseDeviceCertificate([]byte("der-2"), signer)
		_, err = c.Register("DEV-1", "THUMB")
		Expect(err).NotTo(HaveOccurred())
		Expect(calls["/_private/drs/v1/register"].body["certificate"]).To(Equal(base64.StdEncoding.EncodeToString([]byte("der-2"))))
		_, err = c.Register("DEV-2", "THUMB")
		Expect(err).NotTo(HaveOccurred())
		Expect(signer.n).To(Equal(3))

		By("once registered, the proof is not kept")
		mu.Lock()
		synced = true
		mu.Unlock()
		ans, err := c.Register("DEV-2", "THUMB")
		Expect(err).NotTo(HaveOccurred())
		Expect(ans.Found).To(BeTrue())
		_, err = c.Register("DEV-2", "THUMB")
		Expect(err).NotTo(HaveOccurred())
		Expect(signer.n).To(Equal(4))
	})
})

// countingSigner counts signatures.
type countingSigner struct {
	crypto.Signer
	n int
}

func (s *countingSigner) Sign(r io.Reader, msg []byte, o crypto.SignerOpts) ([]byte, error) {
	s.n++
	return s.Signer.Sign(r, msg, o)
}
