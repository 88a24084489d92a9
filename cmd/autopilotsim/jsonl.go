package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/autopilotsim/autopilotsim/results"
)

// deviceStream writes DIR/devices.jsonl as scenarios finish (run --jsonl).
type deviceStream struct {
	f   *os.File
	buf *bufio.Writer
	err error
}

func openDeviceStream(dir string) (*deviceStream, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: create %s: %w", dir, err)
	}
	f, err := os.Create(filepath.Join(dir, "devices.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	return &deviceStream{f: f, buf: bufio.NewWriterSize(f, 1<<20)}, nil
}

// write is harness.Options.OnScenario; the first error is kept for close.
func (s *deviceStream) write(_ int, sc *results.ScenarioResult) {
	if s.err == nil {
		s.err = results.WriteJSONLines(s.buf, sc)
	}
}

func (s *deviceStream) close() error {
	if err := s.buf.Flush(); err != nil && s.err == nil {
		s.err = fmt.Errorf("results: write devices.jsonl: %w", err)
	}
	if err := s.f.Close(); err != nil && s.err == nil {
		s.err = fmt.Errorf("results: write devices.jsonl: %w", err)
	}
	return s.err
}
