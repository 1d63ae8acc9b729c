// Package schemas governs DHO 2.0 as Avro schemas in a schema registry.
//
// The .avsc files in avro/ are generated from the field registry of package
// dho (a test fails when they drift) and embedded. The package names
// subjects (topic-name strategy by default, record-name and
// topic-record-name as options), registers and looks up schemas in any
// Confluent-compatible registry (basic auth, bearer token and TLS for real
// ones, srfake in tests), checks compatibility locally (BACKWARD, FORWARD,
// FULL and their transitive variants, computed with hamba/avro's schema
// resolution, because some registries, srfake among them, answer every check
// with "compatible"), diffs schemas field by field, and writes and reads the
// Confluent wire format (magic byte, schema id, Avro body) with a fast path
// for the current schema and resolution for any other writer schema.
package schemas
