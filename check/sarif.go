package check

import (
	"encoding/json"
	"io"
	"path"
	"path/filepath"
	"strings"
)

// SARIF 2.1.0 (OASIS), the subset code-scanning services read. Field names
// and required members follow the 2.1.0 schema: sarifLog needs version and
// runs; run needs tool; tool needs driver; driver needs name;
// reportingDescriptor needs id; result needs message; message needs text
// (or id); region lines and columns are 1-based.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name,omitempty"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	HelpURI              string          `json:"helpUri,omitempty"`
	Help                 sarifText       `json:"help"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// artifactURI is a finding's file as a relative, slash-separated URI:
// inside the configuration folder it is ConfigDir/File (ConfigDir as the
// caller gave it, so a path relative to the repository stays relative).
func artifactURI(configDir string, f Finding) string {
	file := filepath.ToSlash(f.File)
	if !f.External && configDir != "" {
		file = path.Join(filepath.ToSlash(configDir), file)
	}
	return strings.TrimPrefix(path.Clean(file), "./")
}

// WriteSARIF writes the head's findings as one SARIF 2.1.0 run. Cohort
// regressions have no place in the configuration files, so they are in
// the other formats, not here.
func WriteSARIF(w io.Writer, r *Report) error {
	rules := Rules()
	index := map[string]int{}
	drv := sarifDriver{Name: "autopilotsim check", InformationURI: "https://github.com/autopilotsim/autopilotsim", Rules: []sarifRule{}}
	for i, ru := range rules {
		index[ru.ID] = i
		drv.Rules = append(drv.Rules, sarifRule{
			ID: ru.ID, Name: ru.ID, ShortDescription: sarifText{ru.Title},
			FullDescription: sarifText{ru.Title + ": " + ru.Failure + "."}, HelpURI: ru.HelpURI,
			Help:                 sarifText{ru.Fix + " See \"" + ru.Heading + "\": " + ru.HelpURI},
			DefaultConfiguration: sarifRuleConfig{Level: string(ru.Severity)},
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: drv}, Results: []sarifResult{}}
	for _, f := range r.Findings {
		res := sarifResult{RuleID: f.RuleID, RuleIndex: index[f.RuleID], Level: string(f.Severity), Message: sarifText{f.Object + ": " + f.Message}}
		loc := sarifLocation{LogicalLocations: []sarifLogical{{Name: f.Object, FullyQualifiedName: f.Pointer, Kind: "object"}}}
		if f.File != "" {
			phys := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: artifactURI(r.ConfigDir, f)}}
			if f.Line > 0 {
				phys.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Col}
			}
			loc.PhysicalLocation = phys
		}
		res.Locations = []sarifLocation{loc}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}
