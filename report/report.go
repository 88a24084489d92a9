package report

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/autopilotsim/autopilotsim/results"
)

// docPrefix is where the documentation links point: Microsoft Learn.
const docPrefix = "https://learn.microsoft.com/"

// FileName is the report's name beside results.json.
const FileName = "report.html"

var (
	//go:embed assets/report.html.tmpl
	pageText string
	//go:embed assets/report.css
	pageCSS string
	//go:embed assets/report.js
	pageJS string
)

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	// The stylesheet and the script are this package's own files, compiled
	// in: trusted, never built from results.
	"css": func() template.CSS { return template.CSS(pageCSS) },
	"js":  func() template.JS { return template.JS(pageJS) },
	// isDoc: documentation is linked only on Microsoft Learn; any other
	// value is shown as text, never followed.
	"isDoc": func(u string) bool { return strings.HasPrefix(u, docPrefix) },
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}).Parse(pageText))

// Write renders run as one self-contained HTML page. The same run gives
// the same bytes.
func Write(w io.Writer, run *results.Run) error {
	if run == nil {
		return errors.New("report: no run to render")
	}
	return render(w, build(run))
}

// Render writes the page for run, whose scenarios were added to rb in
// order: the bytes Write writes for the run with its full results. Of the
// run it reads the summary and the devices' outcomes.
func (rb *Builder) Render(w io.Writer, run *results.Run) error {
	if run == nil {
		return errors.New("report: no run to render")
	}
	if len(run.Scenarios) != len(rb.scenarios) {
		return fmt.Errorf("report: the run has %d scenarios, %d were added", len(run.Scenarios), len(rb.scenarios))
	}
	return render(w, rb.view(run))
}

func render(w io.Writer, v *view) error {
	bw := bufio.NewWriter(w)
	if err := page.Execute(bw, v); err != nil {
		return fmt.Errorf("report: render: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: write: %w", err)
	}
	return nil
}

// WriteFile writes dir/report.html atomically: into a temporary file in dir
// first, renamed over report.html only when complete, so a reader never
// opens half a report. dir is created when missing.
func WriteFile(dir string, run *results.Run) error {
	if run == nil {
		return errors.New("report: no run to render")
	}
	return writeFile(dir, func(w io.Writer) error { return Write(w, run) })
}

// WriteFile is report.WriteFile for the scenarios added to rb (Render).
func (rb *Builder) WriteFile(dir string, run *results.Run) error {
	return writeFile(dir, func(w io.Writer) error { return rb.Render(w, run) })
}

func writeFile(dir string, write func(io.Writer) error) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".report-*.html")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("report: write %s: %w", f.Name(), err)
	}
	path := filepath.Join(dir, FileName)
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
