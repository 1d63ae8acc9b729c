package schemas

import (
	"embed"
	"fmt"
	"slices"
	"strings"

	"github.com/intelstream/intelstream/dho"
)

//go:generate go test -run TestEmbeddedSchemasMatchRegistry -update .

//go:embed avro/*.avsc
var avroFiles embed.FS

// Record names one of the DHO record types.
type Record string

// The DHO record types.
const (
	EventRecord  Record = "event"
	ReportRecord Record = "report"
	// DigestRecord is a notification: the events grouped for one
	// recipient (since DHO 2.0).
	DigestRecord Record = "digest"
)

// Records lists the DHO record types.
var Records = []Record{EventRecord, ReportRecord, DigestRecord}

// ParseRecord accepts "event", "report" or "digest".
func ParseRecord(s string) (Record, error) {
	r := Record(strings.ToLower(s))
	if !slices.Contains(Records, r) {
		return "", fmt.Errorf("record %q: want event, report or digest", s)
	}
	return r, nil
}

// FullName is the Avro full name of the record, as the record-name subject
// strategy uses it.
func (r Record) FullName() string {
	switch r {
	case ReportRecord:
		return dho.AvroNamespace + ".Report"
	case DigestRecord:
		return dho.AvroNamespace + ".Digest"
	}
	return dho.AvroNamespace + ".Event"
}

// fileName is the embedded file of a record's schema at a DHO version.
func fileName(r Record, version string) string {
	return fmt.Sprintf("avro/%s-%s.avsc", r, version)
}

// Avro returns the embedded Avro schema of record r at DHO version version
// ("" for the current version).
func Avro(r Record, version string) (string, error) {
	if version == "" {
		version = dho.Version
	}
	if r == DigestRecord && generated(r, version) == "" && slices.Contains(dho.Versions, version) {
		return "", fmt.Errorf("no Avro schema for digest at DHO version %q: digests exist since DHO %s", version, dho.DigestSince)
	}
	b, err := avroFiles.ReadFile(fileName(r, version))
	if err != nil {
		return "", fmt.Errorf("no Avro schema for %s at DHO version %q (versions: %s)", r, version, strings.Join(dho.Versions, ", "))
	}
	return string(b), nil
}

// generated returns what the field registry generates for r at version.
// ("" for a digest before DHO 2.0).
func generated(r Record, version string) string {
	switch r {
	case ReportRecord:
		return dho.ReportAvroSchema(version)
	case DigestRecord:
		return dho.DigestAvroSchema(version)
	}
	return dho.AvroSchema(version)
}
