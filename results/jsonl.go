package results

import (
	"encoding/json"
	"fmt"
	"io"
)

// DeviceLine is one line of devices.jsonl: a device's result with the
// scenario it belongs to.
type DeviceLine struct {
	Scenario string `json:"scenario"`
	File     string `json:"file"`
	Seed     uint64 `json:"seed"`
	DeviceResult
}

// WriteJSONLines writes one JSON object per line (JSON Lines,
// https://jsonlines.org/) for each device of sc, in the scenario's device
// order: a stream tools can read a device at a time (jq -c, pandas
// read_json(lines=True)) however large the fleet. The fields are those of
// results.json's devices, plus scenario, file and seed.
func WriteJSONLines(w io.Writer, sc *ScenarioResult) error {
	enc := json.NewEncoder(w)
	for _, d := range sc.Devices {
		if err := enc.Encode(DeviceLine{Scenario: sc.Name, File: sc.File, Seed: sc.Seed, DeviceResult: d}); err != nil {
			return fmt.Errorf("results: encode device %s of %s: %w", d.Serial, sc.Name, err)
		}
	}
	return nil
}
