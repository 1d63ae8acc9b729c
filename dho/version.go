package dho

// Version is the version of the DHO data model this package implements.
//
// The rule for changing the model (also in docs/architecture.md):
//   - A minor version (2.0 → 2.1) only adds optional fields, or allows several
//     values in a field that held one. Readers of the older version keep
//     working: in Avro every new field has a default, in the flat form an
//     unknown DHO field written by a newer writer travels as "extra.dho.NAME".
//     Each new field records the version that added it (Field.Since).
//   - A major version (2 → 3) is needed to remove or rename a field, change
//     its type, or make it required; it comes with a converter from the
//     previous major version.
//   - Field names are never reused for a different meaning.
const Version = "2.0"

// Versions lists the DHO versions in order. "1.0" names IntelMQ 3.3's
// harmonization, which DHO 2.0 extends.
var Versions = []string{"1.0", "2.0"}
