// Package parsers holds what every parser shares: the Parser contract, the
// registry of parsers by our name and by IntelMQ's module name, IntelMQ's
// rules for building events from a report (NewEvent, Add), and the encoders
// that write an event's raw field as IntelMQ writes it for each kind of feed
// (CSV rows, JSON elements).
//
// A parser turns one report into events. A line (or element) it cannot parse
// is handed to the fail callback with the reason and parsing goes on, as
// IntelMQ sends such lines to its error queue; Parse itself fails only when
// the whole report is unusable (an unknown report type, say). Parsers do not
// know about brokers: the topology runner (or the parse command) calls them
// and routes events and failures.
//
// The parsers themselves live in sub-packages (parsers/shadowserver, ...)
// that register themselves when imported.
package parsers
