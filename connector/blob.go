package connector

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/autopilotsim/autopilotsim/internal/flatjson"
)

// Blob is what our ODJ blob carries: the fields of a real
// NetProvisionComputerAccount blob that matter to the device (S33, S32;
// format from mockgraph/PRIVATE_API.md "Connector channel").
type Blob struct {
	Domain            string `json:"domain"`
	NetBIOSDomain     string `json:"netbiosDomain"`
	ComputerName      string `json:"computerName"`
	DistinguishedName string `json:"distinguishedName"`
	MachinePassword   string `json:"machinePassword"`
	DCName            string `json:"dcName"`
}

// Encode returns the base64 (standard encoding) of the blob's JSON.
func (b Blob) Encode() (string, error) {
	j, err := json.Marshal(b)
	if err != nil {
		return "", fmt.Errorf("connector: encode blob: %w", err)
	}
	return base64.StdEncoding.EncodeToString(j), nil
}

// DecodeBlob parses an encoded blob; devices and tests use it.
func DecodeBlob(s string) (Blob, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return Blob{}, fmt.Errorf("connector: decode blob: %w", err)
	}
	var b Blob
	if err := flatjson.Unmarshal(raw, &b); err != nil {
		return Blob{}, fmt.Errorf("connector: decode blob: %w", err)
	}
	if b.Domain == "" || b.ComputerName == "" || b.MachinePassword == "" {
		return Blob{}, errors.New("connector: decode blob: domain, computerName and machinePassword are required")
	}
	return b, nil
}
