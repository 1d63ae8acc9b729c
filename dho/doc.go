// Package dho is DHO 2.0, intelstream's data model for threat intelligence:
// the Event and Report records, the registry of their fields, value
// sanitation, and IntelMQ's flat JSON form both ways.
//
// Every field of IntelMQ's harmonization keeps its dotted name
// ("source.ip", "classification.type", "extra.NAME"), so IntelMQ feeds,
// configurations and outputs carry over. DHO 2.0 adds nested Go records,
// multi-valued fields (several source IPs, URLs, ports, CVE ids ...), extra
// values that keep their JSON kind, an event id, per-event notification
// settings, and a machine-readable registry (Fields).
//
// Values enter through Set and Append (or the flat JSON decoder), which
// sanitize them as IntelMQ does: an address is canonicalized, a time is
// converted to UTC, an invalid value is refused with a *FieldError naming
// the field and the value. Nothing is dropped silently.
package dho
