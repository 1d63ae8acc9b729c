package idea

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"reflect"
	"regexp"
	"strings"

	"github.com/intelstream/intelstream/transformers"
)

// Patterns of IDEA's value types, as its specification states them.
var (
	reID       = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)
	reURI      = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:[][a-zA-Z0-9._~:/?#@*'&()+,;=%-]*$`)
	reTag      = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	reHandle   = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	reNSID     = regexp.MustCompile(`^(?:[a-zA-Z_][a-zA-Z0-9_]*\.)*[a-zA-Z_][a-zA-Z0-9_]*$`)
	reMAC      = regexp.MustCompile(`^([0-9A-Fa-f]{2}:){5}([0-9A-Fa-f]{2})$`)
	reDuration = regexp.MustCompile(`^(?:[0-9]+[Dd])?[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?$`)
	reMedia    = regexp.MustCompile(`^[a-zA-Z0-9_-]+/[a-zA-Z0-9_+.-]+$`)
	reCharset  = regexp.MustCompile(`^[a-zA-Z0-9.:_()-]+$`)
	reProto    = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$`)
)

// IsURI reports whether s is a URI as IDEA's Ref, Netname and Hash values
// must be: a scheme, a colon and URI characters.
func IsURI(s string) bool { return reURI.MatchString(s) }

// IsProtocolName reports whether s is a valid IDEA protocol name:
// alphanumerics and single hyphens inside, at least one letter.
func IsProtocolName(s string) bool {
	return reProto.MatchString(s) && !strings.Contains(s, "--") && strings.IndexFunc(s, isLetter) >= 0
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// ValidNet4 reports whether s is an IDEA IPv4 value: an address, a CIDR
// network or a range "a-b".
func ValidNet4(s string) bool { return validNet(s, true) }

// ValidNet6 is ValidNet4 for IPv6.
func ValidNet6(s string) bool { return validNet(s, false) }

func validNet(s string, v4 bool) bool {
	fam := func(a netip.Addr) bool { return a.Is4() == v4 && a.Zone() == "" && !a.Is4In6() }
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, err1 := netip.ParseAddr(lo)
		b, err2 := netip.ParseAddr(hi)
		return err1 == nil && err2 == nil && fam(a) && fam(b)
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return err == nil && fam(p.Addr())
	}
	a, err := netip.ParseAddr(s)
	return err == nil && fam(a)
}

// Validate checks m against IDEA0's rules: the mandatory keys (Format, ID,
// DetectTime, Category), the syntax of every typed value, and, beyond what
// IDEA's JSON schema checks, that every category is one of Categories. The
// error lists every problem.
func (m *Event) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	each := func(path string, vals []string, ok func(string) bool, what string) {
		for i, v := range vals {
			if !ok(v) {
				bad(fmt.Sprintf("%s[%d]", path, i), "%q is not %s", v, what)
			}
		}
	}
	if m.Format != FormatName {
		bad("Format", "%q is not %q", m.Format, FormatName)
	}
	if !reID.MatchString(m.ID) {
		bad("ID", "%q is not an IDEA ID (letters, digits, '.', '-', '_')", m.ID)
	}
	if m.DetectTime == nil {
		bad("DetectTime", "missing")
	}
	if len(m.Category) == 0 {
		bad("Category", "missing")
	}
	each("Category", m.Category, IsCategory, "an IDEA category")
	for _, l := range []struct {
		name string
		ids  []string
	}{{"CorrelID", m.CorrelID}, {"AggrID", m.AggrID}, {"PredID", m.PredID}, {"RelID", m.RelID}} {
		each(l.name, l.ids, reID.MatchString, "an IDEA ID")
	}
	each("Ref", m.Ref, IsURI, "a URI")
	if m.Confidence != nil && (*m.Confidence < 0 || *m.Confidence > 1) {
		bad("Confidence", "%v is not between 0 and 1", *m.Confidence)
	}
	for _, c := range []struct {
		name string
		n    *int64
	}{{"ConnCount", m.ConnCount}, {"FlowCount", m.FlowCount}, {"PacketCount", m.PacketCount}, {"ByteCount", m.ByteCount}} {
		if c.n != nil && *c.n < 0 {
			bad(c.name, "%d is negative", *c.n)
		}
	}
	for side, eps := range map[string][]Endpoint{"Source": m.Source, "Target": m.Target} {
		for i, ep := range eps {
			p := fmt.Sprintf("%s[%d].", side, i)
			each(p+"Type", ep.Type, reTag.MatchString, "a tag")
			each(p+"IP4", ep.IP4, ValidNet4, "an IPv4 address, network or range")
			each(p+"IP6", ep.IP6, ValidNet6, "an IPv6 address, network or range")
			each(p+"MAC", ep.MAC, reMAC.MatchString, "a MAC address")
			each(p+"Proto", ep.Proto, IsProtocolName, "a protocol name")
			each(p+"AttachHand", ep.AttachHand, reHandle.MatchString, "an attachment handle")
			each(p+"Netname", ep.Netname, IsURI, "a network name (URI)")
			each(p+"Ref", ep.Ref, IsURI, "a URI")
			for j, port := range ep.Port {
				if port < 0 || port > 65535 {
					bad(fmt.Sprintf("%sPort[%d]", p, j), "%d is not a port", port)
				}
			}
			for j, asn := range ep.ASN {
				if asn < 0 || asn > 4294967295 {
					bad(fmt.Sprintf("%sASN[%d]", p, j), "%d is not an AS number", asn)
				}
			}
		}
	}
	for i, a := range m.Attach {
		p := fmt.Sprintf("Attach[%d].", i)
		if a.Handle != "" && !reHandle.MatchString(a.Handle) {
			bad(p+"Handle", "%q is not a handle", a.Handle)
		}
		each(p+"Type", a.Type, reTag.MatchString, "a tag")
		each(p+"Hash", a.Hash, IsURI, "a hash (type:value)")
		each(p+"Ref", a.Ref, IsURI, "a URI")
		each(p+"ExternalURI", a.ExternalURI, IsURI, "a URI")
		if a.ContentType != "" && !reMedia.MatchString(a.ContentType) {
			bad(p+"ContentType", "%q is not a media type", a.ContentType)
		}
		if a.ContentCharset != "" && !reCharset.MatchString(a.ContentCharset) {
			bad(p+"ContentCharset", "%q is not a character set name", a.ContentCharset)
		}
		if a.ContentEncoding != "" && a.ContentEncoding != "base64" {
			bad(p+"ContentEncoding", "%q is not base64", a.ContentEncoding)
		}
		if a.Size != nil && *a.Size < 0 {
			bad(p+"Size", "%d is negative", *a.Size)
		}
	}
	for i, n := range m.Node {
		p := fmt.Sprintf("Node[%d].", i)
		if n.Name != "" && !reNSID.MatchString(n.Name) {
			bad(p+"Name", "%q is not a namespaced identifier", n.Name)
		}
		each(p+"Type", n.Type, reTag.MatchString, "a tag")
		if n.AggrWin != "" && !reDuration.MatchString(n.AggrWin) {
			bad(p+"AggrWin", "%q is not a duration", n.AggrWin)
		}
	}
	return errors.Join(errs...)
}

// Message is a decoded IDEA message with the keys IDEA0 does not define.
type Message struct {
	Event
	// Unknown are the keys IDEA0 does not define (private extensions such
	// as "_CESNET"), with their paths and values, sorted by path.
	Unknown []transformers.KeyValue
}

var eventType = reflect.TypeFor[Event]()

// Decode reads one IDEA message (a JSON object) and validates it. Keys
// match case-insensitively, as IDEA's specification says; keys IDEA0 does
// not define are returned in Unknown.
func Decode(raw []byte) (*Message, error) {
	var m Message
	d := json.NewDecoder(bytes.NewReader(raw))
	if err := d.Decode(&m.Event); err != nil {
		return nil, fmt.Errorf("not an IDEA message: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("not an IDEA message: data after the JSON object")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.Unknown = transformers.UnknownKeys(raw, eventType)
	return &m, nil
}

// AppendJSON appends m as one line of JSON (no newline). It fails only for
// a value JSON cannot hold (a NaN confidence), which Validate refuses.
func (m *Event) AppendJSON(dst []byte) ([]byte, error) {
	return transformers.AppendJSONLine(dst, m)
}
