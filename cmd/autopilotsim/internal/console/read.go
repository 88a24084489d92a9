package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/autopilotsim/autopilotsim/results"
)

// ReadResults reads a results.json (results/RESULTS.md) from path.
func ReadResults(path string) (*results.Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	return DecodeResults(path, data)
}

// DecodeResults decodes results.json data; name is used in messages, which
// give the line and column of a problem. Fields it does not know are
// ignored (a newer writer's additions).
func DecodeResults(name string, data []byte) (*results.Run, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, located(name, data, err)
	}
	if _, ok := probe["scenarios"]; !ok {
		return nil, fmt.Errorf("%s: not a results.json: no \"scenarios\" (written by autopilotsim run --out DIR)", name)
	}
	var run results.Run
	if err := json.Unmarshal(data, &run); err != nil {
		return nil, located(name, data, err)
	}
	return &run, nil
}

// located puts a JSON error at its line and column.
func located(name string, data []byte, err error) error {
	off := int64(-1)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return fmt.Errorf("%s: %w", name, err)
	}
	if off > 0 {
		off-- // the offset is just past the byte that went wrong
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return fmt.Errorf("%s:%d:%d: %w", name, line, col, err)
}
