// Package idea converts between DHO events and IDEA0 messages (CESNET's
// Intrusion Detection Extensible Alert format, which Warden and Mentat
// exchange), both ways, with a report of what a conversion could not
// represent.
//
// Event and its parts are IDEA0's keys as Go types; Decode reads a message
// (keys case-insensitively, as IDEA says) and Validate checks IDEA0's rules,
// including that every category is one of IDEA's (Categories), which IDEA's
// JSON schema checks only by pattern. FromDHO and ToDHO convert; AppendJSON
// and DecodeDHO are the encoder and decoder the outputs and parsers use.
// The tests check every message FromDHO writes against IDEA's JSON schema
// (testdata/idea0.schema.json).
//
// The mapping keeps what both sides can hold and travels what DHO lacks in
// extra.idea.* values, so that an IDEA message that goes through a
// topology comes out whole. Defects of IntelMQ's one-way IDEA expert do not
// recur here: RelID (like every ID list) is an array; Ref values are URLs
// or URNs (vulnerabilities become urn:cve:CVE-…), others are reported
// lost; an unexpected ID is kept (extra.idea.id) or refused with an error,
// never a crash; IDEA's booleans (Spoofed, Imprecise, Anonymised) stay
// booleans.
//
// Importing the package registers the node kinds "idea" (parser) and
// "idea-file" (output).
package idea
