package n6

import (
	"encoding/json"

	"github.com/intelstream/intelstream/transformers"
)

// Event is one n6 event as n6's REST API and stream deliver it (n6's data
// specification, N6DataSpec): the attributes documented for clients, typed;
// the source-specific ones n6 also passes on (x509subject, product,
// botid ...) in Other.
type Event struct {
	// The attributes every event has.
	ID          string             `json:"id"`
	Source      string             `json:"source"`
	Restriction string             `json:"restriction"`
	Confidence  string             `json:"confidence"`
	Category    string             `json:"category"`
	Time        *transformers.Time `json:"time"`

	RID             string             `json:"rid,omitempty"`
	Modified        *transformers.Time `json:"modified,omitempty"`
	Origin          string             `json:"origin,omitempty"`
	Address         []Address          `json:"address,omitempty"`
	Name            string             `json:"name,omitempty"`
	FQDN            string             `json:"fqdn,omitempty"`
	URL             string             `json:"url,omitempty"`
	Proto           string             `json:"proto,omitempty"`
	Sport           *int64             `json:"sport,omitempty"`
	Dport           *int64             `json:"dport,omitempty"`
	Dip             string             `json:"dip,omitempty"`
	Adip            string             `json:"adip,omitempty"`
	MD5             string             `json:"md5,omitempty"`
	SHA1            string             `json:"sha1,omitempty"`
	SHA256          string             `json:"sha256,omitempty"`
	Target          string             `json:"target,omitempty"`
	Client          []string           `json:"client,omitempty"`
	Expires         *transformers.Time `json:"expires,omitempty"`
	Status          string             `json:"status,omitempty"`
	Replaces        string             `json:"replaces,omitempty"`
	Count           *int64             `json:"count,omitempty"`
	Until           *transformers.Time `json:"until,omitempty"`
	Action          string             `json:"action,omitempty"`
	Email           string             `json:"email,omitempty"`
	IBAN            string             `json:"iban,omitempty"`
	Phone           string             `json:"phone,omitempty"`
	Registrar       string             `json:"registrar,omitempty"`
	Username        string             `json:"username,omitempty"`
	URLPattern      string             `json:"url_pattern,omitempty"`
	X509FPSHA1      string             `json:"x509fp_sha1,omitempty"`
	Injects         []json.RawMessage  `json:"injects,omitempty"`
	Block           *bool              `json:"block,omitempty"`
	LongDescription string             `json:"long_description,omitempty"`

	// Other holds the attributes not above, by key, as they were.
	Other map[string]json.RawMessage `json:"-"`
}

// Address is one element of an event's address list: an IPv4 address with
// its country and autonomous system.
type Address struct {
	IP  string `json:"ip"`
	CC  string `json:"cc,omitempty"`
	ASN *int64 `json:"asn,omitempty"`
}

// The values n6's enumerated attributes take (n6's data specification).
var (
	Restrictions = []string{"public", "need-to-know", "internal"}
	Confidences  = []string{"low", "medium", "high"}
	Origins      = []string{"c2", "dropzone", "proxy", "p2p-crawler", "p2p-drone", "sinkhole", "sandbox", "honeypot", "darknet", "av", "ids", "waf"}
	Protos       = []string{"tcp", "udp", "icmp"}
	Statuses     = []string{"active", "delisted", "expired", "replaced"}
)
