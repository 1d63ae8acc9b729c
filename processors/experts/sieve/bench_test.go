package sieve

import (
	"testing"

	"github.com/intelstream/intelstream/dho"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

// benchRules are 20 rules of the kinds a CERT's sieve file holds.
const benchRules = `
if :notexists source.ip && :notexists source.fqdn { drop }
if source.ip << ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] { drop }
if feed.name == 'spam-feed' && feed.accuracy < 50 { drop }
if classification.type :in ['spam', 'blacklist'] { add! extra.low_priority = true }
if source.fqdn =~ '\.(ch|li)$' { add! comment = 'domainabuse' path 'swiss' }
if source.asn :in [64496, 64497, 64498] { add extra.documentation_asn = true }
if source.port :in [23, 2323] && classification.type == 'scanner' { add! classification.identifier = 'telnet-scan' }
if malware.name :containsany ['mirai', 'gafgyt'] { add! extra.iot = true }
if source.geolocation.cc == 'XX' { remove source.geolocation.cc }
if :exists extra.tags && extra.tags :overlaps ['ics', 'scada'] { add! severity = 'high' }
if feed.provider != 'Shadowserver' { add extra.external = true }
if source.url :regexin ['^http://', '^ftp://'] { add extra.cleartext = true }
if time.source :before '10 years' { drop }
if ! (source.ip << '192.0.2.0/24') && source.asn == 64511 { path 'documentation' }
if source.reverse_dns :contains 'dynamic' { add! extra.dynamic = true }
if protocol.transport == 'udp' { update protocol.application = 'dns' }
if extra.count > 100 { add! severity = 'critical' } elif extra.count > 10 { add! severity = 'medium' } else { add severity = 'low' }
if classification.taxonomy == 'vulnerable' { append tags 'vulnerable' }
if source.abuse_contact =~ '@example\.(com|net)$' { remove source.abuse_contact }
if feed.name == 'drop-feed' { drop }
`

func BenchmarkProcess(b *testing.B) {
	x := experttest.New(b, Name, map[string]any{"rules": benchRules})
	events := []map[string]any{
		{"source.ip": "198.51.100.7", "source.port": 23, "classification.type": "scanner", "feed.name": "scan-feed",
			"feed.provider": "Shadowserver", "feed.accuracy": 100.0, "source.asn": 64500, "time.source": "2025-06-01T10:00:00+00:00",
			"malware.name": "mirai", "extra.count": 12},
		{"source.fqdn": "shop.example.ch", "source.url": "http://shop.example.ch/login", "classification.type": "phishing",
			"feed.name": "phish", "source.asn": 64496, "time.source": "2025-06-01T10:00:00+00:00", "classification.taxonomy": "fraud"},
		{"source.ip": "203.0.113.9", "source.reverse_dns": "dynamic-9.example.net", "protocol.transport": "udp",
			"protocol.application": "domain", "classification.type": "vulnerable-system", "classification.taxonomy": "vulnerable",
			"feed.name": "vuln", "extra.tags": []any{"ics", "modbus"}, "source.abuse_contact": "abuse@example.org"},
	}
	in := make([]*dho.Event, len(events))
	for i, m := range events {
		in[i] = experttest.Event(b, m)
	}
	experttest.Bench(b, x, in...)
}
