package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes results.json: indented two spaces, keys in struct order,
// the bytes json.Encoder with SetIndent("", "  ") gives for r. It streams:
// one device is encoded at a time, so writing a 100,000-device run holds
// one device's JSON rather than the whole 140 MB document (and the copies
// a growing buffer makes of it).
func WriteJSON(w io.Writer, r *Run) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := writeRun(bw, r); err != nil {
		return fmt.Errorf("results: encode JSON: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("results: write JSON: %w", err)
	}
	return nil
}

// writeRun writes r as the encoder would: the document is an object at
// depth 0, its scenarios at depth 2 and their devices at depth 3, each
// value indented by its depth (MarshalIndent's prefix) and its first line
// placed after the key or the list's own indent.
func writeRun(w *bufio.Writer, r *Run) error {
	if r == nil {
		_, err := w.WriteString("null\n")
		return err
	}
	w.WriteString("{\n  \"scenarios\": ")
	switch {
	case r.Scenarios == nil:
		w.WriteString("null")
	case len(r.Scenarios) == 0:
		w.WriteString("[]")
	default:
		w.WriteString("[\n")
		for i := range r.Scenarios {
			w.WriteString("    ")
			if err := writeScenario(w, &r.Scenarios[i]); err != nil {
				return err
			}
			if i < len(r.Scenarios)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString("  ]")
	}
	w.WriteString(",\n  \"summary\": ")
	if err := writeIndented(w, r.Summary, "  "); err != nil {
		return err
	}
	if r.Shard != nil {
		w.WriteString(",\n  \"shard\": ")
		if err := writeIndented(w, r.Shard, "  "); err != nil {
			return err
		}
	}
	_, err := w.WriteString("\n}\n")
	return err
}

// devicesNull is how a scenario without its devices encodes its devices
// key at depth 2. It cannot occur inside an encoded string: a quote there
// is escaped, so the first match is the key itself, which comes before
// every field that could hold free text after it (expectations, warnings).
var devicesNull = []byte("\n      \"devices\": null")

// writeScenario writes one scenario at depth 2, its devices one at a time.
func writeScenario(w *bufio.Writer, sc *ScenarioResult) error {
	shell := *sc
	shell.Devices = nil
	b, err := json.MarshalIndent(&shell, "    ", "  ")
	if err != nil {
		return err
	}
	at := bytes.Index(b, devicesNull)
	if at < 0 {
		return fmt.Errorf("scenario %q: devices key not found in its encoding", sc.Name)
	}
	cut := at + len(devicesNull) - len("null")
	w.Write(b[:cut])
	switch {
	case sc.Devices == nil:
		w.WriteString("null")
	case len(sc.Devices) == 0:
		w.WriteString("[]")
	default:
		w.WriteString("[\n")
		for i := range sc.Devices {
			w.WriteString("        ")
			if err := writeIndented(w, &sc.Devices[i], "        "); err != nil {
				return err
			}
			if i < len(sc.Devices)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString("      ]")
	}
	_, err = w.Write(b[at+len(devicesNull):])
	return err
}

// writeIndented writes v as MarshalIndent with prefix does: every line
// after the first starts with prefix.
func writeIndented(w *bufio.Writer, v any, prefix string) error {
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
