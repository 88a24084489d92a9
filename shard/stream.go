package shard

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/autopilotsim/autopilotsim/results"
)

// Files is a split run's shards on disk, checked and ready to be read back
// in the run's order one scenario at a time (Each), so that merging never
// holds more than one scenario's results: a suite of 100,000-device fleets
// merges in the memory of its largest scenario, as it ran.
//
// Each shard's results.json is read twice. OpenFiles walks it once for its
// "shard" block (written after the scenarios) and the number and byte
// offsets of its scenarios, holding one scenario's JSON at a time; Each
// then reads the scenarios again from their offsets. A file is open only
// while one of its scenarios is read, so merging N shards needs one file
// descriptor, not N.
type Files struct {
	files []*shardFile
	// slots[pos] is where the run's scenario pos is: which file and which
	// of its scenarios.
	slots []slot
}

type shardFile struct {
	path  string
	block *results.Shard
	// offsets[k] is where the text of scenario k begins: right after the
	// previous scenario (or the list's '['), before the white space and
	// comma that lead to it (readElement skips them).
	offsets []int64
}

type slot struct{ part, k int }

// OpenFiles reads DIR/results.json of each shard's output directory (or a
// results.json file given directly) far enough to check that the shards
// make one run, with the errors Merge gives.
func OpenFiles(paths []string) (*Files, error) {
	fs := &Files{}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			p = filepath.Join(p, "results.json")
		}
		sf, err := scanFile(p)
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		fs.files = append(fs.files, sf)
	}
	names := make([]string, len(fs.files))
	blocks := make([]*results.Shard, len(fs.files))
	counts := make([]int, len(fs.files))
	for i, sf := range fs.files {
		names[i], blocks[i], counts[i] = sf.path, sf.block, len(sf.offsets)
	}
	slots, err := plan(names, blocks, counts)
	if err != nil {
		return nil, err
	}
	fs.slots = slots
	return fs, nil
}

// Shards is how many shards there are.
func (fs *Files) Shards() int { return len(fs.files) }

// Scenarios is how many scenarios the run has.
func (fs *Files) Scenarios() int { return len(fs.slots) }

// Each reads the run's scenarios in order and gives each to fn with its
// position; the result fn is given is its own to keep or change. It stops
// at the first error, fn's or a file's.
func (fs *Files) Each(fn func(pos int, sc *results.ScenarioResult) error) error {
	for pos, s := range fs.slots {
		sf := fs.files[s.part]
		var sc results.ScenarioResult
		if err := readElement(sf.path, sf.offsets[s.k], s.k, &sc); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if err := fn(pos, &sc); err != nil {
			return err
		}
	}
	return nil
}

// scanFile walks a shard's results.json: its scenarios' offsets (each
// decoded, to be sure it is one, and dropped), its summary and its shard
// block. Keys are matched as encoding/json matches them to Run's fields
// (case-insensitively); a key given twice is refused, as is anything but
// an object; other keys are skipped.
func scanFile(path string) (*shardFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sf := &shardFile{path: path}
	dec := json.NewDecoder(bufio.NewReaderSize(f, 64<<10))
	fail := func(err error) (*shardFile, error) {
		return nil, fmt.Errorf("%s:%d: %w", path, lineAt(path, dec.InputOffset()), noEOF(err))
	}
	if err := expectDelim(dec, '{', "a JSON object (a run's results)"); err != nil {
		return fail(err)
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := t.(string)
		// encoding/json matches a key to a field with Unicode simple
		// folding (strings.EqualFold), so Read and Files agree.
		field := ""
		for _, name := range []string{"scenarios", "summary", "shard"} {
			if strings.EqualFold(key, name) {
				field = name
			}
		}
		if field != "" {
			if seen[field] {
				return fail(fmt.Errorf("key %q given twice", key))
			}
			seen[field] = true
		}
		switch field {
		case "scenarios":
			if err := sf.scanScenarios(dec); err != nil {
				return nil, err
			}
		case "summary":
			// Decoded only to refuse what Read refuses: merge recounts it.
			var sum results.Summary
			if err := dec.Decode(&sum); err != nil {
				return fail(fmt.Errorf("summary: %w", err))
			}
		case "shard":
			if err := dec.Decode(&sf.block); err != nil {
				return fail(fmt.Errorf("shard: %w", err))
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
		}
	}
	if err := expectDelim(dec, '}', "the end of the object"); err != nil {
		return fail(err)
	}
	return sf, nil
}

// scanScenarios records the offsets of the scenarios array's elements,
// checking each by decoding it on its own as Each will (an error then
// names the scenario and its line). null is an empty list.
func (sf *shardFile) scanScenarios(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s:%d: scenarios: %w", sf.path, lineAt(sf.path, dec.InputOffset()), noEOF(err))
	}
	if t == nil {
		return nil
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("%s:%d: scenarios: want a list, got %v", sf.path, lineAt(sf.path, dec.InputOffset()), t)
	}
	for dec.More() {
		if len(sf.offsets) >= maxScenarios {
			return fmt.Errorf("%s: more than %d scenarios", sf.path, maxScenarios)
		}
		k, off := len(sf.offsets), dec.InputOffset()
		var sc results.ScenarioResult
		if err := dec.Decode(&sc); err != nil {
			// Read the element alone for an error that says where.
			if err := readElement(sf.path, off, k, &results.ScenarioResult{}); err != nil {
				return err
			}
			return fmt.Errorf("%s:%d: scenario %d: %w", sf.path, lineAt(sf.path, off), k+1, err)
		}
		sf.offsets = append(sf.offsets, off)
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%s:%d: scenarios: %w", sf.path, lineAt(sf.path, dec.InputOffset()), noEOF(err))
	}
	return nil
}

// expectDelim reads the next token and refuses anything but d.
func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if got, ok := t.(json.Delim); !ok || got != d {
		return fmt.Errorf("want %s, got %v", what, t)
	}
	return nil
}

// readElement decodes into v the k-th scenario, whose text begins at off:
// past white space and, after the first, a comma, with a decoder of its
// own so that an error's offset counts from the value's first byte.
func readElement(path string, off int64, k int, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	for comma := k == 0; ; off++ {
		c, err := br.ReadByte()
		if err != nil {
			return fmt.Errorf("%s:%d: scenario %d: %w", path, lineAt(path, off), k+1, io.ErrUnexpectedEOF)
		}
		if c == ',' && !comma {
			comma = true
			continue
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			if err := br.UnreadByte(); err != nil {
				return err
			}
			break
		}
	}
	if err := json.NewDecoder(br).Decode(v); err != nil {
		return fmt.Errorf("%s:%d: scenario %d: %w", path, lineAt(path, off+offsetOf(err)), k+1, noEOF(err))
	}
	return nil
}

// noEOF is err, except that a file ending where a value should be is
// unexpected, not a clean end.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// offsetOf is where in the decoded value err happened, when it says.
func offsetOf(err error) int64 {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Offset
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Offset
	}
	return 0
}

// lineAt is the line (from 1) of path's byte off: errors are rare, so
// the file is read again rather than lines counted on every read.
func lineAt(path string, off int64) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	line := 1
	for i := int64(0); i < off; i++ {
		c, err := br.ReadByte()
		if err != nil {
			break
		}
		if c == '\n' {
			line++
		}
	}
	return line
}
