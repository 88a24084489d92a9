package lab_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/lab"
	"github.com/autopilotsim/autopilotsim/scenarios"
)

// FuzzControlAPI sends arbitrary bodies and path segments to the control
// API: every answer is a status with Graph's error envelope or 200, never a
// 5xx, a hang or a panic.
func FuzzControlAPI(f *testing.F) {
	var (
		once sync.Once
		l    *lab.Lab
		err  error
	)
	start := func(t *testing.T) *lab.Lab {
		once.Do(func() {
			var sc *scenarios.Scenario
			sc, err = scenarios.Load("../harness/testdata/lab.yaml")
			if err == nil {
				l, err = lab.Start(sc, lab.Options{ServeOptions: harness.ServeOptions{GraphAddr: "127.0.0.1:0", LDAPAddr: "127.0.0.1:0"}})
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	f.Cleanup(func() {
		if l != nil {
			l.Close()
		}
	})
	for _, seed := range []struct{ path, body string }{
		{"devices", `{"serial":"F1","location":"hq-lan"}`},
		{"devices", `{"serial":"","location":"hq-lan"}`},
		{"devices", `{"serial":"a b"}`},
		{"devices", `[`},
		{"clock/advance", `{"by":"1s"}`},
		{"clock/advance", `{"by":"-5m"}`},
		{"clock/speed", `{"speed":1e309}`},
		{"clock/speed", `{"speed":"x"}`},
		{"connectors/ODJCONN01/sideways", ``},
		{"devices/%00/powerOn", ``},
	} {
		f.Add(seed.path, seed.body)
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		l := start(t)
		if strings.Contains(path, "clock/advance") {
			return // a fuzzed jump of years would only measure the scheduler
		}
		req, rerr := http.NewRequest("POST", l.URL()+"/lab/v1/"+path, strings.NewReader(body))
		if rerr != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+l.Key())
		res, derr := http.DefaultClient.Do(req)
		if derr != nil {
			t.Fatalf("POST %q: %v", path, derr)
		}
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("POST %q %q: %d", path, body, res.StatusCode)
		}
	})
}
