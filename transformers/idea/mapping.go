package idea

import (
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/transformers"
)

// IDEA keys that DHO has no field for travel in extra values named
// "idea.<key in snake case>" (the endpoint ones "idea.source.<key>" and
// "idea.target.<key>"), holding the key's JSON value: an IDEA message that
// goes through a topology comes out with them. These are the keys.
var (
	eventOnly = []struct{ key, extra string }{
		{"AltNames", "idea.alt_names"}, {"CorrelID", "idea.correl_id"}, {"AggrID", "idea.aggr_id"},
		{"PredID", "idea.pred_id"}, {"RelID", "idea.rel_id"},
		{"CreateTime", "idea.create_time"}, {"CeaseTime", "idea.cease_time"},
		{"WinStartTime", "idea.win_start_time"}, {"WinEndTime", "idea.win_end_time"},
		{"ConnCount", "idea.conn_count"}, {"FlowCount", "idea.flow_count"},
		{"PacketCount", "idea.packet_count"}, {"ByteCount", "idea.byte_count"},
	}
	endpointOnly = []struct{ key, extra string }{
		{"Type", "type"}, {"MAC", "mac"}, {"Note", "note"}, {"Spoofed", "spoofed"},
		{"Imprecise", "imprecise"}, {"Anonymised", "anonymised"}, {"AttachHand", "attach_hand"},
		{"Router", "router"}, {"Netname", "netname"}, {"Ref", "ref"},
	}
)

// Extra names of the other IDEA parts kept in extra values.
const (
	extraID       = "idea.id"       // an ID that is no DHO id (not a lowercase UUID)
	extraCategory = "idea.category" // categories the DHO classification does not give back
	extraRef      = "idea.ref"      // references other than the description URL and vulnerabilities
	extraNode     = "idea.node"     // Node, beyond the feed's code and name
	extraAttach   = "idea.attach"   // Attach, beyond the malware hashes
	extraRanges   = "ip_ranges"     // per endpoint: IP4 and IP6 networks and ranges (IDEA takes them as addresses of the endpoint; DHO's ip holds single addresses)
)

// The DHO fields the conversion maps to IDEA keys; every other field is
// reported lost by FromDHO.
var mappedFields = map[string]bool{
	"id": true, "time.observation": true, "time.source": true,
	"classification.type": true, "classification.taxonomy": true,
	"event_description.text": true, "comment": true, "feed.accuracy": true,
	"event_description.url": true, "product.vulnerabilities": true,
	"feed.code": true, "feed.name": true,
	"malware.hash.md5": true, "malware.hash.sha1": true, "malware.hash.sha256": true,
	"protocol.transport": true, "protocol.application": true,
}

// mappedEndpointFields are the endpoint fields mapped, per side.
var mappedEndpointFields = []string{"ip", "port", "fqdn", "url", "asn", "account"}

// mappedExtras are the extra names FromDHO reads back into IDEA keys.
var mappedExtras = map[string]bool{extraID: true, extraCategory: true, extraRef: true, extraNode: true, extraAttach: true}

func init() {
	for _, k := range eventOnly {
		mappedExtras[k.extra] = true
	}
	for _, side := range []string{"source", "target"} {
		for _, k := range endpointOnly {
			mappedExtras["idea."+side+"."+k.extra] = true
		}
		mappedExtras["idea."+side+"."+extraRanges] = true
	}
	for _, side := range []string{"source", "destination"} {
		for _, f := range mappedEndpointFields {
			mappedFields[side+"."+f] = true
		}
	}
}

// fieldOf returns the addressable field named key of the struct *p.
func fieldOf(p any, key string) reflect.Value { return reflect.ValueOf(p).Elem().FieldByName(key) }

// probe is a minimal valid message that one value at a time is put into
// to validate it.
func probe() *Event {
	return &Event{Format: FormatName, ID: "probe", DetectTime: &transformers.Time{Time: time.Unix(0, 0)}, Category: []string{"Other"}}
}

// cveRef matches a CVE id as DHO stores it (lower case).
var cveRef = regexp.MustCompile(`^cve-[0-9]{4}-[0-9]+$`)

// vulnRef returns the IDEA reference of a vulnerability id: urn:cve:CVE-…
// for a CVE id (the form IDEA's specification shows), urn:vuln:… for
// others.
func vulnRef(id string) string {
	if cveRef.MatchString(id) {
		return "urn:cve:" + strings.ToUpper(id)
	}
	return "urn:vuln:" + id
}

// refVuln is the inverse of vulnRef.
func refVuln(ref string) (string, bool) {
	lower := strings.ToLower(ref)
	for _, p := range []string{"urn:cve:", "urn:vuln:"} {
		if strings.HasPrefix(lower, p) && len(ref) > len(p) {
			return ref[len(p):], true
		}
	}
	return "", false
}

// scale multiplies a float by 10^exp in decimal, so that DHO's accuracy
// (0 to 100) and IDEA's confidence (0 to 1) convert without binary rounding
// drift: 57.25 becomes 0.5725 and back exactly.
func scale(f float64, exp int) float64 {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		return f
	}
	p := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(exp))), nil))
	if exp < 0 {
		r.Quo(r, p)
	} else {
		r.Mul(r, p)
	}
	out, _ := r.Float64()
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// isTransport reports whether DHO takes s as a transport protocol.
func isTransport(s string) bool {
	var e dho.Event
	return e.Set("protocol.transport", s) == nil
}

// hashKinds are the hash types of Attach.Hash that DHO has fields for.
var hashKinds = []struct{ prefix, field string }{
	{"md5:", "malware.hash.md5"}, {"sha1:", "malware.hash.sha1"}, {"sha256:", "malware.hash.sha256"},
}
