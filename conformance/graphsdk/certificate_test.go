package graphsdk_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/mockgraph"
	"github.com/autopilotsim/autopilotsim/scenarios"
	"github.com/autopilotsim/autopilotsim/sim"
)

// azidentity's ClientCertificateCredential (MSAL Go underneath) against
// mockgraph's token endpoint: the certificate client-credential flow a CI
// pipeline uses. azidentity refuses an authority host that is not https,
// and MSAL signs nbf/exp with the wall clock: the first spec serves a bare
// mockgraph over TLS on a clock that follows the wall clock; the next one
// uses a lab with the same two settings (serve --tls-cert, --start now).
var _ = Describe("azidentity.ClientCertificateCredential", func() {
	const (
		certTenant = "11111111-2222-4333-8444-555555555555"
		certClient = "00000000-0000-0000-0000-00000000ce01"
	)
	var (
		srv        *httptest.Server
		key        *rsa.PrivateKey
		cert       *x509.Certificate
		unregKey   *rsa.PrivateKey
		unregCert  *x509.Certificate
		credential = func(c *x509.Certificate, k *rsa.PrivateKey) *azidentity.ClientCertificateCredential {
			GinkgoHelper()
			cred, err := azidentity.NewClientCertificateCredential(certTenant, certClient, []*x509.Certificate{c}, k,
				&azidentity.ClientCertificateCredentialOptions{
					ClientOptions: azcore.ClientOptions{
						Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL + "/"},
						Transport: srv.Client(), // trusts the test server's certificate
					},
					DisableInstanceDiscovery: true, // no https://login.microsoftonline.com/common/discovery/instance
				})
			Expect(err).NotTo(HaveOccurred())
			return cred
		}
	)

	BeforeEach(func() {
		key, cert = rsaCert("ci-pipeline")
		unregKey, unregCert = rsaCert("not-registered")
		g, err := mockgraph.New(mockgraph.Config{
			Clock: sim.NewRealClock(time.Time{}, 1, nil), Rand: mrand.New(mrand.NewPCG(5, 9)),
			TenantID: certTenant, TenantDomain: "contoso.onmicrosoft.com",
			Apps: []mockgraph.App{{ClientID: certClient, DisplayName: "CI pipeline", Certificates: []*x509.Certificate{cert}, Roles: []string{"Device.Read.All"}}},
		})
		Expect(err).NotTo(HaveOccurred())
		srv = httptest.NewTLSServer(g.Handler())
		DeferCleanup(srv.Close)
	})

	It("gets a token with a PS256 / x5t#S256 assertion, and the token works on Graph", func(ctx SpecContext) {
		tok, err := credential(cert, key).GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(tok.Token).NotTo(BeEmpty())
		Expect(tok.ExpiresOn).To(BeTemporally("~", time.Now().Add(3599*time.Second), time.Minute))

		req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1.0/devices", nil)
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := srv.Client().Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(200))
	}, SpecTimeout(time.Minute))

	It("surfaces AADSTS700027 when the certificate is not registered", func(ctx SpecContext) {
		_, err := credential(unregCert, unregKey).GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("AADSTS700027"))
		Expect(err.Error()).To(ContainSubstring("The key was not found."))
	}, SpecTimeout(time.Minute))
})

func rsaCert(cn string) (*rsa.PrivateKey, *x509.Certificate) {
	GinkgoHelper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	Expect(err).NotTo(HaveOccurred())
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred())
	cert, err := x509.ParseCertificate(der)
	Expect(err).NotTo(HaveOccurred())
	return key, cert
}

// The same against `autopilotsim serve --tls-cert F --start now`: a lab
// whose mockgraph speaks https and whose clock starts at the wall clock, so
// MSAL's wall-clock nbf/exp fall inside the lab's validity window.
var _ = Describe("azidentity.ClientCertificateCredential against a lab (serve --tls-cert, --start now)", func() {
	It("gets a token from the lab's token endpoint and reads Graph with it", func(ctx SpecContext) {
		key, cert := rsaCert("ci-pipeline-lab")
		sc, err := scenarios.Load("../../harness/testdata/lab.yaml")
		Expect(err).NotTo(HaveOccurred())
		const client = "00000000-0000-0000-0000-00000000ce02"
		sc.Tenant.Apps = append(sc.Tenant.Apps, scenarios.AppRegistration{Name: "ci", ClientID: client,
			Roles: []string{"Device.Read.All"}, Certificates: []*x509.Certificate{cert}})
		lab2, err := harness.Serve(sc, harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0", Speed: 1,
			GraphTLS: true, Start: time.Now(), WallClock: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(lab2.Close)
		roots := x509.NewCertPool()
		Expect(roots.AppendCertsFromPEM(lab2.GraphCertificatePEM())).To(BeTrue())
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}

		cred, err := azidentity.NewClientCertificateCredential(lab2.TenantID(), client, []*x509.Certificate{cert}, key,
			&azidentity.ClientCertificateCredentialOptions{
				ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: lab2.GraphURL() + "/"}, Transport: hc},
				DisableInstanceDiscovery: true,
			})
		Expect(err).NotTo(HaveOccurred())
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
		Expect(err).NotTo(HaveOccurred())
		req, err := http.NewRequestWithContext(ctx, "GET", lab2.GraphURL()+"/v1.0/devices", nil)
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := hc.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(200))
	}, SpecTimeout(time.Minute))
})
