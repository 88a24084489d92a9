package sink

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/autopilotsim/autopilotsim/report"
	"github.com/autopilotsim/autopilotsim/results"
)

// Dir writes a run's results into a folder as its scenarios finish.
// Add takes the scenarios in the run's order (harness.Options.OnScenario
// gives them so); Close ends the files; Abort removes what was begun.
// A Dir is used from one goroutine at a time (OnScenario calls never
// overlap).
type Dir struct {
	dir    string
	json   *os.File
	stream *results.JSONStream
	jsonl  *os.File
	lines  *bufio.Writer
	report *report.Builder
	added  int
	err    error // the first error of Add, reported by Close
}

// Open starts results.json (and, with jsonl, devices.jsonl) in dir,
// creating dir.
func Open(dir string, jsonl bool) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".results.json.tmp-*")
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	d := &Dir{dir: dir, json: f, stream: results.NewJSONStream(f), report: report.NewBuilder()}
	if jsonl {
		if d.jsonl, err = os.Create(filepath.Join(dir, "devices.jsonl")); err != nil {
			d.Abort()
			return nil, fmt.Errorf("results: %w", err)
		}
		d.lines = bufio.NewWriterSize(d.jsonl, 1<<20)
	}
	return d, nil
}

// Add writes the run's next scenario and cuts its devices to their brief
// form (results.DeviceResult.Brief). Its signature is
// harness.Options.OnScenario's; the first error is kept for Close, and
// the scenarios after it are still cut, so memory stays bounded.
func (d *Dir) Add(_ int, sc *results.ScenarioResult) {
	if d.err == nil {
		d.err = d.stream.Add(sc)
	}
	if d.err == nil && d.lines != nil {
		d.err = results.WriteJSONLines(d.lines, sc)
	}
	d.report.Add(sc)
	d.added++
	if sc.Devices != nil {
		brief := make([]results.DeviceResult, len(sc.Devices))
		for i := range sc.Devices {
			brief[i] = sc.Devices[i].Brief()
		}
		sc.Devices = brief
	}
}

// Close ends the files for run, whose scenarios are those added, in
// order (their devices brief): the summary and shard of results.json,
// junit.xml and report.html, each renamed into place when complete.
// devices.jsonl is flushed and closed. On an error nothing is renamed and
// the temporary files are removed.
func (d *Dir) Close(run *results.Run) (err error) {
	defer func() {
		if err != nil {
			d.Abort()
		}
	}()
	if d.err != nil {
		return d.err
	}
	if len(run.Scenarios) != d.added {
		return fmt.Errorf("results: the run has %d scenarios, %d were written", len(run.Scenarios), d.added)
	}
	if d.lines != nil {
		if err := d.lines.Flush(); err != nil {
			return fmt.Errorf("results: write devices.jsonl: %w", err)
		}
		if err := d.jsonl.Close(); err != nil {
			return fmt.Errorf("results: write devices.jsonl: %w", err)
		}
		d.jsonl = nil
	}
	if err := d.stream.Close(run.Summary, run.Shard); err != nil {
		return err
	}
	if err := place(d.json, filepath.Join(d.dir, "results.json")); err != nil {
		return err
	}
	d.json = nil
	if err := writeFile(d.dir, "junit.xml", func(w io.Writer) error { return results.WriteJUnit(w, run) }); err != nil {
		return err
	}
	return d.report.WriteFile(d.dir, run)
}

// Abort closes and removes results.json's temporary file and closes
// devices.jsonl (what it holds stays: the devices of the scenarios that
// finished).
func (d *Dir) Abort() {
	if d.json != nil {
		d.json.Close()
		os.Remove(d.json.Name())
		d.json = nil
	}
	if d.jsonl != nil {
		if d.lines != nil {
			_ = d.lines.Flush()
		}
		d.jsonl.Close()
		d.jsonl = nil
	}
}

// place makes the complete temporary file f the file path: readable by
// everyone (CreateTemp makes it 0600), closed, renamed over path.
func place(f *os.File, path string) error {
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	return nil
}

// writeFile writes dir/name through a temporary file renamed into place.
func writeFile(dir, name string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("results: write %s: %w", filepath.Join(dir, name), err)
	}
	if err := place(f, filepath.Join(dir, name)); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
