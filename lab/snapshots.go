package lab

import (
	"fmt"
	"net/http"
	"time"

	"github.com/autopilotsim/autopilotsim/harness"
	"github.com/autopilotsim/autopilotsim/labstate"
)

// snapshotRoutes: save, list and export work on a running lab with a
// state directory; restore, reset and import replace the journal, so they
// work on a stopped lab's directory (autopilotsim lab snapshot … --state-dir).
func (l *Lab) snapshotRoutes(api func(string, func(http.ResponseWriter, *http.Request) error)) {
	need := func() error {
		if l.state == nil {
			return fmt.Errorf("lab: snapshots: this lab runs without --state-dir: %w", harness.ErrConflict)
		}
		return nil
	}
	api("GET /lab/v1/snapshots", func(w http.ResponseWriter, _ *http.Request) error {
		if err := need(); err != nil {
			return err
		}
		list, err := l.state.List()
		if err != nil {
			return err
		}
		writeJSON(w, 200, map[string]any{"snapshots": list})
		return nil
	})
	api("POST /lab/v1/snapshots", func(w http.ResponseWriter, r *http.Request) error {
		if err := need(); err != nil {
			return err
		}
		var in struct {
			Name string `json:"name"`
		}
		if err := readJSON(r, &in); err != nil {
			return err
		}
		if err := labstate.CheckName(in.Name); err != nil {
			return badRequest("%v", err)
		}
		info, err := l.state.Save(in.Name)
		if err != nil {
			return err
		}
		writeJSON(w, 200, info)
		return nil
	})
	api("GET /lab/v1/export", func(w http.ResponseWriter, _ *http.Request) error {
		if err := need(); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="lab-%s.apsnap"`, time.Now().UTC().Format("20060102T150405Z")))
		return l.state.Export(w)
	})
}
