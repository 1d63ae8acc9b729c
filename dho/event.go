package dho

import "time"

// Event is one piece of threat intelligence after parsing: DHO 2.0's main
// record. Every field is also reachable by its dotted name through Get, Set,
// Append and Delete, which sanitize values; assigning struct fields directly
// skips sanitation, so code that does so must store canonical values (Validate
// checks them).
//
// Unset is the zero value: "" for strings, nil for slices and pointers.
// Pointers are used where the zero value of the type is a real value (port 0,
// latitude 0, false, the Unix epoch).
type Event struct {
	// ID is the event's unique id (a UUID), given once when the event is
	// first produced and kept across hops.
	ID               string
	Classification   Classification
	Comment          string
	Destination      Endpoint
	EventDescription EventDescription
	EventHash        string
	Feed             Feed
	// Group is the group the event belongs to (the grouping expert's).
	Group        string
	Malware      Malware
	MISP         MISP
	Notification Notification
	Output       string
	Product      Product
	Protocol     Protocol
	// Raw is the original data the event was parsed from (decoded bytes;
	// base64 in JSON).
	Raw           []byte
	RTIRID        *int64
	ScreenshotURL string
	Severity      string
	Source        Endpoint
	Status        string
	Tags          []string
	Time          Time
	TLP           string
	// Extra holds what has no field of its own, keyed by the name after
	// "extra." (the name may itself contain dots).
	Extra Extra
}

// Report is what a collector fetched: raw data plus where it came from. A
// parser turns one report into events.
type Report struct {
	Feed   Feed
	Raw    []byte
	RTIRID *int64
	Time   ReportTime
	Extra  Extra
}

// Classification says what kind of incident or exposure an event describes.
type Classification struct {
	Identifier string
	Taxonomy   string
	Type       string
}

// Endpoint is one side of an event: its source or its destination.
type Endpoint struct {
	AbuseContact  string
	Account       string
	Allocated     *time.Time
	ASName        string
	ASN           *int64
	DomainSuffix  string
	FQDN          []string
	Geolocation   Geolocation
	IP            []string
	LocalHostname string
	LocalIP       string
	Network       string
	Port          []int64
	Registry      string
	ReverseDNS    string
	TorNode       *bool
	URL           []string
	URLPath       string
}

// Geolocation is where an endpoint is, as a geolocation service says.
type Geolocation struct {
	CC        string
	City      string
	Country   string
	CymruCC   string
	GeoIPCC   string
	Latitude  *float64
	Longitude *float64
	Region    string
	State     string
}

// EventDescription is free-form text about the event from the feed.
type EventDescription struct {
	Target string
	Text   string
	URL    string
}

// Feed names the source of the data.
type Feed struct {
	Accuracy      *float64
	Code          string
	Documentation string
	Name          string
	Provider      string
	URL           string
}

// Malware names the malicious software an event is about.
type Malware struct {
	Hash    MalwareHash
	Name    []string
	Version string
}

// MalwareHash holds checksums of a malware sample.
type MalwareHash struct {
	MD5    string
	SHA1   string
	SHA256 string
}

// MISP links an event to a MISP event and attribute.
type MISP struct {
	AttributeUUID string
	EventUUID     string
}

// Notification carries per-event notification settings that grouping and
// notification nodes honour.
type Notification struct {
	// Enabled says whether the event should be notified at all; nil leaves
	// the decision to the topology's defaults.
	Enabled *bool
	// Recipient overrides the address found by contact lookup.
	Recipient string
	// Interval is the longest time in seconds events for the same recipient
	// are collected into one notification.
	Interval *int64
	// Template names the notification template to use.
	Template string
	// TTL is the time in seconds during which the same event is not notified again.
	TTL *int64
}

// Product is the software or device an event concerns.
type Product struct {
	Name            string
	Vendor          string
	Version         string
	Vulnerabilities []string
}

// Protocol names the network protocols involved.
type Protocol struct {
	Application string
	Transport   string
}

// Time holds an event's timestamps.
type Time struct {
	Observation *time.Time
	Source      *time.Time
}

// ReportTime holds a report's timestamp.
type ReportTime struct {
	Observation *time.Time
}
