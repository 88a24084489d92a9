package mockad_test

import (
	"errors"

	"github.com/go-ldap/ldap/v3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/transport"
)

var _ = Describe("journaling writes (ServerOptions.OnWrite, Directory.Apply)", func() {
	It("shows each write with its writer and result, and Apply makes it again on another directory", func() {
		w := newWorld(10)
		defer w.close()
		var ops []mockad.WriteOp
		var codes []int
		srv := mockad.NewServer(w.dir, mockad.ServerOptions{OnWrite: func(op mockad.WriteOp, apply func() int) error {
			codes = append(codes, apply())
			ops = append(ops, op)
			return nil
		}})
		ln := transport.NewPipeListener("journaled")
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		nc, err := ln.Dial()
		Expect(err).NotTo(HaveOccurred())
		c := ldap.NewConn(nc, false)
		c.Start()
		defer c.Close()
		Expect(c.Bind(`CORP\alice`, "alice-pw")).To(Succeed())
		Expect(c.Add(computerAdd("CN=Computers,"+base, "TRAIN01"))).To(Succeed())
		Expect(c.Del(ldap.NewDelRequest("CN=nothere,"+base, nil))).NotTo(Succeed())
		Expect(ops).To(HaveLen(2))
		Expect(ops[0].Op).To(Equal("add"))
		Expect(ops[0].By).To(ContainSubstring("CN=alice"))
		Expect(codes[0]).To(Equal(0))
		Expect(codes[1]).NotTo(Equal(0), "a refused write is seen with its code")

		other := newWorld(10)
		defer other.close()
		code, err := other.dir.Apply(ops[0])
		Expect(err).NotTo(HaveOccurred())
		Expect(code).To(Equal(0))
		_, ok := other.dir.FindComputer("train01")
		Expect(ok).To(BeTrue())
	})

	It("answers other (80) when OnWrite fails, and the change is not made twice", func() {
		w := newWorld(10)
		defer w.close()
		srv := mockad.NewServer(w.dir, mockad.ServerOptions{OnWrite: func(_ mockad.WriteOp, apply func() int) error {
			apply()
			return errors.New("disk full")
		}})
		ln := transport.NewPipeListener("failing")
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		nc, err := ln.Dial()
		Expect(err).NotTo(HaveOccurred())
		c := ldap.NewConn(nc, false)
		c.Start()
		defer c.Close()
		Expect(c.Bind(`CORP\alice`, "alice-pw")).To(Succeed())
		err = c.Add(computerAdd("CN=Computers,"+base, "TRAIN02"))
		Expect(ldap.IsErrorWithCode(err, 80)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("could not record the change: disk full"))
	})

	DescribeTable("Apply refuses a malformed write with a clear error",
		func(op mockad.WriteOp, want string) {
			w := newWorld(10)
			defer w.close()
			_, err := w.dir.Apply(op)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("unknown op", mockad.WriteOp{Op: "rename", DN: base}, "want add, modify, delete or modifyDN"),
		Entry("a writer that is not a DN", mockad.WriteOp{Op: "delete", By: "not a dn", DN: base}, `bound DN "not a dn"`),
		Entry("a writer that is not there", mockad.WriteOp{Op: "delete", By: "CN=ghost," + base, DN: base}, "is not in the directory"),
		Entry("a change op out of range", mockad.WriteOp{Op: "modify", DN: base, Changes: []mockad.WriteChange{{Op: 7, Name: "description"}}}, "change op 7"),
	)
})
