package dho

// Version is the version of the DHO data model this package implements.
//
// The rule for changing the model (also in docs/architecture.md):
//   - A minor version (2.0 → 2.1) only adds optional fields. Readers of the
//     older version keep working and newer readers read older data (Avro
//     FULL compatibility): every field has a default (null, or an empty
//     list), and in IntelMQ's flat form a DHO field travels as
//     "extra.dho.NAME".
//     Each new field records the version that added it (Field.Since).
//   - A major version (2 → 3) is needed to remove or rename a field, change
//     its type, let a single-valued field hold several values, or make a
//     field required; it comes with a converter from the previous major
//     version.
//   - Field names are never reused for a different meaning.
const Version = "2.0"

// Versions lists the DHO versions in order. "1.0" names IntelMQ 3.3's
// harmonization, which DHO 2.0 extends.
var Versions = []string{"1.0", "2.0"}
