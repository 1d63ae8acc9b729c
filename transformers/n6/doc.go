// Package n6 converts between DHO events and the events of CERT Polska's n6
// platform (its REST API's JSON, JSON lines and stream form), both ways,
// with a report of what a conversion could not represent.
//
// Event is n6's event as n6's data specification defines it (all 27
// categories, the enumerations of restriction, confidence, origin, proto
// and status); Decode reads and Validate checks one. FromDHO and ToDHO
// convert; AppendJSON and DecodeDHO are the encoder and decoder the outputs
// and parsers use.
//
// An n6 event becomes ONE DHO event however many addresses it has: the
// addresses are the values of the multi-valued source.ip (IntelMQ's n6
// parser emits one event per address plus one more). Every category
// converts, deface, exposed and scam included. n6 is IPv4-only: IPv6
// addresses of a DHO event are reported lost, value by value. n6
// attributes DHO has no field for travel in extra.n6.*.
//
// Importing the package registers the node kinds "n6-json" (parser) and
// "n6-file" (output).
package n6
