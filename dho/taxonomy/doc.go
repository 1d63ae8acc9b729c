// Package taxonomy holds the IntelMQ 3.x classification table in one place:
// the classification taxonomies (classification.taxonomy), the
// classification types (classification.type), which taxonomy each type
// belongs to, and the old type and taxonomy spellings that IntelMQ still
// accepts and renames.
//
// The facts follow IntelMQ 3.3 (the allowed values of its
// ClassificationTaxonomy and ClassificationType harmonization types, the
// legacy renames of their sanitizers, and the type to taxonomy mapping of
// its taxonomy expert), which in turn follows the Reference Security
// Incident Taxonomy (RSIT) with a few extensions of IntelMQ's own
// (blacklist, dga-domain, malware, proxy, tor, test, undetermined).
// The descriptions are ours.
//
// The table is fixed at build time, so every function here is safe for
// concurrent use and none allocates on lookups.
package taxonomy
