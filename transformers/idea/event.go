package idea

import (
	"github.com/intelstream/intelstream/transformers"
)

// FormatName is the value of every IDEA message's Format key.
const FormatName = "IDEA0"

// Event is one IDEA0 message. The Go field names are IDEA's keys; optional
// keys are omitted from JSON when empty (an empty Hostname or Netname list,
// which IDEA uses to say "looked up, none found", is therefore not kept).
type Event struct {
	Format       string             `json:"Format"`
	ID           string             `json:"ID"`
	AltNames     []string           `json:"AltNames,omitempty"`
	CorrelID     []string           `json:"CorrelID,omitempty"`
	AggrID       []string           `json:"AggrID,omitempty"`
	PredID       []string           `json:"PredID,omitempty"`
	RelID        []string           `json:"RelID,omitempty"`
	CreateTime   *transformers.Time `json:"CreateTime,omitempty"`
	DetectTime   *transformers.Time `json:"DetectTime"`
	EventTime    *transformers.Time `json:"EventTime,omitempty"`
	CeaseTime    *transformers.Time `json:"CeaseTime,omitempty"`
	WinStartTime *transformers.Time `json:"WinStartTime,omitempty"`
	WinEndTime   *transformers.Time `json:"WinEndTime,omitempty"`
	ConnCount    *int64             `json:"ConnCount,omitempty"`
	FlowCount    *int64             `json:"FlowCount,omitempty"`
	PacketCount  *int64             `json:"PacketCount,omitempty"`
	ByteCount    *int64             `json:"ByteCount,omitempty"`
	Category     []string           `json:"Category"`
	Ref          []string           `json:"Ref,omitempty"`
	Confidence   *float64           `json:"Confidence,omitempty"`
	Description  string             `json:"Description,omitempty"`
	Note         string             `json:"Note,omitempty"`
	Source       []Endpoint         `json:"Source,omitempty"`
	Target       []Endpoint         `json:"Target,omitempty"`
	Attach       []Attachment       `json:"Attach,omitempty"`
	Node         []Node             `json:"Node,omitempty"`
}

// Endpoint is one element of Source or Target: a source or target of the
// event.
type Endpoint struct {
	Type       []string `json:"Type,omitempty"`
	Hostname   []string `json:"Hostname,omitempty"`
	IP4        []string `json:"IP4,omitempty"`
	MAC        []string `json:"MAC,omitempty"`
	IP6        []string `json:"IP6,omitempty"`
	Port       []int64  `json:"Port,omitempty"`
	Proto      []string `json:"Proto,omitempty"`
	URL        []string `json:"URL,omitempty"`
	Email      []string `json:"Email,omitempty"`
	AttachHand []string `json:"AttachHand,omitempty"`
	Note       string   `json:"Note,omitempty"`
	Spoofed    *bool    `json:"Spoofed,omitempty"`
	Imprecise  *bool    `json:"Imprecise,omitempty"`
	Anonymised *bool    `json:"Anonymised,omitempty"`
	ASN        []int64  `json:"ASN,omitempty"`
	Router     []string `json:"Router,omitempty"`
	Netname    []string `json:"Netname,omitempty"`
	Ref        []string `json:"Ref,omitempty"`
}

// Attachment is one element of Attach: data attached to the event, such as
// a malware sample's description.
type Attachment struct {
	Handle          string   `json:"Handle,omitempty"`
	FileName        []string `json:"FileName,omitempty"`
	Type            []string `json:"Type,omitempty"`
	Hash            []string `json:"Hash,omitempty"`
	Size            *int64   `json:"Size,omitempty"`
	Ref             []string `json:"Ref,omitempty"`
	Note            string   `json:"Note,omitempty"`
	ContentType     string   `json:"ContentType,omitempty"`
	ContentCharset  string   `json:"ContentCharset,omitempty"`
	ContentEncoding string   `json:"ContentEncoding,omitempty"`
	Content         string   `json:"Content,omitempty"`
	ContentID       []string `json:"ContentID,omitempty"`
	ExternalURI     []string `json:"ExternalURI,omitempty"`
}

// Node is one element of Node: a detector or a system the event passed
// through, the latest first.
type Node struct {
	Name    string   `json:"Name,omitempty"`
	Type    []string `json:"Type,omitempty"`
	SW      []string `json:"SW,omitempty"`
	AggrWin string   `json:"AggrWin,omitempty"`
	Note    string   `json:"Note,omitempty"`
}
