package mockad_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/autopilotsim/autopilotsim/ldapclient"
	"github.com/autopilotsim/autopilotsim/mockad"
	"github.com/autopilotsim/autopilotsim/sim"
	"github.com/autopilotsim/autopilotsim/transport"
)

// benchWorld serves a directory with n seeded computers over an in-memory
// pipe (or loopback TCP when tcp is set) and returns an admin connection.
func benchWorld(b *testing.B, n int, tcp bool) (*mockad.Directory, *ldap.Conn, func()) {
	b.Helper()
	dir, err := mockad.NewDirectory(mockad.DomainConfig{DNSName: "corp.contoso.com", NetBIOSName: "CORP", MachineAccountQuota: 10,
		OUs: []string{ouAP}}, sim.NewScheduler(sim.Epoch, nil), rand.New(rand.NewPCG(7, 8)))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := dir.AddUser("admin", "admin-pw", "", true); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := dir.AddComputer(fmt.Sprintf("WS%07d", i), ouAP); err != nil {
			b.Fatal(err)
		}
	}
	srv := mockad.NewServer(dir, mockad.ServerOptions{})
	var c *ldap.Conn
	if tcp {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = srv.Serve(ln) }()
		c, err = ldap.DialURL("ldap://" + ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
	} else {
		ln := transport.NewPipeListener("bench")
		go func() { _ = srv.Serve(ln) }()
		nc, err := ln.Dial()
		if err != nil {
			b.Fatal(err)
		}
		c = ldap.NewConn(nc, false)
		c.Start()
	}
	if err := c.Bind(`CORP\admin`, "admin-pw"); err != nil {
		b.Fatal(err)
	}
	return dir, c, func() { c.Close(); _ = srv.Close() }
}

func BenchmarkBind(b *testing.B) {
	for _, tcp := range []bool{false, true} {
		b.Run(map[bool]string{false: "pipe", true: "loopback"}[tcp], func(b *testing.B) {
			_, c, stop := benchWorld(b, 0, tcp)
			defer stop()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := c.Bind(`CORP\admin`, "admin-pw"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "binds/s")
		})
	}
}

func BenchmarkIndexedSearch100k(b *testing.B) {
	for _, tcp := range []bool{false, true} {
		b.Run(map[bool]string{false: "pipe", true: "loopback"}[tcp], func(b *testing.B) {
			_, c, stop := benchWorld(b, 100_000, tcp)
			defer stop()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sr, err := c.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
					fmt.Sprintf("(sAMAccountName=WS%07d$)", i%100_000), []string{"distinguishedName"}, nil))
				if err != nil || len(sr.Entries) != 1 {
					b.Fatal(err, len(sr.Entries))
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "searches/s")
		})
	}
}

func BenchmarkPagedSubtree100k(b *testing.B) {
	_, c, stop := benchWorld(b, 100_000, true)
	defer stop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sr, err := c.SearchWithPaging(ldap.NewSearchRequest(ouAP, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=computer)", []string{"cn"}, nil), 1000)
		if err != nil || len(sr.Entries) != 100_000 {
			b.Fatal(err, len(sr.Entries))
		}
	}
	b.ReportMetric(float64(b.N*100_000)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkAdd(b *testing.B) {
	_, c, stop := benchWorld(b, 0, true)
	defer stop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Add(computerAdd(ouAP, fmt.Sprintf("B%07d", i))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "adds/s")
}

// BenchmarkSignIn is a device's AD sign-in as the simulation makes it
// (ldapclient: dial, bind, close) over each in-memory wire: a PipeListener
// that Serve serves on a goroutine per connection, and DialInline, which
// runs glauth's loop as a coroutine of the client. Compare the two ns/op
// of one run: the ratio is what the coroutine saves (docs/SCALE.md).
func BenchmarkSignIn(b *testing.B) {
	for _, wr := range []string{"listener", "inline"} {
		b.Run(wr, func(b *testing.B) {
			dir, c, stop := benchWorld(b, 0, false)
			c.Close()
			defer stop()
			srv := mockad.NewServer(dir, mockad.ServerOptions{})
			defer srv.Close()
			dial := func() (net.Conn, error) { return srv.DialInline(context.Background()) }
			if wr == "listener" {
				ln := transport.NewPipeListener("bench")
				go func() { _ = srv.Serve(ln) }()
				dial = ln.Dial
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				nc, err := dial()
				if err != nil {
					b.Fatal(err)
				}
				lc := ldapclient.New(nc)
				if err := lc.Bind(`CORP\admin`, "admin-pw"); err != nil {
					b.Fatal(err)
				}
				if err := lc.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sign-ins/s")
		})
	}
}
