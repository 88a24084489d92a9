package connector_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/connector"
)

var _ = Describe("computer names", func() {
	DescribeTable("prefix + random A–Z0–9 to 15 characters",
		func(prefix string) {
			r := rand.New(rand.NewPCG(1, 2))
			for i := 0; i < 50; i++ {
				n, err := connector.ComputerName(prefix, r)
				Expect(err).NotTo(HaveOccurred())
				Expect(n).To(HaveLen(connector.NetBIOSNameLength))
				Expect(n).To(HavePrefix(prefix))
				Expect(strings.TrimLeft(n[len(prefix):], "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")).To(BeEmpty())
			}
		},
		Entry("AP- (12 random)", "AP-"),
		Entry("empty prefix (15 random)", ""),
		Entry("12-character prefix (3 random, S29 minimum)", "CONTOSO-LAP-"),
		Entry("14-character prefix (1 random, F22 UNCERTAIN)", "ABCDEFGHIJKLMN"),
		Entry("lower case prefix kept as given", "ap-"),
	)

	It("is deterministic for a seeded Rand", func() {
		a, _ := connector.ComputerName("AP-", rand.New(rand.NewPCG(7, 7)))
		b, _ := connector.ComputerName("AP-", rand.New(rand.NewPCG(7, 7)))
		c, _ := connector.ComputerName("AP-", rand.New(rand.NewPCG(7, 8)))
		Expect(a).To(Equal(b))
		Expect(a).NotTo(Equal(c))
	})

	DescribeTable("refuses prefixes that leave no room",
		func(prefix string) {
			_, err := connector.ComputerName(prefix, rand.New(rand.NewPCG(1, 1)))
			Expect(err).To(MatchError(connector.ErrPrefixTooLong))
		},
		Entry("15 characters", "ABCDEFGHIJKLMNO"),
		Entry("20 characters", "ABCDEFGHIJKLMNOPQRST"),
	)

	It("refuses a nil Rand", func() {
		_, err := connector.ComputerName("AP-", nil)
		Expect(err).To(HaveOccurred())
	})

	It("generates distinct machine passwords of the documented length", func() {
		r := rand.New(rand.NewPCG(3, 4))
		seen := map[string]bool{}
		for i := 0; i < 100; i++ {
			p := connector.MachinePassword(r)
			Expect(p).To(HaveLen(connector.MachinePasswordLength))
			Expect(p).NotTo(ContainSubstring(`"`))
			Expect(seen).NotTo(HaveKey(p))
			seen[p] = true
		}
	})

	It("encodes unicodePwd as the quoted password in UTF-16LE", func() {
		b := connector.UnicodePwd("Pä$1")
		Expect(b).To(Equal([]byte{'"', 0, 'P', 0, 0xE4, 0, '$', 0, '1', 0, '"', 0}))
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		Expect(string(utf16.Decode(u))).To(Equal(`"Pä$1"`))
		Expect(connector.UnicodePwd("😀")).To(HaveLen(8)) // quote + surrogate pair + quote
	})

	DescribeTable("parent DN (S4: empty OU → CN=Computers; OU passed through unvalidated, F6/F7)",
		func(ou, domain, want string) {
			got, err := connector.ParentDN(ou, domain)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("empty", "", "corp.contoso.com", "CN=Computers,DC=corp,DC=contoso,DC=com"),
		Entry("an OU", "OU=Autopilot,DC=corp,DC=contoso,DC=com", "corp.contoso.com", "OU=Autopilot,DC=corp,DC=contoso,DC=com"),
		Entry("F6 container given as OU", "CN=Computers,DC=corp,DC=contoso,DC=com", "corp.contoso.com", "CN=Computers,DC=corp,DC=contoso,DC=com"),
		Entry("F7 no DC parts", "OU=Mine", "corp.contoso.com", "OU=Mine"),
		Entry("F7 quoted", `"OU=Mine,DC=corp,DC=contoso,DC=com"`, "corp.contoso.com", `"OU=Mine,DC=corp,DC=contoso,DC=com"`),
	)

	DescribeTable("container OUs (F6)", func(ou string, want bool) {
		Expect(connector.IsContainerOU(ou)).To(Equal(want))
	},
		Entry("CN=Computers", "CN=Computers,DC=corp,DC=contoso,DC=com", true),
		Entry("lower case, spaces", " cn = Computers,DC=corp,DC=com", true),
		Entry("an OU", "OU=Autopilot,DC=corp,DC=contoso,DC=com", false),
		Entry("empty: the default container, valid (S4)", "", false),
		Entry("no RDN", "Computers", false),
	)

	DescribeTable("domain DN errors", func(domain string) {
		_, err := connector.DomainDN(domain)
		Expect(err).To(HaveOccurred())
	}, Entry("empty", ""), Entry("empty label", "corp..com"), Entry("dot only", "."))

	It("escapes the computer name in its DN", func() {
		Expect(connector.ComputerDN("A,B", "OU=X")).To(Equal(`CN=A\,B,OU=X`))
		Expect(connector.ComputerDN("#AB ", "OU=X")).To(Equal(`CN=\#AB\ ,OU=X`))
	})

	It("builds the computer add as rules-and-ad.md B.2 describes", func() {
		attrs := connector.ComputerAttributes("AP-ABC", "corp.contoso.com", "pw")
		m := map[string][]string{}
		for _, a := range attrs {
			m[a.Type] = a.Values
		}
		Expect(m["objectClass"]).To(Equal([]string{"top", "person", "organizationalPerson", "user", "computer"}))
		Expect(m["sAMAccountName"]).To(Equal([]string{"AP-ABC$"}))
		Expect(m["userAccountControl"]).To(Equal([]string{"4096"}))
		Expect(m["dNSHostName"]).To(Equal([]string{"AP-ABC.corp.contoso.com"}))
		Expect(m["servicePrincipalName"]).To(Equal([]string{"HOST/AP-ABC", "HOST/AP-ABC.corp.contoso.com"}))
		Expect(m["unicodePwd"]).To(Equal([]string{string(connector.UnicodePwd("pw"))}))
		Expect(m["cn"]).To(Equal([]string{"AP-ABC"}))
	})
})

var _ = Describe("Win32 codes", func() {
	DescribeTable("ParseDiagnostic",
		func(msg string, want uint32, ok bool) {
			got, err := connector.ParseDiagnostic(msg)
			if !ok {
				Expect(err).To(MatchError(connector.ErrNoDiagnosticCode))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("quota (B.5)", "0000216D: SvcErr: DSID-031A124C, problem 5003 (WILL_NOT_PERFORM), data 0", uint32(8557), true),
		Entry("lower-case hex", "0000216d: SvcErr: DSID-031A124C", uint32(8557), true),
		Entry("access", "00002098: SecErr: DSID-03150F93, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0", uint32(8344), true),
		Entry("sAMAccountName taken", "00000524: UpdErr: DSID-031A1261, problem 6005 (ENTRY_EXISTS), data 0", uint32(1316), true),
		Entry("missing parent with best match", "0000208D: NameErr: DSID-03100245, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'DC=corp,DC=contoso,DC=com'", uint32(8333), true),
		Entry("just the code and colon", "0000216D:", uint32(8557), true),
		Entry("max value", "FFFFFFFF: x", uint32(0xFFFFFFFF), true),
		Entry("empty", "", uint32(0), false),
		Entry("glauth result name", "Unwilling To Perform", uint32(0), false),
		Entry("Samba acl text (starts with hex-looking 'ac')", "acl: unable to get access to CN=PC001,CN=Computers,DC=contoso,DC=test", uint32(0), false),
		Entry("seven digits", "000216D: SvcErr", uint32(0), false),
		Entry("nine digits", "00000216D: SvcErr", uint32(0), false),
		Entry("no colon", "0000216D SvcErr", uint32(0), false),
		Entry("leading space", " 0000216D: SvcErr", uint32(0), false),
		Entry("non-hex digit", "0000216G: SvcErr", uint32(0), false),
		Entry("0x prefix", "0x216D: SvcErr", uint32(0), false),
		Entry("sign", "+000216D: x", uint32(0), false),
		Entry("multibyte", "0000216é: x", uint32(0), false),
	)

	DescribeTable("Win32Error: diagnostic first, 50 → 5 (S10), else wldap32's table",
		func(code uint16, diag string, want uint32) {
			Expect(connector.Win32Error(code, diag)).To(Equal(want))
		},
		Entry("quota via diagnostic", uint16(53), "0000216D: SvcErr: DSID-031A124C, problem 5003 (WILL_NOT_PERFORM), data 0", uint32(8557)),
		Entry("53 without diagnostic", uint16(53), "Unwilling To Perform", uint32(1003)),
		Entry("50 with AD diagnostic (S10 sample shows 5)", uint16(50), "00002098: SecErr: DSID-03150F93, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0", uint32(5)),
		Entry("50 without diagnostic", uint16(50), "", uint32(5)),
		Entry("68 DN exists", uint16(68), "00002071: UpdErr: DSID-030503CF, problem 6005 (ENTRY_EXISTS), data 0", uint32(8305)),
		Entry("68 sAMAccountName exists", uint16(68), "00000524: UpdErr: DSID-031A1261, problem 6005 (ENTRY_EXISTS), data 0", uint32(1316)),
		Entry("68 plain", uint16(68), "Entry Already Exists", uint32(183)),
		Entry("32 missing OU", uint16(32), "0000208D: NameErr: DSID-03100245, problem 2001 (NO_OBJECT), data 0", uint32(8333)),
		Entry("32 plain", uint16(32), "No Such Object", uint32(2)),
		Entry("34 plain", uint16(34), "", uint32(87)),
		Entry("49 bad password", uint16(49), "", uint32(1323)),
		Entry("zero diagnostic falls back", uint16(53), "00000000: x", uint32(1003)),
		Entry("80 other", uint16(80), "", uint32(8341)),
		Entry("go-ldap network error", uint16(200), "", uint32(58)),
		Entry("unknown code", uint16(150), "", uint32(8341)),
	)

	It("maps go-ldap errors, and non-LDAP errors as server down", func() {
		err := &ldap.Error{ResultCode: 53, Err: errors.New("0000216D: SvcErr: DSID-031A124C, problem 5003 (WILL_NOT_PERFORM), data 0")}
		Expect(connector.Win32FromLDAPError(err)).To(Equal(uint32(8557)))
		Expect(connector.Win32FromLDAPError(errors.New("pipe closed"))).To(Equal(uint32(58)))
	})

	It("has messages for the common codes and a generic one otherwise", func() {
		Expect(connector.Win32Message(8557)).To(ContainSubstring("maximum number of computer accounts"))
		Expect(connector.Win32Message(4242)).To(Equal("Win32 error 4242 (0x00001092)."))
	})
})

var _ = Describe("event 30132 payload", func() {
	type dims struct {
		RequestID        string `json:"RequestId"`
		DeviceID         string `json:"DeviceId"`
		DomainName       string `json:"DomainName"`
		ErrorCode        string `json:"ErrorCode"`
		RetryCount       string `json:"RetryCount"`
		ErrorDescription string `json:"ErrorDescription"`
		InstanceID       string `json:"InstanceId"`
		DiagnosticCode   string `json:"DiagnosticCode"`
		DiagnosticText   string `json:"DiagnosticText"`
	}
	type payload struct {
		Metric struct {
			Dimensions dims   `json:"Dimensions"`
			Name       string `json:"Name"`
			Value      int    `json:"Value"`
		} `json:"Metric"`
	}
	f := connector.Failure{RequestID: "r1", DeviceID: "d1", DomainName: "contoso.com", ComputerName: "AP-ABCDEFGHIJKL", ErrorCode: 5, RetryCount: 1, InstanceID: "i1"}

	It("has S10's shape and wording for access denied", func() {
		s, err := connector.FailurePayload(f)
		Expect(err).NotTo(HaveOccurred())
		var p payload
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		Expect(dec.Decode(&p)).To(Succeed())
		Expect(p.Metric.Name).To(Equal("RequestOfflineDomainJoinBlob_Failure"))
		Expect(p.Metric.Value).To(Equal(0))
		d := p.Metric.Dimensions
		Expect(d).To(Equal(dims{
			RequestID: "r1", DeviceID: "d1", DomainName: "contoso.com", ErrorCode: "5", RetryCount: "1",
			ErrorDescription: "Failed to get the ODJ Blob. The ODJ connector does not have sufficient privileges to complete the operation",
			InstanceID:       "i1", DiagnosticCode: "0x00000800",
			DiagnosticText: `Failed to get the ODJ Blob. The ODJ connector does not have sufficient privileges to complete the operation [Exception Message: "DiagnosticException: 0x00000800. Failed to get the ODJ Blob. The ODJ connector does not have sufficient privileges to complete the operation"] [Exception Message: "Failed to call NetProvisionComputerAccount machineName=AP-ABCDEFGHIJKL"]`,
		}))
		// S10's key order.
		Expect(strings.Index(s, `"RequestId"`)).To(BeNumerically("<", strings.Index(s, `"DeviceId"`)))
		Expect(strings.Index(s, `"InstanceId"`)).To(BeNumerically("<", strings.Index(s, `"DiagnosticCode"`)))
	})

	It("treats the quota (8557) as a privileges failure too", func() {
		q := f
		q.ErrorCode = 8557
		_, code, _ := q.Describe()
		Expect(code).To(Equal(connector.DiagnosticCodePrivileges))
	})

	It("describes other codes with their Win32 message and a different diagnostic code", func() {
		o := f
		o.ErrorCode = 1355
		o.Detail = "dial: refused"
		desc, code, text := o.Describe()
		Expect(desc).To(Equal("Failed to get the ODJ Blob. The specified domain either does not exist or could not be contacted."))
		Expect(code).To(Equal(connector.DiagnosticCodeOther))
		Expect(text).To(HaveSuffix(`[Exception Message: "dial: refused"]`))
	})
})

var _ = Describe("blob", func() {
	It("round-trips", func() {
		b := connector.Blob{Domain: "corp.contoso.com", NetBIOSDomain: "CORP", ComputerName: "AP-1", DistinguishedName: "CN=AP-1,CN=Computers,DC=corp,DC=contoso,DC=com", MachinePassword: "x", DCName: "dc1.corp.contoso.com"}
		s, err := b.Encode()
		Expect(err).NotTo(HaveOccurred())
		got, err := connector.DecodeBlob(s)
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal(b))
	})
	DescribeTable("rejects malformed blobs", func(s string) {
		_, err := connector.DecodeBlob(s)
		Expect(err).To(HaveOccurred())
	},
		Entry("not base64", "!!!"),
		Entry("not JSON", "bm90IGpzb24="),
		Entry("missing fields", "e30="),
	)
})
