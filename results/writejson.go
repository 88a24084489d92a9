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
	// A failed write sticks to bw and every later write does nothing, so
	// the writers below return only encoding errors and Flush reports the
	// first write error.
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("results: write JSON: %w", err)
	}
	return nil
}

// writeRun writes r as the encoder would: each value indented by its depth
// (MarshalIndent's prefix), its first line placed after the key or the
// list's own indent. Scenarios are list items at depth 2, devices at 4.
// A run's scenarios go through the same steps as a JSONStream's, so the
// two write the same bytes.
func writeRun(w *bufio.Writer, r *Run) error {
	if r == nil {
		w.WriteString("null\n")
		return nil
	}
	if r.Scenarios == nil {
		w.WriteString("{\n  \"scenarios\": null")
		return writeRunEnd(w, r.Summary, r.Shard)
	}
	for i := range r.Scenarios {
		if err := writeRunItem(w, i, &r.Scenarios[i]); err != nil {
			return err
		}
	}
	writeRunListEnd(w, len(r.Scenarios))
	return writeRunEnd(w, r.Summary, r.Shard)
}

// writeRunItem writes the i-th scenario of the run's list, with what goes
// before it: the document's start and the list's opening for the first,
// the comma ending the previous item for the others.
func writeRunItem(w *bufio.Writer, i int, sc *ScenarioResult) error {
	if i == 0 {
		w.WriteString("{\n  \"scenarios\": [\n")
	} else {
		w.WriteString(",\n")
	}
	w.WriteString("    ")
	return writeScenario(w, sc, "    ")
}

// writeRunListEnd closes a list of n scenarios (writeList's "[]" when
// there were none).
func writeRunListEnd(w *bufio.Writer, n int) {
	if n == 0 {
		w.WriteString("{\n  \"scenarios\": []")
		return
	}
	w.WriteString("\n  ]")
}

// writeRunEnd writes what follows the scenarios: the summary, the shard
// when there is one, and the document's end.
func writeRunEnd(w *bufio.Writer, sum Summary, shard *Shard) error {
	w.WriteString(",\n  \"summary\": ")
	if err := writeIndented(w, sum, "  "); err != nil {
		return err
	}
	if shard != nil {
		w.WriteString(",\n  \"shard\": ")
		if err := writeIndented(w, shard, "  "); err != nil {
			return err
		}
	}
	w.WriteString("\n}\n")
	return nil
}

// JSONStream writes results.json a scenario at a time, as each finishes:
// the bytes WriteJSON writes for the run whose scenarios were added in
// order, with the summary and shard given at the end. A run then never
// holds every scenario's devices to write the document.
type JSONStream struct {
	w *bufio.Writer
	n int
}

// NewJSONStream starts results.json on w.
func NewJSONStream(w io.Writer) *JSONStream {
	return &JSONStream{w: bufio.NewWriterSize(w, 64<<10)}
}

// Add writes the next scenario.
func (s *JSONStream) Add(sc *ScenarioResult) error {
	if err := writeRunItem(s.w, s.n, sc); err != nil {
		return fmt.Errorf("results: encode JSON: %w", err)
	}
	s.n++
	return nil
}

// Close writes the summary and shard, ends the document and flushes it.
// The first write error of the stream is reported here.
func (s *JSONStream) Close(sum Summary, shard *Shard) error {
	writeRunListEnd(s.w, s.n)
	if err := writeRunEnd(s.w, sum, shard); err != nil {
		return fmt.Errorf("results: encode JSON: %w", err)
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("results: write JSON: %w", err)
	}
	return nil
}

// writeList writes items as the encoder writes a slice whose key sits at
// indent: null when nil, [] when empty, else one item a line at indent
// plus two spaces (the item's own prefix), written by each.
func writeList[T any](w *bufio.Writer, items []T, indent string, each func(w *bufio.Writer, item *T, prefix string) error) error {
	switch {
	case items == nil:
		w.WriteString("null")
	case len(items) == 0:
		w.WriteString("[]")
	default:
		prefix := indent + "  "
		w.WriteString("[\n")
		for i := range items {
			w.WriteString(prefix)
			if err := each(w, &items[i], prefix); err != nil {
				return err
			}
			if i < len(items)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString(indent + "]")
	}
	return nil
}

// devicesNull is how a scenario without its devices encodes its devices
// key, at the scenario's prefix plus two spaces. It cannot occur inside an
// encoded string: a quote there is escaped, so the first match is the key.
const devicesNull = "\"devices\": null"

// writeScenario writes one scenario at prefix, its devices one at a time:
// the scenario is encoded without them and they are written where its
// devices key says null.
func writeScenario(w *bufio.Writer, sc *ScenarioResult, prefix string) error {
	shell := *sc
	shell.Devices = nil
	b, err := json.MarshalIndent(&shell, prefix, "  ")
	if err != nil {
		return err
	}
	key := "\n" + prefix + "  " + devicesNull
	at := bytes.Index(b, []byte(key))
	if at < 0 {
		return fmt.Errorf("scenario %q: devices key not found in its encoding", sc.Name)
	}
	end := at + len(key)
	w.Write(b[:end-len("null")])
	if err := writeList(w, sc.Devices, prefix+"  ", func(w *bufio.Writer, d *DeviceResult, prefix string) error {
		return writeIndented(w, d, prefix)
	}); err != nil {
		return err
	}
	w.Write(b[end:])
	return nil
}

// writeIndented writes v as MarshalIndent with prefix does: every line
// after the first starts with prefix.
func writeIndented(w *bufio.Writer, v any, prefix string) error {
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		return err
	}
	w.Write(b)
	return nil
}
