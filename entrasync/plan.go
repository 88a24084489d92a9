package entrasync

import (
	"fmt"
	"sort"
	"time"
)

// Computer is one computer object as read from the directory (raw values).
type Computer struct {
	DN             string
	CN             string
	SAMAccountName string
	ObjectGUID     []byte
	ObjectSID      []byte
	Certificates   [][]byte // userCertificate values
}

// Device is the export body of PUT /_private/sync/v1/devices/{objectGUID}
// (PRIVATE_API.md "Entra Connect export").
type Device struct {
	DisplayName                  string `json:"displayName"`
	DeviceID                     string `json:"deviceId"`
	OnPremisesSecurityIdentifier string `json:"onPremisesSecurityIdentifier"`
	OnPremisesDistinguishedName  string `json:"onPremisesDistinguishedName"`
	CertificateThumbprint        string `json:"certificateThumbprint"`
}

// Export is one PUT to make.
type Export struct {
	ObjectID string // onPremisesObjectId: the objectGUID string
	Device   Device
}

// CyclePlan is what one cycle must do.
type CyclePlan struct {
	Puts     []Export // sorted by ObjectID
	Deletes  []string // onPremisesObjectIds, sorted
	Filtered int      // computers with userCertificate but no valid hybrid cert (S24)
	Notes    []string
}

// Plan compares the computers found in scope with what was exported before
// and returns the changes. It is a pure function of its inputs:
//   - a computer with a valid hybrid cert is exported unless the previous
//     export is identical (delta export);
//   - a computer without one is Filtered (S24) and, if exported before,
//     deleted;
//   - a computer whose objectGUID or objectSid cannot be decoded is skipped
//     with a note (it cannot be keyed or described);
//   - anything exported before and not found now is deleted (left scope or
//     deleted in AD).
//
// Duplicate objects (the same objectGUID under two overlapping scope OUs)
// count once.
func Plan(found []Computer, exported map[string]Device, now time.Time) CyclePlan {
	var p CyclePlan
	seen := map[string]bool{}
	for _, c := range found {
		id, err := DecodeGUID(c.ObjectGUID)
		if err != nil {
			p.Notes = append(p.Notes, fmt.Sprintf("skipped %s: %v", c.DN, err))
			continue
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		cert, ok, why := SelectHybridCert(c.Certificates, now)
		if !ok {
			p.Filtered++
			p.Notes = append(p.Notes, fmt.Sprintf("filtered %s: no valid hybrid certificate (%s)", c.DN, why))
			delete(seen, id) // not in the export set: delete if exported before
			continue
		}
		sid, err := DecodeSID(c.ObjectSID)
		if err != nil {
			p.Notes = append(p.Notes, fmt.Sprintf("skipped %s: %v", c.DN, err))
			continue
		}
		d := Device{DisplayName: c.CN, DeviceID: cert.DeviceID, OnPremisesSecurityIdentifier: sid,
			OnPremisesDistinguishedName: c.DN, CertificateThumbprint: cert.Thumbprint}
		if prev, ok := exported[id]; ok && prev == d {
			continue
		}
		p.Puts = append(p.Puts, Export{ObjectID: id, Device: d})
	}
	for id := range exported {
		if !seen[id] {
			p.Deletes = append(p.Deletes, id)
		}
	}
	sort.Slice(p.Puts, func(i, j int) bool { return p.Puts[i].ObjectID < p.Puts[j].ObjectID })
	sort.Strings(p.Deletes)
	return p
}
