package n6

import (
	"strings"
)

// n6 attributes DHO has no field for travel in extra values named
// "n6.<attribute>", holding the attribute's JSON value, so that an n6
// event that goes through a topology comes out with them.
const extraPrefix = "n6."

// Extra names of the n6 parts kept in extra values beyond the attributes.
const (
	extraID       = "n6.id"       // an id that is no 32-digit hexadecimal number
	extraCategory = "n6.category" // a category its DHO type does not give back
)

// mappedKeys are the n6 attributes with DHO fields of their own.
var mappedKeys = map[string]bool{
	"id": true, "source": true, "restriction": true, "confidence": true, "category": true, "time": true,
	"address": true, "name": true, "fqdn": true, "url": true, "proto": true, "sport": true, "dport": true,
	"dip": true, "md5": true, "sha1": true, "sha256": true, "target": true, "long_description": true,
}

// mappedFields are the DHO fields FromDHO maps to n6 attributes; every
// other field that is set is reported lost.
var mappedFields = map[string]bool{
	"id": true, "feed.code": true, "tlp": true, "feed.accuracy": true,
	"classification.type": true, "classification.taxonomy": true, "classification.identifier": true,
	"time.source": true, "source.ip": true, "source.geolocation.cc": true, "source.asn": true,
	"source.fqdn": true, "source.url": true, "protocol.transport": true, "source.port": true,
	"destination.port": true, "destination.ip": true,
	"malware.hash.md5": true, "malware.hash.sha1": true, "malware.hash.sha256": true,
	"event_description.target": true, "event_description.text": true,
}

// TLP ↔ restriction. n6 has three levels: GREEN (community) has no level
// of its own and becomes need-to-know, which reads back as AMBER.
var (
	tlpRestriction = map[string]string{"WHITE": "public", "GREEN": "need-to-know", "AMBER": "need-to-know", "RED": "internal"}
	restrictionTLP = map[string]string{"public": "WHITE", "need-to-know": "AMBER", "internal": "RED"}
)

// DefaultRestriction is the restriction of an event without TLP.
const DefaultRestriction = "need-to-know"

// Confidence ↔ feed.accuracy: each n6 level reads as one accuracy; an
// accuracy converts to the level of its range and survives only when it is
// that level's value.
var confidenceAccuracy = map[string]float64{"low": 30, "medium": 60, "high": 90}

// DefaultConfidence is the confidence of an event without accuracy.
const DefaultConfidence = "medium"

func accuracyConfidence(a float64) string {
	switch {
	case a < 45:
		return "low"
	case a < 75:
		return "medium"
	}
	return "high"
}

// DefaultSource is the source of an event whose feed.code is no n6 source
// name (provider.channel).
const DefaultSource = "intelstream.dho"

// idOf returns the n6 id of a DHO id: the UUID's 32 hexadecimal digits.
func idOf(uuid string) string { return strings.ReplaceAll(uuid, "-", "") }

// uuidOf returns the DHO id of an n6 id of 32 lowercase hexadecimal
// digits, "" for other ids.
func uuidOf(id string) string {
	if len(id) != 32 || !reHex.MatchString(id) {
		return ""
	}
	return id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
}
