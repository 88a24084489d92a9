package entrasync_test

import (
	"encoding/hex"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/entrasync"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

var _ = Describe("objectGUID", func() {
	DescribeTable("decodes the MS-DTYP byte order",
		func(bytes, want string) {
			got, err := entrasync.DecodeGUID(unhex(bytes))
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
			back, err := entrasync.EncodeGUID(want)
			Expect(err).NotTo(HaveOccurred())
			Expect(back).To(Equal(unhex(bytes)))
		},
		Entry("rules-and-ad.md B.8 (Samba run)", "3670ec933991834a972ea1998cc91865", "93ec7036-9139-4a83-972e-a1998cc91865"),
		Entry("MS-DTYP 2.3.4 sequential bytes", "00112233445566778899aabbccddeeff", "33221100-5544-7766-8899-aabbccddeeff"),
		Entry("well-known Computers container GUID (AA312825…)", "252831aa8876d111aded00c04fd8d5cd", "aa312825-7688-11d1-aded-00c04fd8d5cd"),
		Entry("nil", "00000000000000000000000000000000", "00000000-0000-0000-0000-000000000000"),
	)
	DescribeTable("rejects wrong lengths", func(n int) {
		_, err := entrasync.DecodeGUID(make([]byte, n))
		Expect(err).To(HaveOccurred())
	}, Entry("0", 0), Entry("15", 15), Entry("17", 17))

	DescribeTable("ParseGUID", func(s string, ok bool) {
		g, err := entrasync.ParseGUID(s)
		if ok {
			Expect(err).NotTo(HaveOccurred())
			Expect(g).To(Equal(strings.ToLower(s)))
		} else {
			Expect(err).To(HaveOccurred())
		}
	},
		Entry("lower", "93ec7036-9139-4a83-972e-a1998cc91865", true),
		Entry("upper", "93EC7036-9139-4A83-972E-A1998CC91865", true),
		Entry("braces", "{93ec7036-9139-4a83-972e-a1998cc91865}", false),
		Entry("no dashes", "93ec703691394a83972ea1998cc91865", false),
		Entry("dash misplaced", "93ec703-69139-4a83-972e-a1998cc91865", false),
		Entry("non-hex", "93ec7036-9139-4a83-972e-a1998cc9186g", false),
		Entry("a computer name", "AP-4KX9Q2M7ZB1", false),
		Entry("empty", "", false),
	)
})

var _ = Describe("objectSid", func() {
	DescribeTable("decodes MS-DTYP 2.4.2.2",
		func(bytes, want string) {
			got, err := entrasync.DecodeSID(unhex(bytes))
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
			back, err := entrasync.EncodeSID(want)
			Expect(err).NotTo(HaveOccurred())
			Expect(back).To(Equal(unhex(bytes)))
		},
		Entry("rules-and-ad.md B.8 computer", "01 05 000000000005 15000000 a5eb5487 6678c821 0b7afedd 50040000", "S-1-5-21-2270489509-566786150-3724442123-1104"),
		Entry("Everyone S-1-1-0", "01 01 000000000001 00000000", "S-1-1-0"),
		Entry("BUILTIN\\Administrators S-1-5-32-544", "01 02 000000000005 20000000 20020000", "S-1-5-32-544"),
		Entry("Null SID S-1-0-0", "01 01 000000000000 00000000", "S-1-0-0"),
		Entry("no sub-authorities", "01 00 000000000005", "S-1-5"),
		Entry("max sub-authority", "01 01 000000000005 ffffffff", "S-1-5-4294967295"),
		Entry("authority ≥ 2^32 in hex (MS-DTYP 2.4.2.1)", "01 01 010000000000 01000000", "S-1-0x010000000000-1"),
	)
	DescribeTable("rejects malformed SIDs",
		func(bytes string) {
			_, err := entrasync.DecodeSID(unhex(bytes))
			Expect(err).To(MatchError(entrasync.ErrBadSID))
		},
		Entry("empty", ""),
		Entry("short header", "01 05 0000000000"),
		Entry("revision 2", "02 01 000000000005 15000000"),
		Entry("count larger than data", "01 05 000000000005 15000000"),
		Entry("trailing bytes", "01 01 000000000005 15000000 00"),
		Entry("16 sub-authorities", "01 10 000000000005"+strings.Repeat("01000000", 16)),
	)
	DescribeTable("EncodeSID rejects bad strings", func(s string) {
		_, err := entrasync.EncodeSID(s)
		Expect(err).To(HaveOccurred())
	}, Entry("empty", ""), Entry("no S", "X-1-5"), Entry("revision 2", "S-2-5"), Entry("bad sub", "S-1-5-x"), Entry("overflow", "S-1-5-4294967296"))
})

var _ = Describe("hybrid certificate selection (S24)", func() {
	dev := "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c"

	It("accepts a valid self-signed cert with a GUID CN and reports its thumbprint", func() {
		der := hybridCert(dev)
		c, ok, why := entrasync.SelectHybridCert([][]byte{der}, t0)
		Expect(ok).To(BeTrue(), why)
		Expect(c.DeviceID).To(Equal(dev))
		Expect(c.Thumbprint).To(Equal(entrasync.Thumbprint(der)))
		Expect(c.Thumbprint).To(MatchRegexp(`^[0-9A-F]{40}$`))
	})

	DescribeTable("filters",
		func(values [][]byte, reason string) {
			_, ok, why := entrasync.SelectHybridCert(values, t0)
			Expect(ok).To(BeFalse())
			Expect(why).To(ContainSubstring(reason))
		},
		Entry("no values", nil, "no userCertificate value"),
		Entry("garbage", [][]byte{[]byte("not a cert")}, "not an X.509 certificate"),
		Entry("non-GUID subject", [][]byte{selfSigned("AP-4KX9Q2M7ZB1", t0.Add(-time.Hour), t0.Add(time.Hour), 1)}, "is not a device id"),
		Entry("expired", [][]byte{selfSigned(dev, t0.AddDate(-2, 0, 0), t0.AddDate(-1, 0, 0), 1)}, "expired"),
		Entry("not yet valid", [][]byte{selfSigned(dev, t0.Add(time.Hour), t0.AddDate(1, 0, 0), 1)}, "not valid before"),
	)

	It("takes the valid hybrid one among several values, newest first", func() {
		old := selfSigned(dev, t0.Add(-48*time.Hour), t0.AddDate(1, 0, 0), 2)
		newer := selfSigned(dev, t0.Add(-time.Hour), t0.AddDate(1, 0, 0), 3)
		other := selfSigned("CN-of-a-user-cert", t0.Add(-time.Hour), t0.AddDate(1, 0, 0), 4)
		expired := selfSigned(dev, t0.AddDate(-2, 0, 0), t0.AddDate(-1, 0, 0), 5)
		c, ok, _ := entrasync.SelectHybridCert([][]byte{other, old, expired, newer}, t0)
		Expect(ok).To(BeTrue())
		Expect(c.Thumbprint).To(Equal(entrasync.Thumbprint(newer)))
	})
})

var _ = Describe("Plan", func() {
	sid, _ := entrasync.EncodeSID("S-1-5-21-1-2-3-1104")
	guidA, _ := entrasync.EncodeGUID("11111111-1111-1111-1111-111111111111")
	guidB, _ := entrasync.EncodeGUID("22222222-2222-2222-2222-222222222222")
	devA := "aaaaaaaa-0000-0000-0000-000000000001"
	compA := entrasync.Computer{DN: "CN=AP-A,OU=AP,DC=corp", CN: "AP-A", ObjectGUID: guidA, ObjectSID: sid, Certificates: [][]byte{hybridCert(devA)}}
	compB := entrasync.Computer{DN: "CN=AP-B,OU=AP,DC=corp", CN: "AP-B", ObjectGUID: guidB, ObjectSID: sid, Certificates: [][]byte{[]byte("junk")}}

	It("exports valid computers, filters the others, and is a delta", func() {
		p := entrasync.Plan([]entrasync.Computer{compB, compA, compA}, nil, t0)
		Expect(p.Filtered).To(Equal(1))
		Expect(p.Puts).To(HaveLen(1))
		Expect(p.Puts[0].ObjectID).To(Equal("11111111-1111-1111-1111-111111111111"))
		Expect(p.Puts[0].Device).To(Equal(entrasync.Device{
			DisplayName: "AP-A", DeviceID: devA, OnPremisesSecurityIdentifier: "S-1-5-21-1-2-3-1104",
			OnPremisesDistinguishedName: "CN=AP-A,OU=AP,DC=corp", CertificateThumbprint: entrasync.Thumbprint(compA.Certificates[0]),
		}))
		Expect(p.Notes).To(ContainElement(ContainSubstring("filtered CN=AP-B")))

		exported := map[string]entrasync.Device{p.Puts[0].ObjectID: p.Puts[0].Device}
		again := entrasync.Plan([]entrasync.Computer{compA}, exported, t0)
		Expect(again.Puts).To(BeEmpty())
		Expect(again.Deletes).To(BeEmpty())

		moved := compA
		moved.DN = "CN=AP-A,OU=Other,DC=corp"
		changed := entrasync.Plan([]entrasync.Computer{moved}, exported, t0)
		Expect(changed.Puts).To(HaveLen(1))
	})

	It("deletes what left scope or lost its certificate, in sorted order", func() {
		exported := map[string]entrasync.Device{
			"22222222-2222-2222-2222-222222222222": {DisplayName: "AP-B"},
			"11111111-1111-1111-1111-111111111111": {DisplayName: "AP-A"},
			"33333333-3333-3333-3333-333333333333": {DisplayName: "AP-C"},
		}
		p := entrasync.Plan([]entrasync.Computer{compB}, exported, t0)
		Expect(p.Deletes).To(Equal([]string{"11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"}))
	})

	It("filters once the certificate has expired", func() {
		p := entrasync.Plan([]entrasync.Computer{compA}, nil, t0.AddDate(2, 0, 0))
		Expect(p.Filtered).To(Equal(1))
		Expect(p.Puts).To(BeEmpty())
	})

	It("skips objects it cannot decode, with a note", func() {
		bad := compA
		bad.ObjectGUID = []byte{1, 2, 3}
		badSID := compA
		badSID.ObjectSID = []byte{9}
		p := entrasync.Plan([]entrasync.Computer{bad, badSID}, nil, t0)
		Expect(p.Puts).To(BeEmpty())
		Expect(p.Notes).To(HaveLen(2))
	})
})
